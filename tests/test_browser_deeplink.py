"""A deep link as a FRESH server's very first request: the right page, no "Page not found" dialog.

The shared `streamlit_server` fixture is warmed up with the landing page, so this test starts its
own server (see ui/deeplink.py for the cause and the fix).
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request

import pytest
from conftest import ROOT, _free_port, assert_no_exception, wait_idle

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def fresh_server():
    port = _free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", "app.py",
        "--server.headless", "true",
        "--server.address", "127.0.0.1",
        "--server.port", str(port),
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                    if r.read().strip() == b"ok":
                        break
            except OSError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline, "server did not start"
            time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_deep_link_as_first_request_of_a_fresh_server(fresh_server, browser):
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        page.goto(f"{fresh_server}/step?t=3", timeout=60_000)
        wait_idle(page)
        page.wait_for_selector(".js-plotly-plot", timeout=60_000)
        wait_idle(page)
        assert page.get_by_text("Page not found").count() == 0
        expect(page.get_by_role("heading", level=1)).to_contain_text("Inside one cell")
        # app.py ran: the shared sidebar and st.navigation's 7 pages, not the pages/ file list.
        expect(page.get_by_role("slider", name="Hidden size H")).to_have_count(1)
        expect(page.locator("[data-testid='stSidebarNav'] a")).to_have_count(7)
        assert "t=3" in page.url
        assert_no_exception(page)
    finally:
        context.close()
