"""Phones: at 390 × 844 the landing page, the lesson and the cell page are
usable: the page never scrolls sideways, nothing sticks out of the screen or overlaps, and the
cell diagram keeps its width in a sideways scroller whose buttons the keyboard reaches.

Screenshots (the viewport, and the whole main area) go to pytest's tmp dir, named in the output
(`-s`); look at them after a change to the layout.
"""

from __future__ import annotations

import pytest
from browser_helpers import assert_no_exception, wait_idle

from app_logic.i18n import tr
from app_logic.pages import HOME_URL, PAGES
from ui.a11y import MIN_FIGURE_WIDTH, SCROLL_PREFIX, STYLE_ID

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
PHONE_PAGES = [HOME_URL, *(u for _, u, _, _ in PAGES if u in ("lesson", "step"))]

# Sideways overflow of the document and of Streamlit's scrolling main area.
OVERFLOW = """() => {
  const m = document.querySelector("[data-testid='stMain']");
  return {doc: document.documentElement.scrollWidth - document.documentElement.clientWidth,
          main: m.scrollWidth - m.clientWidth};
}"""

# Element containers of the main area that stick out of the screen, or overlap another one that is
# neither their ancestor nor descendant (ignoring what lives inside a sideways scroller or a closed
# expander, and empty or hidden containers).
LAYOUT = """([prefix]) => {
  const W = document.documentElement.clientWidth;
  const inScroller = (n) => n.closest(`[class*='st-key-${prefix}'], [data-a11y-region]`);
  const boxes = [...document.querySelectorAll(
      "[data-testid='stMain'] [data-testid='stElementContainer']")]
    .filter(n => !inScroller(n) && n.offsetParent !== null && !n.closest('details:not([open])'))
    .map(n => ({n, r: n.getBoundingClientRect()}))
    .filter(b => b.r.width > 0 && b.r.height > 0);
  const name = (b) => (b.n.className.match(/st-key-[\\w-]+/) || [b.n.textContent.slice(0, 40)])[0];
  const out = boxes.filter(b => b.r.left < -1 || b.r.right > W + 1).map(b => 'out: ' + name(b));
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const a = boxes[i], b = boxes[j];
    if (a.n.contains(b.n) || b.n.contains(a.n)) continue;
    const w = Math.min(a.r.right, b.r.right) - Math.max(a.r.left, b.r.left);
    const h = Math.min(a.r.bottom, b.r.bottom) - Math.max(a.r.top, b.r.top);
    if (w > 2 && h > 2) out.push('overlap: ' + name(a) + ' / ' + name(b));
  }
  return out;
}"""


@pytest.fixture
def phone(browser, _warm_server):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    p = context.new_page()
    p.set_default_timeout(60_000)
    p.js_errors = []
    p.on("pageerror", lambda e: p.js_errors.append(str(e)[:300]))
    yield p
    context.close()


def open_phone(p, base: str, url: str) -> None:
    p.goto(f"{base}/{url}")
    wait_idle(p)
    p.wait_for_selector("h1", timeout=60_000)
    p.wait_for_selector(f"style#{STYLE_ID}", state="attached", timeout=30_000)
    wait_idle(p)


def shoot(p, tmp_path, name: str) -> None:
    """The viewport, and the whole page: Streamlit scrolls inside its own main area, so a page
    screenshot shows only the viewport; the viewport is made as tall as the page for a moment."""
    p.screenshot(path=str(tmp_path / f"{name}-viewport.png"))
    h = p.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    p.set_viewport_size({"width": PHONE["width"], "height": min(int(h), 12_000)})
    p.screenshot(path=str(tmp_path / f"{name}-whole.png"))
    p.set_viewport_size(PHONE)
    print(f"screenshots: {tmp_path}/{name}-*.png")


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("url", PHONE_PAGES)
def test_a_phone_shows_the_page_without_sideways_scroll_or_overlap(
    streamlit_server, phone, tmp_path, url, lang
):
    open_phone(phone, streamlit_server, f"{url}?lang={lang}")
    shoot(phone, tmp_path, f"{url or 'home'}-{lang}")
    assert phone.evaluate(OVERFLOW) == {"doc": 0, "main": 0}
    problems = phone.evaluate(LAYOUT, [SCROLL_PREFIX])
    assert not problems, f"/{url}?lang={lang} at 390 px: {problems[:6]}"
    # the sidebar starts closed on a phone: the page's own title is on screen
    title = phone.locator("h1").first.bounding_box()
    assert title and 0 <= title["x"] and title["x"] + title["width"] <= PHONE["width"] + 1
    assert_no_exception(phone)


def test_the_cell_diagram_scrolls_sideways_and_its_buttons_are_reachable(
    streamlit_server, phone, tmp_path
):
    open_phone(phone, streamlit_server, "step?t=2&stage=0&predict=0")
    box = phone.locator(f".st-key-{SCROLL_PREFIX}cell")
    figure = box.locator(".js-plotly-plot")
    figure.wait_for()
    assert figure.bounding_box()["width"] >= MIN_FIGURE_WIDTH - 1  # kept readable, not squeezed
    sizes = box.evaluate("n => [n.scrollWidth, n.clientWidth]")
    assert sizes[0] > sizes[1] <= PHONE["width"]  # it scrolls, inside the screen
    buttons = box.locator("g.updatemenu-button")
    assert buttons.count() == 6
    for n in range(buttons.count()):
        b = buttons.nth(n)
        b.focus()  # a keyboard reaches it (tabindex 0); focus scrolls it into view
        r = b.bounding_box()
        assert r and r["x"] >= -1 and r["x"] + r["width"] <= PHONE["width"] + 1, (n, r)
    # the last one (pause) sits past the screen's edge at first: the scroller moved to show it
    assert box.evaluate("n => n.scrollLeft") > 0
    next_btn = buttons.filter(has_text=tr("cell.btn_next", "en"))
    next_btn.focus()
    next_btn.press("Enter")
    shows = "([sel, s]) => [...document.querySelectorAll(sel)].some(n => n.textContent.includes(s))"
    phone.wait_for_function(shows, arg=[f".st-key-{SCROLL_PREFIX}cell text", "stage 2/"])
    shoot(phone, tmp_path, "step-figure-scrolled")
    assert_no_exception(phone)
