"""Every page without a mouse: Tab reaches the main controls, each with a visible focus; the cell
stepper steps with Tab + Enter on its own buttons, and the figure's words follow the step."""

from __future__ import annotations

import re

import pytest
from browser_helpers import assert_no_exception, text_pattern, wait_idle

from app_logic.i18n import tr
from app_logic.pages import HOME_URL, PAGES

pytestmark = pytest.mark.browser

MAX_TABS = 90  # more stops than any page has (sidebar ~20, the longest main area ~40)

# The focused element, and whether its focus is visible: an outline or a focus shadow on it or on
# an ancestor inside its widget (Streamlit outlines the box around an input), or, for a Plotly
# figure's button (SVG), its frame drawn thicker (ui/a11y.py CSS).
FOCUSED = """() => {
  const e = document.activeElement;
  if (!e || e === document.body) return null;
  const shows = (n) => {
    const s = getComputedStyle(n);
    return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1)
      || (s.boxShadow && s.boxShadow !== 'none');
  };
  let visible = shows(e);
  for (let p = e.parentElement, k = 0; !visible && p && k < 12; p = p.parentElement, k++) {
    if (p.matches("[data-testid='stElementContainer']")) break;
    visible = shows(p);
  }
  if (!visible && e.matches('g.updatemenu-button')) {
    visible = parseFloat(getComputedStyle(e.querySelector('rect')).strokeWidth) >= 2;
  }
  const r = e.getBoundingClientRect();
  return {
    tag: e.tagName, role: e.getAttribute('role') || '',
    name: (e.getAttribute('aria-label') || e.textContent || '').trim().slice(0, 40),
    main: !!e.closest("[data-testid='stMain']"), visible, w: r.width, h: r.height,
  };
}"""

# What Tab must reach in the main area of each page: (role, accessible name) from the texts.
MAIN_CONTROLS = {
    HOME_URL: [("link", tr("common.nav_cell", "en"))],
    "step": [
        ("combobox", tr("cell.layer", "en")),
        ("slider", tr("cell.start_t", "en")),
        ("button", tr("cell.btn_next", "en")),
        ("button", tr("cell.btn_play", "en")),
    ],
    "time": [("combobox", tr("gates.pick_unit", "en"))],
}


FIGURE_TEXT = ".st-key-cell_diagram text"
SHOWS_STAGE = (
    "([sel, s]) => [...document.querySelectorAll(sel)].some(n => n.textContent.includes(s))"
)


def tab_through(page) -> list[dict]:
    """Press Tab until focus comes back round to the first stop; every stop seen."""
    stops: list[dict] = []
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        f = page.evaluate(FOCUSED)
        if f is None:
            continue
        if stops and f == stops[0]:
            break
        stops.append(f)
    return stops


def open_page(page, base: str, url: str) -> None:
    from ui.a11y import STYLE_ID

    page.goto(f"{base}/{url}")
    wait_idle(page)
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_selector(f"style#{STYLE_ID}", state="attached", timeout=30_000)


@pytest.mark.parametrize("url", [HOME_URL, *(p[1] for p in PAGES)])
def test_tab_reaches_the_main_area_with_a_visible_focus_everywhere(streamlit_server, page, url):
    open_page(page, streamlit_server, url)
    stops = tab_through(page)
    hidden = [s for s in stops if not s["visible"]]
    assert not hidden, f"/{url}: focus not visible on {hidden[:5]}"
    main = [s for s in stops if s["main"]]
    assert len(main) >= 2, f"/{url}: Tab never reaches the page's own controls: {stops[:8]}"
    assert all(s["w"] > 0 and s["h"] > 0 for s in stops), "a Tab stop on something not shown"
    for role, name in MAIN_CONTROLS.get(url, []):
        assert any(s["main"] and name in s["name"] for s in stops), (
            f"/{url}: Tab never reaches the {role} {name!r}; stops: {[s['name'] for s in main]}"
        )
    assert_no_exception(page)


def test_the_cell_stepper_works_from_the_keyboard_alone(streamlit_server, page):
    """Tab to the figure's "next ▶", press Enter: the figure moves one stage; Space on its
    button plays nothing twice; the words under the figure follow the step."""
    open_page(page, streamlit_server, "step?t=2&stage=0&predict=0")
    status = text_pattern("cell.status", "en", t="[0-9]+", n="[0-9]")
    panel = page.locator(".st-key-cell_diagram text").filter(has_text=re.compile("stage"))

    def stage_shown() -> int:
        texts = [m for m in (status.search(t) for t in panel.all_text_contents()) if m]
        assert texts, "no status line on the figure"
        return int(texts[0]["n"])

    # the figure is drawn (its status line is there) before anything is read from it
    page.wait_for_function(SHOWS_STAGE, arg=[FIGURE_TEXT, "stage 1/"], timeout=60_000)
    assert stage_shown() == 1
    for _ in range(MAX_TABS):  # Tab until "next ▶" has the focus
        page.keyboard.press("Tab")
        f = page.evaluate(FOCUSED)
        if f and f["role"] == "button" and f["name"] == tr("cell.btn_next", "en"):
            assert f["visible"]
            break
    else:
        pytest.fail("Tab never reached the figure's next ▶ button")
    page.keyboard.press("Enter")
    page.wait_for_function(SHOWS_STAGE, arg=[FIGURE_TEXT, "stage 2/"], timeout=10_000)
    assert stage_shown() == 2
    page.keyboard.press(" ")  # Space on the focused button: a second "next", not "play"
    page.wait_for_function(SHOWS_STAGE, arg=[FIGURE_TEXT, "stage 3/"], timeout=10_000)
    # The figure reports the frame (debounced); the fragment reruns and rewrites the words.
    words = page.locator("[data-testid='stCaptionContainer']").filter(has_text="On the diagram")
    words.filter(has_text="stage 3/6").wait_for(timeout=15_000)
    assert "t = 2" in words.inner_text()
    wait_idle(page)
    assert_no_exception(page)
