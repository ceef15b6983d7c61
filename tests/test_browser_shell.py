"""The app shell in a real Chromium: every page loads cleanly; settings survive a reload."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from browser_helpers import assert_no_exception, wait_idle

from app_logic import export
from app_logic.i18n import tr
from ui import session

pytestmark = pytest.mark.browser


# Every Plotly chart Streamlit placed on the page has been drawn.
CHARTS_DRAWN = """() => document.querySelectorAll("[data-testid='stPlotlyChart']").length
    <= [...document.querySelectorAll(".js-plotly-plot")].filter(g => g._fullLayout).length"""


@pytest.mark.parametrize("url", ["", *[p[1] for p in session.PAGES]])
def test_every_page_loads_without_exception_or_console_warning(streamlit_server, page, url):
    """Also nothing in the browser's console once every chart is drawn (page.console, see
    browser_helpers.console_flaw): the bars of Gates over time once logged 156 warnings."""
    from playwright.sync_api import expect  # lazily: without playwright the fixtures skip

    page.goto(f"{streamlit_server}/{url}")
    wait_idle(page)
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_function(CHARTS_DRAWN, timeout=60_000)
    # The shared sidebar is drawn on every page (app.py ran, not the page file alone).
    expect(page.get_by_role("slider", name=tr("common.hidden_size", "en"))).to_have_count(1)
    assert page.get_by_text("Page not found").count() == 0
    assert_no_exception(page)
    assert not page.console, [f"{m.type}: {m.text[:200]}" for m in page.console[:5]]


def test_setting_survives_reload_in_a_new_page(streamlit_server, page, browser):
    from playwright.sync_api import expect

    page.goto(streamlit_server)
    wait_idle(page)
    slider = page.get_by_role("slider", name=tr("common.hidden_size", "en"))
    slider.focus()
    for _ in range(3):
        slider.press("ArrowRight")
    wait_idle(page)
    page.wait_for_url(re.compile(r"[?&]H=7\b"), timeout=10_000)
    assert slider.input_value() == "7"
    url = page.url

    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        other.goto(url)
        wait_idle(other)
        s2 = other.get_by_role("slider", name=tr("common.hidden_size", "en"))
        expect(s2).to_have_value("7")
        assert_no_exception(other)
    finally:
        other.context.close()


def test_language_switch_and_page_switch_keep_settings(streamlit_server, page):
    from playwright.sync_api import expect

    page.goto(f"{streamlit_server}/?lang=zh&H=6&input=step")
    wait_idle(page)
    assert page.get_by_role("heading", name=tr("home.title", "zh")).count() == 1
    page.get_by_role("link", name=tr("common.nav_time", "zh")).first.click()
    page.wait_for_url(re.compile(r"/time\?"), timeout=10_000)
    wait_idle(page)
    assert "H=6" in page.url and "lang=zh" in page.url and "input=step" in page.url
    # The sidebar is drawn anew on the new page; under load its slider can show its minimum for a
    # moment before the kept value arrives, so wait for the value rather than read it once.
    expect(page.get_by_role("slider", name=tr("common.hidden_size", "zh"))).to_have_value("6")
    assert_no_exception(page)


def test_garbage_in_url_gives_a_message_not_a_traceback(streamlit_server, page):
    page.goto(f"{streamlit_server}/?H=banana&layers=99&dtype=float16")
    wait_idle(page)
    alerts = page.locator("[data-testid='stAlert']")
    text = " ".join(alerts.all_inner_texts())
    for bad in ("H=banana", "layers=99", "dtype=float16"):
        assert bad in text
    assert page.get_by_role("slider", name=tr("common.hidden_size", "en")).input_value() == "4"
    assert_no_exception(page)


def test_download_trace_csv_from_the_sidebar(streamlit_server, page):
    page.goto(f"{streamlit_server}/?H=2&T=3")
    wait_idle(page)
    page.get_by_text(tr("common.section_export", "en"), exact=True).click()
    with page.expect_download(timeout=30_000) as info:
        page.get_by_role("button", name=tr("common.download_trace_csv", "en")).click()
    data = Path(info.value.path()).read_bytes()
    rows = export.read_csv_rows(data)
    # x (3 steps × 1 feature) + 16 per-unit quantities × 3 steps × 2 units
    assert len(rows) == 3 + 16 * 3 * 2
    run = session.build_run(session.Settings(hidden_size=2, seq_len=3))
    f = {(t, j): v for k, d, t, j, q, v in rows if q == "f"}
    assert f[(2, 1)] == run.trace.layers[0][0].f[2, 0, 1]
    assert_no_exception(page)


def test_plotly_code_is_loaded_on_the_landing_page_before_the_first_chart(streamlit_server, page):
    """The landing page has no chart; once it is idle, the browser has Plotly's chunk (ui/warmup.py)
    and the first chart page then uses that one load instead of fetching and evaluating its own."""
    from ui.warmup import PLOTLY_CHUNK

    loads = f"""() => performance.getEntriesByType("resource")
        .filter(e => e.name.endsWith("/{PLOTLY_CHUNK}")).length"""
    page.goto(streamlit_server)
    wait_idle(page)
    assert page.locator("[data-testid='stPlotlyChart']").count() == 0
    page.wait_for_function(f"() => ({loads})() === 1", timeout=30_000)
    # nor Streamlit's syntax highlighter (1.6 MB): the landing's code example is plain HTML
    highlighter = """() => performance.getEntriesByType("resource")
        .filter(e => e.name.includes("/StreamlitSyntaxHighlighter.")).length"""
    assert page.evaluate(highlighter) == 0
    assert "nn.LSTM(input_size=10" in page.locator("pre.code-snippet").inner_text()
    page.get_by_role("link", name=tr("lesson.nav", "en"), exact=True).first.click()
    page.wait_for_url(re.compile(r"/lesson"), timeout=10_000)
    wait_idle(page)
    page.wait_for_selector("[data-testid='stPlotlyChart'] .js-plotly-plot", timeout=30_000)
    assert page.evaluate(loads) == 1
    assert_no_exception(page)


def test_a_code_block_has_a_copy_button_that_copies_its_text(streamlit_server, page):
    """The landing page's code example (plain HTML, viz.html_blocks.code_html) keeps st.code's copy
    button (ui/a11y.js): a click puts the code on the clipboard and says so."""
    from playwright.sync_api import expect

    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=streamlit_server)
    page.goto(streamlit_server)
    wait_idle(page)
    code = page.locator("pre.code-snippet code").inner_text()
    button = page.locator(".code-snippet-box .code-copy")
    expect(button).to_have_text(tr("words.copy", "en"))
    button.click()
    expect(button).to_have_text(tr("words.copied", "en"))
    assert page.evaluate("navigator.clipboard.readText()") == code
    assert code.startswith("rnn = nn.LSTM(input_size=10") and code.count("\n") == 6
    expect(button).to_have_text(tr("words.copy", "en"), timeout=5_000)  # back after a moment
    assert_no_exception(page)
