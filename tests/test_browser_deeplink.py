"""A deep link as a FRESH server's very first request: the right page, no "Page not found" dialog.

The shared `streamlit_server` fixture is warmed up with the landing page, so this test starts its
own server (see ui/deeplink.py for the cause and the fix).
"""

from __future__ import annotations

import pytest
from browser_helpers import assert_no_exception, wait_idle
from conftest import running_server

from app_logic.i18n import tr
from ui import session

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def fresh_server(tmp_path):
    with running_server(tmp_path / "server.log") as base:
        yield base


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
        expect(page.get_by_role("heading", level=1)).to_contain_text(tr("cell.title", "en"))
        # app.py ran: the shared sidebar and st.navigation's pages (the landing page and
        # session.PAGES), not the pages/ file list.
        expect(page.get_by_role("slider", name=tr("common.hidden_size", "en"))).to_have_count(1)
        expect(page.locator("[data-testid='stSidebarNav'] a")).to_have_count(1 + len(session.PAGES))
        assert "t=3" in page.url
        assert_no_exception(page)
    finally:
        context.close()
