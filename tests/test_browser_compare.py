"""The Compare page in a real headless Chromium: it loads, imports torch, and shows its verdicts."""

from __future__ import annotations

import re

import pytest
from browser_helpers import assert_no_exception, text_pattern, wait_idle

from app_logic.i18n import tr

pytestmark = pytest.mark.browser


def verdict(n: int) -> re.Pattern:
    """The Compare page's PASS verdict for n checks (any dtype, any torch version)."""
    return text_pattern("compare.verdict_pass", "en", named=False, n=str(n))


def test_compare_page_shows_pass_with_numbers_and_reacts(streamlit_server, page):
    from playwright.sync_api import expect

    # The landing page first: a deep link as a fresh server's very first request shows a
    # "Page not found" dialog (Streamlit's page discovery, see TOOLING.md).
    page.goto(streamlit_server)
    wait_idle(page)
    page.goto(f"{streamlit_server}/torch")
    expect(page.get_by_text(verdict(15))).to_be_visible(timeout=90_000)
    wait_idle(page, timeout=90_000)
    assert_no_exception(page)

    max_diff, passed = tr("compare.col_max_diff", "en"), tr("compare.pass", "en")
    headers = page.locator("h5").filter(has_text=max_diff)
    expect(headers).to_have_count(3)
    for text in headers.all_inner_texts():
        m = re.search(rf"{re.escape(max_diff)} ([0-9.e+-]+) · {re.escape(passed)}", text)
        assert m, text
        assert float(m.group(1)) <= 1e-14
    expect(page.locator(".js-plotly-plot").first).to_be_visible()

    # the checkbox is named after torch's argument, `bidirectional`, in every language
    page.get_by_text("bidirectional", exact=True).click()
    expect(page.get_by_text(verdict(27))).to_be_visible(timeout=60_000)
    wait_idle(page)
    assert_no_exception(page)
