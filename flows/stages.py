"""The pipeline's Prefect tasks: each runs one stage of tasks/ on staged Parquet files.

A task reads its inputs (parameters named *_in) from the flow run's staging folder and writes its
outputs (*_out) there, so what passes between tasks is paths, not data, and a retried flow run
finds what it had staged (flows/staging.py). The stage logic is plain functions in tasks/; these
wrappers only move files and count seconds. The warehouse is only touched through
newsflow.warehouse.Warehouse and the run's open transaction, OpenRun: known inputs and entities,
dedup's candidates, the loads and the commit.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from prefect import task
from prefect.cache_policies import NO_CACHE

from flows.staging import STAGED_STAGE, read, write, write_chunks
from newsflow.processes import WorkerPool
from newsflow.warehouse import OpenRun, Warehouse
from tasks import clean, date_mentions, dedup, entities, extract, ingest, load, quality, quotes, stories

# Tasks that read inputs or the warehouse may meet a briefly busy file system: retried twice.
IO_TASK = dict(retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)


@task(name="discover inputs", **IO_TASK)
def discover_inputs(source: str) -> list[str]:
    """List every file under the source folder."""
    return ingest.discover_inputs(Path(source))


@task(name="known inputs", **IO_TASK)
def stage_known_inputs(warehouse: Warehouse, full_refresh: bool, known_out: str) -> None:
    """Stage the ids of inputs the warehouse already holds (none on a full refresh)."""
    ids = set() if full_refresh else warehouse.known_input_ids()
    write(pa.table({"input_id": pa.array(sorted(ids), pa.string())}), known_out)


@task(name="known entities", **IO_TASK)
def stage_known_entities(warehouse: Warehouse, full_refresh: bool, known_out: str) -> None:
    """Stage the entities the warehouse already holds, evidence for every batch (none on a full refresh:
    it must give the ids a first run on the same inputs gives)."""
    write(entities.KNOWN_ENTITY_SCHEMA.empty_table() if full_refresh else warehouse.known_entities(), known_out)


@task(name="ingest", **IO_TASK)
def ingest_batch(source: str, paths: list[str], first_order: int, known_in: str, documents_out: str,
                 quarantine_out: str, pool: WorkerPool) -> dict:
    """Read and decode one batch of inputs; quarantine what cannot be read."""
    return pool.run(ingest.stage_inputs, source, paths, first_order, known_in, documents_out, quarantine_out)


@task(name="repeated lines", **STAGED_STAGE)
def find_repeated_lines(documents_in: list[str], repeated_out: str, pool: WorkerPool) -> dict:
    """Count short lines across the whole run's documents, per source: site furniture repeats."""
    return pool.run(clean.stage_repeated_lines, documents_in, repeated_out)


@task(name="check", **STAGED_STAGE)
def check_batch(suite: str, parameters: dict, table_in: str, passed_out: str, quarantine_out: str,
                set_aside_out: str, results_out: str, validation_out: str) -> dict:
    """Validate a batch at a stage boundary; quarantine the inputs that fail it."""
    started = time.perf_counter()
    checked = quality.check_and_split(suite, parameters, read(table_in))
    write(checked.passed, passed_out)
    return _write_checked(checked, quarantine_out, set_aside_out, results_out, validation_out) \
        | {"seconds": time.perf_counter() - started}


@task(name="clean", **STAGED_STAGE)
def clean_batch(run_date: dt.date, documents_in: str, repeated_in: str, articles_out: str) -> dict:
    """Strip boilerplate, find title, byline, dateline and publication date."""
    started = time.perf_counter()
    repeated: dict[str, set[str]] = defaultdict(set)
    for row in read(repeated_in).to_pylist():
        repeated[row["source"]].add(row["fingerprint"])
    articles = clean.clean_documents(read(documents_in), run_date,
                                     {source: frozenset(lines) for source, lines in repeated.items()})
    write(articles, articles_out)
    return {"articles": len(articles), "seconds": time.perf_counter() - started}


@task(name="extract", **STAGED_STAGE)
def extract_batch(model: str, pool: WorkerPool, articles_in: str, known_entities_in: str, mentions_out: str,
                  entities_out: str, date_mentions_out: str, quotes_out: str, progress=None) -> dict:
    """Recognise named entities, give each mention its canonical entity; find dates and quotes.

    progress: the run's newsflow.progress.RunProgress, told as each chunk of articles is through NER."""
    started = time.perf_counter()
    articles = read(articles_in)
    # Dates need no mentions: found while the workers recognise entities, not after, when the run's last
    # batch would find them with every worker idle.
    mentions = extract.recognise_entities(articles, model, pool, progress.advance if progress else None,
                                          meanwhile=lambda: write(date_mentions.date_mentions(articles),
                                                                  date_mentions_out))
    mentions, batch_entities = entities.resolve_entities(mentions, articles, read(known_entities_in))
    write(mentions, mentions_out)
    write(batch_entities, entities_out)
    write(quotes.quotes(articles, mentions, batch_entities), quotes_out)
    return {"mentions": len(mentions), "seconds": time.perf_counter() - started}


