"""The Prefect UI path, for real: a server, `newsflow serve`, a run started through the API as the
UI's Run button starts it, then the run's artifacts and the warehouse's rows."""

import re
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
        found = httpx.post(f"{api}/deployments/filter", json={"deployments": {"name": {"any_": [name]}}}).json()
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
        run = httpx.get(f"{api}/flow_runs/{flow_run_id}").json()
        if run["state"]["type"] in {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}:
            return run
        time.sleep(1)
    raise AssertionError(f"flow run {flow_run_id} did not finish in {timeout} s")


@pytest.fixture(scope="module")
def served(prefect_server, tmp_path_factory):
    """`newsflow serve --cron ...` running against the test's server."""
    workdir = tmp_path_factory.mktemp("served")
    shutil.copytree(SEEDS, workdir / "seeds")
    command = [str(Path(sys.executable).parent / "newsflow"), "serve", "--cron", "15 4 * * *"]
    process = subprocess.Popen(command, cwd=workdir, env=prefect_server["env"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL)
    try:
        yield prefect_server | {"workdir": workdir}
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_serve_publishes_both_deployments_with_schedules_and_a_parameter_form(served):
    api = served["api"]
    pipeline = _deployment(api, "newsflow")
    assert [(s["schedule"]["cron"], s["schedule"]["timezone"], s["active"]) for s in pipeline["schedules"]] == \
        [("15 4 * * *", "UTC", True)]
    form = pipeline["parameter_openapi_schema"]["properties"]
    assert set(form) == {"source", "warehouse", "model", "workers", "full_refresh", "batch_size",
                         "near_duplicate_threshold", "dask_address"}
    assert form["near_duplicate_threshold"]["type"] == "number"
    assert form["workers"]["type"] == "integer" and form["full_refresh"]["type"] == "boolean"
    assert "one per CPU core" in form["workers"]["description"]
    maintenance = _deployment(api, "newsflow-maintenance")
    assert maintenance["schedules"][0]["schedule"]["cron"] == "0 3 * * 0"


def test_a_run_started_like_the_ui_run_button_completes_with_artifacts_and_rows(served):
    api, workdir = served["api"], served["workdir"]
    deployment = _deployment(api, "newsflow")
    created = _create_run(api, deployment["id"], {"warehouse": "ui-warehouse", "workers": 1})
    run = _wait_for_final_state(api, created["id"])
    assert run["state"]["type"] == "COMPLETED", run["state"]
    assert run["name"] == "news-pipeline: seeds → ui-warehouse"
    artifacts = httpx.post(f"{api}/artifacts/filter",
                           json={"artifacts": {"flow_run_id": {"any_": [created["id"]]}}}).json()
    by_key = {a["key"]: a for a in artifacts}
    assert set(by_key) == {"run-summary", "quality-results", "top-entities", "new-stories", "quality-docs"}
    assert "| 5 | 5 | 5 | 0 | 0 |" in by_key["run-summary"]["data"]
    assert "Vladimir Putin" in by_key["top-entities"]["data"]
    # A link artifact's data is a markdown link: [GX Data Docs for this run](file:///.../index.html)
    docs = Path(re.search(r"\(file://(.+)\)$", by_key["quality-docs"]["data"]).group(1))
    assert docs.name == "index.html" and docs.is_file()
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
