"""Partial reprints built from Reuters-21578: are they named with their source, and the share right?

    .venv/bin/python -m bench.reprints_reuters [--split tune|heldout] [--reprints 300] [--read 20]

Built the way sites reprint wire copy: 2-4 short consecutive paragraphs of one story (a word changed
in half of them) set at a paragraph break into another, longer story (which then leaves the corpus:
the reprint is its only telling), dated a day after both. Every
story and reprint goes through tasks/clean.py and then tasks/dedup.py as one pipeline run would
(no NER: borrowings need none). Truth: the reprint borrows from its source story (or from a story the
wire re-sent with the same text, which dedup links as a copy of it); the true share is the lifted
words over the reprint's words (dedup.WORD tokens of its clean text). Reported: reprints named with
their source, by share band; the mean share error; reprints wrongly linked as copies. `--read` prints
that many borrowings found between the corpus's own stories (none of them built), with their lifted
text, to be read by hand: a real lift, or stock text? Files reut2-000..009 are the tuning split,
010..021 held out (bench/dedup_reuters.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
from pathlib import Path

import pyarrow as pa

from bench.dedup_reuters import SPLITS, clean_stories, read_stories
from tasks import dedup

WORDS_CHANGED = ["reportedly", "also", "now", "major", "new"]


def paragraphs(clean_text: str) -> list[str]:
    return [clean_text[start:end] for start, end in dedup.paragraph_spans(clean_text)]


def build_reprints(stories: list[dict], texts: dict[str, str], count: int, rng: random.Random,
                   copied: set[str], related: set[tuple[str, str]]) -> list[dict]:
    """`count` reprints: each a host story with 2-4 consecutive paragraphs of a source story set into it.

    A host is a story the wire never re-sent (not in `copied`): a reprint of a re-sent story would be a copy
    of the re-send. A source and its host share nothing already (no pair in `related`)."""
    def words(text: str) -> int:
        return len(dedup.WORD.findall(text))

    sources = [s for s in stories if sum(15 <= words(p) <= 60 for p in paragraphs(texts[s["id"]])) >= 3]
    hosts = [s for s in stories if len(paragraphs(texts[s["id"]])) >= 4 and words(texts[s["id"]]) >= 120
             and s["id"] not in copied]
    reprints, used = [], set()
    while len(reprints) < count:
        source, host = rng.choice(sources), rng.choice(hosts)
        if source["id"] == host["id"] or source["title"] == host["title"] or {source["id"], host["id"]} & used \
                or (source["id"], host["id"]) in related or (host["id"], source["id"]) in related:
            continue
        source_paragraphs = paragraphs(texts[source["id"]])
        size = rng.choice([2, 3, 4])
        starts = [i for i in range(len(source_paragraphs) - size + 1)
                  if all(15 <= words(p) <= 60 for p in source_paragraphs[i:i + size])]
        if not starts:
            continue
        lifted = source_paragraphs[(first := rng.choice(starts)):first + size]
        for index in rng.sample(range(size), size // 2):   # a word changed in half of them
            tokens = lifted[index].split()
            tokens[rng.randrange(1, len(tokens))] = rng.choice(WORDS_CHANGED)
            lifted[index] = " ".join(tokens)
        used |= {source["id"], host["id"]}
        host_paragraphs = paragraphs(texts[host["id"]])
        at = rng.randrange(1, len(host_paragraphs))
        body = "\n".join(host_paragraphs[:at] + lifted + host_paragraphs[at:])
        reprints.append({"id": f"reprint-{len(reprints):04d}", "title": f"{host['title']} (local)", "body": body,
                         "date": max(source["date"], host["date"]) + dt.timedelta(days=1),
                         "source": source["id"], "host": host["id"], "lifted_words": sum(map(words, lifted)),
                         "paragraphs": size})
    return reprints


def measure(stories: list[dict], reprints: list[dict], articles: pa.Table) -> tuple[dict, dedup.DedupResult]:
    prints = dedup.prints_table(dedup.fingerprint_articles(articles))
    result = dedup.find_copies(articles, prints, [], dedup.EarlierArticles.none())
    links = {row["article_id"]: row["duplicate_of"] for row in result.links.to_pylist()}
    found = {(row["article_id"], row["borrowed_from"]): row for row in result.borrowings.to_pylist()}
    texts = dict(zip(articles["article_id"].to_pylist(), articles["clean_text"].to_pylist()))
    rows = []
    for reprint in reprints:
        # The source, or a story the wire re-sent with its text (a copy of it, or the original it copies).
        source_group = {reprint["source"], links.get(reprint["source"])} | {
            a for a, original in links.items() if original in (reprint["source"], links.get(reprint["source"]))}
        named = [found[(reprint["id"], s)] for s in source_group if (reprint["id"], s) in found]
        true_share = reprint["lifted_words"] / len(dedup.WORD.findall(texts[reprint["id"]]))
        rows.append({"true_share": true_share, "named": bool(named),
                     "share_error": abs(named[0]["borrowed_share"] - true_share) if named else None,
                     "called_a_copy": links.get(reprint["id"]) is not None, "paragraphs": reprint["paragraphs"]})
    bands = {"under 0.15": (0, .15), "0.15-0.20": (.15, .2), "0.20 and up": (.2, 1.1)}
    report = {
        "reprints": len(rows),
        "named_with_their_source": round(sum(r["named"] for r in rows) / len(rows), 4),
        "named_by_share": {band: f"{sum(r['named'] for r in rows if lo <= r['true_share'] < hi)} of "
                                 f"{sum(lo <= r['true_share'] < hi for r in rows)}" for band, (lo, hi) in bands.items()},
        "named_by_paragraphs": {size: f"{sum(r['named'] for r in rows if r['paragraphs'] == size)} of "
                                      f"{sum(r['paragraphs'] == size for r in rows)}" for size in (2, 3, 4)},
        "mean_share_error": round(statistics.mean(r["share_error"] for r in rows if r["named"]), 4),
        "max_share_error": round(max(r["share_error"] for r in rows if r["named"]), 4),
        "called_a_copy": sum(r["called_a_copy"] for r in rows),
        "share_range": [round(min(r["true_share"] for r in rows), 3), round(max(r["true_share"] for r in rows), 3)],
        "borrowings_between_corpus_stories": sum(1 for a, _ in found if not a.startswith("reprint-")),
    }
    return report, result


def natural_passages(result: dedup.DedupResult, articles: pa.Table, count: int, rng: random.Random) -> list[dict]:
    """A sample of borrowings between the corpus's own stories, with the text each lifts."""
    texts = dict(zip(articles["article_id"].to_pylist(), articles["clean_text"].to_pylist()))
    passages = [row for row in result.borrowed_passages.to_pylist() if not row["article_id"].startswith("reprint-")]
    shares = {(row["article_id"], row["borrowed_from"]): row["borrowed_share"] for row in result.borrowings.to_pylist()}
    return [{"article": row["article_id"], "from": row["borrowed_from"],
             "share": shares[(row["article_id"], row["borrowed_from"])],
             "lifted": texts[row["article_id"]][row["start_char"]:row["end_char"]],
             "source": texts[row["borrowed_from"]][row["source_start_char"]:row["source_end_char"]]}
            for row in rng.sample(passages, min(count, len(passages)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=sorted(SPLITS), default="tune")
    parser.add_argument("--reprints", type=int, default=300)
    parser.add_argument("--read", type=int, default=20, help="borrowings between corpus stories to print")
    parser.add_argument("--seed", type=int, default=21578)
    parser.add_argument("--former-rule", action="store_true",
                        help="measure the rule before partial reprints: a fifth of the article's words, no exclusions")
    args = parser.parse_args()
    if args.former_rule:   # the module's settings, for this process only
        dedup.MIN_BORROWED_WORDS = dedup.MIN_BORROWED_PARAGRAPHS = dedup.WIDELY_CARRIED = 10 ** 9
        dedup.SITE_FURNITURE_ARTICLES = 10 ** 9
    rng = random.Random(args.seed)
    stories = read_stories(args.split)
    cleaned = clean_stories(stories)
    texts = dict(zip(cleaned["article_id"].to_pylist(), cleaned["clean_text"].to_pylist()))
    # What the corpus already holds of copies and borrowings, so hosts are stories of their own.
    found = dedup.find_copies(cleaned, dedup.prints_table(dedup.fingerprint_articles(cleaned)), [],
                              dedup.EarlierArticles.none())
    copied = {row["article_id"] for row in found.links.to_pylist() if row["duplicate_of"]} | {
        row["duplicate_of"] for row in found.links.to_pylist() if row["duplicate_of"]}
    related = {(row["article_id"], row["borrowed_from"]) for row in found.borrowings.to_pylist()}
    reprints = build_reprints(stories, texts, args.reprints, rng, copied, related)
    # The host stories leave the corpus: a reprint's own story is new, as a site's is, not a copy of a wire story.
    hosts = {reprint["host"] for reprint in reprints}
    articles = clean_stories([s for s in stories if s["id"] not in hosts] + reprints)
    report, result = measure(stories, reprints, articles)
    report = {"split": args.split, "rule": "former" if args.former_rule else "current", "stories": len(stories)} | report
    Path("bench/results").mkdir(parents=True, exist_ok=True)
    sample = natural_passages(result, articles, args.read, rng)
    out = Path(f"bench/results/reprints_{args.split}{'_former' if args.former_rule else ''}.json")
    out.write_text(json.dumps(report | {"read": sample}, indent=1))
    print(json.dumps(report, indent=1))
    for row in sample:
        print(f"\n--- {row['article']} borrows from {row['from']} (share {row['share']})\n"
              f"LIFTED: {row['lifted'][:400]}\nSOURCE: {row['source'][:400]}")


if __name__ == "__main__":
    main()
