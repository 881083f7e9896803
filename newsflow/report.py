"""The report: one self-contained HTML page of what the warehouse holds, readable offline.

Charts are Vega-Lite specs built with Altair and drawn in the page by Vega-Embed, whose JavaScript
(with Vega and Vega-Lite) vl-convert-python bundles once into the page: nothing is fetched from a
network, and the page stays about 1 MB of script plus aggregates (top stories and entities, never
rows per article). The same specs become PNGs (vl-convert) for the run's Prefect artifact, where a
markdown image given as a data URI shows and inline SVG does not.

Sections: the largest stories over time (each story a row, its articles per publication day); the
top people, organisations and places with mentions per day; one story (`story`, else the largest):
who is in it together, who said what, what it borrows; data quality (what was set aside, by reason;
the expectations that failed); run history (articles per run, seconds per stage).
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import html
import json
import os
from dataclasses import dataclass
from pathlib import Path

from newsflow.resources import read_sql

REPORT_FILE = "report.html"   # WAREHOUSE/report.html: written after each run that loads articles, and by default
TOP_STORIES = 25
# The story section's figures: the columns of sql/report/story.sql.
SHOWN_STORY_COLUMNS = ("story_id", "headline", "first_seen", "last_seen", "article_count", "distinct_sources",
                       "top_entities")
TOP_ENTITIES_PER_LABEL = 8
HEADLINE_CHARACTERS = 70
LABEL_TITLES = {"PERSON": "People", "ORG": "Organisations", "GPE": "Places"}


@dataclass
class Report:
    """What the page shows, read from the warehouse once."""

    since: dt.date | None
    until: dt.date | None
    stories: list[dict]
    story_days: list[dict]
    entity_days: list[dict]
    story: dict | None
    together: list[dict]
    quotes: list[dict]
    borrowings: list[dict]
    quarantine: list[dict]
    failed_expectations: list[dict]
    runs: list[dict]


def _rows(con, name: str, parameters: dict | None = None) -> list[dict]:
    # "between null and null" is null: a warehouse with no dated article matches no date, and no error.
    cursor = con.execute(read_sql(f"report/{name}"), parameters or None)
    columns = [column[0] for column in cursor.description]
    return [dict(zip(columns, row)) for row in cursor.fetchall()]


def read_report(con, since: str | None = None, until: str | None = None, story: str | None = None) -> Report:
    """The report's figures from a read-only connection on the warehouse (newsflow.warehouse.open_read_only).

    since, until: ISO publication dates bounding the stories and entities (default: the warehouse's
    first and last); story: the story_id the story section shows (default: the largest in the period).
    """
    period = _rows(con, "period", {"since": since, "until": until})[0]
    bounds = {"since": period["since"], "until": period["until"]}
    # Undated articles count where no period was asked for: a warehouse of undated wire copy still has stories.
    stories = _rows(con, "stories", bounds | {"limit": TOP_STORIES, "undated": since is None and until is None})
    story_days = _rows(con, "story_days", bounds | {"story_ids": [s["story_id"] for s in stories]}) if stories else []
    entity_days = _rows(con, "entity_days", bounds | {"limit": TOP_ENTITIES_PER_LABEL}) if period["since"] else []
    chosen = story or (stories[0]["story_id"] if stories else None)
    shown = None
    if chosen and not story:   # the largest story: its row is the first of `stories`, as the view gives it
        shown = {column: stories[0][column] for column in SHOWN_STORY_COLUMNS}
    elif chosen:
        found = _rows(con, "story", {"story": chosen})
        if not found:
            raise LookupError(f"no story {chosen} in the warehouse: see sql/queries/stories_of_week.sql for ids")
        shown = found[0]
    in_story = {"story": chosen}
    return Report(
        since=period["since"], until=period["until"], stories=stories, story_days=story_days,
        entity_days=entity_days, story=shown,
        together=_rows(con, "story_together", in_story) if chosen else [],
        quotes=_rows(con, "story_quotes", in_story) if chosen else [],
        borrowings=_rows(con, "story_borrowings", in_story) if chosen else [],
        quarantine=_rows(con, "quarantine"), failed_expectations=_rows(con, "failed_expectations"),
        runs=_rows(con, "runs"))


def _headline(text: str | None) -> str:
    text = " ".join((text or "(no headline)").split())
    return text if len(text) <= HEADLINE_CHARACTERS else text[:HEADLINE_CHARACTERS - 1] + "…"


def charts(report: Report) -> dict[str, dict]:
    """The page's Vega-Lite specs by name (a chart only where there is something to draw)."""
    import altair as alt
    import pandas as pd

    specs = {}
    if report.story_days:
        headlines = {s["story_id"]: f"{_headline(s['headline'])} ({s['story_id'][:8]})" for s in report.stories}
        days = pd.DataFrame([{**row, "story": headlines[row["story_id"]], "day": str(row["day"])}
                             for row in report.story_days])
        order = [headlines[s["story_id"]] for s in sorted(report.stories, key=lambda s: (str(s["first_seen"]),
                                                                                         s["story_id"]))]
        specs["stories"] = alt.Chart(days, title="The largest stories: articles per publication day").mark_circle(
        ).encode(x=alt.X("day:T", title="published", axis=alt.Axis(format="%Y-%m-%d")), y=alt.Y("story:N", sort=order, title=None),
                 size=alt.Size("articles:Q", title="articles"),
                 tooltip=["story:N", "day:T", "articles:Q"]).properties(width=640).to_dict()
    if report.entity_days:
        mentions = pd.DataFrame([{**row, "day": str(row["day"]), "kind": LABEL_TITLES[row["label"]]}
                                 for row in report.entity_days])
        specs["entities"] = alt.Chart(mentions).mark_line(point=True).encode(
            x=alt.X("day:T", title="published", axis=alt.Axis(format="%Y-%m-%d")), y=alt.Y("mentions:Q", title="mentions"),
            color=alt.Color("name:N", title=None), tooltip=["name:N", "day:T", "mentions:Q"],
        ).properties(width=640, height=160).facet(
            row=alt.Row("kind:N", title=None, sort=list(LABEL_TITLES.values())),
        ).resolve_scale(color="independent").properties(
            title="Top people, organisations and places: mentions per day").to_dict()
    if report.quarantine:
        set_aside = pd.DataFrame([{**row, "what": f"{row['stage']}: {row['reason']}"[:80]}
                                  for row in report.quarantine])
        specs["quarantine"] = alt.Chart(set_aside, title="Set aside, by stage and reason").mark_bar().encode(
            x=alt.X("rows_set_aside:Q", title="rows"), y=alt.Y("what:N", sort="-x", title=None),
            tooltip=["stage:N", "item:N", "reason:N", "rows_set_aside:Q"]).properties(width=480).to_dict()
    if report.runs:
        seconds = pd.DataFrame([{"run": row["run_id"][:15], "stage": stage, "seconds": float(value)}
                                for row in report.runs
                                for stage, value in json.loads(row["stage_seconds"] or "{}").items()
                                if isinstance(value, (int, float)) and not stage.endswith("_wall")])
        loaded = pd.DataFrame([{"run": row["run_id"][:15], "articles": row["articles_loaded"] or 0}
                               for row in report.runs])
        articles = alt.Chart(loaded, title="Articles loaded per run").mark_bar().encode(
            x=alt.X("run:N", title=None, axis=alt.Axis(labels=False)), y="articles:Q",
            tooltip=["run:N", "articles:Q"]).properties(width=640, height=120)
        if len(seconds):
            stages = alt.Chart(seconds, title="Seconds per stage").mark_bar().encode(
                x=alt.X("run:N", title="run"), y=alt.Y("sum(seconds):Q", title="seconds"),
                color=alt.Color("stage:N"), tooltip=["run:N", "stage:N", "seconds:Q"]).properties(width=640,
                                                                                                  height=160)
            specs["runs"] = alt.vconcat(articles, stages).to_dict()
        else:
            specs["runs"] = articles.to_dict()
    return specs


