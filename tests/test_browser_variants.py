"""The GRU cell page and the Variant lab in a real Chromium: predict, reveal, race; no exception."""

from __future__ import annotations

import pytest
from browser_helpers import assert_no_exception, wait_idle

from app_logic.i18n import tr

pytestmark = pytest.mark.browser

ALERTS = "[data-testid='stAlertContentSuccess'], [data-testid='stAlertContentWarning']"


def open_url(page, base: str, path: str) -> None:
    """Open a page; the root first, so a fresh server's deep-link toast never covers the page."""
    page.set_default_timeout(60_000)
    page.goto(base)
    wait_idle(page, 60_000)
    page.goto(f"{base}/{path}")
    wait_idle(page, 60_000)


def test_gru_page_predict_reveal_and_step_on(streamlit_server, page):
    from playwright.sync_api import expect

    open_url(page, streamlit_server, "gru")
    assert_no_exception(page)
    expect(page.get_by_role("heading", name=tr("gru.title", "en"))).to_be_visible()
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 2")
    reveal = page.get_by_role("button", name=tr("gru.reveal", "en"))
    expect(reveal).to_be_disabled()
    page.get_by_text(tr("gru.a_reset_high", "en"), exact=True).click()
    wait_idle(page)
    expect(reveal).to_be_enabled()
    reveal.click()
    wait_idle(page)
    expect(page.locator(ALERTS)).to_have_count(1)  # right or not: the feedback is there
    page.get_by_role("button", name=tr("gru.next", "en")).click()
    wait_idle(page)
    expect(page.get_by_text(tr("gru.q_update", "en"))).to_be_visible()
    assert_no_exception(page)


def test_variant_lab_race_runs_live_and_fills_the_table(streamlit_server, page):
    from playwright.sync_api import expect

    open_url(page, streamlit_server, "variants")
    assert_no_exception(page)
    start = page.get_by_role("button", name=tr("variants.start", "en"))
    expect(start).to_be_disabled()
    page.get_by_text(tr("variants.name_NIG", "en"), exact=True).last.click()
    wait_idle(page)
    expect(start).to_be_enabled()
    start.click()
    table = page.locator("div.num-table")
    expect(table).to_have_count(1, timeout=90_000)  # four variants × 300 steps, live
    wait_idle(page)
    expect(page.locator(ALERTS)).to_have_count(1)
    page.wait_for_function("document.querySelectorAll('.js-plotly-plot').length >= 2")
    assert_no_exception(page)
