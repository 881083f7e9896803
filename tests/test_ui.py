"""The Prefect UI path, for real: a server, `newsflow serve`, the runs its scheduler creates, a run
started through the API as the UI's Run button starts it, then the run's artifacts, its logs and the
warehouse's rows. One server serves the whole module; the test that lets a schedule come due is last."""

import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import SEEDS, newsflow

pytestmark = pytest.mark.slow


def _deployment(api: str, name: str, timeout: float = 90) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = httpx.post(f"{api}/deployments/filter", json={"deployments": {"name": {"any_": [name]}}},
                           timeout=30).json()
        if found:
            return found[0]
        time.sleep(1)
    raise AssertionError(f"deployment {name} never appeared")


def _create_run(api: str, deployment_id: str, parameters: dict) -> dict:
    """POST create_flow_run as the UI does; a busy server on 2 shared cores may answer 503 at first."""
    for _ in range(10):
        response = httpx.post(f"{api}/deployments/{deployment_id}/create_flow_run",
                              json={"parameters": parameters}, timeout=30)
        if response.status_code < 500:
            response.raise_for_status()
            return response.json()
        time.sleep(2)
    raise AssertionError(f"create_flow_run kept failing: {response.status_code} {response.text}")


def _wait_for_final_state(api: str, flow_run_id: str, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = httpx.get(f"{api}/flow_runs/{flow_run_id}", timeout=30).json()
        if run["state"]["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
            return run
        time.sleep(1)
    raise AssertionError(f"flow run {flow_run_id} did not finish in {timeout} s")


def _serve(workdir: Path, env: dict, *schedule: str) -> subprocess.Popen:
    """`newsflow serve` in `workdir` (with a copy of the seeds) against the test's server."""
    shutil.copytree(SEEDS, workdir / "seeds")
    command = [str(Path(sys.executable).parent / "newsflow"), "serve", *schedule]
    # INFO, as a user's `newsflow serve` logs: the runs' logs reach the server (the console is dropped).
    # The runs write their report, as a user's do (the suite leaves it out elsewhere: tests/conftest.py).
    return subprocess.Popen(command, cwd=workdir,
                            env=env | {"PREFECT_LOGGING_LEVEL": "INFO", "NEWSFLOW_REPORT": "on"},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    process.wait(timeout=30)


@pytest.fixture(scope="module")
def served(prefect_server, tmp_path_factory):
    """`newsflow serve --cron ...` running against the test's server."""
    workdir = tmp_path_factory.mktemp("served")
    process = _serve(workdir, prefect_server["env"], "--cron", "15 4 * * *")
    try:
        yield prefect_server | {"workdir": workdir, "process": process}
    finally:
        _stop(process)


def _flow_runs(api: str, deployment_ids: list[str], **state) -> list[dict]:
    runs = {"deployment_id": {"any_": deployment_ids}} | ({"state": {"type": {"any_": [state["state"]]}}}
                                                         if state else {})
    return httpx.post(f"{api}/flow_runs/filter", json={"flow_runs": runs, "sort": "EXPECTED_START_TIME_ASC"},
                      timeout=30).json()


def test_serve_publishes_both_deployments_with_schedules_and_a_parameter_form(served):
    api = served["api"]
    pipeline = _deployment(api, "newsflow")
    assert [(s["schedule"]["cron"], s["schedule"]["timezone"], s["active"]) for s in pipeline["schedules"]] == \
        [("15 4 * * *", "UTC", True)]
    form = pipeline["parameter_openapi_schema"]["properties"]
    assert set(form) == {"source", "warehouse", "model", "workers", "full_refresh", "batch_size",
                         "near_duplicate_threshold", "dask_address", "catalog", "data_path", "aliases"}
    assert form["near_duplicate_threshold"]["type"] == "number"
    # A plain text box, empty by default: not the two-type choice pydantic's "string or null" gives.
    assert {key: form["dask_address"][key] for key in ("type", "default")} == {"type": "string", "default": None}
    assert "Dask cluster" in form["dask_address"]["description"]
    for name in ("catalog", "data_path"):   # empty: NEWSFLOW_CATALOG / NEWSFLOW_DATA_PATH, else the embedded lake
        assert {key: form[name][key] for key in ("type", "default")} == {"type": "string", "default": None}
    assert "PostgreSQL" in form["catalog"]["description"]
    assert form["workers"]["type"] == "integer" and form["full_refresh"]["type"] == "boolean"
    assert "one per CPU core" in form["workers"]["description"]
    maintenance = _deployment(api, "newsflow-maintenance")
    assert maintenance["schedules"][0]["schedule"]["cron"] == "0 3 * * 0"


def test_the_scheduler_creates_the_next_runs_of_both_deployments_without_an_error(served):
    api = served["api"]
    deployments = {name: _deployment(api, name)["id"] for name in ("newsflow", "newsflow-maintenance")}
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        scheduled = _flow_runs(api, list(deployments.values()), state="SCHEDULED")
        if {run["deployment_id"] for run in scheduled} == set(deployments.values()):
            break
        time.sleep(2)
    by_deployment = {name: [run["expected_start_time"] for run in scheduled if run["deployment_id"] == id_]
                     for name, id_ in deployments.items()}
    assert all(by_deployment.values()), by_deployment
    assert all(start.endswith("T04:15:00Z") for start in by_deployment["newsflow"]), by_deployment
    log = served["log"].read_text()
    assert "ERROR" not in log and "Traceback" not in log, log[-3000:]


def test_the_pinned_prefect_cli_lists_the_deployments_of_its_own_server(served):
    prefect = str(Path(sys.executable).parent / "prefect")
    listed = subprocess.run([prefect, "deployment", "ls"], env=served["env"] | {"COLUMNS": "200"},
                            capture_output=True, text=True, timeout=120)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "news-pipeline/newsflow" in listed.stdout
    assert "warehouse-maintenance/newsflow-maintenance" in listed.stdout


def test_a_run_started_like_the_ui_run_button_completes_with_artifacts_and_rows(served):
    api, workdir = served["api"], served["workdir"]
    deployment = _deployment(api, "newsflow")
    created = _create_run(api, deployment["id"], {"warehouse": "ui-warehouse", "workers": 1})
    run = _wait_for_final_state(api, created["id"])
    assert run["state"]["type"] == "COMPLETED", run["state"]
    assert run["name"] == "news-pipeline: seeds → ui-warehouse"
    artifacts = httpx.post(f"{api}/artifacts/filter",
                           json={"artifacts": {"flow_run_id": {"any_": [created["id"]]}}}, timeout=30).json()
    by_key = {a["key"]: a for a in artifacts}
    assert set(by_key) == {"run-summary", "quality-results", "top-entities", "new-stories", "data-quality", "report"}
    assert "data:image/png;base64," in by_key["report"]["data"]
    assert "| 5 | 5 | 5 | 0 | 0 |" in by_key["run-summary"]["data"]
    assert "Vladimir Putin" in by_key["top-entities"]["data"]
    # Data quality reads in the UI itself; GX's Data Docs (files) are named for a local browser.
    quality = by_key["data-quality"]["data"].splitlines()
    assert quality[0].endswith(": 37/37 expectations passed") and "Every expectation passed." in quality
    docs = Path(quality[-1].split("`")[1])
    assert docs.name == "index.html" and docs.is_file()
    # The run a person opens shows each batch's progress in its own logs (not only in its subflow's).
    deadline, messages = time.monotonic() + 30, []
    while "batch 1/1 done: 5 inputs, 0 unchanged" not in messages and time.monotonic() < deadline:
        logs = httpx.post(f"{api}/logs/filter", json={"logs": {"flow_run_id": {"any_": [created["id"]]}}},
                           timeout=30).json()
        messages = [log["message"] for log in logs]
        time.sleep(1)
    assert "batch 1/1 done: 5 inputs, 0 unchanged" in messages, messages
    rows = newsflow("query", "select count(*) as n from articles", "--warehouse", str(workdir / "ui-warehouse"),
                    "--format", "json")
    assert rows.stdout.strip() == '[{"n": 5}]'


def test_a_failing_run_is_failed_in_the_ui_with_the_reason(served):
    api = served["api"]
    deployment = _deployment(api, "newsflow")
    created = _create_run(api, deployment["id"], {"source": "no-such-folder", "warehouse": "ui-warehouse-2"})
    run = _wait_for_final_state(api, created["id"])
    assert run["state"]["type"] == "FAILED"
    assert "no-such-folder does not exist" in run["state"]["message"]


def test_a_schedule_that_comes_due_creates_a_run_that_completes_with_rows(served, tmp_path_factory):
    """Last in the module: `newsflow serve --interval` takes the deployments over from the cron one."""
    api = served["api"]
    _stop(served["process"])
    workdir = tmp_path_factory.mktemp("every-30-seconds")
    process = _serve(workdir, served["env"], "--interval", "30")
    try:
        pipeline = _deployment(api, "newsflow")["id"]
        deadline = time.monotonic() + 180
        while not (due := [run for run in _flow_runs(api, [pipeline]) if run["auto_scheduled"]
                           and run["state"]["type"] != "SCHEDULED"]):
            assert time.monotonic() < deadline, "no scheduled run came due"
            time.sleep(2)
        run = _wait_for_final_state(api, due[0]["id"])
        assert run["state"]["type"] == "COMPLETED", run["state"]
        rows = newsflow("query", "select count(*) as n from articles", "--warehouse", str(workdir / "warehouse"),
                        "--format", "json")
        assert rows.stdout.strip() == '[{"n": 5}]', rows.stderr
    finally:
        _stop(process)