def png_data_uri(spec: dict) -> str:
    """A chart as a PNG data URI (vl-convert: no browser, no network)."""
    import vl_convert

    # White behind the marks: the UI's dark theme shows a transparent PNG's text on grey.
    png = vl_convert.vegalite_to_png({**spec, "background": "white"}, scale=1)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@functools.cache
def _script() -> str:
    """Vega-Embed, Vega and Vega-Lite in one script, for the Vega-Lite version Altair writes specs for.

    vl-convert takes 1.6 s to bundle it, on every run that loads articles: it is kept in the user's cache
    folder under the versions that made it, and made again when either changes."""
    import altair as alt
    import vl_convert

    vega_lite = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]
    cache_root = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    cached = cache_root / "newsflow" / f"vega-embed-vl{vega_lite}-vlc{vl_convert.__version__}.js"
    try:
        return cached.read_text(encoding="utf-8")
    except OSError:
        pass
    bundle = vl_convert.javascript_bundle(vl_version=vega_lite)
    try:
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f"{cached.name}.{os.getpid()}.partial")   # never a half-written bundle
        partial.write_text(bundle, encoding="utf-8")
        partial.replace(cached)
    except OSError:   # a read-only home: the page is still written, the bundle made again next time
        pass
    return bundle


def _table(rows: list[dict], columns: list[tuple[str, str]], empty: str) -> str:
    if not rows:
        return f"<p class=empty>{html.escape(empty)}</p>"
    head = "".join(f"<th>{html.escape(title)}</th>" for _, title in columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(row[key]))}</td>" for key, _ in columns) + "</tr>"
                   for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.2f}"
    if isinstance(value, (list, tuple)):
        return ", ".join(str(item) for item in value)
    return str(value)