@task(name="fingerprint", **STAGED_STAGE)
def fingerprint_batch(articles_in: str, prints_out: str) -> dict:
    """MinHash and paragraph fingerprints of a batch's articles, for the run's search for copies."""
    started = time.perf_counter()
    articles = read(articles_in, columns=["article_id", "clean_text"])
    write(dedup.prints_table(dedup.fingerprint_articles(articles)), prints_out)
    return {"seconds": time.perf_counter() - started}


@task(name="check extracted", **STAGED_STAGE)
def check_extraction(parameters: dict, clean_in: str, mentions_in: str, entities_in: str, date_mentions_in: str,
                     quotes_in: str, articles_out: str, passed_out: dict[str, str],
                     checks_out: dict[str, dict[str, str]]) -> dict:
    """Validate what extract found in a batch: mentions, then the dates and quotes of the articles that passed."""
    started = time.perf_counter()
    checked = quality.check_and_split("extracted", parameters, read(mentions_in), read(clean_in),
                                      read(entities_in)["entity_id"])
    write(checked.passed, passed_out["extracted"])
    write(checked.articles, articles_out)
    counts = [_write_checked(checked, **checks_out["extracted"])]
    for suite, rows_in in (("date_mentions", date_mentions_in), ("quotes", quotes_in)):
        # Rows of articles quarantined above go with them.
        rows = read(rows_in)
        rows = rows.filter(pc.is_in(rows["article_id"], value_set=checked.articles["article_id"]))
        suite_checked = quality.check_and_split(suite, parameters, rows, checked.articles)
        write(suite_checked.passed, passed_out[suite])
        counts.append(_write_checked(suite_checked, **checks_out[suite]))
    return {kind: sum(c[kind] for c in counts) for kind in ("quarantined", "set_aside")} \
        | {"seconds": time.perf_counter() - started}


def _write_checked(checked: quality.Checked, quarantine_out: str, set_aside_out: str, results_out: str,
                   validation_out: str) -> dict:
    write(checked.quarantined, quarantine_out)
    write(checked.set_aside, set_aside_out)
    write(checked.results, results_out)
    if checked.validation:
        Path(validation_out).write_text(json.dumps(checked.validation, default=str), encoding="utf-8")
    return {"quarantined": len(checked.quarantined), "set_aside": len(checked.set_aside)}


@task(name="check accounting", cache_policy=NO_CACHE)
def check_accounting(run: load.RunRecord, article_rows: int, quarantine_rows: int, results_out: str,
                     validation_out: str) -> None:
    """Check every input seen is loaded, quarantined or skipped unchanged; stop the run if not."""
    outcome = quality.check(quality.accounting_frame(run, article_rows, quarantine_rows), "accounting", {})
    write(pa.Table.from_pylist(outcome.results, schema=quality.RESULT_SCHEMA), results_out)
    Path(validation_out).write_text(json.dumps(outcome.validation, default=str), encoding="utf-8")


@task(name="find duplicates", **IO_TASK)
def find_duplicates(lake: OpenRun, articles_in: list[str], prints_in: list[str], threshold: float,
                    found_out: dict[str, str]) -> None:
    """Link one batch's exact and near copies, among themselves and against the lake as the run's open
    transaction holds it (the batches settled before this one included); measure what they borrow.
    Its articles' stories are the run's to find, once every batch has settled (find_stories)."""
    articles = pa.concat_tables([pq.read_table(p, columns=list(dedup.ARTICLE_COLUMNS)) for p in articles_in])
    prints = pa.concat_tables([read(p) for p in prints_in], promote_options="none") if prints_in \
        else dedup.PRINTS_SCHEMA.empty_table()
    # Batches fingerprint every clean article; some failed a later check.
    prints = prints.filter(pc.is_in(prints["article_id"], value_set=articles["article_id"]))
    copies = dedup.link_copies(articles, prints, lake.dedup_candidates(dedup.candidate_request(articles, prints,
                                                                                              threshold)), threshold)
    found = {"links": dedup.assign_links(copies.pool, copies.links, {}), "signatures": copies.signatures,
             "fingerprints": copies.fingerprints, "borrowings": copies.borrowings,
             "borrowed_passages": copies.borrowed_passages}
    for kind, path in found_out.items():
        write(found[kind], path)


