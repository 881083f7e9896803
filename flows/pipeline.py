"""The newsflow pipeline: ingest → clean → extract → load, with a quality check between stages.

Read top to bottom, `news_pipeline` is the run and `process_batch` one batch's stages. The
tasks are flows/stages.py (each one stage of tasks/ on staged files), the staging folder
flows/staging.py, the warehouse newsflow.warehouse.Warehouse (its only user). One commit per
run: each batch settles (its copies, its load) into the run's one open transaction as soon as it
and the batches before it are done (flows/settle.py); the run's stories are found once, in its turn
to commit, and nothing is committed until every batch passed.

On a Dask cluster only the batches' stages leave this machine (`process_batch_on_worker`): the
inputs are read here, where --source is, and each batch travels to its worker, and back, through
Dask, so a worker needs no folder of this machine, and nothing of it but the Prefect API.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import shutil
import tempfile
import time
import uuid
from pathlib import Path
from typing import Annotated, Optional

import pyarrow as pa
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.runtime import flow_run
from prefect.task_runners import ThreadPoolTaskRunner
from prefect.utilities.callables import get_call_parameters
from pydantic import WithJsonSchema

from flows.batches import (BATCHES_IN_FLIGHT, BatchTurns, batch_bounds, completed_tasks_at_debug, dask_runner,
                           started_by_logger)
from flows.settle import Settlement
from flows.stages import (build_quality_docs, check_accounting, check_batch, check_extraction, clean_batch,
                          discover_inputs, extract_batch, find_repeated_lines, fingerprint_batch, ingest_batch,
                          stage_known_entities, stage_known_inputs)
from flows.staging import KEEP_FOR, Staging, read, write
from newsflow import report, summary
from newsflow.interrupts import caused_by_ctrl_c
from newsflow.processes import WorkerPool
from newsflow.progress import RunProgress
from newsflow.warehouse import STAGING_DIR, Warehouse, open_read_only
from tasks import date_mentions, dedup, entity_settlement, extract, load, quality

# Each batch costs a fixed share of Prefect task runs and GX validations: 1,000 inputs ran 10,100
# Reuters stories in 102.9 s against 108.3 s for 500, for 94 MiB more at peak (bench/).
DEFAULT_BATCH_SIZE = 1000
QUALITY_DOCS_DIR = "quality_docs"   # WAREHOUSE/quality_docs/<run_id>/: one run's GX Data Docs
# An optional text parameter the UI's run form shows as a plain text box: pydantic describes
# Optional[str] as "string or null", which the form shows as a choice of two types.
FormText = Annotated[Optional[str], WithJsonSchema({"type": "string"})]


@flow(name="news-pipeline", flow_run_name="news-pipeline: {source} → {warehouse}")
def news_pipeline(source: str = "seeds", warehouse: str = "warehouse", model: str = extract.DEFAULT_MODEL,
                  workers: int = 0, full_refresh: bool = False, batch_size: int = DEFAULT_BATCH_SIZE,
                  near_duplicate_threshold: float = dedup.DEFAULT_NEAR_DUPLICATE_THRESHOLD,
                  dask_address: FormText = None, catalog: FormText = None, data_path: FormText = None,
                  aliases: FormText = None) -> dict:
    """Turn a folder of news articles into warehouse tables: articles, mentions, entities, quarantine.

    Args:
        source: Folder (searched recursively) or file of articles: .txt, .md, .json/.jsonl, .html.
        warehouse: Warehouse directory (DuckLake catalog and Parquet files); created if new. With a
            catalog, this machine's working folder (staging, Data Docs).
        model: Installed spaCy model package used for named entities.
        workers: Processes for named-entity recognition; 0 means one per CPU core.
        full_refresh: Recompute every input, even those the warehouse already holds unchanged.
        batch_size: Inputs per batch; memory grows with it, not with the size of the source.
        near_duplicate_threshold: Estimated Jaccard similarity of word shingles (0-1) from which two
            articles are near-duplicates; lower finds more edited copies and more false ones.
        dask_address: Run the batches on a Dask cluster: its scheduler address (tcp://host:8786), or
            "local" for a LocalCluster of `workers` processes on this machine. Empty: threads here.
        catalog: A shared lake's catalog in PostgreSQL, 'postgres:dbname=… host=… port=… user=…'
            (password from PGPASSWORD or ~/.pgpass). Empty: NEWSFLOW_CATALOG, else the embedded catalog.
        data_path: The shared lake's Parquet folder or s3://bucket/prefix/ (needed with a catalog).
            Empty: NEWSFLOW_DATA_PATH.
        aliases: A CSV of entity corrections ('same,NAME,OTHER' or 'different,NAME,OTHER' per line)
            applied on every run. Empty: the warehouse folder's aliases.csv, if there is one.
    """
    started_at = dt.datetime.now(dt.timezone.utc)
    completed_tasks_at_debug()
    # A retried flow run keeps its flow run id, and so finds the batches it had staged.
    flow_run_id = flow_run.id or uuid.uuid4().hex
    run = load.RunRecord(run_id=f"{started_at:%Y%m%dT%H%M%S}-{flow_run_id[:8]}", started_at=started_at,
                         source=str(source), model=model)
    store, staging = Warehouse(warehouse, catalog, data_path), Staging(Path(warehouse) / STAGING_DIR / flow_run_id)
    store.check_reachable()
    corrections = entity_settlement.corrections_for(aliases, warehouse)
    workers = workers or len(os.sched_getaffinity(0))
    batches = process_batches
    if dask_address:
        batches = functools.partial(process_batches.with_options(task_runner=dask_runner(dask_address, workers)),
                                    on_dask=True)
    pool = WorkerPool(workers)
    with store.whole_run_lock():
        cleared = store.clear_leftovers(keep_younger_than=KEEP_FOR, keep=staging.root.name)
        if any(cleared.values()):   # a younger staging folder is kept: retrying its flow run reuses its stages
            get_run_logger().info("removed what interrupted runs left: %(staging_folders)d staging folders, "
                                  "%(orphan_files)d uncommitted data files", cleared)
        try:
            docs = _run(run, store, staging, pool, batches, source, model, full_refresh, batch_size, corrections,
                        near_duplicate_threshold)
        except Exception as error:
            if caused_by_ctrl_c(error):   # e.g. DuckDB's "Query interrupted": an interrupted run, not a failed one
                raise KeyboardInterrupt from error
            run.status, run.message = "failed", f"{type(error).__name__}: {error}"
            store.record_failed_run(run)
            raise
        finally:
            pool.shutdown()
        shutil.rmtree(staging.root, ignore_errors=True)
    run_summary = summary.read_run_summary(store, run.run_id) | {"quality_docs": docs["path"],
                                                                     "quality_failures": docs["failures"]}
    if run_summary["articles_loaded"] and os.environ.get(REPORT_SWITCH, "on").lower() == "off":
        run_summary["report_skipped"] = f"{REPORT_SWITCH}=off"
    elif run_summary["articles_loaded"]:   # a run with nothing new leaves the page as it was
        run_summary["report"] = _write_report(store, Path(warehouse) / report.REPORT_FILE)
    summary.publish_artifacts(run_summary)
    return run_summary


# NEWSFLOW_REPORT=off: runs leave the report page (a few seconds each) to `newsflow report`, as a backfill
# of many small runs, or the test suite's hundred runs, may want.
REPORT_SWITCH = "NEWSFLOW_REPORT"


def _write_report(store: Warehouse, out: Path) -> dict | None:
    """The warehouse's report page (newsflow/report.py) and its headline pictures, for the run's artifacts.

    The run has committed: a page that cannot be drawn is a warning, never a failed run."""
    try:
        with open_read_only(store) as con:
            shown = report.write_report(con, out, f"newsflow report: {store.where()}")
        specs = report.charts(shown)
        titles = {"stories": "The largest stories over time", "entities": "Top people, organisations and places"}
        return {"path": str(out), "pictures": [(title, report.png_data_uri(specs[name]))
                                               for name, title in titles.items() if name in specs]}
    except Exception as error:   # noqa: BLE001 - the data is loaded; the picture of it is not worth a failed run
        get_run_logger().warning("the report page was not written: %s: %s", type(error).__name__, error)
        return None


def _run(run: load.RunRecord, store: Warehouse, staging: Staging, pool: WorkerPool, batches, source: str,
         model: str, full_refresh: bool, batch_size: int, corrections: list[entity_settlement.Correction],
         threshold: float) -> dict:
    """Every stage of the run, to the commit; returns the run's Data Docs path and failed expectations."""
    quality.prepare_in_background()   # GX takes seconds to import: it loads while inputs are read
    with run.timed("ingest"):
        inputs = discover_inputs(source)
        stage_known_inputs(store, full_refresh, staging.path("known", "inputs"))
    run.files_seen, run_date = len(inputs), dt.date.today()
    parameters = quality.suite_parameters(run_date, extract.model_labels(model)) | date_mentions.SANE_BOUNDS
    staging.stage_empty_tables()
    write(pa.table({"path": pa.array(inputs, pa.string())}), staging.path("inputs", "all"))
    # input_order grows across runs too, so "earliest copy" ties break by when it was read. It counts
    # from the flow run's scheduled start, which a retry keeps, so a retry stages identical batches.
    first_order = int(flow_run.scheduled_start_time.timestamp()) * 1_000_000
    settlement = Settlement(store, staging, run.run_id, threshold, full_refresh, corrections)
    try:
        with run.timed("batches_wall"):   # the per-stage busy times below overlap, so add up to more
            results = batches(staging, source, batch_size, first_order, store, full_refresh, model, pool, run_date,
                              parameters, settlement)
        pool.shutdown()
        for result in results:
            run.add_batch(result)
        run.articles_loaded, run.mentions = staging.rows("articles"), staging.rows("mentions")
        with run.timed("quality"):
            check_accounting(run, run.articles_loaded, staging.rows("quarantine"),
                             staging.path("quality", "accounting-run"),
                             staging.path("validations", "accounting-run", ".json"))
        # Every check has run: GX renders the Data Docs while the run commits; a run with nothing new
        # checked nothing worth a page (4 MB each: a daily schedule of such runs filled the disk).
        nothing_new = run.articles_loaded == 0 and run.quarantined == 0
        docs = None if nothing_new else build_quality_docs.submit(staging.files("validations", ".json"),
                                                                  str(store.path / QUALITY_DOCS_DIR / run.run_id))
        # On a shared lake other writers commit too: the run takes its turn to commit, and settles its
        # batches again first if one of them committed since (flows/settle.py).
        with contextlib.ExitStack() as turn:
            waited = time.perf_counter()
            turn.enter_context(store.commit_lock())
            if store.shared:
                run.stage_seconds["waiting_for_lake"] = time.perf_counter() - waited
            settlement.commit(run)
    except BaseException:
        settlement.discard()
        raise
    if settlement.settled_again:
        get_run_logger().info("another writer committed while this run's batches settled: %d batches settled "
                              "again in its turn, %.1f s", settlement.settled_again, run.stage_seconds["settling_again"])
    return docs.result() if docs else {"path": "", "failures": []}


@flow(name="process-batches", flow_run_name="batches of {source}",
      task_runner=ThreadPoolTaskRunner(max_workers=BATCHES_IN_FLIGHT))
def process_batches(staging: Staging, source: str, batch_size: int, first_order: int, store: Warehouse,
                    full_refresh: bool, model: str, pool: WorkerPool, run_date: dt.date,
                    parameters: dict, settlement: Settlement, on_dask: bool = False) -> list[dict]:
    """Read every batch, count the run's repeated lines, then every batch with something new through its
    stages, BATCHES_IN_FLIGHT at once: threads on one machine, or Dask workers on a cluster. Each batch
    settles (its copies, its load) here, in batch order, while the later ones run."""
    logger = started_by_logger(news_pipeline)
    inputs = read(staging.path("inputs", "all"))["path"].to_pylist()
    bounds = batch_bounds(len(inputs), batch_size)
    if len(inputs) >= 2 * extract.MIN_ARTICLES_PER_WORKER:
        pool.start()   # reading runs in the worker processes; this one imports GX meanwhile
    # Read on this machine whatever runs the batches: --source is a path of this machine's.
    with ThreadPoolTaskRunner(max_workers=BATCHES_IN_FLIGHT) as here:
        reads = [_submit(here, ingest_batch, source, inputs[start:end], first_order + start,
                         staging.path("known", "inputs"), staging.path("documents", number),
                         staging.path("quarantine", f"ingest-{number:05d}"), pool)
                 for number, (start, end) in enumerate(bounds)]
        read_counts = [future.result() for future in reads]
    # Furniture lines are told by their repetition across the whole run, so cleaning waits for every read.
    find_repeated_lines(staging.files("documents"), staging.path("repeated", "lines"), pool)
    new = [number for number, counts in enumerate(read_counts) if counts["documents"]]
    if on_dask:
        pool.shutdown()   # its work is done: a Dask worker loads the model with its first batch, and keeps it
    elif new:
        # The model loads while the first batch is cleaned: in the workers, or here for a small run.
        if sum(read_counts[n]["documents"] for n in new) >= 2 * extract.MIN_ARTICLES_PER_WORKER:
            pool.start().on_every_worker(extract.load_model, model)
        elif not pool.started:
            extract.load_model_in_background(model)
    if new:
        # Read once, and only when something is new (it grows with the warehouse): every batch weighs
        # its mentions against the same warehouse.
        stage_known_entities(store, full_refresh, staging.path("known", "entities"))

    progress = RunProgress(sum(read_counts[number]["documents"] for number in new), logger) if new else None
    turns = BatchTurns(new)

    def submit(number: int):
        if not on_dask:
            return process_batch.submit(staging, number, run_date, model, pool, parameters, progress, turns)
        return process_batch_on_worker.submit(staging.pack(_batch_inputs(staging, number)), number, run_date,
                                              model, parameters)

    # On Dask each batch submitted is its documents in the scheduler's memory until a worker takes it, and
    # its files in a worker's until read here: two per worker thread keep every worker busy, no more.
    ahead = 2 * sum(FlowRunContext.get().task_runner.client.nthreads().values()) if on_dask else len(new)
    waiting, futures, results = iter(new), {}, []
    for number, counts in enumerate(read_counts):
        while len(futures) < ahead and (next_number := next(waiting, None)) is not None:
            futures[next_number] = submit(next_number)
        done, where = futures.pop(number).result() if number in futures else {}, ""
        if on_dask and done:
            staging.unpack(done.pop("files"))
            where = f" on Dask worker {done.pop('worker')}"
            progress.advance(counts["documents"])   # a Dask worker's batch is told whole
        results.append({"ingest": counts} | done)
        logger.info("batch %d/%d done: %d inputs, %d unchanged%s", number + 1, len(bounds), counts["inputs"],
                    counts["skipped"], where)
        if done and staging.rows("articles", number):   # else nothing new can copy anything
            started = time.perf_counter()
            settlement.settle(number)
            logger.info("batch %d/%d settled: copies and load in %.1f s", number + 1, len(bounds),
                        time.perf_counter() - started)
    if progress:
        progress.finish()
    return results


def _submit(runner, task_, *args):
    """task_.submit(*args) to the task runner `runner` instead of the flow's own."""
    return runner.submit(task_, get_call_parameters(task_.fn, args, {}))


def _batch_inputs(staging: Staging, number: int) -> list[str]:
    """The staged files a batch's stages read (process_batch): its documents and what the run shares."""
    return [staging.path("documents", number), staging.path("repeated", "lines"), staging.path("known", "entities")]


@task(name="batch on a Dask worker", cache_policy=NO_CACHE)
def process_batch_on_worker(inputs: dict[str, bytes], number: int, run_date: dt.date, model: str,
                            parameters: dict) -> dict:
    """One batch's stages on the Dask worker running this task, in a temporary staging folder of its own:
    returns process_batch's result, the worker's address and the files the batch wrote (Staging.pack)."""
    from distributed import get_worker

    worker = get_worker()
    with tempfile.TemporaryDirectory(prefix="newsflow-batch-", dir=worker.local_directory) as folder:
        staging = Staging(Path(folder))
        staging.unpack(inputs)
        # NER runs in this thread: the cluster's worker processes are the run's, no pool of their own.
        done = process_batch.fn(staging, number, run_date, model, WorkerPool(1), parameters)
        return done | {"worker": worker.address, "files": staging.pack(staging.files_besides(inputs))}


@task(name="batch", cache_policy=NO_CACHE)
def process_batch(staging: Staging, number: int, run_date: dt.date, model: str, pool: WorkerPool,
                  parameters: dict, progress: RunProgress | None = None, turns: BatchTurns | None = None) -> dict:
    """One batch after ingest: check raw → clean → check clean → fingerprint, extract → check extracted."""
    with turns.turn(number) if turns else contextlib.nullcontext():
        raw = check_batch("raw", parameters, staging.path("documents", number), staging.path("raw", number),
                          **staging.check_outputs("raw", number))
        cleaned = clean_batch(run_date, staging.path("raw", number), staging.path("repeated", "lines"),
                              staging.path("cleaned", number))
        checked = check_batch("clean", parameters, staging.path("cleaned", number), staging.path("clean", number),
                              **staging.check_outputs("clean", number))
        # Fingerprints before NER: the workers are still busy with the batches before this one, whereas after
        # this batch's NER, for the run's last batch, they would be computed with every worker idle.
        prints = fingerprint_batch(staging.path("clean", number), staging.path("prints", number))
    unchecked = {kind: staging.path(f"unchecked_{kind}", number) for kind in ("mentions", "date_mentions", "quotes")}
    extracted = extract_batch(model, pool, staging.path("clean", number), staging.path("known", "entities"),
                              unchecked["mentions"], staging.path("entities", number), unchecked["date_mentions"],
                              unchecked["quotes"], progress)
    suites = {"extracted": "mentions", "date_mentions": "date_mentions", "quotes": "quotes"}
    found = check_extraction(parameters, staging.path("clean", number), unchecked["mentions"],
                             staging.path("entities", number), unchecked["date_mentions"], unchecked["quotes"],
                             staging.path("articles", number),
                             {suite: staging.path(kind, number) for suite, kind in suites.items()},
                             {suite: staging.check_outputs(suite, number) for suite in suites})
    return {"clean": cleaned, "extract": extracted, "fingerprint": prints,
            "checks": {"raw": raw, "clean": checked, "extracted": found}}