def _chart(name: str, specs: dict[str, dict]) -> str:
    if name not in specs:
        return ""
    spec = json.dumps(specs[name]).replace("</", "<\\/")
    return (f'<div class=chart id="chart-{name}"></div>\n<script>vegaEmbed("#chart-{name}", {spec}, '
            '{"actions": false, "renderer": "svg"}).catch(function (e) { console.error(e); });</script>')


STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2em auto; max-width: 1100px; color: #222; }
h1 { font-size: 1.6em; } h2 { margin-top: 2em; border-bottom: 1px solid #ddd; }
table { border-collapse: collapse; margin: .5em 0; } td, th { padding: 3px 8px; border-bottom: 1px solid #eee;
text-align: left; vertical-align: top; } th { background: #f6f6f6; } .empty, .meta { color: #777; }
.chart { margin: 1em 0; }
"""


def render(report: Report, title: str) -> str:
    """The page: every section, its charts drawn by the one inlined script."""
    specs = charts(report)
    period = f"{report.since} to {report.until}" if report.since else "no dated articles"
    story = report.story
    story_section = "<p class=empty>No story to show.</p>"
    if story:
        story_section = (
            f"<h3>{html.escape(_headline(story['headline']))}</h3>"
            f"<p class=meta>story {html.escape(story['story_id'])}: {story['article_count']} articles, "
            f"{story['distinct_sources']} sources, first seen {story['first_seen']}, last seen "
            f"{story['last_seen']}</p>"
            "<h4>Who is in it together</h4>"
            + _table(report.together, [("name_a", "name"), ("label_a", "label"), ("name_b", "with"),
                                       ("label_b", "label"), ("shared_articles", "articles")], "No pairs.")
            + "<h4>Who said what</h4>"
            + _table(report.quotes, [("speaker", "speaker"), ("quote", "quote"), ("published_date", "published"),
                                     ("source_path", "source")], "No quotes.")
            + "<h4>What it borrows from other articles</h4>"
            + _table(report.borrowings, [("article", "article"), ("source_path", "source"),
                                         ("borrowed_from_title", "borrowed from"),
                                         ("borrowed_from_path", "its source"), ("borrowed_share", "share of words"),
                                         ("borrowed_paragraphs", "paragraphs"), ("lifted_text", "lifted text")],
                     "No borrowings."))
    sections = [
        f"<h1>{html.escape(title)}</h1><p class=meta>Publication dates {html.escape(period)}; made "
        f"{dt.datetime.now(dt.timezone.utc):%Y-%m-%d %H:%M} UTC by newsflow report.</p>",
        "<h2>Stories over time</h2>", _chart("stories", specs),
        _table(report.stories, [("headline", "headline"), ("first_seen", "first seen"),
                                ("articles_in_period", "articles"), ("distinct_sources", "sources"),
                                ("top_entities", "about"), ("story_id", "story")], "No stories in the period."),
        "<h2>People, organisations and places</h2>", _chart("entities", specs),
        "<p class=empty>No entities in the period.</p>" if not report.entity_days else "",
        "<h2>A story</h2>", story_section,
        "<h2>Data quality</h2>", _chart("quarantine", specs),
        _table(report.quarantine, [("stage", "stage"), ("item", "item"), ("reason", "reason"),
                                   ("rows_set_aside", "rows")], "Nothing was set aside."),
        "<h3>Expectations that failed</h3>",
        _table(report.failed_expectations, [("suite", "suite"), ("expectation", "expectation"),
                                            ("column_name", "column"), ("on_failure", "on failure"),
                                            ("runs_failed", "runs"), ("rows_unexpected", "rows")],
               "Every expectation passed."),
        "<h2>Run history</h2>", _chart("runs", specs),
    ]
    return ("<!doctype html>\n<html lang=en><head><meta charset=utf-8>"
            f"<title>{html.escape(title)}</title><style>{STYLE}</style>"
            f"<script>{_script()}</script></head><body>\n" + "\n".join(sections) + "\n</body></html>\n")


def write_report(con, out: Path, title: str, since: str | None = None, until: str | None = None,
                 story: str | None = None) -> Report:
    """Read the report from `con` and write its page to `out` (replaced whole, never half-written)."""
    report = read_report(con, since, until, story)
    page = render(report, title)
    partial = out.with_name(f".{out.name}.partial")
    partial.write_text(page, encoding="utf-8")
    partial.replace(out)
    return report
