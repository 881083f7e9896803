"""Warehouse maintenance: compaction and snapshot expiry in DuckLake, a re-validation of everything
loaded against the current quality suites, and old runs' GX Data Docs removed."""

from __future__ import annotations

import datetime as dt
import shutil
from collections import defaultdict

import pyarrow as pa
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from newsflow.warehouse import Warehouse, WarehouseMissing
from flows.pipeline import QUALITY_DOCS_DIR, FormText
from tasks import extract, quality

PAGE_SIZE = 2000


@task(name="compact", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def compact_warehouse(store: Warehouse, keep_days: int) -> dict:
    """Merge small files, expire old snapshots, delete files no snapshot needs."""
    return store.compact(keep_days)


@task(name="revalidate", cache_policy=NO_CACHE)
def revalidate_warehouse(store: Warehouse, model: str, run_id: str) -> dict:
    """Check every loaded article and mention against today's clean and extracted suites."""
    parameters = quality.suite_parameters(dt.date.today(), extract.model_labels(model))
    entity_ids = store.entity_ids()
    totals: dict[tuple, dict] = {}
    failing: dict[str, list[str]] = defaultdict(list)   # reason -> article ids
    for articles, mentions in store.loaded_pages(PAGE_SIZE):
        mention_frame = quality.mention_frame(mentions, articles, entity_ids)
        for suite, frame in (("clean", articles), ("extracted", mention_frame)):
            try:
                outcome = quality.check(frame, suite, parameters)
            except quality.BatchCheckFailed as error:
                failing[str(error)].append("(whole page)")
                continue
            for result in outcome.results:
                key = (result["suite"], result["expectation"], result["column_name"], result["on_failure"])
                total = totals.setdefault(key, {"success": True, "element_count": 0, "unexpected_count": 0})
                total["success"] &= result["success"]
                total["element_count"] += result["element_count"] or 0
                total["unexpected_count"] += result["unexpected_count"] or 0
            # A suite that sets rows aside (extracted) names them by row number: report their article.
            article_ids = frame["article_id"].to_pylist() if quality.load_suite(suite).get("sets_aside") else None
            for row_id, reason in outcome.failed_rows.items():
                failing[reason].append(article_ids[row_id] if article_ids else row_id)
    results = [dict(zip(("suite", "expectation", "column_name", "on_failure"), key)) | total
               for key, total in totals.items()]
    store.record_quality_results(run_id, pa.Table.from_pylist(results, schema=quality.RESULT_SCHEMA))
    return {"results": results, "failing": {reason: ids for reason, ids in failing.items()}}


@task(name="prune data docs", cache_policy=NO_CACHE)
def prune_quality_docs(store: Warehouse, keep_docs: int) -> int:
    """Remove the GX Data Docs of all but the newest `keep_docs` runs (by when they were written); how many."""
    folders = sorted((path for path in (store.path / QUALITY_DOCS_DIR).glob("*") if path.is_dir()),
                     key=lambda path: path.stat().st_mtime, reverse=True)
    for folder in folders[keep_docs:]:
        shutil.rmtree(folder, ignore_errors=True)
    return len(folders[keep_docs:])


@flow(name="warehouse-maintenance", flow_run_name="warehouse-maintenance: {warehouse}")
def warehouse_maintenance(warehouse: str = "warehouse", keep_days: int = 30,
                          model: str = extract.DEFAULT_MODEL, catalog: FormText = None,
                          data_path: FormText = None, keep_docs: int = 30) -> dict:
    """Compact the DuckLake warehouse, re-validate what it holds against the current suites, and remove
    old runs' Data Docs.

    Args:
        warehouse: Warehouse directory to maintain.
        keep_days: Snapshots younger than this many days stay available for time travel.
        keep_docs: The GX Data Docs of this many newest runs stay in WAREHOUSE/quality_docs.
        model: spaCy model whose label set the extracted suite allows.
        catalog: A shared lake's PostgreSQL catalog (as news-pipeline takes it); empty: NEWSFLOW_CATALOG,
            else the embedded catalog under warehouse.
        data_path: The shared lake's Parquet folder or s3:// prefix; empty: NEWSFLOW_DATA_PATH.
    """
    logger = get_run_logger()
    run_id = f"maintenance-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}"
    store = Warehouse(warehouse, catalog, data_path)
    if not store.exists():
        raise WarehouseMissing(f"no warehouse at {store.where()}: nothing to maintain")
    with store.whole_run_lock():
        compaction = compact_warehouse(store, keep_days)
        revalidation = revalidate_warehouse(store, model, run_id)
        compaction["data_docs_removed"] = prune_quality_docs(store, keep_docs)
    logger.info("compaction: %s", compaction)
    failing = revalidation["failing"]
    lines = [f"# Warehouse maintenance `{run_id}`", "",
             f"Parquet files {compaction['parquet_files_before']} → {compaction['parquet_files_after']}, "
             f"snapshots {compaction['snapshots_before']} → {compaction['snapshots_after']} (kept: {keep_days} days), "
             f"Data Docs of {compaction['data_docs_removed']} older runs removed (kept: the last {keep_docs}).",
             "", f"Re-validation: {sum(r['success'] for r in revalidation['results'])}/"
                 f"{len(revalidation['results'])} expectations hold over the whole warehouse."]
    lines += [f"- {reason}: {len(ids)} articles, e.g. {', '.join(ids[:5])}" for reason, ids in failing.items()]
    create_markdown_artifact("\n".join(lines), key="maintenance-summary", description=f"maintenance {run_id}")
    create_table_artifact(revalidation["results"], key="revalidation-results",
                          description="Every loaded row against the current suites")
    return {"run_id": run_id, **compaction, **revalidation}
