"""The newsflow pipeline: ingest → clean → extract → load, with a quality check between stages.

The flow body reads as the stage list. Each task handles one stage for one batch of inputs
and passes Parquet paths, not data, to the next; tests call the stage functions in tasks/
directly. One commit per run: nothing reaches the warehouse until every batch passed.

Staged files live in warehouse/.staging/<flow run id>/<kind>/<batch>.parquet until the run
commits. Stage tasks are cached by the content of the files they read, so retrying a failed
flow run from the Prefect UI does not redo the stages that had finished.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import WithJsonSchema

from newsflow import processes, summary
from newsflow import warehouse as wh
from tasks import clean, date_mentions, dedup, entities, extract, ingest, load, quality, quotes, stories

# Each batch costs a fixed share of Prefect task runs and GX validations: 1,000 inputs ran 10,100
# Reuters stories in 102.9 s against 108.3 s for 500, for 94 MiB more at peak (bench/).
DEFAULT_BATCH_SIZE = 1000
# Batches between ingest and their last check at once: while one is in NER, the next is cleaned and
# checked and the one before has its entities resolved, so the NER processes never wait. Memory
# grows with this, not with the size of the source.
BATCHES_IN_FLIGHT = 3
# Every task of a batch's chain after ingest is submitted at once and waits in its thread for the
# one before; one more thread for the repeated-lines task waiting for every read.
CHAIN_TASKS = 6
TASK_THREADS = BATCHES_IN_FLIGHT * CHAIN_TASKS + 1
STAGING_DIR = wh.STAGING_DIR
QUALITY_DOCS_DIR = "quality_docs"
# An optional text parameter the UI's run form shows as a plain text box: pydantic describes
# Optional[str] as "string or null", which the form shows as a choice of two types.
FormText = Annotated[Optional[str], WithJsonSchema({"type": "string"})]
# Where the rows that pass each suite go; the articles whose mentions pass go to "articles".
PASSED = {"raw": "raw", "clean": "clean", "extracted": "mentions", "date_mentions": "date_mentions", "quotes": "quotes"}


class Staging:
    """Where one flow run keeps its batches between tasks."""

    def __init__(self, root: Path):
        self.root = root

    def path(self, kind: str, batch: int | str) -> str:
        folder = self.root / kind
        folder.mkdir(parents=True, exist_ok=True)
        return str(folder / (f"{batch:05d}.parquet" if isinstance(batch, int) else f"{batch}.parquet"))

    def files(self, kind: str, suffix: str = ".parquet") -> list[str]:
        return sorted(str(p) for p in (self.root / kind).glob(f"*{suffix}"))


def _write(table: pa.Table, path: str) -> None:
    pq.write_table(table, path)


def _read(path: str) -> pa.Table:
    return pq.read_table(path)


def _file_digest(path: str) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "blake2b").hexdigest()


def staged_content_key(context, parameters: dict) -> str:
    """Cache key of a stage: its name, its settings and the bytes of the staged files it reads.

    Parameters named *_in are input files, hashed by content. Output paths enter the key as
    paths: they name the flow run's own staging folder, which lives until the run commits, so a
    cached result is only ever reused by a retry of the same flow run, whose files still exist.
    """
    digest = hashlib.blake2b(context.task.name.encode())
    for name, value in sorted(parameters.items()):
        if name.endswith("_in") and value:
            value = [_file_digest(p) for p in value] if isinstance(value, list) else _file_digest(value)
        digest.update(f"{name}={value!r};".encode())
    return digest.hexdigest()


# Stages that only transform staged files: cached by content, never retried (bad data stays bad).
staged_stage = dict(cache_key_fn=staged_content_key, persist_result=True, cache_expiration=dt.timedelta(days=2))


@task(name="discover inputs", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def discover_inputs(source: str) -> list[str]:
    """List every file under the source folder."""
    return ingest.discover_inputs(Path(source))


@task(name="known inputs", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def stage_known_inputs(warehouse: str, full_refresh: bool, known_out: str) -> None:
    """Stage the ids of inputs the warehouse already holds (none on a full refresh)."""
    ids = set() if full_refresh else load.known_input_ids(Path(warehouse))
    _write(pa.table({"input_id": pa.array(sorted(ids), pa.string())}), known_out)


@task(name="known entities", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def stage_known_entities(warehouse: str, full_refresh: bool, known_out: str) -> None:
    """Stage the entities the warehouse already holds, evidence for every batch (none on a full refresh:
    it must give the ids a first run on the same inputs gives)."""
    known = entities.KNOWN_ENTITY_SCHEMA.empty_table() if full_refresh else load.known_entities(Path(warehouse))
    _write(known, known_out)


@task(name="ingest", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def ingest_batch(source: str, paths: list[str], first_order: int, known_in: str, documents_out: str,
                 quarantine_out: str, workers: int) -> dict:
    """Read and decode one batch of inputs; quarantine what cannot be read."""
    return processes.run(workers, ingest.stage_inputs, source, paths, first_order, known_in, documents_out,
                         quarantine_out)


@task(name="check", **staged_stage)
def check_batch(suite: str, parameters: dict, table_in: str, passed_out: str, quarantine_out: str, set_aside_out: str,
                results_out: str, validation_out: str) -> dict:
    """Validate a batch at a stage boundary; set failing rows aside into quarantine."""
    return _check(suite, parameters, _read(table_in), None, None, passed_out=passed_out,
                  quarantine_out=quarantine_out, set_aside_out=set_aside_out, results_out=results_out,
                  validation_out=validation_out)


@task(name="check extracted", **staged_stage)
def check_extraction(parameters: dict, clean_in: str, mentions_in: str, entities_in: str, date_mentions_in: str,
                     quotes_in: str, checked_out: dict[str, dict[str, str]]) -> dict:
    """Validate what extract found in a batch: mentions, then the dates and quotes of articles that passed."""
    found = {"extracted": _check("extracted", parameters, _read(mentions_in), _read(clean_in),
                                 _read(entities_in)["entity_id"], **checked_out["extracted"])}
    articles = _read(checked_out["extracted"]["articles_out"])
    for suite, rows_in in (("date_mentions", date_mentions_in), ("quotes", quotes_in)):
        # Rows of articles quarantined above go with them.
        rows = _read(rows_in)
        rows = rows.filter(pc.is_in(rows["article_id"], value_set=articles["article_id"]))
        found[suite] = _check(suite, parameters, rows, articles, None, **checked_out[suite])
    return found


def _check(suite: str, parameters: dict, table: pa.Table, articles: pa.Table | None, entity_ids: pa.Array | None, *,
           passed_out: str, quarantine_out: str, set_aside_out: str, results_out: str, validation_out: str,
           articles_out: str | None = None) -> dict:
    started = time.perf_counter()
    articles = table if articles is None else articles
    if len(articles) == 0:
        # Nothing to check (a re-run with nothing new): spare the seconds GX takes to import.
        outcome = quality.CheckOutcome(suite=suite)
    else:
        frame = quality.mention_frame(table, articles, entity_ids) if entity_ids is not None else table
        outcome = quality.check(frame, suite, parameters)
    _write(pa.Table.from_pylist(outcome.results, schema=quality.RESULT_SCHEMA), results_out)
    item = quality.load_suite(suite).get("sets_aside")
    if item:
        # The suite checks rows inside articles (mentions, dates, quotes): a failing row is a defect
        # of ours, never a reason to lose the article. The row is set aside; the article loads.
        set_aside, passed = _set_aside_rows(table, articles, outcome, item), _without_failed_rows(table, outcome)
        quarantined, kept_articles = [], articles
    else:
        set_aside, passed, quarantined = [], _without_failed(table, outcome), _quarantine_rows(articles, outcome)
        kept_articles = _without_failed(articles, outcome)
    _write(pa.Table.from_pylist(quarantined, schema=ingest.QUARANTINE_SCHEMA), quarantine_out)
    _write(pa.Table.from_pylist(set_aside, schema=quality.SET_ASIDE_SCHEMA), set_aside_out)
    _write(passed, passed_out)
    if articles_out:
        _write(kept_articles, articles_out)
    if outcome.validation:
        Path(validation_out).write_text(json.dumps(outcome.validation, default=str), encoding="utf-8")
    return {"quarantined": len(quarantined), "set_aside": len(set_aside), "seconds": time.perf_counter() - started}


@task(name="check accounting", cache_policy=NO_CACHE)
def check_accounting(run: load.RunRecord, articles_in: list[str], quarantine_in: list[str], results_out: str,
                     validation_out: str) -> None:
    """Check every input seen is loaded, quarantined or skipped unchanged; stop the run if not."""
    rows = {kind: sum(pq.read_metadata(p).num_rows for p in files)
            for kind, files in (("articles", articles_in), ("quarantine", quarantine_in))}
    outcome = quality.check(quality.accounting_frame(run, rows["articles"], rows["quarantine"]), "accounting", {})
    _write(pa.Table.from_pylist(outcome.results, schema=quality.RESULT_SCHEMA), results_out)
    Path(validation_out).write_text(json.dumps(outcome.validation, default=str), encoding="utf-8")


@task(name="clean", **staged_stage)
def clean_batch(run_date: dt.date, documents_in: str, repeated_in: str, articles_out: str) -> dict:
    """Strip boilerplate, find title, byline, dateline and publication date."""
    started = time.perf_counter()
    repeated: dict[str, set[str]] = defaultdict(set)
    for row in _read(repeated_in).to_pylist():
        repeated[row["source"]].add(row["fingerprint"])
    articles = clean.clean_documents(_read(documents_in), run_date,
                                     {source: frozenset(lines) for source, lines in repeated.items()})
    _write(articles, articles_out)
    return {"articles": len(articles), "seconds": time.perf_counter() - started}


@task(name="repeated lines", **staged_stage)
def find_repeated_lines(documents_in: list[str], repeated_out: str, workers: int) -> dict:
    """Count short lines across the whole run's documents, per source: site furniture repeats."""
    return processes.run(workers, clean.stage_repeated_lines, documents_in, repeated_out)


