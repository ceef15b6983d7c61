"""The Compare page in a real headless Chromium: it loads, imports torch, and shows its verdicts."""

from __future__ import annotations

import re

import pytest
from browser_helpers import assert_no_exception, wait_idle

pytestmark = pytest.mark.browser


def test_compare_page_shows_pass_with_numbers_and_reacts(streamlit_server, page):
    from playwright.sync_api import expect

    # The landing page first: a deep link as a fresh server's very first request shows a
    # "Page not found" dialog (Streamlit's page discovery, see TOOLING.md).
    page.goto(streamlit_server)
    wait_idle(page)
    page.goto(f"{streamlit_server}/torch")
    expect(page.get_by_text("PASS: all 15 checks agree")).to_be_visible(timeout=90_000)
    wait_idle(page, timeout=90_000)
    assert_no_exception(page)

    headers = page.locator("h5").filter(has_text="max |diff|")
    expect(headers).to_have_count(3)
    for text in headers.all_inner_texts():
        m = re.search(r"max \|diff\| ([0-9.e+-]+) · pass", text)
        assert m, text
        assert float(m.group(1)) <= 1e-14
    expect(page.locator(".js-plotly-plot").first).to_be_visible()

    page.get_by_text("bidirectional", exact=True).click()
    expect(page.get_by_text("PASS: all 27 checks agree")).to_be_visible(timeout=60_000)
    wait_idle(page)
    assert_no_exception(page)
