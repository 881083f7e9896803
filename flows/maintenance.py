"""Warehouse maintenance: compaction and snapshot expiry in DuckLake, and a re-validation of
everything loaded against the current quality suites."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pyarrow as pa
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE

from newsflow.warehouse import Warehouse, WarehouseMissing, write_lock
from tasks import extract, quality

PAGE_SIZE = 2000


@task(name="compact", retries=2, retry_delay_seconds=5, cache_policy=NO_CACHE)
def compact_warehouse(warehouse: str, keep_days: int) -> dict:
    """Merge small files, expire old snapshots, delete files no snapshot needs."""
    return Warehouse(warehouse).compact(keep_days)


@task(name="revalidate", cache_policy=NO_CACHE)
def revalidate_warehouse(warehouse: str, model: str, run_id: str) -> dict:
    """Check every loaded article and mention against today's clean and extracted suites."""
    parameters = quality.suite_parameters(dt.date.today(), extract.model_labels(model))
    store = Warehouse(warehouse)
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


@flow(name="warehouse-maintenance", flow_run_name="warehouse-maintenance: {warehouse}")
def warehouse_maintenance(warehouse: str = "warehouse", keep_days: int = 30,
                          model: str = extract.DEFAULT_MODEL) -> dict:
    """Compact the DuckLake warehouse and re-validate what it holds against the current suites.

    Args:
        warehouse: Warehouse directory to maintain.
        keep_days: Snapshots younger than this many days stay available for time travel.
        model: spaCy model whose label set the extracted suite allows.
    """
    logger = get_run_logger()
    run_id = f"maintenance-{dt.datetime.now(dt.timezone.utc):%Y%m%dT%H%M%S}"
    if not Warehouse(warehouse).exists():
        raise WarehouseMissing(f"no warehouse at {warehouse}: nothing to maintain")
    with write_lock(Path(warehouse)):
        compaction = compact_warehouse(warehouse, keep_days)
        revalidation = revalidate_warehouse(warehouse, model, run_id)
    logger.info("compaction: %s", compaction)
    failing = revalidation["failing"]
    lines = [f"# Warehouse maintenance `{run_id}`", "",
             f"Parquet files {compaction['parquet_files_before']} → {compaction['parquet_files_after']}, "
             f"snapshots {compaction['snapshots_before']} → {compaction['snapshots_after']} (kept: {keep_days} days).",
             "", f"Re-validation: {sum(r['success'] for r in revalidation['results'])}/"
                 f"{len(revalidation['results'])} expectations hold over the whole warehouse."]
    lines += [f"- {reason}: {len(ids)} articles, e.g. {', '.join(ids[:5])}" for reason, ids in failing.items()]
    create_markdown_artifact("\n".join(lines), key="maintenance-summary", description=f"maintenance {run_id}")
    create_table_artifact(revalidation["results"], key="revalidation-results",
                          description="Every loaded row against the current suites")
    return {"run_id": run_id, **compaction, **revalidation}
