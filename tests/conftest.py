"""Shared fixtures: the seeds, a Prefect harness for flow tests, and a loaded seed warehouse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent
SEEDS = PROJECT / "seeds"

# Before Prefect is imported anywhere: stay offline, and give the server time on 2 cores.
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")


@pytest.fixture(scope="session")
def prefect_harness():
    """A throwaway Prefect API for flow runs, started once per test session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def seed_warehouse(tmp_path_factory, prefect_harness) -> Path:
    """A warehouse holding one run of the pipeline over a copy of seeds/."""
    from flows.pipeline import news_pipeline

    root = tmp_path_factory.mktemp("seeded")
    shutil.copytree(SEEDS, root / "seeds")
    news_pipeline(source=str(root / "seeds"), warehouse=str(root / "warehouse"), workers=1)
    return root / "warehouse"


def resolve_publication_date(candidates, run_date):
    """(published_date, date_source) of the best candidate, or (None, None): what the articles table stores."""
    from tasks.dates import resolve_publication

    resolved = resolve_publication(candidates, run_date)
    return (resolved.date, resolved.source) if resolved else (None, None)


def newsflow(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real `newsflow` command line, as a user runs it."""
    command = [str(Path(sys.executable).parent / "newsflow"), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=600)


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    """A real `prefect server start` on a free loopback port; yields its API URL, environment and log.

    Its scheduler runs every 5 s (not every 60 s), so scheduled runs appear while a test waits."""
    import httpx

    home = tmp_path_factory.mktemp("prefect-home")
    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = os.environ | {"PREFECT_HOME": str(home), "PREFECT_API_URL": api, "PREFECT_UI_API_URL": api,
                        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
                        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5"}
    prefect = str(Path(sys.executable).parent / "prefect")
    log = home / "server.log"
    server = subprocess.Popen([prefect, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{api}/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        else:
            raise RuntimeError("prefect server did not start within 120 s")
        yield {"api": api, "env": env, "port": port, "log": log}
    finally:
        server.terminate()
        server.wait(timeout=30)
