"""The run summary a person reads in ten seconds: read from the warehouse, rendered for a
terminal (rich) or a Prefect markdown artifact."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from newsflow.resources import read_sql
from newsflow.warehouse import Warehouse

STAGES = ("ingest", "clean", "extract", "quality", "batches_wall", "dedup", "load")


def read_run_summary(warehouse: Warehouse, run_id: str) -> dict:
    """The run's record, its quarantine by reason and its quality results, as committed."""
    with warehouse.reading() as con:
        def rows(name: str) -> list[dict]:
            cursor = con.execute(read_sql(f"summary/{name}"), {"run_id": run_id})
            columns = [c[0] for c in cursor.description]
            return [{c: _plain(v) for c, v in zip(columns, values)} for values in cursor.fetchall()]

        run = rows("run")[0]
        run["stage_seconds"] = json.loads(run["stage_seconds"] or "{}")
        run["quarantine"] = rows("quarantine_by_reason")
        run["quality"] = rows("quality")
        run["top_entities"] = rows("top_entities")
        run["new_stories"] = rows("new_stories")
        run |= rows("story_counts")[0]
        run["quarantined_files"] = rows("quarantined_files")
        run["warehouse"] = warehouse.where()
    return run


def _plain(value):
    # Artifacts and JSON output take plain values: dates as ISO strings.
    return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else value


def _seconds(run: dict) -> str:
    return ", ".join(f"{stage} {run['stage_seconds'][stage]:.1f}s" for stage in STAGES if stage in run["stage_seconds"])


def _quality_line(run: dict) -> str:
    passed = sum(1 for r in run["quality"] if r["success"])
    return f"{passed}/{len(run['quality'])} expectations passed"


def render_markdown(run: dict) -> str:
    lines = [
        f"# newsflow run `{run['run_id']}`: {run['status']}",
        "",
        "| files seen | inputs | articles loaded | unchanged | quarantined | duplicates | stories (new) | mentions "
        "| entities |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {run['files_seen']} | {run['inputs_seen']} | {run['articles_loaded']} | {run['unchanged_skips']} "
        f"| {run['quarantined']} | {run['duplicates']} | {run['stories']} ({run['stories_begun']}) | {run['mentions']} "
        f"| {run['entities']} |",
        "",
        f"**Data quality:** {_quality_line(run)}  ",
        f"**Time per stage:** {_seconds(run)}  ",
        f"**Source:** `{run['source']}` → **warehouse:** `{run['warehouse']}`, model `{run['model']}`",
    ]
    if run.get("quality_docs"):
        lines[-1] += "  "
        lines.append(f"**GX Data Docs** (open on the machine that ran it): `{run['quality_docs']}`")
    if run.get("report"):
        lines[-1] += "  "
        lines.append(f"**Report** (stories, entities, quotes, quality and runs; open on the machine that ran it): "
                     f"`{run['report']['path']}`")
    if run["quarantine"]:
        lines += ["", "## Quarantined, by reason", "", "| stage | reason | inputs |", "|---|---|---:|"]
        lines += [f"| {q['stage']} | {q['reason']} | {q['inputs']} |" for q in run["quarantine"]]
    if run["quarantined_files"]:
        lines += ["", "First files set aside: " + ", ".join(f"`{_cell(q['source_path'])}`" for q in run["quarantined_files"])]
    failed = [r for r in run["quality"] if not r["success"]]
    if failed:
        lines += ["", "## Failed expectations", ""]
        lines += [f"- {r['suite']}: {r['expectation']} on `{r['column_name']}`: {r['rows_failed']} rows set aside"
                  for r in failed]
    return "\n".join(lines)


def render_quality_markdown(run: dict) -> str:
    """Data quality as the UI shows it: every failed expectation, its column, rows and example values."""
    lines = [f"# Data quality of run `{run['run_id']}`: {_quality_line(run)}", ""]
    failures = run.get("quality_failures") or []
    if failures:
        lines += ["| suite | expectation | column | rows failed | examples | why it matters |",
                  "|---|---|---|---:|---|---|"]
        lines += [f"| {f['suite']} | {f['expectation']} | `{f['column_name']}` | {f['rows_failed']} "
                  f"| {', '.join(f'`{_cell(e)}`' for e in f['examples'])} | {_cell(f['reason'])} |" for f in failures]
        lines += ["", "Rows that failed an expectation were set aside: see the quarantine table."]
    else:
        lines.append("Every expectation passed.")
    if run.get("quality_docs"):
        lines += ["", f"GX Data Docs of every check (open on the machine that ran it): `{run['quality_docs']}`"]
    return "\n".join(lines)


