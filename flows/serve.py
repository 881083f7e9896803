"""Deployments for the Prefect UI: the pipeline and the warehouse maintenance, each with its
parameters as a form and a schedule. Runs execute in the `newsflow serve` process."""

from __future__ import annotations

from prefect import serve
from prefect.schedules import Cron, Interval

from flows.maintenance import warehouse_maintenance
from flows.pipeline import news_pipeline

DEFAULT_CRON = "0 6 * * *"            # the pipeline: daily, 06:00
MAINTENANCE_CRON = "0 3 * * 0"        # maintenance: Sundays, 03:00
TIMEZONE = "UTC"
PIPELINE_DEPLOYMENT = "newsflow"
MAINTENANCE_DEPLOYMENT = "newsflow-maintenance"
# One run at a time per deployment: a run holds the warehouse's write lock anyway.
CONCURRENCY_LIMIT = 1


def pipeline_deployment(cron: str | None = None, interval: int | None = None, parameters: dict | None = None):
    schedule = Interval(interval, timezone=TIMEZONE) if interval else Cron(cron or DEFAULT_CRON, timezone=TIMEZONE)
    return news_pipeline.to_deployment(
        name=PIPELINE_DEPLOYMENT, schedules=[schedule], tags=["newsflow"], concurrency_limit=CONCURRENCY_LIMIT,
        parameters=parameters or {},
        description="Ingest, clean, extract and load a folder of news articles into the DuckLake warehouse.")


def maintenance_deployment(parameters: dict | None = None):
    return warehouse_maintenance.to_deployment(
        name=MAINTENANCE_DEPLOYMENT, schedules=[Cron(MAINTENANCE_CRON, timezone=TIMEZONE)], tags=["newsflow"],
        concurrency_limit=CONCURRENCY_LIMIT, parameters=parameters or {},
        description="Compact the warehouse, expire old snapshots, re-validate everything against the suites.")


def serve_deployments(cron: str | None = None, interval: int | None = None, parameters: dict | None = None) -> None:
    """Serve both deployments until interrupted; parameters: the runs' defaults (source, warehouse, catalog,
    data_path), maintenance taking those it has."""
    parameters = parameters or {}
    maintenance = {name: value for name, value in parameters.items() if name != "source"}
    # Stopping `newsflow serve` must not pause the schedules a person set up.
    serve(pipeline_deployment(cron, interval, parameters), maintenance_deployment(maintenance),
          pause_on_shutdown=False)
