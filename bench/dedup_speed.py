"""Time of the dedup stage (tasks/dedup.py find_copies, stories included) on a `newsflow run`
warehouse's articles, part by part, with every output saved so two versions can be compared.

    .venv/bin/newsflow run --source bench/corpus/n10000 --warehouse /tmp/w10k      # once
    .venv/bin/python -m bench.dedup_speed --warehouse /tmp/w10k --out /tmp/before [--articles 10000]
    .venv/bin/python -m bench.dedup_speed --warehouse /tmp/w10k --out /tmp/after --compare /tmp/before

Modes: `first` (default) replays the first run of the warehouse as a --full-refresh would (its
earliest `--articles` articles, nothing loaded); `next` replays its latest run against what the
warehouse holds (Warehouse.dedup_candidates and loaded_stories, as the pipeline calls them);
`corpus` reads and cleans a folder (`--corpus`, e.g. 20,000 Reuters files) and runs it as a first
run, with the entities the warehouse holds for the same articles (the others have none).
The articles, their entity counts (stories.entity_counts, as the pipeline counts
them) and fingerprints are read once and cached in --cache, so runs differ only in code.
`--profile` writes a cProfile of find_copies beside the outputs. Not part of `make test`.
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import json
import pstats
import resource
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from newsflow import warehouse as wh
from tasks import dedup, stories

OUTPUTS = tuple(dedup.DedupResult.SCHEMAS)


def _cleaned(corpus: Path) -> pa.Table:
    """A folder's inputs read and cleaned as the pipeline's ingest and clean stages would (site
    furniture aside: no repeated lines are counted), in dedup's columns."""
    from tasks import clean, ingest

    documents = ingest.read_inputs(corpus, ingest.discover_inputs(corpus), set(), 0).documents_table()
    return clean.clean_documents(documents, dt.date.today(), {}).select(list(dedup.ARTICLE_COLUMNS))


def read_inputs(warehouse: Path, mode: str, count: int | None, cache: Path,
                corpus: Path | None = None) -> tuple[pa.Table, pa.Table, list[dict]]:
    """The run's articles (dedup's columns), their fingerprints and entity counts, cached as files."""
    folder = cache / f"{mode}-{count or 'all'}"
    if not (folder / "articles.parquet").exists():
        folder.mkdir(parents=True, exist_ok=True)
        with wh.open_read_only(warehouse) as con:
            if mode == "corpus":   # the warehouse lends the entities of the articles it holds
                articles = _cleaned(corpus)
            else:
                runs = [r[0] for r in con.execute("select run_id from articles group by run_id "
                                                  "order by min(input_order), run_id").fetchall()]
                articles = con.execute(f"select {', '.join(dedup.ARTICLE_COLUMNS)} from articles where run_id = ? "
                                       "order by input_order, article_id",
                                       [runs[0] if mode == "first" else runs[-1]]).to_arrow_table()
            if count:
                articles = articles.slice(0, count)
            con.register("run_articles", articles.select(["article_id"]))
            mentions = con.execute("select m.* from entity_mentions as m join run_articles using (article_id) "
                                   "order by m.article_id, m.field, m.start_char").to_arrow_table()
        pq.write_table(articles, folder / "articles.parquet")
        pq.write_table(dedup.prints_table(dedup.fingerprint_articles(articles)), folder / "prints.parquet")
        pq.write_table(pa.Table.from_pylist(stories.entity_counts(mentions)), folder / "mentions.parquet")
    return (pq.read_table(folder / "articles.parquet"), pq.read_table(folder / "prints.parquet"),
            pq.read_table(folder / "mentions.parquet").to_pylist())


def run(warehouse: Path, mode: str, articles: pa.Table, prints: pa.Table, mentions: list[dict],
        profile: Path | None) -> tuple[dedup.DedupResult, dict]:
    times = {}
    cpu_started = time.process_time()
    started = time.perf_counter()
    if mode == "next":
        earlier = wh.Warehouse(warehouse).dedup_candidates(
            dedup.candidate_request(articles, prints, dedup.DEFAULT_NEAR_DUPLICATE_THRESHOLD))
    else:
        earlier = dedup.EarlierArticles.none()
    times["dedup_candidates_s"] = time.perf_counter() - started
    started = time.perf_counter()
    run_terms = stories.article_terms(articles.to_pylist(), mentions)
    times["article_terms_s"] = time.perf_counter() - started
    started = time.perf_counter()
    loaded = wh.Warehouse(warehouse).loaded_stories(run_terms) if mode == "next" else stories.LoadedStories()
    times["loaded_stories_s"] = time.perf_counter() - started
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    if profiler:
        profiler.enable()
    found = dedup.find_copies(articles, prints, mentions, earlier, dedup.DEFAULT_NEAR_DUPLICATE_THRESHOLD,
                              loaded, run_terms)
    if profiler:
        profiler.disable()
        profiler.dump_stats(profile)
        pstats.Stats(str(profile)).sort_stats("cumulative").print_stats(40)
    times["find_copies_s"] = time.perf_counter() - started
    # The machine is shared: the CPU seconds of this process say more than the wall clock.
    times["cpu_s_all_parts"] = time.process_time() - cpu_started
    return found, times


def compare(found: dedup.DedupResult, other: Path) -> dict[str, str]:
    """Each output against the saved one: 'identical', or where it first differs."""
    verdicts = {}
    for name in OUTPUTS:
        mine, theirs = getattr(found, name), pq.read_table(other / f"{name}.parquet")
        if mine.equals(theirs):
            verdicts[name] = "identical"
            continue
        mine_rows, their_rows = mine.to_pylist(), theirs.to_pylist()
        first = next((i for i, (a, b) in enumerate(zip(mine_rows, their_rows)) if a != b), None)
        verdicts[name] = (f"differs: {len(mine_rows)} rows vs {len(their_rows)}; first different row {first}: "
                          f"{mine_rows[first] if first is not None else ''} vs "
                          f"{their_rows[first] if first is not None else ''}")
    return verdicts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--mode", choices=("first", "next", "corpus"), default="first")
    parser.add_argument("--corpus", type=Path, help="mode corpus: a folder of inputs to read and clean")
    parser.add_argument("--articles", type=int, default=None, help="the run's first N articles (mode first)")
    parser.add_argument("--cache", type=Path, default=Path("/tmp/dedup-speed-cache"),
                        help="where the inputs are cached: one folder per warehouse")
    parser.add_argument("--compare", type=Path, help="a former --out to compare every output with")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    articles, prints, mentions = read_inputs(args.warehouse, args.mode, args.articles, args.cache, args.corpus)
    args.out.mkdir(parents=True, exist_ok=True)
    found, times = run(args.warehouse if args.mode == "next" else None, args.mode, articles, prints, mentions,
                       args.out / "find_copies.prof" if args.profile else None)
    for name in OUTPUTS:
        pq.write_table(getattr(found, name), args.out / f"{name}.parquet")
    result = {"mode": args.mode, "articles": len(articles), "mention_rows": len(mentions),
              **{k: round(v, 2) for k, v in times.items()},
              "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
              "stories": len(set(found.links["story_id"].to_pylist())),
              **{f"{name}_rows": len(getattr(found, name)) for name in OUTPUTS}}
    if args.compare:
        result["compare"] = compare(found, args.compare)
    (args.out / "result.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