def _cell(text: str) -> str:
    # Inside a markdown table: a pipe would end the cell, a backtick would open or close code.
    return text.replace("`", "'").replace("|", "\\|")


def print_summary(run: dict, console) -> None:
    """The one-screen summary `newsflow run` ends with."""
    from rich.table import Table

    table = Table(title=f"newsflow run {run['run_id']} ({run['status']})", show_header=False, box=None)
    table.add_column(no_wrap=True)
    table.add_column(overflow="fold")   # a long path folds onto the next line, never cut with "…" when piped
    for label, value in (
        ("files seen", run["files_seen"]), ("inputs (files + JSON records)", run["inputs_seen"]),
        ("articles loaded", run["articles_loaded"]), ("unchanged, skipped", run["unchanged_skips"]),
        ("duplicates", run["duplicates"]), ("stories", f"{run['stories']} ({run['stories_begun']} new)"),
        ("quarantined", run["quarantined"]),
        ("entity mentions", run["mentions"]), ("entities in warehouse", run["entities"]),
        ("data quality", _quality_line(run)), ("time per stage", _seconds(run)),
        ("GX Data Docs", run.get("quality_docs") or "none: nothing new was checked"),
        ("report", (run.get("report") or {}).get("path") or (f"not written ({run['report_skipped']})"
                                                             if run.get("report_skipped")
                                                             else "unchanged: nothing new was loaded")),
    ):
        table.add_row(label, str(value))
    for q in run["quarantine"]:
        table.add_row(f"  quarantined at {q['stage']}", f"{q['inputs']} × {q['reason']}")
    for q in run["quarantined_files"]:
        record = f" record {q['record_index']}" if q["record_index"] is not None else ""
        table.add_row("  quarantined file", f"{q['source_path']}{record}: {q['reason']}")
    whole_inputs = sum(q["inputs"] for q in run["quarantine"] if "(" not in q["stage"])
    if whole_inputs > len(run["quarantined_files"]):
        table.add_row("", f"… {whole_inputs - len(run['quarantined_files'])} more: "
                          "newsflow query sql/queries/quarantine_by_reason.sql")
    for r in run["quality"]:
        if not r["success"]:
            table.add_row("  failed expectation", f"{r['suite']}: {r['expectation']} on {r['column_name']} "
                                                  f"({r['rows_failed']} rows)")
    console.print(table)


def committed_since(warehouse: Warehouse, since: dt.datetime) -> bool:
    """Whether a run started at or after `since` has committed to the warehouse."""
    if not warehouse.exists():
        return False
    with warehouse.reading() as con:
        return con.execute(read_sql("summary/runs_completed_since"), {"since": since}).fetchone()[0] > 0


def render_report_markdown(report: dict) -> str:
    """The report's headline pictures as PNG data URIs (the UI shows those; it strips inline SVG), and
    where the whole page is."""
    lines = ["# The warehouse after this run", "",
             f"The whole page, offline (stories, entities, quotes, data quality, runs): `{report['path']}`", ""]
    for title, uri in report["pictures"]:
        lines += [f"## {title}", "", f"![{title}]({uri})", ""]
    return "\n".join(lines)


def publish_artifacts(run_summary: dict) -> None:
    """What the flow run page shows: the summary, GX results, the failed expectations with examples,
    top entities, new stories. (GX's Data Docs are files: their path is in the summary, for a local browser.)"""
    from prefect.artifacts import create_markdown_artifact, create_table_artifact

    run_id = run_summary["run_id"]
    create_markdown_artifact(render_markdown(run_summary), key="run-summary",
                             description=f"newsflow run {run_id}")
    create_table_artifact(run_summary["quality"], key="quality-results",
                          description="Great Expectations results, per suite and expectation")
    create_table_artifact(run_summary["top_entities"] or [{"note": "no new mentions in this run"}],
                          key="top-entities", description="Entities mentioned in the most of this run's articles")
    create_table_artifact(run_summary["new_stories"] or [{"note": "no new stories in this run"}],
                          key="new-stories", description="Stories that began with this run's articles")
    if run_summary.get("report"):
        create_markdown_artifact(render_report_markdown(run_summary["report"]), key="report",
                                 description="The warehouse's stories and entities over time")
    create_markdown_artifact(render_quality_markdown(run_summary), key="data-quality",
                             description="Every failed expectation of this run: column, rows, example values")
