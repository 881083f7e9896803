"""Pair recall and precision of the dedup stage on Reuters-21578, and its time per 10,000 articles.

    .venv/bin/python bench/dedup_reuters.py [--split tune|heldout] [--threshold 0.5] [--copies 1000]

Reads /work/shared/corpora/reuters21578 (never copied into the project), cleans every story with
tasks/clean.py, adds edited copies of a random sample (a few words changed, a sentence dropped,
lines re-wrapped, different junk lines), then runs tasks/dedup.py as one pipeline run would.
Truth: exact pairs are stories whose raw <BODY> text is equal once whitespace is collapsed;
near pairs are each edited copy with its original (and the original's exact copies).
Files reut2-000..009 are the tuning split; 010..021 are held out. Results go to bench/results/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import html
import itertools
import json
import random
import re
import textwrap
import time
from pathlib import Path

import pyarrow as pa

from tasks import clean, dedup
from tasks.ingest import DOCUMENT_SCHEMA

CORPUS = Path("/work/shared/corpora/reuters21578")
SPLITS = {"tune": range(0, 10), "heldout": range(10, 22)}
STORY = re.compile(r'<REUTERS[^>]*NEWID="(\d+)">(.*?)</REUTERS>', re.S)
SIGNOFF = re.compile(r"\s*\bREUTERS?\s*$", re.IGNORECASE)
MIN_WORDS_TO_COPY = 50
JUNK = ["Share this article", "Advertisement", "Follow us on Twitter", "Copyright 1987 Reuters. All rights reserved.",
        "Read more: business news", "3 comments", "Print", "Subscribe to our newsletter"]


def _field(story: str, name: str) -> str | None:
    found = re.search(rf"<{name}>(.*?)</{name}>", story, re.S)
    return html.unescape(found.group(1)).replace("\x03", "").strip() if found else None


def read_stories(split: str) -> list[dict]:
    stories = []
    for number in SPLITS[split]:
        raw = (CORPUS / f"reut2-{number:03d}.sgm").read_bytes().decode("utf-8", errors="replace")
        for newid, story in STORY.findall(raw):
            body = _field(story, "BODY")
            if not body or len(body.split()) < 20:
                continue
            # The day only: some times are malformed ("31-MAR-1987 605:12:19").
            date = dt.datetime.strptime(_field(story, "DATE").split()[0], "%d-%b-%Y").date()
            stories.append({"id": f"r{newid}", "title": _field(story, "TITLE"), "body": body, "date": date})
    return stories


def edited_copy(story: dict, rng: random.Random) -> dict:
    """A republished copy: 3 words changed, one short sentence dropped, re-wrapped, other junk lines."""
    # The wire's sign-off goes with the wire's layout: a republisher drops it.
    sentences = re.split(r"(?<=[.!?])\s+", story_text(story["body"]))
    total = sum(len(s.split()) for s in sentences)
    # A copy that loses most of its text is a borrowing, not a copy: drop at most a fifth of it.
    droppable = [i for i, s in enumerate(sentences) if i and len(s.split()) <= total / 5]
    if droppable:
        del sentences[rng.choice(droppable)]
    words = " ".join(sentences).split()
    for position in rng.sample(range(len(words)), min(3, len(words))):
        words[position] = rng.choice(["reportedly", "also", "now", "the", "new", "major", "said"])
    lines = textwrap.wrap(" ".join(words), width=rng.choice([50, 72, 90]))
    junk = rng.sample(JUNK, 3)
    text = "\n".join([junk[0], *lines, junk[1], junk[2]])
    day = story["date"] + dt.timedelta(days=rng.choice([0, 1, 2]))
    return {"id": story["id"] + "-copy", "title": story["title"], "body": text, "date": day, "copy_of": story["id"]}


def clean_stories(stories: list[dict]) -> pa.Table:
    documents = pa.Table.from_pylist([
        {"article_id": s["id"], "source_path": f"{s['id']}.txt", "record_index": None, "source_format": "txt",
         "encoding": "utf-8", "raw_text": s["body"], "title_hint": s["title"], "date_hint": s["date"].isoformat(),
         "input_order": order} for order, s in enumerate(stories)], schema=DOCUMENT_SCHEMA)
    return clean.clean_documents(documents, dt.date(1988, 1, 1))


def _pairs(groups: dict) -> set[tuple]:
    return {pair for members in groups.values() for pair in itertools.combinations(sorted(members), 2)}


def story_text(body: str) -> str:
    """The body, whitespace collapsed, without the wire's sign-off ("Reuter" and "REUTER" sign the same story)."""
    return SIGNOFF.sub("", " ".join(body.split()))


def truth(stories: list[dict]) -> tuple[set, set]:
    by_body: dict[str, list[str]] = {}
    for s in stories:
        if "copy_of" not in s:
            by_body.setdefault(story_text(s["body"]), []).append(s["id"])
    exact = _pairs(by_body)
    group_of = {m: tuple(members) for members in by_body.values() for m in members}
    near = exact | {tuple(sorted((s["id"], m))) for s in stories if "copy_of" in s for m in group_of[s["copy_of"]]}
    return exact, near


