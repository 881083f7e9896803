"""Measure clean and dates on held-out Reuters-21578 stories rendered as scraped news pages.

    .venv/bin/python bench/reuters_clean.py [--split tune|heldout] [--limit N]

Each Reuters story (title, dateline, body, <DATE>) becomes the text a scraper would save from a
news site: the title, a date line in the site's house format (or none), share/ad/credit lines of
known kinds and, per site, furniture lines no rule lists (caught only by repetition), then the
body paragraphs with their dateline and the "Reuter" sign-off. Stories go to 10 sites (folders).
The rendered texts are written to bench/corpus/ and the figures to bench/results/. With --as-is
the SGML text is cleaned unchanged (hard-wrapped lines, a yearless dateline): no date should be stored.

Tune files: reut2-000..004 (looked at while writing rules). Held-out: reut2-010..021 (never read).
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import json
import random
import re
import sys
from pathlib import Path

import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tasks.clean import clean_documents  # noqa: E402
from tasks.dates import find_yearless_dates, parse_date  # noqa: E402
from tasks.ingest import DOCUMENT_SCHEMA  # noqa: E402

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "reuters21578"
SPLITS = {"tune": range(0, 5), "heldout": range(10, 22)}
RUN_DATE = dt.date(2026, 11, 23)
SITES = 10
NO_DATE_SHARE = 0.15   # stories whose page prints no date: the right answer is NULL

# House date formats (one per site), from the list; the time where the format has one.
def _formats(d: dt.datetime) -> list[str]:
    hour12 = f"{(d.hour % 12) or 12}:{d.minute:02d} {'AM' if d.hour < 12 else 'PM'}"
    ampm = f"{(d.hour % 12) or 12}:{d.minute:02d} {'a.m.' if d.hour < 12 else 'p.m.'}"
    suffix = "th" if 11 <= d.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
    return [
        d.strftime("%Y-%m-%dT%H:%M:%SZ"),
        f"{d.day} {d:%B %Y}",
        f"{d:%A}, {d.day} {d:%B}, {d.year}, {hour12}",
        f"{d:%B} {d.day}, {d.year}",
        f"{d:%b}. {d.day}, {d.year} {ampm} ET",
        f"{d.day}{suffix} {d:%B %Y}",
        f"Published: {d.day:02d}/{d.month:02d}/{d.year}",          # day-first numeric
        f"Updated {d:%b} {d.day}, {d.year} {d:%H:%M} GMT",
        f"Posted on {d.month}/{d.day}/{d.year}",                  # month-first numeric
        f"date {d:%Y-%m-%d}",                                     # glued to the first paragraph
    ]

KNOWN_JUNK = ["Share on Facebook", "Share this article", "Print", "Email", "Advertisement", "12 Comments",
              "Leave a comment", "Related Topics", "Subscribe to our newsletter", "Follow us on Twitter",
              "Copyright 1987 Reuters. All rights reserved.", "Read more: markets coverage", "Views: 1043",
              "Sponsored Content", "See also: more business news"]
KNOWN_CREDITS = ["(Image: AP)", "Photo: REUTERS", "Image Credit: AFP", "Photo credit: Getty Images"]
# Furniture no rule lists: each site prints its own.
SITE_FURNITURE = [
    ["Download the Ledger app for breaking alerts", "Top deals this week: garden furniture up to 40% off"],
    ["Our journalism is funded by readers like you", "Trending now"],
    ["Get the morning briefing in your inbox", "Most popular on Market Wire"],
    ["Support independent reporting today", "Listen to this story 3 min"],
    ["The Courier is on Telegram", "Take our reader survey and win a tablet"],
    ["Continue reading below", "Never miss a story: turn on notifications"],
    ["Daily Business Digest delivered free", "Explore our podcasts"],
    ["Watch: live market coverage", "Got a tip? Contact our newsroom"],
    ["Jobs board: find your next role", "Letters to the editor are welcome"],
    ["Back to top", "Home | World | Business | Markets"],
]
SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"])")


def read_stories(split: str) -> list[dict]:
    """Stories of the split's files with a title, a dateline, a body and a date."""
    stories = []
    for number in SPLITS[split]:
        raw = (CORPUS / f"reut2-{number:03d}.sgm").read_bytes().decode("utf-8", errors="replace")
        for block in re.findall(r"<REUTERS.*?</REUTERS>", raw, re.S):
            fields = {tag: re.search(rf"<{tag}>(.*?)</{tag}>", block, re.S) for tag in ("DATE", "TITLE", "DATELINE", "BODY")}
            if not all(fields.values()):
                continue
            stamp = re.search(r"\d{1,2}-[A-Z]{3}-\d{4} \d\d:\d\d:\d\d", fields["DATE"].group(1))
            if stamp is None:
                continue
            when = dt.datetime.strptime(stamp.group(0), "%d-%b-%Y %H:%M:%S")
            body = html.unescape(fields["BODY"].group(1)).replace("\x03", "")
            body = re.sub(r"\s*\bReuter\s*$", "", body.strip(), flags=re.I)
            paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s{2,}|\n\s*\n", body) if p.strip()]
            if not paragraphs:
                continue
            stories.append({"id": f"{number:03d}-{len(stories)}", "date": when, "sgml_body": fields["BODY"].group(1),
                            "sgml_dateline": fields["DATELINE"].group(1),
                            "title": " ".join(html.unescape(fields["TITLE"].group(1)).split()),
                            "dateline": " ".join(html.unescape(fields["DATELINE"].group(1)).split()).rstrip(" -"),
                            "paragraphs": paragraphs})
    return stories


