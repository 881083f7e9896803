"""Shared fixtures: the seeds, a Prefect harness for flow tests, and a loaded seed warehouse."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
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


def newsflow(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real `newsflow` command line, as a user runs it."""
    command = [str(Path(sys.executable).parent / "newsflow"), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=600)