@task(name="extract", **staged_stage)
def extract_batch(model: str, workers: int, articles_in: str, known_entities_in: str, mentions_out: str,
                  entities_out: str, date_mentions_out: str, quotes_out: str) -> dict:
    """Recognise named entities, give each mention its canonical entity; find dates and quotes."""
    started = time.perf_counter()
    articles = _read(articles_in)
    mentions = extract.recognise_entities(articles, model, workers)
    mentions, batch_entities = entities.resolve_entities(mentions, articles, _read(known_entities_in))
    _write(mentions, mentions_out)
    _write(batch_entities, entities_out)
    _write(date_mentions.date_mentions(articles), date_mentions_out)
    _write(quotes.quotes(articles, mentions, batch_entities), quotes_out)
    return {"mentions": len(mentions), "seconds": time.perf_counter() - started}


@task(name="fingerprint", **staged_stage)
def fingerprint_batch(articles_in: str, prints_out: str) -> dict:
    """MinHash and paragraph fingerprints of a batch's articles, for the run's search for copies."""
    started = time.perf_counter()
    articles = pq.read_table(articles_in, columns=["article_id", "clean_text"])
    _write(dedup.prints_table(dedup.fingerprint_articles(articles)), prints_out)
    return {"seconds": time.perf_counter() - started}


