"""`make e2e`: the UI integration, then Debian's chromium (driven by Playwright, no browser download)
opens the flow run's page in the Prefect UI and saves screenshots of its artifacts."""

import os
from pathlib import Path

import pytest

from tests.test_ui import _create_run, _deployment, _wait_for_final_state, served  # noqa: F401  (the fixture)

pytestmark = pytest.mark.e2e
CHROMIUM = "/usr/bin/chromium"
# Flags that keep chromium off the network it cannot reach here, and working as root.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = Path(os.environ.get("NEWSFLOW_E2E_DIR", "e2e-results"))


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="needs Debian's chromium: apt-get install chromium")
def test_the_flow_run_page_shows_the_artifacts(served, tmp_path):
    from playwright.sync_api import sync_playwright

    api, port = served["api"], served["port"]
    deployment = _deployment(api, "newsflow")
    created = _create_run(api, deployment["id"], {"warehouse": "e2e-warehouse", "workers": 1})
    assert _wait_for_final_state(api, created["id"])["state"]["type"] == "COMPLETED"
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1600})
        page = browser.new_page()
        page.goto(f"http://127.0.0.1:{port}/runs/flow-run/{created['id']}", wait_until="networkidle")
        page.get_by_text("Artifacts", exact=True).click()
        page.get_by_text("run-summary").first.wait_for(timeout=30_000)
        page.get_by_text("quality-results").first.wait_for(timeout=30_000)
        page.screenshot(path=str(SCREENSHOTS / "flow-run-artifacts.png"), full_page=True)
        page.get_by_text("run-summary", exact=True).first.click()
        page.get_by_text("files seen").first.wait_for(timeout=30_000)
        page.screenshot(path=str(SCREENSHOTS / "run-summary-artifact.png"), full_page=True)
        browser.close()
    assert (SCREENSHOTS / "flow-run-artifacts.png").stat().st_size > 10_000
