"""The newsflow pipeline: ingest → clean → extract → load, with a quality check between stages.

The flow body reads as the stage list. Each task handles one stage for one batch of inputs
and passes Parquet paths, not data, to the next; tests call the stage functions in tasks/
directly. One commit per run: nothing reaches the warehouse until every batch passed.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from newsflow import warehouse as wh
from newsflow import summary
from tasks import clean, dedup, entities, extract, ingest, load, quality

DEFAULT_BATCH_SIZE = 500
STAGING_DIR = ".staging"


def _write(table: pa.Table, path: Path) -> str:
    pq.write_table(table, path)
    return str(path)


def _read(path: Path | str) -> pa.Table:
    return pq.read_table(path)


def _batch_file(staging: Path, kind: str, batch: int) -> Path:
    return staging / f"{kind}-{batch:05d}.parquet"


def _set_aside(table: pa.Table, outcome: quality.CheckOutcome, key: str = "article_id") -> pa.Table:
    """The rows of table whose key the check did not fail."""
    if not outcome.failed_rows:
        return table
    keep = [value not in outcome.failed_rows for value in table[key].to_pylist()]
    return table.filter(pa.array(keep, pa.bool_()))


def _quarantine_rows(articles: pa.Table, outcome: quality.CheckOutcome) -> list[dict]:
    return [{"source_path": row["source_path"], "record_index": row["record_index"], "stage": outcome.suite,
             "reason": outcome.failed_rows[row["article_id"]], "input_id": row["article_id"]}
            for row in articles.select(["article_id", "source_path", "record_index"]).to_pylist()
            if row["article_id"] in outcome.failed_rows]


@task(name="discover inputs", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def discover_inputs(source: str) -> list[str]:
    """List every file under the source folder."""
    return ingest.discover_inputs(Path(source))


@task(name="known inputs", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def stage_known_inputs(warehouse: str, staging: str, full_refresh: bool) -> str:
    """Stage the ids of inputs the warehouse already holds (none on a full refresh)."""
    ids = set() if full_refresh else load.known_input_ids(Path(warehouse))
    return _write(pa.table({"input_id": pa.array(sorted(ids), pa.string())}), Path(staging) / "known.parquet")


@task(name="ingest", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def ingest_batch(source: str, paths: list[str], known: str, staging: str, batch: int, first_order: int) -> dict:
    """Read and decode one batch of inputs; quarantine what cannot be read."""
    known_ids = set(_read(known)["input_id"].to_pylist())
    result = ingest.read_inputs(ingest.source_root(Path(source)), paths, known_ids, first_order)
    _write(result.documents_table(), _batch_file(Path(staging), "documents", batch))
    _write(result.quarantine_table(), _batch_file(Path(staging), "quarantine-ingest", batch))
    return {"inputs": result.records_seen, "skipped": result.skipped, "quarantined": len(result.quarantined),
            "documents": len(result.documents)}


@task(name="check", cache_policy=NO_CACHE)
def check_batch(suite: str, staging: str, batch: int, parameters: dict) -> dict:
    """Validate a batch at a stage boundary; set failing rows aside into quarantine."""
    staging_dir = Path(staging)
    table_kind = {"raw": "documents", "clean": "articles", "extracted": "mentions"}[suite]
    table = _read(_batch_file(staging_dir, table_kind, batch))
    articles = _read(_batch_file(staging_dir, "articles", batch)) if suite == "extracted" else table
    frame = quality.mention_frame(table, articles) if suite == "extracted" else table
    outcome = quality.check(frame, suite, parameters)
    _write(pa.Table.from_pylist(outcome.results, schema=quality.RESULT_SCHEMA),
           _batch_file(staging_dir, f"quality-{suite}", batch))
    _write(pa.Table.from_pylist(_quarantine_rows(articles, outcome), schema=ingest.QUARANTINE_SCHEMA),
           _batch_file(staging_dir, f"quarantine-{suite}", batch))
    _write(_set_aside(table, outcome), _batch_file(staging_dir, table_kind, batch))
    if suite == "extracted":
        _write(_set_aside(articles, outcome), _batch_file(staging_dir, "articles", batch))
    return {"quarantined": len(outcome.failed_rows)}


@task(name="clean", cache_policy=NO_CACHE)
def clean_batch(staging: str, batch: int, run_date: dt.date) -> int:
    """Strip boilerplate, find title, byline, dateline and publication date."""
    documents = _read(_batch_file(Path(staging), "documents", batch))
    articles = clean.clean_documents(documents, run_date)
    _write(articles, _batch_file(Path(staging), "articles", batch))
    return len(articles)


@task(name="extract", cache_policy=NO_CACHE)
def extract_batch(staging: str, batch: int, model: str, workers: int) -> int:
    """Recognise named entities and give each mention its canonical entity."""
    articles = _read(_batch_file(Path(staging), "articles", batch))
    mentions = extract.recognise_entities(articles, model, workers)
    mentions, batch_entities = entities.resolve_entities(mentions, articles)
    _write(mentions, _batch_file(Path(staging), "mentions", batch))
    _write(batch_entities, _batch_file(Path(staging), "entities", batch))
    return len(mentions)


@task(name="find duplicates", retries=2, retry_delay_seconds=2, cache_policy=NO_CACHE)
def find_duplicates(staging: str, warehouse: str, threshold: float) -> int:
    """Link exact and near copies and stories, within the run and against the warehouse."""
    staging_dir = Path(staging)
    articles = pa.concat_tables([_read(p) for p in sorted(staging_dir.glob("articles-*.parquet"))])
    mentions = pa.concat_tables([_read(p).select(["article_id", "entity_id", "label"])
                                 for p in sorted(staging_dir.glob("mentions-*.parquet"))]).to_pylist()
    prints = dedup.fingerprint_articles(articles)
    earlier = load.dedup_candidates(Path(warehouse), dedup.candidate_request(articles, prints, mentions, threshold))
    found = dedup.find_copies(articles, prints, mentions, earlier, threshold)
    for kind in ("links", "signatures", "fingerprints", "borrowings"):
        _write(getattr(found, kind), staging_dir / f"dedup-{kind}.parquet")
    new_ids = set(articles["article_id"].to_pylist())
    return sum(1 for row in found.links.to_pylist() if row["duplicate_of"] and row["article_id"] in new_ids)


@task(name="load", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def load_run(staging: str, warehouse: str, run: load.RunRecord) -> None:
    """Commit the run's staged rows to the warehouse in one transaction."""
    staging_dir = Path(staging)
    files = {kind: sorted(str(p) for p in staging_dir.glob(f"{kind}-*.parquet"))
             for kind in ("articles", "mentions", "entities", "quarantine", "quality")}
    dedup_files = {kind: [str(staging_dir / f"dedup-{kind}.parquet")]
                   for kind in ("signatures", "fingerprints", "borrowings")}
    staged = load.StagedRun(**files, duplicates=[str(staging_dir / "dedup-links.parquet")], **dedup_files)
    load.commit_run(Path(warehouse), staged, run)


