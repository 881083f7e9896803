"""Crashes and concurrent use: real `newsflow run` subprocesses, killed, raced and read from."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from flows.pipeline import news_pipeline
from newsflow import warehouse as wh
from tests.conftest import SEEDS, copy_of, newsflow, snapshot

SEED_FILES = sorted(p.name for p in SEEDS.iterdir())


@pytest.fixture(scope="module")
def api_env(prefect_harness) -> dict:
    """The environment of a subprocess run, recorded on the test session's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    return os.environ | {"PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_LOGGING_LEVEL": "WARNING"}


def _sources(root: Path, copies: int = 2) -> tuple[Path, Path]:
    """A first source (two seeds) and a second (the other seeds `copies` times over, one of the first
    two changed, a JSONL file with a bad line)."""
    first, second = root / "first", root / "second"
    first.mkdir()
    for name in SEED_FILES[:2]:
        shutil.copy(SEEDS / name, first / name)
    shutil.copytree(first, second)
    (second / SEED_FILES[0]).write_text((SEEDS / SEED_FILES[0]).read_text() + "\nUpdated on Tuesday.\n")
    for name in SEED_FILES[2:]:
        for copy in range(copies):
            shutil.copy(SEEDS / name, second / (f"copy{copy}-{name}" if copy else name))
    (second / "broken.jsonl").write_text('{"text": "Putin met Tokayev in Moscow."}\n{broken\n')
    return first, second


def _start_run(source: Path, warehouse: Path, env: dict) -> subprocess.Popen:
    command = [str(Path(sys.executable).parent / "newsflow"), "run", "--source", str(source),
               "--warehouse", str(warehouse), "--workers", "1", "--batch-size", "1"]
    # A session of its own, so a kill reaches the whole run as a machine crash would.
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)


