"""The learning pages in a real Chromium: training streams and stops; the RNN/LSTM page reacts."""

from __future__ import annotations

import re
import time

import pytest
from browser_helpers import (
    assert_no_exception,
    js_regex,
    text_pattern,
    text_prefix,
    wait_idle,
    wait_settled,
)

from app_logic.i18n import tr

pytestmark = pytest.mark.browser

PROGRESS = "[data-testid='stProgress']"
PROGRESS_TEXT = text_pattern("train.progress", "en", step=r"\d+", total=r"\d+")
# Every step number the progress bar shows, polled; true once `n` different ones were seen.
SEEN_STEPS = """([sel, src, n]) => {
    const m = new RegExp(src, 's').exec(document.querySelector(sel)?.innerText || '');
    const seen = (window.__seenSteps ||= new Set());
    if (m) seen.add(m.groups.step);
    return seen.size >= n && [...seen];
}"""


def open_url(page, base: str, path: str) -> None:
    """Open a page; the root first, so a fresh server's deep-link toast never covers the page."""
    page.set_default_timeout(60_000)  # shared 2-core machines: first loads can be slow
    page.goto(base)
    wait_idle(page, 60_000)
    page.goto(f"{base}/{path}")
    wait_idle(page, 60_000)


def progress_step(page) -> int:
    m = PROGRESS_TEXT.search(page.locator(PROGRESS).first.inner_text())
    return int(m["step"]) if m else -1


def test_training_streams_and_stop_stops_it(streamlit_server, page):
    from playwright.sync_api import expect

    open_url(page, streamlit_server, "training")
    assert_no_exception(page)
    steps = page.get_by_label(tr("train.steps", "en", max=2000))
    steps.fill("2000")
    steps.press("Enter")
    wait_idle(page, 60_000)
    # the widest model (H = 64): 2000 steps then take far longer than a Stop needs to get in,
    # on any machine (the default H trains 2000 steps in under 5 s on a quiet one)
    width = page.get_by_role("slider", name=tr("train.H", "en"))
    width.focus()
    width.press("End")
    wait_idle(page, 60_000)
    assert width.input_value() == "64", width.input_value()
    page.get_by_role("button", name=tr("train.start", "en"), exact=True).click()
    page.wait_for_selector(PROGRESS, timeout=30_000)
    # the progress bar and the loss curve update while training runs (several redraws); Stop is
    # clicked as soon as that is seen
    stop = page.get_by_role("button", name=tr("train.stop", "en"), exact=True)
    seen = page.wait_for_function(
        SEEN_STEPS, arg=[PROGRESS, js_regex(PROGRESS_TEXT), 3], timeout=30_000, polling=50
    ).json_value()
    assert len(seen) >= 3, seen
    t0 = time.monotonic()
    stop.click()
    expect(stop).to_have_count(0, timeout=30_000)  # training has ended, one way or another
    stopped = page.get_by_text(text_prefix("train.stopped", "en"))
    ended = stopped.or_(page.get_by_text(text_prefix("train.done_reached", "en")))
    expect(ended.or_(page.locator("[data-testid='stException']")).first).to_be_visible()
    assert_no_exception(page)
    assert stopped.count() == 1, (
        f"Stop did not stop: {page.locator('[data-testid=stAlert]').all_inner_texts()}, "
        f"progress {page.locator(PROGRESS).all_inner_texts()}"
    )
    stop_latency = time.monotonic() - t0
    wait_idle(page, 60_000)
    stopped_at = progress_step(page)
    assert 0 < stopped_at < 2000
    assert PROGRESS_TEXT.search(page.locator(PROGRESS).first.inner_text())["total"] == "2000"
    assert stop.count() == 0  # the Stop button is gone: nothing runs any more
    page.wait_for_selector("[data-testid='stPlotlyChart']", timeout=30_000)  # the loss curve
    wait_settled(page, PROGRESS, "the progress bar after Stop", quiet_ms=1500, timeout=15_000)
    assert progress_step(page) == stopped_at
    # results and the hand-off are on the page
    page.get_by_role("button", name=tr("train.open_step", "en")).wait_for()
    assert page.get_by_text(tr("train.section_gates", "en")).count() == 1
    assert_no_exception(page)
    print(f"stop latency {stop_latency:.2f} s, stopped at step {stopped_at}")

    # open the trained model in the step-through: that page now runs on the trained weights
    page.get_by_role("button", name=tr("train.open_step", "en")).click()
    page.wait_for_url(re.compile(r"/step\?"), timeout=30_000)
    wait_idle(page, 60_000)
    assert "weights=trained" in page.url
    assert_no_exception(page)


def test_why_page_reacts_to_the_forget_bias_in_both_languages(streamlit_server, page):
    from playwright.sync_api import expect

    open_url(page, streamlit_server, "why")
    assert_no_exception(page)
    ratio = page.locator("[data-testid='stMetricValue']").nth(2)
    before = ratio.inner_text()
    slider = page.get_by_role("slider", name=tr("why.forget_bias", "en"))
    slider.focus()
    for _ in range(6):
        slider.press("ArrowLeft")  # 3.0 → 0.0
    wait_idle(page, 60_000)
    assert float(slider.input_value()) < 3.0
    assert ratio.inner_text() != before
    # both charts redrawn (a rerun's stale copies may still be on the page for a moment)
    expect(page.locator("[data-testid='stPlotlyChart']")).to_have_count(2, timeout=30_000)
    assert_no_exception(page)

    page.goto(f"{streamlit_server}/why?lang=zh")
    wait_idle(page, 60_000)
    page.get_by_role("heading", name=tr("why.section_takeaway", "zh")).wait_for()
    assert_no_exception(page)


def test_train_settings_live_in_the_link_reload_and_back(streamlit_server, page):
    open_url(page, streamlit_server, "training?train_task=remember&train_H=32")
    assert_no_exception(page)
    width = page.get_by_role("slider", name=tr("train.H", "en"))
    assert width.input_value() == "32"
    width.focus()
    width.press("ArrowRight")
    wait_idle(page, 60_000)
    page.wait_for_url(re.compile(r"train_H=33"), timeout=30_000)
    assert "train_task=remember" in page.url

    page.reload()  # a copied link: the same settings
    wait_idle(page, 60_000)
    assert width.input_value() == "33"
    assert page.get_by_text(tr("train.task_remember_explain", "en")[:40]).count() == 1

    page.get_by_role("link", name=tr("common.nav_cell", "en")).click()  # another page
    page.wait_for_url(re.compile(r"/step"), timeout=30_000)
    wait_idle(page, 60_000)
    assert "train_" not in page.url  # the Train page's settings stay on the Train page
    page.go_back()
    page.wait_for_url(re.compile(r"/training\?.*train_H=33"), timeout=30_000)
    wait_idle(page, 60_000)
    assert width.input_value() == "33"
    assert_no_exception(page)