@task(name="find stories", **IO_TASK)
def find_stories(lake: OpenRun, articles_in: list[str], mentions_in: list[str], links: dict[str, str | None],
                 run_id: str, full_refresh: bool, found_out: dict[str, str], merged: dict[str, str] | None = None
                 ) -> None:
    """The stories of the run's articles, all at once and earliest first, against the stories the lake holds
    (none on a --full-refresh): a copy joins its original's story. `links` holds each run article's
    duplicate_of as its batches left it. Writes every run article's links with its story, the story terms
    and the profiles of the stories the run touched. `merged`: entity ids settlement merged -> the surviving
    id, which the staged mentions still name."""
    run_terms = _run_terms(articles_in, mentions_in, merged or {})
    # The texts and mentions were for the terms: only what orders the articles is kept from here on, while
    # the stories are found (a 20,000-article run held 270 MB of them through it).
    rows = {row["article_id"]: row for path in articles_in
            for row in pq.read_table(path, columns=list(ORDER_COLUMNS)).to_pylist()}
    root_of = {article_id: links.get(article_id) or article_id for article_id in rows}
    # A copy of a loaded article joins the story of the group's earliest loaded copy with one.
    loaded = lake.copy_group_stories(sorted(set(root_of.values())), run_id)
    loaded_story: dict[str, dict] = {}
    for row in loaded:
        root = row["duplicate_of"] or row["article_id"]
        if row["story_id"] and (root not in loaded_story or
                                dedup.earliest_first(row) < dedup.earliest_first(loaded_story[root])):
            loaded_story[root] = row
    given = {a: loaded_story[root]["story_id"] for a, root in root_of.items() if root in loaded_story}
    ordered = sorted(rows.values(), key=dedup.earliest_first)
    story_of, story_terms, story_profiles = dedup.find_stories(
        [run_terms[row["article_id"]] for row in ordered],
        stories.LoadedStories() if full_refresh else lake.loaded_stories(run_terms, run_id),
        given=given, original_of={a: links[a] for a in rows if links.get(a) in rows})
    write(pa.Table.from_pylist([{"article_id": a, "duplicate_of": links.get(a), "story_id": story_of[a]}
                                for a in sorted(rows)], schema=dedup.DUPLICATE_SCHEMA), found_out["links"])
    write(story_profiles, found_out["story_profiles"])
    write_chunks(story_terms, stories.STORY_TERM_SCHEMA, found_out["story_terms"])


# What dedup.earliest_first orders articles by.
ORDER_COLUMNS = ("article_id", "published_date", "input_order")


def _run_terms(articles_in: list[str], mentions_in: list[str], merged: dict[str, str]
               ) -> dict[str, stories.ArticleTerms]:
    """The run's articles as the story stage compares them (tasks/stories.py article_terms)."""
    mentions, headlines = [], []
    for path in mentions_in:
        table = read(path)
        mentions += [row | {"entity_id": merged.get(row["entity_id"], row["entity_id"])}
                     for row in stories.entity_counts(table)]
        headlines += [row | {"entity_id": merged.get(row["entity_id"], row["entity_id"])}
                      for row in stories.headline_entity_rows(table)]
    articles = [row for p in articles_in
                for row in pq.read_table(p, columns=list(dedup.ARTICLE_COLUMNS)).to_pylist()]
    return stories.article_terms(articles, mentions, headlines)


@task(name="load batch", cache_policy=NO_CACHE)
def load_batch(lake: OpenRun, staged_files: dict[str, list[str]], run_id: str) -> None:
    """Load staged files into the run's open transaction (committed once, at the end of the run)."""
    lake.load(staged_files, run_id)


@task(name="commit", cache_policy=NO_CACHE)
def commit_run(lake: OpenRun, run: load.RunRecord) -> None:
    """Commit the run's transaction with its record: one snapshot, carrying the run's id."""
    lake.commit(run)


@task(name="quality docs", cache_policy=NO_CACHE)
def build_quality_docs(validations_in: list[str], site_dir: str) -> dict:
    """Build GX Data Docs for every check of the run; list the expectations that failed, with examples."""
    validations = {Path(p).stem: json.loads(Path(p).read_text(encoding="utf-8")) for p in validations_in}
    return {"path": str(quality.build_data_docs(validations, Path(site_dir))),
            "failures": quality.failed_expectations(validations)}
