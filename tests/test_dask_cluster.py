"""`newsflow run --dask tcp://...` on a real dask.distributed cluster: a `dask scheduler` and two `dask worker`
processes, each worker in a folder of its own, as on other hosts; then one of them killed mid-run.

The run is given relative --source and --warehouse paths from its own folder: those paths name nothing
in a worker's folder, so a batch that reached a worker as a path of the flow's machine would fail.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEEDS, free_port

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
# What a batch's log line says once a worker has run it (flows/pipeline.py process_batches).
BATCH_DONE = re.compile(r"batch (\d+)/(\d+) done: .* on Dask worker (\S+)")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, request):
    """A scheduler on a free loopback port and two workers, each started in its own folder with its own
    local directory; yields a dask Client on it. The Prefect server the runs (and so the workers'
    task runs) report to boots meanwhile."""
    from distributed import Client

    root = tmp_path_factory.mktemp("dask")
    address = f"tcp://127.0.0.1:{free_port()}"
    # Neither the repository nor its tests are on a worker's path: what it imports comes from the
    # installed package, as on a host that only ran `pip install`.
    environment = {name: value for name, value in os.environ.items() if name != "PYTHONPATH"}
    processes = []

    def start(name: str, *arguments: str) -> None:
        folder = root / name
        folder.mkdir()
        log = (folder / "log").open("w")
        processes.append(subprocess.Popen([str(BIN / "dask"), *arguments], cwd=folder, env=environment,
                                          stdout=log, stderr=subprocess.STDOUT))

    # Its HTTP routes listen even without the dashboard: on a free port, not the shared 8787.
    start("scheduler", "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
          "--no-dashboard", "--dashboard-address", "127.0.0.1:0")
    for name in ("worker-a", "worker-b"):
        start(name, "worker", address, "--name", name, "--nworkers", "1", "--nthreads", "1",
              "--local-directory", str(root / name / "local"), "--no-dashboard")
    try:
        server = request.getfixturevalue("prefect_server")   # boots while the workers start
        with Client(address, timeout=60) as client:
            client.wait_for_workers(2, timeout=120)
            yield {"client": client, "address": address, "root": root, "server": server}
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def run_folder(tmp_path):
    """The run's working folder, with a copy of the seeds; removed after the test (warehouse and all)."""
    shutil.copytree(SEEDS, tmp_path / "seeds")
    yield tmp_path
    shutil.rmtree(tmp_path, ignore_errors=True)


def _newsflow_run(cluster: dict, batch_size: int) -> list[str]:
    return [str(BIN / "newsflow"), "run", "--source", "seeds", "--warehouse", "warehouse", "--dask",
            cluster["address"], "--batch-size", str(batch_size)]


def _run_environment(cluster: dict) -> dict:
    # The server the workers reach too; at INFO, the run prints each batch's line.
    return cluster["server"]["env"] | {"PREFECT_LOGGING_LEVEL": "INFO"}


def _articles(warehouse: Path) -> int:
    from newsflow.warehouse import open_read_only

    with open_read_only(warehouse) as con:
        return con.execute("select count(*) from articles").fetchone()[0]


def _model_loads(client) -> dict[str, int]:
    """How many times each worker process has loaded the spaCy model (tasks/extract.py load_model's cache)."""
    from tasks import extract

    return client.run(lambda: extract.load_model.cache_info().misses)


def test_batches_run_on_the_workers(cluster, run_folder):
    folder = run_folder
    run = subprocess.run(_newsflow_run(cluster, batch_size=2), cwd=folder, env=_run_environment(cluster),
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert _articles(folder / "warehouse") == 5
    # Every batch says which worker ran it, and each is one of this cluster's workers.
    done = BATCH_DONE.findall(run.stdout + run.stderr)
    workers = set(cluster["client"].scheduler_info()["workers"])
    assert len(done) == 4 and {total for _, total, _ in done} == {"4"}
    assert {worker for _, _, worker in done} <= workers
    # The model was loaded in the workers that ran batches, once in each, however many batches it ran.
    loads = _model_loads(cluster["client"])
    assert {loads[worker] for _, _, worker in done} == {1}
    # Each batch ran in a temporary folder under its worker's local directory, and none is left.
    local_directories = list(cluster["root"].glob("worker-*/local/dask-scratch-space/worker-*"))
    assert len(local_directories) >= 2
    assert not [p for folder in local_directories for p in folder.glob("newsflow-batch-*")]


def test_a_worker_killed_mid_run_and_the_run_still_loads_everything(cluster, run_folder):
    client, folder = cluster["client"], run_folder
    log = folder / "run.log"   # a file, not a pipe: nobody reads a pipe while the test waits for a batch
    with log.open("w") as output:
        run = subprocess.Popen(_newsflow_run(cluster, batch_size=1), cwd=folder, env=_run_environment(cluster),
                               stdout=output, stderr=subprocess.STDOUT)
    try:
        # The first moment a worker is busy with a batch: SIGKILL its process (the nanny's child).
        deadline = time.monotonic() + 120
        busy = []
        while not busy and time.monotonic() < deadline and run.poll() is None:
            busy = [worker for worker, keys in client.processing().items() if keys]
            time.sleep(0.05)
        assert busy, "no batch ever reached a worker"
        pids = client.run(os.getpid)
        os.kill(pids[busy[0]], signal.SIGKILL)
        run.wait(timeout=300)
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    # Dask ran the killed worker's batch again on a worker still up (the other, or the one its nanny
    # started in its place), and the run committed everything.
    output = log.read_text()
    assert run.returncode == 0, output[-3000:]
    assert _articles(folder / "warehouse") == 5
    assert len(BATCH_DONE.findall(output)) == 5
    assert busy[0] not in client.scheduler_info()["workers"]


def test_two_writers_at_once_one_on_the_cluster_load_both_into_one_postgres_lake(cluster, postgres, tmp_path):
    from tests.test_shared_lake import check_two_writers, finish, new_lake, seed_sources, start_run

    lake = new_lake(postgres, tmp_path, "two_writers")
    on_cluster, here = seed_sources(tmp_path)
    environment = _run_environment(cluster)   # at INFO: each batch's line says where it ran
    runs = [start_run(on_cluster, lake, environment, "--dask", cluster["address"], "--batch-size", "2"),
            start_run(here, lake, environment)]
    outputs = [finish(run) for run in runs]
    check_two_writers(lake, tmp_path, environment)
    assert "on Dask worker" in outputs[0] and "on Dask worker" not in outputs[1]