def render(story: dict, site: int, rng: random.Random) -> tuple[str, dict]:
    """The scraped page text of one story, and what a perfect cleaner would find in it."""
    fmt = _formats(story["date"])[site]
    prints_date = rng.random() >= NO_DATE_SHARE
    # A site's first furniture line is on every page, its second on about a third of them.
    junk = rng.sample(KNOWN_JUNK, 3) + SITE_FURNITURE[site][:1 + (rng.random() < 0.35)]
    credit = rng.choice(KNOWN_CREDITS)
    first = f"{story['dateline']} - {story['paragraphs'][0]}"
    body = [first] + story["paragraphs"][1:]
    lines = [junk[0], story["title"]]
    if prints_date and fmt.startswith("date "):
        body[0] = f" {fmt} {body[0]}"
    elif prints_date:
        lines.append(fmt)
    lines += [junk[3], credit]
    for i, paragraph in enumerate(body):
        lines.append(paragraph)
        if i == len(body) // 2:
            lines.append(junk[1])
    lines += ["Reuter", junk[2]] + junk[4:]
    truth = {"date": story["date"].date() if prints_date else None, "junk": junk + [credit],
             "sentences": [s for p in story["paragraphs"] for s in SENTENCE.split(p)], "paragraphs": story["paragraphs"],
             "dateline": story["dateline"], "time": story["date"].time().replace(second=0)
             if prints_date and site in (0, 2, 4, 7) else None}
    return "\n\n".join(lines) + "\n", truth


def render_as_is(story: dict) -> tuple[str, dict]:
    """The story as the SGML prints it: title, dateline, hard-wrapped body, "Reuter"; no date with a year."""
    text = html.unescape(f"{story['title']}\n{story['sgml_dateline']}{story['sgml_body']}").replace("\x03", "")
    truth = {"date": None, "junk": [], "sentences": [s for p in story["paragraphs"] for s in SENTENCE.split(p)],
             "paragraphs": story["paragraphs"],
             "dateline": story["dateline"], "time": None}
    return text, truth