@task(name="find duplicates", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def find_duplicates(warehouse: str, articles_in: list[str], mentions_in: list[str], prints_in: list[str],
                    threshold: float, found_out: dict[str, str], full_refresh: bool = False) -> int:
    """Link exact and near copies and stories, within the run and against the warehouse."""
    # Only what dedup reads, file by file: the whole run is in memory here, so keep it small.
    articles = pa.concat_tables([pq.read_table(p, columns=list(dedup.ARTICLE_COLUMNS)) for p in articles_in])
    mentions = [row for p in mentions_in for row in _story_entity_counts(_read(p))]
    prints = pa.concat_tables([_read(p) for p in prints_in], promote_options="none") if prints_in \
        else dedup.PRINTS_SCHEMA.empty_table()
    # Batches fingerprint every clean article; some failed a later check.
    prints = prints.filter(pc.is_in(prints["article_id"], value_set=articles["article_id"]))
    earlier = load.dedup_candidates(Path(warehouse), dedup.candidate_request(articles, prints, threshold))
    # A --full-refresh rebuilds the run's stories from its own articles.
    run_terms = stories.article_terms(articles.to_pylist(), mentions)
    loaded_stories = stories.LoadedStories() if full_refresh else load.loaded_stories(Path(warehouse), run_terms)
    found = dedup.find_copies(articles, prints, mentions, earlier, threshold, loaded_stories, run_terms)
    for kind, path in found_out.items():
        _write(getattr(found, kind), path)
    new_ids = set(articles["article_id"].to_pylist())
    return sum(1 for row in found.links.to_pylist() if row["duplicate_of"] and row["article_id"] in new_ids)


def _story_entity_counts(mentions: pa.Table) -> list[dict]:
    """(article_id, entity_id, label, mentions) of the labels stories are told by: one row per pair."""
    # Body mentions only: a story's words already weigh the title twice, its entities need not.
    story = mentions.filter(pc.and_(pc.is_in(mentions["label"], value_set=pa.array(sorted(stories.STORY_LABELS))),
                                    pc.equal(pc.fill_null(mentions["field"], "body"), "body")))
    counted = story.group_by(["article_id", "entity_id", "label"]).aggregate([("start_char", "count")])
    return counted.select(["article_id", "entity_id", "label", "start_char_count"]) \
                  .rename_columns(["article_id", "entity_id", "label", "mentions"]).to_pylist()


@task(name="load", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def load_run(warehouse: str, staged: load.StagedRun, run: load.RunRecord) -> None:
    """Commit the run's staged rows to the warehouse in one transaction."""
    load.commit_run(Path(warehouse), staged, run)


@task(name="quality docs", cache_policy=NO_CACHE)
def build_quality_docs(validations_in: list[str], site_dir: str) -> dict:
    """Build GX Data Docs for every check of the run; list the expectations that failed, with examples."""
    validations = {Path(p).stem: json.loads(Path(p).read_text(encoding="utf-8")) for p in validations_in}
    return {"path": str(quality.build_data_docs(validations, Path(site_dir))),
            "failures": quality.failed_expectations(validations)}


def _without_failed(table: pa.Table, outcome: quality.CheckOutcome) -> pa.Table:
    if not outcome.failed_rows:
        return table
    keep = [value not in outcome.failed_rows for value in table["article_id"].to_pylist()]
    return table.filter(pa.array(keep, pa.bool_()))


def _without_failed_rows(table: pa.Table, outcome: quality.CheckOutcome) -> pa.Table:
    keep = [number not in outcome.failed_rows for number in range(len(table))]
    return table.filter(pa.array(keep, pa.bool_()))


def _set_aside_rows(table: pa.Table, articles: pa.Table, outcome: quality.CheckOutcome, item: str) -> list[dict]:
    """Quarantine rows for the rows of `table` that failed (by row number), each naming its article."""
    source_of = {row["article_id"]: row for row in articles.select(["article_id", "source_path", "record_index"]).to_pylist()}
    rows = []
    for number, reason in sorted(outcome.failed_rows.items()):
        row = table.slice(number, 1).to_pylist()[0]
        article = source_of.get(row["article_id"], {})
        rows.append({"source_path": article.get("source_path", ""), "record_index": article.get("record_index"),
                     "stage": outcome.suite, "reason": reason, "input_id": None, "item": item,
                     "article_id": row["article_id"], "detail": json.dumps(row, default=str, ensure_ascii=False)})
    return rows


def _quarantine_rows(articles: pa.Table, outcome: quality.CheckOutcome) -> list[dict]:
    return [{"source_path": row["source_path"], "record_index": row["record_index"], "stage": outcome.suite,
             "reason": outcome.failed_rows[row["article_id"]], "input_id": row["article_id"]}
            for row in articles.select(["article_id", "source_path", "record_index"]).to_pylist()
            if row["article_id"] in outcome.failed_rows]


@contextmanager
def _timed(run: load.RunRecord, stage: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        run.stage_seconds[stage] = run.stage_seconds.get(stage, 0.0) + time.perf_counter() - started


def default_workers() -> int:
    return len(os.sched_getaffinity(0))


@flow(name="news-pipeline", flow_run_name="news-pipeline: {source} → {warehouse}")
def news_pipeline(source: str = "seeds", warehouse: str = "warehouse", model: str = extract.DEFAULT_MODEL,
                  workers: int = 0, full_refresh: bool = False, batch_size: int = DEFAULT_BATCH_SIZE,
                  near_duplicate_threshold: float = dedup.DEFAULT_NEAR_DUPLICATE_THRESHOLD,
                  dask_address: FormText = None) -> dict:
    """Turn a folder of news articles into warehouse tables: articles, mentions, entities, quarantine.

    Args:
        source: Folder (searched recursively) or file of articles: .txt, .md, .json/.jsonl, .html.
        warehouse: Warehouse directory (DuckLake catalog and Parquet files); created if new.
        model: Installed spaCy model package used for named entities.
        workers: Processes for named-entity recognition; 0 means one per CPU core.
        full_refresh: Recompute every input, even those the warehouse already holds unchanged.
        batch_size: Inputs per batch; memory grows with it, not with the size of the source.
        near_duplicate_threshold: Estimated Jaccard similarity of word shingles (0-1) from which two
            articles are near-duplicates; lower finds more edited copies and more false ones.
        dask_address: Run the batches on a Dask cluster: its scheduler address (tcp://host:8786), or
            "local" for a LocalCluster of `workers` processes on this machine. Empty: threads here.
    """
    started_at = dt.datetime.now(dt.timezone.utc)
    # A retried flow run keeps its flow run id, and so finds the batches it had staged.
    flow_run_id = flow_run.id or uuid.uuid4().hex
    run = load.RunRecord(run_id=f"{started_at:%Y%m%dT%H%M%S}-{flow_run_id[:8]}", started_at=started_at,
                         source=str(source), model=model)
    staging = Staging(Path(warehouse) / STAGING_DIR / flow_run_id)
    with wh.write_lock(Path(warehouse)):
        _clear_leftovers(Path(warehouse), keep=staging.root.name)
        try:
            docs = _run_stages(run, staging, source, warehouse, model, workers or default_workers(), full_refresh,
                               batch_size, near_duplicate_threshold, dask_address)
        except Exception as error:
            run.status, run.message = "failed", f"{type(error).__name__}: {error}"
            load.record_failed_run(Path(warehouse), run)
            raise
        finally:
            processes.shutdown()
        shutil.rmtree(staging.root, ignore_errors=True)
    run_summary = summary.read_run_summary(Path(warehouse), run.run_id) | {"quality_docs": docs["path"],
                                                                          "quality_failures": docs["failures"]}
    _publish_artifacts(run_summary)
    return run_summary


def _run_stages(run: load.RunRecord, staging: Staging, source: str, warehouse: str, model: str, workers: int,
                full_refresh: bool, batch_size: int, near_duplicate_threshold: float,
                dask_address: str | None) -> dict:
    """Every stage of the run, to the commit; returns the run's Data Docs path and failed expectations."""
    # Every run checks at least its accounting: GX (seconds to import) loads while inputs are read.
    quality.prepare_in_background()
    with _timed(run, "ingest"):
        inputs = discover_inputs(source)
        known = staging.path("known", "inputs")
        stage_known_inputs(warehouse, full_refresh, known)
    run.files_seen = len(inputs)
    run_date = dt.date.today()
    parameters = quality.suite_parameters(run_date, extract.model_labels(model)) | date_mentions.SANE_BOUNDS
    _stage_empty_batch(staging)
    inputs_file = staging.path("inputs", "all")
    _write(pa.table({"path": pa.array(inputs, pa.string())}), inputs_file)
    # input_order grows across runs too, so "earliest copy" ties break by when it was read. It counts
    # from the flow run's scheduled start, which a retry keeps, so a retry stages identical batches.
    first_order = int(flow_run.scheduled_start_time.timestamp()) * 1_000_000
    stage_batches = process_batches
    if dask_address:
        stage_batches = process_batches.with_options(task_runner=_dask_runner(dask_address, workers))
        workers = 1   # Dask's workers are the processes; each NER call stays in its worker
    # Wall time of all batches; the per-stage busy times summed below overlap, so they add up to more.
    with _timed(run, "batches_wall"):
        results = stage_batches(str(staging.root), source, inputs_file, batch_size, first_order, known, warehouse,
                                full_refresh, model, workers, run_date, parameters)
    processes.shutdown()   # the models' memory is free before dedup holds the whole run
    for result in results:
        run.inputs_seen += result["ingest"]["inputs"]
        run.unchanged_skips += result["ingest"]["skipped"]
        run.quarantined += result["ingest"]["quarantined"] + sum(c["quarantined"] for c in result["checks"].values())
        busy = {"ingest": result["ingest"]["seconds"], "clean": result["clean"]["seconds"],
                "extract": result["extract"]["seconds"], "dedup": result["fingerprint"]["seconds"],
                "quality": sum(c["seconds"] for c in result["checks"].values())}
        for stage, seconds in busy.items():
            run.stage_seconds[stage] = run.stage_seconds.get(stage, 0.0) + seconds
    run.articles_loaded = sum(pq.read_metadata(p).num_rows for p in staging.files("articles"))
    run.mentions = sum(pq.read_metadata(p).num_rows for p in staging.files("mentions"))
    with _timed(run, "quality"):
        check_accounting(run, staging.files("articles"), staging.files("quarantine"),
                         staging.path("quality", "accounting-run"),
                         str(Path(staging.path("validations", "accounting-run")).with_suffix(".json")))
    # Every check has run: GX renders the Data Docs while duplicates are found and the run loads.
    docs = build_quality_docs.submit(staging.files("validations", ".json"),
                                     str(Path(warehouse) / QUALITY_DOCS_DIR / run.run_id))
    with _timed(run, "dedup"):
        found_out = {"links": staging.path("duplicates", "links")} | {
            kind: staging.path(kind, "run")
            for kind in ("signatures", "fingerprints", "borrowings", "story_terms", "story_profiles")}
        if run.articles_loaded:
            run.duplicates = find_duplicates(warehouse, staging.files("articles"), staging.files("mentions"),
                                             staging.files("prints"), near_duplicate_threshold, found_out,
                                             full_refresh)
        else:   # nothing new can copy anything
            for kind, path in found_out.items():
                _write(dedup.DedupResult.SCHEMAS[kind].empty_table(), path)
    staged = load.StagedRun(articles=staging.files("articles"), mentions=staging.files("mentions"),
                            entities=staging.files("entities"),
                            # Rows set aside from inside loaded articles join the quarantine table, not
                            # the accounting of inputs, which counts the "quarantine" files alone.
                            quarantine=staging.files("quarantine") + staging.files("set_aside"),
                            quality=staging.files("quality"), duplicates=staging.files("duplicates"),
                            date_mentions=staging.files("date_mentions"), quotes=staging.files("quotes"),
                            signatures=staging.files("signatures"), fingerprints=staging.files("fingerprints"),
                            borrowings=staging.files("borrowings"), story_terms=staging.files("story_terms"),
                            story_profiles=staging.files("story_profiles"))
    load_run(warehouse, staged, run)  # times itself: its record is committed with the rows
    return docs.result()


def _clear_leftovers(warehouse: Path, keep: str) -> None:
    """Remove what killed runs left: staging folders too old to retry, uncommitted data files."""
    # A younger staging folder is kept: retrying its flow run from the UI reuses its cached stages.
    cleared = wh.clear_leftovers(warehouse, keep_younger_than=staged_stage["cache_expiration"], keep=keep)
    if any(cleared.values()):
        get_run_logger().info("removed what interrupted runs left: %(staging_folders)d staging folders, "
                              "%(orphan_files)d uncommitted data files", cleared)


@flow(name="process-batches", flow_run_name="batches of {source}",
      task_runner=ThreadPoolTaskRunner(max_workers=TASK_THREADS))
def process_batches(staging_root: str, source: str, inputs_in: str, batch_size: int, first_order: int,
                    known_in: str, warehouse: str, full_refresh: bool, model: str, workers: int,
                    run_date: dt.date, parameters: dict) -> list[dict]:
    """Every batch through ingest → check → clean → check → extract → checks, batches side by side.

    Tasks are submitted to the flow's task runner: threads on one machine (while one batch waits
    for the NER processes, the next is read and cleaned), or Dask workers on a cluster.
    """
    logger = _started_by_logger()
    staging = Staging(Path(staging_root))
    inputs = _read(inputs_in)["path"].to_pylist()
    batches = batch_bounds(len(inputs), batch_size)
    if len(inputs) >= 2 * extract.MIN_ARTICLES_PER_WORKER:
        # Reading runs in the worker processes: the flow's own process imports GX meanwhile.
        processes.start(workers)
    reads = [ingest_batch.submit(source, inputs[start:end], first_order + start, known_in,
                                 staging.path("documents", number), staging.path("quarantine", f"ingest-{number:05d}"),
                                 workers)
             for number, (start, end) in enumerate(batches)]
    # Furniture lines are told by their repetition across the whole run, so cleaning waits for every read.
    repeated = find_repeated_lines.submit([staging.path("documents", n) for n in range(len(batches))],
                                          staging.path("repeated", "lines"), workers, wait_for=reads)
    _load_model_when_needed(reads, repeated, model, workers)
    in_flight, results, cleaned_before, known_entities = {}, {}, None, None

    def finish_first() -> None:
        # The first batch to end, not the oldest: batches reach NER in no fixed order, and waiting
        # for one still in NER would leave the window short while the others are done.
        last_steps = {chain[-1][1]: number for number, chain in in_flight.items()}
        number = last_steps[next(as_completed(list(last_steps)))]
        # In chain order, so a failed stage raises its own error before its never-run successors are asked.
        done = {step: future.result() for step, future in in_flight.pop(number)}
        results[number] = {step: done[step] for step in ("ingest", "clean", "extract", "fingerprint")} \
            | {"checks": {"raw": done["check raw"], "clean": done["check clean"]} | done["check extracted"]}
        logger.info("batch %d/%d done: %d inputs, %d unchanged", number + 1, len(batches),
                    done["ingest"]["inputs"], done["ingest"]["skipped"])

    for number, read in enumerate(reads):
        if not read.result()["documents"]:
            # Every input unchanged or set aside: a re-run pays one task per batch, not seven.
            results[number] = {"ingest": read.result(), "checks": {}} | dict.fromkeys(
                ("clean", "extract", "fingerprint"), {"seconds": 0.0})
            continue
        if len(in_flight) == BATCHES_IN_FLIGHT:
            finish_first()
        if known_entities is None:
            # Read once, when a batch first has something new (a re-run with nothing new skips it, and
            # it grows with the warehouse: 0.7 s for 78,504 entities): every batch weighs its mentions
            # against the same warehouse.
            known_entities = stage_known_entities.submit(warehouse, full_refresh, staging.path("known", "entities"))
        if cleaned_before is not None:
            # The batch before gets to NER first: its checks would otherwise queue behind this one's for GX.
            cleaned_before.wait()
        in_flight[number] = [("ingest", read)] + _submit_batch(staging, number, read, repeated, known_entities,
                                                               run_date, model, workers, parameters)
        cleaned_before = dict(in_flight[number])["check clean"]
    while in_flight:
        finish_first()
    return [results[number] for number in sorted(results)]


def _started_by_logger():
    """The logger of the flow run that started these batches (the run a person opens in the UI): its
    logs then show each batch's progress. This subflow's own logger when it runs alone."""
    from prefect.client.orchestration import get_client
    from prefect.logging.loggers import flow_run_logger

    parent_id = flow_run.parent_flow_run_id
    if not parent_id:
        return get_run_logger()
    with get_client(sync_client=True) as client:
        return flow_run_logger(flow_run=client.read_flow_run(parent_id), flow=news_pipeline)


def batch_bounds(count: int, batch_size: int) -> list[tuple[int, int]]:
    """(start, end) of each batch of `count` inputs: batch_size each, but the first and the last an
    eighth of it, so NER starts sooner and the work left once it ends is short."""
    edge = max(1, batch_size // 8)
    if count <= 2 * edge:
        return [(0, count)] if count else []
    middle = count - 2 * edge
    batches = -(-middle // batch_size)   # of equal size, none over batch_size
    starts = [0, *(edge + middle * i // batches for i in range(batches)), count - edge]
    return list(zip(starts, starts[1:] + [count]))


def _load_model_when_needed(reads: list, repeated, model: str, workers: int) -> None:
    """Once the batches read hold enough new articles to use the worker processes, have them load
    the model after they have counted repeated lines (which cleaning waits for)."""
    new_inputs = 0
    for read in reads:
        new_inputs += read.result()["documents"]
        if new_inputs >= 2 * extract.MIN_ARTICLES_PER_WORKER:
            repeated.add_done_callback(lambda _: extract.load_model_in_workers(model, workers))
            return


def _submit_batch(staging: Staging, number: int, read, repeated, known_entities, run_date: dt.date,
                  model: str, workers: int, parameters: dict) -> list[tuple[str, object]]:
    """Submit the rest of one batch's chain, in order; each task waits for the files the one before writes."""
    raw = check_batch.submit("raw", parameters, staging.path("documents", number),
                             **_check_outputs(staging, "raw", number), wait_for=[read])
    cleaned = clean_batch.submit(run_date, staging.path("raw", number), staging.path("repeated", "lines"),
                                 staging.path("cleaned", number), wait_for=[raw, repeated])
    checked = check_batch.submit("clean", parameters, staging.path("cleaned", number),
                                 **_check_outputs(staging, "clean", number), wait_for=[cleaned])
    unchecked = {kind: staging.path(f"{kind}-unchecked", number) for kind in ("mentions", "date_mentions", "quotes")}
    extracted = extract_batch.submit(model, workers, staging.path("clean", number),
                                     staging.path("known", "entities"), unchecked["mentions"],
                                     staging.path("entities", number), unchecked["date_mentions"], unchecked["quotes"],
                                     wait_for=[checked, known_entities])
    prints = fingerprint_batch.submit(staging.path("clean", number), staging.path("prints", number),
                                      wait_for=[checked])
    found = check_extraction.submit(
        parameters, staging.path("clean", number), unchecked["mentions"], staging.path("entities", number),
        unchecked["date_mentions"], unchecked["quotes"],
        {suite: _check_outputs(staging, suite, number) for suite in ("extracted", "date_mentions", "quotes")},
        wait_for=[extracted])
    return [("check raw", raw), ("clean", cleaned), ("check clean", checked), ("extract", extracted),
            ("fingerprint", prints), ("check extracted", found)]


def _check_outputs(staging: Staging, suite: str, number: int) -> dict[str, str | None]:
    """Where one suite's check of one batch writes: passing rows, quarantine, results, GX's validation."""
    return {"passed_out": staging.path(PASSED[suite], number),
            "quarantine_out": staging.path("quarantine", f"{suite}-{number:05d}"),
            "set_aside_out": staging.path("set_aside", f"{suite}-{number:05d}"),
            "results_out": staging.path("quality", f"{suite}-{number:05d}"),
            "validation_out": str(Path(staging.path("validations", f"{suite}-{number:05d}")).with_suffix(".json"))} \
        | ({"articles_out": staging.path("articles", number)} if suite == "extracted" else {})


def _dask_runner(address: str, workers: int):
    """A DaskTaskRunner on the cluster at `address`, or on a LocalCluster of `workers` processes for "local"."""
    from prefect_dask import DaskTaskRunner

    if address == "local":
        return DaskTaskRunner(cluster_kwargs={"n_workers": workers, "threads_per_worker": 1, "processes": True})
    return DaskTaskRunner(address=address)


def _stage_empty_batch(staging: Staging) -> None:
    # A run with no new inputs still commits (its run record), so every kind needs one file.
    empties = {"articles": clean.ARTICLE_SCHEMA, "mentions": entities.MENTION_WITH_ENTITY_SCHEMA,
               "entities": entities.ENTITY_SCHEMA, "quarantine": ingest.QUARANTINE_SCHEMA,
               "set_aside": quality.SET_ASIDE_SCHEMA,
               "quality": quality.RESULT_SCHEMA, "date_mentions": date_mentions.DATE_MENTION_SCHEMA,
               "quotes": quotes.QUOTE_SCHEMA}
    for kind, schema in empties.items():
        _write(schema.empty_table(), staging.path(kind, "empty"))


def _publish_artifacts(run_summary: dict) -> None:
    """What the flow run page shows: the summary, GX results, the failed expectations with examples,
    top entities, new stories. (GX's Data Docs are files: their path is in the summary, for a local browser.)"""
    run_id = run_summary["run_id"]
    create_markdown_artifact(summary.render_markdown(run_summary), key="run-summary",
                             description=f"newsflow run {run_id}")
    create_table_artifact(run_summary["quality"], key="quality-results",
                          description="Great Expectations results, per suite and expectation")
    create_table_artifact(run_summary["top_entities"] or [{"note": "no new mentions in this run"}],
                          key="top-entities", description="Entities mentioned in the most of this run's articles")
    create_table_artifact(run_summary["new_stories"] or [{"note": "no new stories in this run"}],
                          key="new-stories", description="Stories that began with this run's articles")
    create_markdown_artifact(summary.render_quality_markdown(run_summary), key="data-quality",
                             description="Every failed expectation of this run: column, rows, example values")
