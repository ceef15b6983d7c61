"""The gates-over-time and unrolled-network pages in real Chromium: they load; clicks select."""

from __future__ import annotations

import re

import pytest
from browser_helpers import assert_no_exception, wait_idle

from app_logic.i18n import tr

pytestmark = pytest.mark.browser

# Pixel position (relative to the viewport) of data point (x, y) in the n-th Plotly chart's subplot
# with axes `xa`/`ya`, computed by Plotly itself.
CELL_XY = """([n, xa, ya, x, y]) => {
    const gd = document.querySelectorAll('.js-plotly-plot')[n];
    const L = gd._fullLayout, box = gd.getBoundingClientRect();
    return [box.left + L[xa]._offset + L[xa].l2p(x), box.top + L[ya]._offset + L[ya].l2p(y)];
}"""


def open_page(page, base: str, path: str) -> None:
    """Open a deep link. A fresh server's very first request may show a "Page not found" dialog
    over the right page (a known Streamlit glitch, see TOOLING.md); close it: it eats clicks."""
    page.goto(f"{base}/{path}")
    wait_idle(page)
    dialog = page.locator("[data-testid='stDialog']")
    if dialog.count():
        page.keyboard.press("Escape")
        dialog.wait_for(state="detached")


def wait_charts(page, n: int) -> None:
    """Plotly draws after the script has finished: wait until n charts have their layout."""
    page.wait_for_function(
        "n => [...document.querySelectorAll('.js-plotly-plot')].filter(g => g.layout).length >= n",
        arg=n,
        timeout=60_000,
    )


# Listen (once per chart) to Plotly's public `plotly_hover` event; clear the flag it sets.
WATCH_HOVER = """n => {
    const gd = document.querySelectorAll('.js-plotly-plot')[n];
    if (!gd.__watched) {
        gd.on('plotly_hover', () => { gd.__hovered = true; });
        gd.__watched = true;
    }
    gd.__hovered = false;
}"""


def click_point(page, n: int, x: float, y: float, xa="xaxis", ya="yaxis") -> None:
    chart = page.locator(".js-plotly-plot").nth(n)
    chart.scroll_into_view_if_needed()
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot')[n]?._fullLayout?.xaxis?._offset > 0",
        arg=n,
    )
    px, py = page.evaluate(CELL_XY, [n, xa, ya, x, y])
    page.evaluate(WATCH_HOVER, n)
    page.mouse.move(px, py)
    # Plotly's public hover event: the point under the mouse is known, so a click selects it
    page.wait_for_function(
        "n => document.querySelectorAll('.js-plotly-plot')[n].__hovered", arg=n, timeout=15_000
    )
    page.mouse.click(px, py)


def selected(t: int, j: int) -> str:
    """The gates page's line naming the selected cell (layer 0, forward)."""
    forward = tr("gates.direction_0", "en")
    return tr("gates.selected", "en", k=0, direction=forward, t=t, j=j)


def test_gates_page_loads_and_a_heatmap_click_selects(streamlit_server, page):
    open_page(page, streamlit_server, "time?j=0")
    page.get_by_role("heading", name=tr("gates.title", "en")).wait_for()
    assert_no_exception(page)
    wait_charts(page, 5)
    assert page.locator(".js-plotly-plot").count() == 5
    click_point(page, 0, 5, 3, "xaxis", "yaxis")  # the f heatmap: t = 5, unit 3
    page.wait_for_url(re.compile(r"[?&]t=5\b.*"), timeout=15_000)
    wait_idle(page)
    assert re.search(r"[?&]j=3\b", page.url)
    page.get_by_text(selected(t=5, j=3)).wait_for()
    # a click in another panel (o, the fourth) selects there too
    click_point(page, 0, 2, 1, "xaxis4", "yaxis4")
    page.wait_for_url(re.compile(r"[?&]t=2\b"), timeout=15_000)
    wait_idle(page)
    page.get_by_text(selected(t=2, j=1)).wait_for()
    assert_no_exception(page)


def test_network_page_click_then_open_the_cell(streamlit_server, page):
    open_page(page, streamlit_server, "unrolled?layers=2&bi=1")
    page.get_by_role("heading", name=tr("network.title", "en")).wait_for()
    assert_no_exception(page)
    wait_charts(page, 1)
    meta = page.evaluate("() => document.querySelectorAll('.js-plotly-plot')[0].layout.meta")
    rows = {(k, d): y for k, d, y in meta["rows"]}
    click_point(page, 0, 3, rows[(1, 1)])  # layer 1, reverse, t = 3
    page.wait_for_url(re.compile(r"[?&]t=3\b"), timeout=15_000)
    wait_idle(page)
    reverse = tr("network.direction_1", "en")
    title = tr("network.selected_title", "en", k=1, direction=reverse, t=3)
    page.get_by_role("heading", name=title).wait_for()
    assert re.search(r"[?&]k=1\b", page.url) and re.search(r"[?&]dir=1\b", page.url)
    page.get_by_role("link", name=tr("network.open_cell", "en")).click()
    page.wait_for_url(re.compile(r"/step\?"), timeout=15_000)
    wait_idle(page)
    assert_no_exception(page)
    for part in ("k=1", "dir=1", "t=3"):
        assert re.search(rf"[?&]{part}\b", page.url), page.url