def resent_pairs(stories: list[dict], found: set[tuple]) -> set[tuple]:
    """Found pairs of a copy and a story other than its original that the wire re-sent almost unchanged.

    Reuters re-sends stories with a word corrected ("proposed" -> "imposed"): such a story is a
    near-duplicate of the copy's original, so linking the copy to it is right. Judged with
    difflib on the raw bodies (90% of words in sequence), independently of the MinHash estimate.
    """
    by_id = {s["id"]: s for s in stories}
    resent = set()
    for a, b in found:
        copy, other = (a, b) if "copy_of" in by_id[a] else (b, a)
        if "copy_of" in by_id[copy] and "copy_of" not in by_id[other]:
            original = story_text(by_id[by_id[copy]["copy_of"]]["body"]).split()
            if difflib.SequenceMatcher(None, original, story_text(by_id[other]["body"]).split()).ratio() >= 0.9:
                resent.add((a, b))
    return resent


def scores(found: set, expected: set) -> dict:
    hits = len(found & expected)
    return {"expected": len(expected), "found": len(found), "correct": hits,
            "recall": round(hits / len(expected), 4) if expected else None,
            "precision": round(hits / len(found), 4) if found else None}


def measure(stories: list[dict], articles: pa.Table, threshold: float, rng: random.Random) -> dict:
    started = time.perf_counter()
    prints = dedup.prints_table(dedup.fingerprint_articles(articles))
    fingerprinted = time.perf_counter()
    result = dedup.find_copies(articles, prints, [], dedup.EarlierArticles.none(), threshold)
    finished = time.perf_counter()
    groups: dict[str, list[str]] = {}
    for row in result.links.to_pylist():
        groups.setdefault(row["duplicate_of"] or row["article_id"], []).append(row["article_id"])
    by_hash: dict[str, list[str]] = {}
    for row in articles.select(["article_id", "clean_text"]).to_pylist():
        by_hash.setdefault(dedup.exact_key(row["clean_text"]), []).append(row["article_id"])
    exact_truth, near_truth = truth(stories)
    found_near = _pairs(groups)
    copies = {s["id"] for s in stories if "copy_of" in s}
    with_copy = lambda pairs: {p for p in pairs if p[0] in copies or p[1] in copies}  # noqa: E731
    natural = sorted(found_near - near_truth - with_copy(found_near))
    text = {s["id"]: " ".join(s["body"].split())[:160] for s in stories}
    return {
        "threshold": threshold, "shingle_words": dedup.SHINGLE_WORDS, "articles": len(stories),
        "edited_copies": len(copies),
        "exact": scores(_pairs(by_hash) - with_copy(_pairs(by_hash)), exact_truth),
        "near_with_a_copy": scores(with_copy(found_near), with_copy(near_truth)),
        "near_with_a_copy_resent_stories_counted_correct": scores(
            with_copy(found_near), with_copy(near_truth) | resent_pairs(stories, with_copy(found_near) - near_truth)),
        "originals_linked_without_equal_text": len(natural),
        "borrowings": len(result.borrowings),
        "seconds": {"fingerprint": round(fingerprinted - started, 2), "link": round(finished - fingerprinted, 2)},
        "seconds_per_10000_articles": round((finished - started) / len(stories) * 10000, 2),
        "natural_sample": [[text[a], text[b]] for a, b in rng.sample(natural, min(10, len(natural)))],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=sorted(SPLITS), default="heldout")
    parser.add_argument("--thresholds", default=str(dedup.DEFAULT_NEAR_DUPLICATE_THRESHOLD),
                        help="comma-separated near-duplicate thresholds to measure")
    parser.add_argument("--shingle-words", type=int, default=dedup.SHINGLE_WORDS)
    parser.add_argument("--copies", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=21578)
    args = parser.parse_args()
    dedup.SHINGLE_WORDS = args.shingle_words  # a sweep over the module's setting, for this process only
    rng = random.Random(args.seed)
    stories = read_stories(args.split)
    copyable = [s for s in stories if len(s["body"].split()) >= MIN_WORDS_TO_COPY]
    stories += [edited_copy(s, rng) for s in rng.sample(copyable, args.copies)]
    articles = clean_stories(stories)
    Path("bench/results").mkdir(parents=True, exist_ok=True)
    for threshold in (float(t) for t in args.thresholds.split(",")):
        report = {"split": args.split} | measure(stories, articles, threshold, rng)
        name = f"bench/results/dedup_{args.split}_k{args.shingle_words}_t{threshold}.json"
        Path(name).write_text(json.dumps(report, indent=1))
        print(json.dumps({k: v for k, v in report.items() if k != "natural_sample"}))


if __name__ == "__main__":
    main()
