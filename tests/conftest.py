"""Shared fixtures: the seeds, a Prefect harness for flow tests, a loaded seed warehouse (and its re-runs),
copies of warehouses, and the `newsflow` command run as a subprocess or in this process."""

from __future__ import annotations

import contextlib
import fcntl
import io
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
# The report page costs a few seconds a run and the suite makes a hundred runs: only the tests of the
# report write it (tests/test_ui.py's served runs, tests/e2e).
os.environ.setdefault("NEWSFLOW_REPORT", "off")
# Under pytest-xdist (pyproject's addopts run the suite on several workers), each worker gets a Prefect
# home of its own, below the one it was given: a run with no server boots a temporary API on the SQLite
# database in PREFECT_HOME, and two workers booting one on the same fresh database race its migrations.
if os.environ.get("PYTEST_XDIST_WORKER"):
    os.environ["PREFECT_HOME"] = str(Path(os.environ.get("PREFECT_HOME", Path.home() / ".prefect"))
                                     / f"xdist-{os.environ['PYTEST_XDIST_WORKER']}")


def _turn_lock(config, name: str) -> Path | None:
    """A lock file shared by the xdist workers of this session, in the session's temporary folder (xdist
    gives each worker a folder of its own inside it); None when the suite runs in one process."""
    if not hasattr(config, "workerinput"):
        return None
    return Path(config.option.basetemp).parent / f"newsflow-{name}.lock"


@contextlib.contextmanager
def _locked(path: Path, mode: int):
    with path.open("a") as handle:
        fcntl.flock(handle, mode)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _turn(config, alone: bool):
    """A test marked `alone` runs while no other worker runs a test: it asserts how fast something
    answers (a fraction of a second), which CPU taken by tests on the other workers would slow down.
    Every other test holds the shared lock while it runs; a test alone takes the turnstile first, so
    that no new test starts, then the exclusive lock once the running ones end."""
    turnstile, running = _turn_lock(config, "turnstile"), _turn_lock(config, "running")
    if running is None:
        yield
    elif alone:
        with _locked(turnstile, fcntl.LOCK_EX), _locked(running, fcntl.LOCK_EX):
            yield
    else:
        with _locked(turnstile, fcntl.LOCK_EX):
            pass
        with _locked(running, fcntl.LOCK_SH):
            yield


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item, nextitem):
    # Around setup, call and teardown: the fixtures a test starts (servers, warehouses) take CPU too.
    with _turn(item.config, item.get_closest_marker("alone") is not None):
        return (yield)


def pytest_collection_modifyitems(config, items):
    """Under xdist, the modules with tests marked slow come first, each module's tests in their order.
    pyproject's addopts hand out whole modules in collection order (--dist loadfile --no-loadscope-reorder):
    a module of a few long tests (a Dask cluster, Prefect servers) handed out last would run on after
    the other workers have finished."""
    if not hasattr(config, "workerinput"):
        return
    slow = {item.module.__name__ for item in items if item.get_closest_marker("slow") and hasattr(item, "module")}
    items.sort(key=lambda item: getattr(item, "module", None) is None or item.module.__name__ not in slow)


