"""Deployments for the Prefect UI: the pipeline with its parameters as a form, on a schedule."""

from __future__ import annotations

from prefect.schedules import Cron, Interval

from flows.pipeline import news_pipeline

DEFAULT_CRON = "0 6 * * *"     # daily, 06:00
TIMEZONE = "UTC"
DEPLOYMENT_NAME = "newsflow"


def serve_deployments(cron: str | None = None, interval: int | None = None) -> None:
    """Serve the pipeline deployment until interrupted; runs execute in this process."""
    schedule = Interval(interval, timezone=TIMEZONE) if interval else Cron(cron or DEFAULT_CRON, timezone=TIMEZONE)
    news_pipeline.serve(
        name=DEPLOYMENT_NAME,
        schedules=[schedule],
        description="Ingest, clean, extract and load a folder of news articles into the DuckLake warehouse.",
        tags=["newsflow"],
        # Stopping `newsflow serve` must not pause the schedule a person set up.
        pause_on_shutdown=False,
    )