def _wait_for(found, *processes: subprocess.Popen, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while not found():
        assert any(p.poll() is None for p in processes), \
            f"the run ended before the moment to test: {[p.communicate() for p in processes]}"
        assert time.monotonic() < deadline, "the run never reached the moment to test"
        time.sleep(0.01)


def _staged(warehouse: Path, name: str):
    # `name` may be a pattern: which batch stages articles first depends on which ones hold news.
    return lambda: any((warehouse / wh.STAGING_DIR).glob(f"*/{name}"))


def _data_files(warehouse: Path) -> set[Path]:
    return set((warehouse / wh.DATA_DIR).rglob("*.parquet"))


def _orphans(warehouse: Path) -> int:
    with wh.open_for_writing(warehouse) as con:
        return len(con.execute("call ducklake_delete_orphaned_files('lake', dry_run => true, cleanup_all => true)")
                   .fetchall())


@pytest.fixture(scope="module")
def reference(tmp_path_factory, prefect_harness) -> dict:
    """What two uninterrupted runs (first source, then second) leave in a warehouse; and a copy of the
    warehouse after the first, which each test below starts from (`_after_the_first_run`)."""
    root = tmp_path_factory.mktemp("reference")
    first, second = _sources(root)
    news_pipeline(source=str(first), warehouse=str(root / "warehouse"), workers=1)
    after_first = snapshot(root / "warehouse")
    first_warehouse = copy_of(root / "warehouse", root / "after-the-first-run")
    news_pipeline(source=str(second), warehouse=str(root / "warehouse"), workers=1)
    return {"after_first": after_first, "after_second": snapshot(root / "warehouse"),
            "first_warehouse": first_warehouse}


def _after_the_first_run(reference: dict, warehouse: Path) -> None:
    """`warehouse` as the first source's uninterrupted run leaves it (what `_sources` gives every test)."""
    copy_of(reference["first_warehouse"], warehouse)
    assert snapshot(warehouse) == reference["after_first"]


@pytest.mark.parametrize("moment", ["articles/00003.parquet", "the commit"])
def test_a_run_killed_part_way_leaves_the_last_snapshot_and_the_next_run_completes_it(
        tmp_path, api_env, reference, moment):
    _, second = _sources(tmp_path)
    warehouse = tmp_path / "warehouse"
    _after_the_first_run(reference, warehouse)
    committed = _data_files(warehouse)
    run = _start_run(second, warehouse, api_env)
    if moment == "the commit":  # the load has begun writing Parquet files for the new snapshot
        _wait_for(lambda: _data_files(warehouse) - committed, run)
    else:
        _wait_for(_staged(warehouse, moment), run)
    os.killpg(run.pid, signal.SIGKILL)
    run.wait()
    # A kill mid-commit may land just before or just after it: never anywhere in between.
    assert snapshot(warehouse) in (reference["after_first"], reference["after_second"])
    if moment != "the commit":
        assert snapshot(warehouse) == reference["after_first"]
        assert list((warehouse / wh.STAGING_DIR).iterdir()), "the killed run left its staging folder"
    killed_staging = sorted((warehouse / wh.STAGING_DIR).iterdir())
    news_pipeline(source=str(second), warehouse=str(warehouse), workers=1)
    assert snapshot(warehouse) == reference["after_second"]
    # The re-run removed its own staging and every uncommitted data file; the killed run's staging is
    # young enough for a retry of its flow run and stays (test_old_staging_... shows it going later).
    assert sorted((warehouse / wh.STAGING_DIR).iterdir()) == killed_staging
    assert _orphans(warehouse) == 0


def test_old_staging_folders_and_uncommitted_files_are_removed_and_committed_rows_kept(tmp_path):
    import datetime as dt

    warehouse = tmp_path / "warehouse"
    with wh.open_for_writing(warehouse) as con:
        con.execute("insert into quarantine (source_path, stage, reason, run_id) values ('a.txt', 'ingest', 'r', 'x')")
    [committed] = _data_files(warehouse)
    orphan = committed.with_name("ducklake-left-by-a-killed-load.parquet")
    shutil.copy(committed, orphan)
    staging = warehouse / wh.STAGING_DIR
    for name in ("old", "young", "current"):
        (staging / name / "articles").mkdir(parents=True)
        (staging / name / "articles" / "00000.parquet").write_bytes(b"x")
    three_days_ago = time.time() - 3 * 24 * 3600
    for path in (staging / "old", staging / "old" / "articles", staging / "current", staging / "current" / "articles"):
        os.utime(path, (three_days_ago, three_days_ago))
    cleared = wh.Warehouse(warehouse).clear_leftovers(keep_younger_than=dt.timedelta(days=2), keep="current")
    assert cleared == {"staging_folders": 1, "orphan_files": 1}
    assert sorted(p.name for p in staging.iterdir()) == ["current", "young"]
    assert _data_files(warehouse) == {committed}
    with wh.open_read_only(warehouse) as con:
        assert con.execute("select source_path from quarantine").fetchall() == [("a.txt",)]


def test_two_runs_at_once_one_refuses_and_a_query_sees_the_last_snapshot(tmp_path, api_env, reference):
    _, second = _sources(tmp_path, copies=4)
    warehouse = tmp_path / "warehouse"
    _after_the_first_run(reference, warehouse)
    runs = [_start_run(second, warehouse, api_env) for _ in range(2)]
    _wait_for(_staged(warehouse, "articles/0*.parquet"), *runs)
    during = newsflow("query", "select count(*) as n from articles", "--warehouse", str(warehouse), "--format", "csv")
    outcomes = sorted((run.wait(timeout=300), run.stderr.read()) for run in runs)
    assert (during.returncode, during.stdout.splitlines()) == (0, ["n", "2"])  # the first run's two articles
    assert outcomes[0][0] == 0, outcomes[0][1]
    # Started at the same instant, the loser is still refused before Prefect starts: the CLI takes the lock.
    assert outcomes[1] == (2, f"newsflow: another newsflow run is writing to {warehouse}; "
                              "wait for it to finish and run again\n")
    with wh.open_read_only(warehouse) as con:
        last = con.execute("select files_seen, inputs_seen, articles_loaded, unchanged_skips, quarantined "
                           "from runs order by started_at desc limit 1").fetchall()
        articles = con.execute("select count(*) from articles").fetchall()
    assert last == [(15, 16, 14, 1, 1)] and articles == [(15,)]
    before = snapshot(warehouse)
    again = news_pipeline(source=str(second), warehouse=str(warehouse), workers=1)
    assert (again["articles_loaded"], again["unchanged_skips"]) == (0, 16)
    assert snapshot(warehouse) == before


@pytest.mark.alone     # it times the refusal: other tests' CPU would slow it (tests/conftest.py _turn)
def test_a_run_while_another_holds_the_lock_is_refused_in_one_line(tmp_path):
    with wh.write_lock(tmp_path / "warehouse"):
        asked = time.monotonic()
        refused = newsflow("run", "--source", str(SEEDS), "--warehouse", str(tmp_path / "warehouse"))
        answered = time.monotonic() - asked
    assert refused.returncode == 2
    assert answered < 1, f"refused after {answered:.1f} s: before Prefect loads, it takes a fraction of a second"
    assert refused.stderr == (f"newsflow: another newsflow run is writing to {tmp_path / 'warehouse'}; "
                              "wait for it to finish and run again\n")
    assert not (tmp_path / "warehouse" / wh.CATALOG_FILE).exists()


# --- Ctrl-C and SIGKILL of a run with no Prefect server (the run starts a temporary API) ---

INPUTS_FOR_TWO_WORKERS = 80    # 2 × extract.MIN_ARTICLES_PER_WORKER: the NER worker processes start


@pytest.fixture(scope="module")
def many_inputs(tmp_path_factory) -> Path:
    """Enough distinct inputs for two NER worker processes: the seeds again and again, each copy signed."""
    source = tmp_path_factory.mktemp("many") / "source"
    source.mkdir()
    for number in range(INPUTS_FOR_TWO_WORKERS):
        name = SEED_FILES[number % len(SEED_FILES)]
        (source / f"{number:03d}-{name}").write_text((SEEDS / name).read_text() + f"\nCopy number {number}.\n")
    return source


def _no_server_env() -> dict:
    """A user's environment with no Prefect server configured: the run starts its own temporary API.
    Its console shows warnings and errors only, so everything a run prints to stderr is a problem."""
    env = {name: value for name, value in os.environ.items() if name != "PREFECT_API_URL"}
    return env | {"PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "WARNING"}


def _in_session(session: int) -> list:
    """The processes of a session: everything the run started (a session of its own, see _start_run)."""
    import psutil

    found = []
    for process in psutil.process_iter():
        try:
            if os.getsid(process.pid) == session and process.status() != psutil.STATUS_ZOMBIE:
                found.append(process)
        except (ProcessLookupError, psutil.NoSuchProcess):
            pass
    return found


def _workers_running(session: int) -> bool:
    # multiprocessing's fork server and the NER workers it forks share its command line.
    def forked(process) -> bool:
        try:
            return "forkserver" in " ".join(process.cmdline())
        except Exception:
            return False
    return sum(1 for process in _in_session(session) if forked(process)) >= 3


def _start_run_without_server(source: Path, warehouse: Path) -> subprocess.Popen:
    command = [str(Path(sys.executable).parent / "newsflow"), "run", "--source", str(source),
               "--warehouse", str(warehouse), "--workers", "2"]
    return subprocess.Popen(command, env=_no_server_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True)


def _gone(session: int, timeout: float = 15) -> list:
    deadline = time.monotonic() + timeout
    while (left := _in_session(session)) and time.monotonic() < deadline:
        time.sleep(0.2)
    return [" ".join(p.cmdline())[:120] for p in left]


@pytest.fixture
def ended_afterwards():
    """Runs a test starts, killed at its end if a failed assertion left them running."""
    runs: list[subprocess.Popen] = []
    yield runs
    for run in runs:
        if run.poll() is None:
            os.killpg(run.pid, signal.SIGKILL)
            run.wait()


def test_ctrl_c_ends_a_run_in_seconds_in_one_line_and_the_rerun_loads_everything(tmp_path, many_inputs,
                                                                                 ended_afterwards):
    warehouse = tmp_path / "warehouse"
    run = _start_run_without_server(many_inputs, warehouse)
    ended_afterwards.append(run)
    _wait_for(lambda: _workers_running(run.pid) and _staged(warehouse, "documents/*.parquet")(), run)
    os.killpg(run.pid, signal.SIGINT)    # what Ctrl-C at a terminal does: the whole foreground group
    interrupted = time.monotonic()
    _, stderr = run.communicate(timeout=120)
    # The moment is the NER's, but a slow machine may reach the commit first: whichever it was, the
    # line says it truly (the runs table below), and a commit under way finished before it was written.
    committed = f"newsflow: run interrupted after it committed: {warehouse} holds the whole run\n"
    assert (run.returncode, stderr) in {(130, committed), (130, f"newsflow: run interrupted; nothing was committed "
                                         f"to {warehouse}: run the same command again to finish the work\n")}, stderr
    assert time.monotonic() - interrupted < 10
    assert _gone(run.pid) == []          # the temporary API, the fork server and the NER workers too
    rerun = subprocess.run([str(Path(sys.executable).parent / "newsflow"), "run", "--source", str(many_inputs),
                            "--warehouse", str(warehouse), "--workers", "2"],
                           env=_no_server_env(), capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    with wh.open_read_only(warehouse) as con:
        assert con.execute("select count(*) from articles").fetchall() == [(INPUTS_FOR_TWO_WORKERS,)]
        runs = 2 if stderr == committed else 1   # the interrupted run's, if it committed, and the rerun's
        assert con.execute("select count(*), min(status) from runs").fetchall() == [(runs, "completed")]


def test_a_run_killed_with_sigkill_leaves_no_process_behind(tmp_path, many_inputs, ended_afterwards):
    run = _start_run_without_server(many_inputs, tmp_path / "warehouse")
    ended_afterwards.append(run)
    _wait_for(lambda: _workers_running(run.pid), run)
    started = [" ".join(p.cmdline())[:120] for p in _in_session(run.pid)]
    assert any("uvicorn" in line for line in started), started   # the temporary Prefect API
    run.kill()                           # the run's process alone, as the OOM killer would
    run.wait()
    assert _gone(run.pid) == []


START_POOL_AND_CTRL_C = """
import os, signal, multiprocessing.forkserver as forkserver
from newsflow.processes import WorkerPool
pool = WorkerPool(2).start()
forkserver.ensure_running()   # started by the pool already; multiprocessing would on the first task
os.kill(forkserver._forkserver._forkserver_pid, signal.SIGINT)   # while it imports its preloaded modules
print(pool.map(abs, [-1, -2]))
pool.shutdown()
"""


def test_ctrl_c_while_the_worker_pool_starts_prints_nothing_and_the_pool_works():
    # Ctrl-C reaches every process of the run; the fork server only ignores it once its imports are done,
    # and printed a KeyboardInterrupt traceback above the farewell line when it came before (CI, once).
    started = subprocess.run([sys.executable, "-c", START_POOL_AND_CTRL_C], capture_output=True, text=True,
                             timeout=120, cwd=Path(__file__).resolve().parent.parent)
    assert (started.returncode, started.stdout, started.stderr) == (0, "[1, 2]\n", "")



REPORT_PROCESS_GROUPS = """
import json, os, multiprocessing.forkserver as forkserver
from newsflow.processes import WorkerPool
pool = WorkerPool(2).start()
workers = pool.map(os.getpgid, [0] * 4) + [os.getpgid(forkserver._forkserver._forkserver_pid)]   # started now
print(json.dumps({"run": [os.getpgid(0), os.getsid(0)], "groups": sorted(set(workers)),
                  "sessions": sorted(set(pool.map(os.getsid, [0] * 4)))}))
pool.shutdown()
"""


def test_the_workers_are_out_of_the_reach_of_a_terminal_ctrl_c_but_in_the_runs_session():
    # A terminal sends Ctrl-C to its foreground process group: the run's alone, the workers are in another.
    started = subprocess.run([sys.executable, "-c", REPORT_PROCESS_GROUPS], capture_output=True, text=True,
                             timeout=120, cwd=Path(__file__).resolve().parent.parent, start_new_session=True)
    assert started.returncode == 0, started.stderr
    seen = json.loads(started.stdout)
    (run_group, session), [worker_group] = seen["run"], seen["groups"]
    assert worker_group != run_group and seen["sessions"] == [session]