@contextmanager
def _timed(run: load.RunRecord, stage: str):
    started = time.perf_counter()
    try:
        yield
    finally:
        run.stage_seconds[stage] = run.stage_seconds.get(stage, 0.0) + time.perf_counter() - started


def _write_empty_batch(staging: Path) -> None:
    # A run with no new inputs still commits (its run record), so every kind needs one file.
    empties = {"articles": clean.ARTICLE_SCHEMA, "mentions": entities.MENTION_WITH_ENTITY_SCHEMA,
               "entities": entities.ENTITY_SCHEMA, "quarantine-none": ingest.QUARANTINE_SCHEMA,
               "quality-none": quality.RESULT_SCHEMA}
    for kind, schema in empties.items():
        _write(schema.empty_table(), staging / f"{kind}-empty.parquet")


def default_workers() -> int:
    return len(os.sched_getaffinity(0))


@flow(name="news-pipeline", flow_run_name="news-pipeline: {source} → {warehouse}")
def news_pipeline(source: str = "seeds", warehouse: str = "warehouse", model: str = extract.DEFAULT_MODEL,
                  workers: int = 0, full_refresh: bool = False, batch_size: int = DEFAULT_BATCH_SIZE,
                  near_duplicate_threshold: float = dedup.DEFAULT_NEAR_DUPLICATE_THRESHOLD) -> dict:
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
    """
    logger = get_run_logger()
    started_at = dt.datetime.now(dt.timezone.utc)
    run = load.RunRecord(run_id=f"{started_at:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}", started_at=started_at,
                         source=str(source), model=model)
    workers = workers or default_workers()
    staging = Path(warehouse) / STAGING_DIR / run.run_id
    with wh.write_lock(Path(warehouse)):
        staging.mkdir(parents=True)
        try:
            _run_stages(run, source, warehouse, model, workers, full_refresh, batch_size, str(staging), logger,
                        near_duplicate_threshold)
        except Exception as error:
            run.status, run.message = "failed", f"{type(error).__name__}: {error}"
            load.record_failed_run(Path(warehouse), run)
            raise
        finally:
            extract.shutdown_worker_pools()
            shutil.rmtree(staging, ignore_errors=True)
    run_summary = summary.read_run_summary(Path(warehouse), run.run_id)
    create_markdown_artifact(summary.render_markdown(run_summary), key="run-summary",
                             description=f"newsflow run {run.run_id}")
    create_table_artifact(run_summary["quality"], key="quality-results",
                          description="Great Expectations results per suite and expectation")
    return run_summary


def _run_stages(run, source, warehouse, model, workers, full_refresh, batch_size, staging, logger,
                near_duplicate_threshold) -> None:
    with _timed(run, "ingest"):
        inputs = discover_inputs(source)
        known = stage_known_inputs(warehouse, staging, full_refresh)
    run.files_seen = len(inputs)
    run_date = dt.date.today()
    parameters = quality.suite_parameters(run_date, extract.model_labels(model))
    _write_empty_batch(Path(staging))
    batches = [inputs[i:i + batch_size] for i in range(0, len(inputs), batch_size)]
    # input_order grows across runs too, so "earliest copy" ties break by when it was read.
    first_order = int(run.started_at.timestamp()) * 1_000_000
    for number, paths in enumerate(batches):
        with _timed(run, "ingest"):
            read = ingest_batch(source, paths, known, staging, number, first_order + number * batch_size)
        run.inputs_seen += read["inputs"]
        run.unchanged_skips += read["skipped"]
        run.quarantined += read["quarantined"]
        with _timed(run, "quality"):
            run.quarantined += check_batch("raw", staging, number, parameters)["quarantined"]
        with _timed(run, "clean"):
            clean_batch(staging, number, run_date)
        with _timed(run, "quality"):
            run.quarantined += check_batch("clean", staging, number, parameters)["quarantined"]
        with _timed(run, "extract"):
            extract_batch(staging, number, model, workers)
        with _timed(run, "quality"):
            run.quarantined += check_batch("extracted", staging, number, parameters)["quarantined"]
        logger.info("batch %d/%d: %d inputs, %d unchanged, %d quarantined so far",
                    number + 1, len(batches), read["inputs"], read["skipped"], run.quarantined)
    with _timed(run, "dedup"):
        run.duplicates = find_duplicates(staging, warehouse, near_duplicate_threshold)
    articles = [_read(p) for p in sorted(Path(staging).glob("articles-*.parquet"))]
    run.articles_loaded = sum(len(t) for t in articles)
    run.mentions = sum(pq.read_metadata(p).num_rows for p in Path(staging).glob("mentions-*.parquet"))
    load_run(staging, warehouse, run)  # times itself: its record is committed with the rows
