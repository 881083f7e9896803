"""The Prefect UI in a real browser: the flow run's page shows its artifacts, the report's pictures among
them (PNG data URIs, which the UI keeps; it strips inline SVG). Part of `make test`; `make e2e` alone."""

import os
from pathlib import Path

import pytest

from tests.test_ui import _create_run, _deployment, _wait_for_final_state, served  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e
SCREENSHOTS = Path(os.environ.get("NEWSFLOW_E2E_DIR", "e2e-results"))


def test_the_flow_run_page_shows_the_artifacts_and_the_reports_pictures(served, browser, tmp_path):
    api, port = served["api"], served["port"]
    deployment = _deployment(api, "newsflow")
    created = _create_run(api, deployment["id"], {"warehouse": str(tmp_path / "e2e-warehouse"), "workers": 1})
    assert _wait_for_final_state(api, created["id"])["state"]["type"] == "COMPLETED"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    page.goto(f"http://127.0.0.1:{port}/runs/flow-run/{created['id']}", wait_until="networkidle")
    page.get_by_text("Artifacts", exact=True).click()
    page.get_by_text("run-summary").first.wait_for(timeout=30_000)
    page.get_by_text("quality-results").first.wait_for(timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "flow-run-artifacts.png"), full_page=True)
    page.get_by_text("run-summary", exact=True).first.click()
    page.get_by_text("files seen").first.wait_for(timeout=30_000)
    page.screenshot(path=str(SCREENSHOTS / "run-summary-artifact.png"), full_page=True)
    assert (SCREENSHOTS / "flow-run-artifacts.png").stat().st_size > 10_000

    page.go_back(wait_until="networkidle")
    page.get_by_text("Artifacts", exact=True).click()
    page.get_by_text("report", exact=True).first.click()
    picture = page.locator('img[src^="data:image/png;base64,"]').first
    picture.wait_for(timeout=30_000)
    # Drawn, not a broken image: the browser decoded the PNG to its own size.
    assert page.evaluate("(img) => img.complete && img.naturalWidth", picture.element_handle()) > 100
    assert (tmp_path / "e2e-warehouse" / "report.html").stat().st_size > 100_000
    page.screenshot(path=str(SCREENSHOTS / "report-artifact.png"), full_page=True)
