"""Prefect past `serve`, for real: a Prefect server on PostgreSQL, the project's prefect.yaml deployed with
`prefect deploy --all` into the process work pool `newsflow`, and `prefect worker start --pool newsflow`
running a flow run that the server's scheduler created. Two copies of the project stand for two machines:
one deploys, the other runs the worker, and the run must happen in the worker's copy."""

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from flows import serve
from tests.conftest import PROJECT, newsflow_in_process, running_prefect_server

pytestmark = pytest.mark.slow

PREFECT = str(Path(sys.executable).parent / "prefect")
# What a machine's checkout needs to deploy and run the flows (newsflow itself is installed in the venv).
CHECKOUT = ("prefect.yaml", "pyproject.toml", "flows", "tasks", "newsflow", "sql", "expectations", "seeds")
FINAL = ["COMPLETED", "FAILED", "CRASHED", "CANCELLED"]


def _checkout(to: Path) -> Path:
    to.mkdir()
    for name in CHECKOUT:
        if (PROJECT / name).is_dir():
            shutil.copytree(PROJECT / name, to / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(PROJECT / name, to / name)
    return to


def _prefect(*args: str, cwd: Path, env: dict) -> str:
    done = subprocess.run([PREFECT, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"prefect {' '.join(args)} failed:\n{done.stdout}{done.stderr}"
    return done.stdout


def _post(api: str, path: str, body: dict) -> list[dict]:
    response = httpx.post(f"{api}{path}", json=body, timeout=30)
    response.raise_for_status()
    return response.json()


def _sigint_as_python_sets_it() -> None:
    # The worker answers SIGTERM by sending itself SIGINT and handing that to the SIGINT handler it found
    # when it started (prefect/utilities/processutils.py, forward_signal_handler). Under a test run started
    # in the background of a non-interactive shell, SIGINT is inherited ignored: the worker then ignores
    # SIGTERM too (checked: it kept polling for minutes). A worker in a terminal or under systemd has the
    # default, which this gives it here whatever started pytest.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _log_tail(path: Path) -> str:
    return path.read_text(errors="replace")[-4000:]


def test_a_worker_runs_a_scheduled_run_of_the_prefect_yaml_deployment_on_a_server_on_postgresql(postgres, tmp_path):
    postgres.create_database("prefect_work_pool")
    home = tmp_path / "prefect-home"
    home.mkdir()
    deployer, worker_machine = _checkout(tmp_path / "deployer"), _checkout(tmp_path / "worker-machine")
    settings = {"PREFECT_API_DATABASE_CONNECTION_URL": postgres.url("prefect_work_pool")}
    with running_prefect_server(home, **settings) as server:
        api, env = server["api"], server["env"]
        _prefect("work-pool", "create", "newsflow", "--type", "process", cwd=deployer, env=env)
        # Started before the deploy, as a team's workers run before anything is deployed; polling every 2 s
        # (not 10) so the test does not wait on it. INFO: the flow run's own output lands in its log.
        worker_log = tmp_path / "worker.log"
        worker = subprocess.Popen([PREFECT, "worker", "start", "--pool", "newsflow"], cwd=worker_machine,
                                  env=env | {"PREFECT_WORKER_QUERY_SECONDS": "2", "PREFECT_LOGGING_LEVEL": "INFO"},
                                  stdout=worker_log.open("w"), stderr=subprocess.STDOUT,
                                  preexec_fn=_sigint_as_python_sets_it)
        try:
            _prefect("--no-prompt", "deploy", "--all", cwd=deployer, env=env)
            deployments = {d["name"]: d for d in _post(api, "/deployments/filter", {})}
            assert set(deployments) == {serve.PIPELINE_DEPLOYMENT, serve.MAINTENANCE_DEPLOYMENT}
            # The same two deployments `newsflow serve` publishes, now in the work pool.
            for served in (serve.pipeline_deployment(), serve.maintenance_deployment()):
                deployed = deployments[served.name]
                assert deployed["entrypoint"] == served.entrypoint
                assert deployed["description"] == served.description and deployed["tags"] == served.tags
                assert [(s["schedule"]["cron"], s["schedule"]["timezone"], s["active"])
                        for s in deployed["schedules"]] == [(s.schedule.cron, "UTC", True) for s in served.schedules]
                # Prefect 3 keeps a deployment's concurrency limit as a global limit of its own.
                assert deployed["global_concurrency_limit"]["limit"] == served.concurrency_limit == 1
                assert deployed["work_pool_name"] == "newsflow"
                assert deployed["pull_steps"] == [
                    {"prefect.deployments.steps.set_working_directory": {"directory": "."}}]
            pipeline = deployments[serve.PIPELINE_DEPLOYMENT]
            assert pipeline["parameters"] == {"source": "seeds", "warehouse": "warehouse"}
            pool = httpx.get(f"{api}/work_pools/newsflow", timeout=30).json()
            assert pool["type"] == "process"

            # A schedule that comes due within seconds, beside the daily cron: the scheduler (every 5 s) has
            # made its run long before it is due. Should a loaded machine miss that, the next comes a minute on.
            anchor = (dt.datetime.now(dt.timezone.utc) + dt.timedelta(seconds=15)).replace(microsecond=0)
            _prefect("deployment", "schedule", "create", "news-pipeline/newsflow", "--interval", "60",
                     "--anchor-date", anchor.isoformat(), "--timezone", "UTC", cwd=deployer, env=env)
            schedules = httpx.get(f"{api}/deployments/{pipeline['id']}", timeout=30).json()["schedules"]
            interval = next(s["id"] for s in schedules if s["schedule"].get("interval"))

            deadline = time.monotonic() + 180
            while True:
                finished = _post(api, "/flow_runs/filter", {
                    "flow_runs": {"deployment_id": {"any_": [pipeline["id"]]}, "state": {"type": {"any_": FINAL}}},
                    "sort": "EXPECTED_START_TIME_ASC"})
                if finished:
                    break
                assert worker.poll() is None, f"the worker exited:\n{_log_tail(worker_log)}"
                assert time.monotonic() < deadline, f"no scheduled run finished:\n{_log_tail(worker_log)}"
                time.sleep(1)
            run = finished[0]
            assert run["state"]["type"] == "COMPLETED", f"{run['state']}\n{_log_tail(worker_log)}"
            # Made by the server's scheduler from the schedule added above, not by a person or the API.
            assert run["auto_scheduled"]
            assert (run["created_by"]["type"], run["created_by"]["id"]) == ("SCHEDULE", interval)
            # Run by the worker, in a process of its own.
            assert run["work_pool_name"] == "newsflow"
            assert int(run["infrastructure_pid"]) not in (worker.pid, os.getpid())

            # In the worker's copy of the project (the pull step's "."), not where `prefect deploy` ran.
            rows = newsflow_in_process("query", "select count(*) as n from articles",
                                       "--warehouse", str(worker_machine / "warehouse"), "--format", "json")
            assert rows.stdout.strip() == '[{"n": 5}]', rows.stderr
            assert not (deployer / "warehouse").exists()
            log = server["log"].read_text()
            assert "ERROR" not in log and "Traceback" not in log, log[-3000:]
        finally:
            worker.terminate()
            try:
                stopped = worker.wait(timeout=30)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
                stopped = None
        assert stopped == 0, f"the worker did not stop on SIGTERM:\n{_log_tail(worker_log)}"

    # The server kept everything in PostgreSQL: its tables hold the run, and no SQLite file was made.
    with psycopg.connect(postgres.conninfo("prefect_work_pool")) as con:
        assert con.execute("select state_type from flow_run where id = %s", (run["id"],)).fetchone() == ("COMPLETED",)
        assert sorted(con.execute("select name from deployment").fetchall()) == [
            ("newsflow",), ("newsflow-maintenance",)]
    assert not list(home.glob("*.db"))
