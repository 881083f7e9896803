"""Time per new article of the story stage, into warehouses of growing size (Reuters-21578).

    .venv/bin/python -m bench.stories_reuters [--sizes 1000,20000] [--new 200]

For each size N, a fresh DuckLake warehouse is filled with N Reuters stories (articles and their
story_terms and story_profiles, clustered as one run would), then `--new` later stories arrive as the next run: the
time of finding their stories in the warehouse (Warehouse.loaded_stories: term counts, the
story_profiles index, candidate profiles) and of clustering them (tasks/stories.py) is divided by
the number of new articles. No entities (spaCy over 20,000 stories is not what is measured here):
words only. The corpus is read from /work/shared/corpora/reuters21578, never copied.
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from pathlib import Path

import pyarrow as pa

from bench.dedup_reuters import read_stories
from newsflow import warehouse as wh
from tasks import stories


def _articles(rows: list[dict], first_order: int) -> list[dict]:
    return [{"article_id": row["id"], "source_path": f"{row['id']}.txt", "title": row["title"],
             "clean_text": row["body"], "published_date": row["date"], "input_order": first_order + i,
             "content_hash": row["id"], "run_id": "bench"} for i, row in enumerate(rows)]


def _cluster(articles: list[dict], loaded: stories.LoadedStories,
             terms: dict[str, stories.ArticleTerms]) -> tuple[dict[str, str], stories.StoryIndex]:
    ordered = sorted(articles, key=lambda r: (r["published_date"] or dt.date.max, r["input_order"]))
    index = stories.story_index(terms, loaded)
    return stories.assign_stories([terms[r["article_id"]] for r in ordered], index), index


def fill(warehouse: Path, articles: list[dict]) -> float:
    """Load the articles with their stories as one first run; returns its seconds."""
    started = time.perf_counter()
    terms = stories.article_terms(articles, [])
    story_of, index = _cluster(articles, stories.LoadedStories(), terms)
    with wh.open_for_writing(warehouse) as con:
        con.register("bench_articles", pa.Table.from_pylist([a | {"story_id": story_of[a["article_id"]]}
                                                             for a in articles]))
        con.execute("insert into articles by name select * exclude (title) from bench_articles")
        con.register("bench_terms", stories.story_term_rows(terms, story_of))
        con.execute("insert into story_terms by name select * from bench_terms")
        con.register("bench_profiles", stories.story_profile_rows(index, set(story_of.values())))
        con.execute("insert into story_profiles by name select * from bench_profiles")
    return time.perf_counter() - started


def next_run(warehouse: Path, articles: list[dict]) -> dict:
    """Find the stories of a later run's articles in the warehouse; the time it takes, by part."""
    started = time.perf_counter()
    terms = stories.article_terms(articles, [])
    featured = time.perf_counter()
    loaded = wh.Warehouse(warehouse).loaded_stories(terms)
    looked_up = time.perf_counter()
    story_of, index = _cluster(articles, loaded, terms)
    compared = index.compared
    done = time.perf_counter()
    return {"terms_s": featured - started, "warehouse_lookup_s": looked_up - featured,
            "clustering_s": done - looked_up, "total_s": done - started,
            "ms_per_article": 1000 * (done - started) / len(articles),
            "candidate_stories": len({row["story_id"] for row in loaded.candidates}),
            "comparisons_per_article": compared / len(articles),
            "joined_loaded_stories": sum(1 for a, s in story_of.items() if s != a)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,18000")   # 18,200 Reuters stories have 20+ words
    parser.add_argument("--new", type=int, default=200)
    args = parser.parse_args()
    corpus = sorted(read_stories("tune") + read_stories("heldout"), key=lambda s: (s["date"], s["id"]))
    for size in (int(s) for s in args.sizes.split(",")):
        if size + args.new > len(corpus):
            print(f"the corpus holds {len(corpus)} stories: {size} + {args.new} do not fit")
            continue
        # The warehouse holds the N stories before the last `new` of the corpus; those arrive later.
        loaded, new = corpus[-(size + args.new):-args.new], corpus[-args.new:]
        with tempfile.TemporaryDirectory(prefix="stories-bench-") as folder:
            warehouse = Path(folder) / "warehouse"
            fill_s = fill(warehouse, _articles(loaded, 0))
            result = next_run(warehouse, _articles(new, size))
        print({"warehouse_articles": size, "new_articles": args.new, "fill_s": round(fill_s, 1),
               **{k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()}}, flush=True)


if __name__ == "__main__":
    main()