def measure(split: str, limit: int | None, as_is: bool = False) -> dict:
    rng = random.Random(1987)
    stories = read_stories(split)[:limit]
    docs, truths = [], []
    for order, story in enumerate(stories):
        site = order % SITES
        text, truth = render_as_is(story) if as_is else render(story, site, rng)
        docs.append({"article_id": story["id"], "source_path": f"site{site}/{story['id']}.txt", "record_index": None,
                     "source_format": "txt", "encoding": "utf-8", "raw_text": text, "title_hint": None,
                     "date_hint": None, "input_order": order})
        truths.append(truth)
    out = Path(__file__).parent / "corpus" / (split + ("-as-is" if as_is else ""))
    out.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        (out / doc["source_path"]).parent.mkdir(exist_ok=True)
        (out / doc["source_path"]).write_text(doc["raw_text"], encoding="utf-8")
    articles = clean_documents(pa.Table.from_pylist(docs, schema=DOCUMENT_SCHEMA), RUN_DATE).to_pylist()
    return score(articles, truths)


def score(articles: list[dict], truths: list[dict]) -> dict:
    c = dict.fromkeys(["printed", "date_right", "no_date", "false_date", "timed", "time_right", "datelines",
                       "dateline_right", "dateline_date_right", "junk", "junk_left", "sentences", "sentences_kept", "paragraphs", "paragraphs_whole",
                       "clean_paragraphs"], 0)
    misses = []
    for article, truth in zip(articles, truths):
        text = article["clean_text"]
        flat = " ".join(text.split())   # sentences are compared with their spacing and line wraps undone
        if truth["date"]:
            c["printed"] += 1
            c["date_right"] += article["published_date"] == truth["date"]
            if article["published_date"] != truth["date"] and len(misses) < 20:
                misses.append((article["source_path"], str(article["published_date"]), str(truth["date"])))
        else:
            c["no_date"] += 1
            c["false_date"] += article["published_date"] is not None
        if truth["time"]:
            c["timed"] += 1
            c["time_right"] += (article["published_time"] or dt.time(0)).replace(second=0) == truth["time"] \
                and article["published_time"] is not None
        c["datelines"] += 1
        c["dateline_right"] += article["dateline"] == truth["dateline"]
        yearless = find_yearless_dates(article["dateline"] or "")
        day = parse_date(yearless[0], RUN_DATE, year=truth["date"].year) if yearless and truth["date"] else None
        c["dateline_date_right"] += day == (truth["date"] or False)
        c["junk"] += len(truth["junk"])
        c["junk_left"] += sum(junk in text.split("\n\n") for junk in truth["junk"])   # whole lines: "Print" ≠ "Printers"
        c["sentences"] += len(truth["sentences"])
        c["sentences_kept"] += sum(sentence in flat for sentence in truth["sentences"])
        # Paragraphs as the SGML indents them: with --as-is, whether hard-wrapped lines were joined
        # back into them (and nothing more: a table row stays its own paragraph).
        clean_paragraphs = {" ".join(p.split()) for p in text.split("\n\n")}
        c["paragraphs"] += len(truth["paragraphs"])
        c["paragraphs_whole"] += sum(p in clean_paragraphs for p in truth["paragraphs"])
        c["clean_paragraphs"] += len(text.split("\n\n"))
    printed_with_dateline = sum(1 for t in truths if t["date"])
    return {"articles": len(articles), **c,
            "date_accuracy": round(c["date_right"] / max(c["printed"], 1), 4),
            "false_date_rate": round(c["false_date"] / max(c["no_date"], 1), 4),
            "time_accuracy": round(c["time_right"] / max(c["timed"], 1), 4),
            "dateline_accuracy": round(c["dateline_right"] / max(c["datelines"], 1), 4),
            "dateline_date_accuracy": round(c["dateline_date_right"] / max(printed_with_dateline, 1), 4),
            "junk_left_share": round(c["junk_left"] / max(c["junk"], 1), 4),
            "sentences_kept_share": round(c["sentences_kept"] / max(c["sentences"], 1), 4),
            "paragraphs_whole_share": round(c["paragraphs_whole"] / max(c["paragraphs"], 1), 4),
            "date_misses": misses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", choices=sorted(SPLITS), default="tune")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--as-is", action="store_true", help="the SGML text unchanged: wrapped lines, no year")
    args = parser.parse_args()
    result = measure(args.split, args.limit, args.as_is)
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / f"reuters_clean_{args.split}{'_as_is' if args.as_is else ''}.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
