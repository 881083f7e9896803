"""Debian's chromium, headless, driven by Playwright (which downloads no browser of its own)."""

from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
# Flags that keep chromium off the network it cannot reach here, and working as root.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def browser(tmp_path):
    """A headless chromium context; a clear failure, not a skip, where chromium is missing."""
    if not Path(CHROMIUM).exists():
        pytest.fail("the browser tests need Debian's chromium: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"), executable_path=CHROMIUM, args=CHROMIUM_FLAGS,
            viewport={"width": 1400, "height": 1600})
        try:
            yield context
        finally:
            context.close()