@pytest.fixture(scope="session")
def prefect_harness():
    """A throwaway Prefect API for flow runs, started once per test session."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture(scope="session")
def seed_source(tmp_path_factory) -> Path:
    """A copy of seeds/, the source of the seed warehouse and of the runs after it."""
    source = tmp_path_factory.mktemp("seeded") / "seeds"
    shutil.copytree(SEEDS, source)
    return source


@pytest.fixture(scope="session")
def seed_warehouse(seed_source, prefect_harness) -> Path:
    """A warehouse holding one run of the pipeline over a copy of seeds/. Read it, never write it:
    a test that runs more into it works on `copy_of(seed_warehouse, ...)`."""
    from flows.pipeline import news_pipeline

    warehouse = seed_source.parent / "warehouse"
    news_pipeline(source=str(seed_source), warehouse=str(warehouse), workers=1)
    return warehouse


def _bytes_in(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file())


def copy_of(warehouse: Path, to: Path) -> Path:
    """A copy of a warehouse at `to`, standing alone: DuckLake names its data files relative to data/.
    Cheaper than running the pipeline again to reach the same state."""
    shutil.copytree(warehouse, to)
    return to


def snapshot(warehouse: Path) -> dict:
    """Every row of the data tables, less what says when it was loaded (run_id, input_order)."""
    from newsflow.warehouse import open_read_only

    excluded = {"articles": " exclude (run_id, input_order)", "quarantine": " exclude (run_id)"}
    with open_read_only(warehouse) as con:
        return {t: sorted(con.execute(f"select *{excluded.get(t, '')} from {t}").fetchall(), key=repr)
                for t in SNAPSHOT_TABLES}


SNAPSHOT_TABLES = ("articles", "entity_mentions", "entities", "quarantine", "date_mentions", "quotes")


@pytest.fixture(scope="session")
def seed_reruns(seed_source, seed_warehouse, tmp_path_factory) -> dict:
    """The seeds run again, then again with full_refresh, into a copy of the seed warehouse (so after the
    seeds' first run): each run's summary and the rows it left. Its warehouse ends after the refresh."""
    from flows.pipeline import news_pipeline

    warehouse = copy_of(seed_warehouse, tmp_path_factory.mktemp("reruns") / "warehouse")
    before, size_before = snapshot(warehouse), _bytes_in(warehouse)
    second = news_pipeline(source=str(seed_source), warehouse=str(warehouse), workers=1)
    after_second, bytes_added = snapshot(warehouse), _bytes_in(warehouse) - size_before
    refreshed = news_pipeline(source=str(seed_source), warehouse=str(warehouse), workers=1, full_refresh=True)
    return {"warehouse": warehouse, "before": before, "second": second, "after_second": after_second,
            "bytes_added_by_second": bytes_added,
            "refreshed": refreshed, "after_refresh": snapshot(warehouse)}


def resolve_publication_date(candidates, run_date):
    """(published_date, date_source) of the best candidate, or (None, None): what the articles table stores."""
    from tasks.dates import resolve_publication

    resolved = resolve_publication(candidates, run_date)
    return (resolved.date, resolved.source) if resolved else (None, None)


def newsflow(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    """The real `newsflow` command line, as a user runs it."""
    command = [str(Path(sys.executable).parent / "newsflow"), *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=600)


def newsflow_in_process(*args: str) -> subprocess.CompletedProcess:
    """`newsflow ARGS` run in this process (newsflow.cli.main, what the command calls), for tests that read
    the warehouse through the command but do not test its process: the same code, exit code, stdout and
    stderr, without starting Python and DuckDB again for each query (seconds each on a loaded machine).
    The environment the command sets for itself is put back."""
    from newsflow.cli import main

    environment = dict(os.environ)
    stdout, stderr = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                code = main(list(args))
            except SystemExit as exit_:     # argparse's usage errors, as the process would exit
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        for name in set(os.environ) - set(environment):
            del os.environ[name]
        os.environ.update(environment)
    return subprocess.CompletedProcess(["newsflow", *args], code, stdout.getvalue(), stderr.getvalue())


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def running_prefect_server(home: Path, **settings: str):
    """A real `prefect server start` on a free loopback port, PREFECT_HOME `home`, with `settings` (Prefect
    settings as environment variables) over the defaults below; yields its API URL, environment and log.

    Its scheduler runs every 5 s (not every 60 s), so scheduled runs appear while a test waits."""
    import httpx

    port = free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = os.environ | {"PREFECT_HOME": str(home), "PREFECT_API_URL": api, "PREFECT_UI_API_URL": api,
                        "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "PREFECT_LOGGING_LEVEL": "WARNING",
                        "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "5"} | settings
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
            if server.poll() is not None:   # a bad setting (say, a database URL) ends it at once: say why
                raise RuntimeError(f"prefect server exited: {log.read_text()[-3000:]}")
            time.sleep(0.5)
        else:
            raise RuntimeError("prefect server did not start within 120 s")
        yield {"api": api, "env": env, "port": port, "log": log}
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory):
    """A real `prefect server start` (SQLite in its PREFECT_HOME), one per test module: running_prefect_server."""
    with running_prefect_server(tmp_path_factory.mktemp("prefect-home")) as server:
        yield server


@pytest.fixture(scope="session")
def postgres():
    """A throwaway PostgreSQL server (tests/postgres.py), started once per test session and removed after it.
    Each test takes its own database: `postgres.create_database(name)` returns its conninfo."""
    from tests.postgres import Postgres

    server = Postgres.start()
    try:
        yield server
    finally:
        server.stop()
