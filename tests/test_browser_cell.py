"""The cell page in a real Chromium: it loads, and stepping on the client moves the equation."""

from __future__ import annotations

import json
import re

import pytest
from browser_helpers import (
    assert_no_exception,
    js_regex,
    text_pattern,
    wait_idle,
    wait_settled,
)

from app_logic.i18n import tr
from ui import session, stepper
from viz.cell_diagram import PLAY_MS

pytestmark = pytest.mark.browser

URL = session.page_url("pages/cell.py")
PANEL = ".js-plotly-plot .scatterlayer .trace:last-child text"
STATUS = {lang: text_pattern("cell.status", lang, t=r"\d+", n=r"\d") for lang in ("en", "zh")}
PREDICT, REVEAL = tr("cell.predict", "en"), tr("cell.reveal", "en")
# Playing, the panel changes every PLAY_MS: unchanged for two frames means play has stopped.
STOPPED_MS = 2 * PLAY_MS


def btn(name: str, lang: str = "en") -> str:
    """The label of a figure button (cell.btn_next, cell.btn_play, ...)."""
    return tr(f"cell.btn_{name}", lang)


def frame(status: str, lang: str = "en") -> tuple[int, int]:
    """(t, stage number 1..6) from the panel's status line."""
    m = STATUS[lang].match(status)
    assert m, f"not the status line of {lang!r}: {status!r}"
    return int(m["t"]), int(m["n"])


def wait_for_t(page, t: int, timeout: float = 15_000) -> None:
    """Wait until the panel's status line shows timestep t."""
    page.wait_for_function(
        """([sel, src, t]) => new RegExp(src, 's')
            .exec(document.querySelector(sel)?.textContent || '')?.groups.t === t""",
        arg=[PANEL, js_regex(STATUS["en"]), str(t)],
        timeout=timeout,
    )


def panel_text(page) -> list[str]:
    return page.eval_on_selector_all(PANEL, "ts => ts.map(t => t.textContent)")


def step(page, label: str) -> list[str]:
    """Click a button of the figure and wait until the panel text changes."""
    before = panel_text(page)
    page.locator("g.updatemenu-button", has_text=label).click()
    page.wait_for_function(
        """([sel, before]) => JSON.stringify([...document.querySelectorAll(sel)]
            .map(t => t.textContent)) !== before""",
        arg=[PANEL, json.dumps(before)],
        timeout=10_000,
    )
    return settled_text(page)


def settled_text(page, quiet_ms: int = 200) -> list[str]:
    """The panel text once it has stopped changing (fails if it never does): a click during
    Plotly's animation would interrupt it, so the next step waits for the current one to finish."""
    return wait_settled(page, PANEL, "the cell figure's text panel", quiet_ms=quiet_ms)


def paused_text(page) -> list[str]:
    """The panel text once play has stopped: unchanged for longer than two frames of play."""
    return wait_settled(
        page, PANEL, "the panel after pause", quiet_ms=STOPPED_MS, timeout=4 * STOPPED_MS
    )


def open_cell(page, base: str, query: str = "") -> None:
    page.goto(base)  # a fresh server's first request should not be a deep link (toast)
    wait_idle(page)
    page.goto(f"{base}/{URL}{query}")
    wait_idle(page)
    page.wait_for_selector("g.updatemenu-button", timeout=30_000)


def test_cell_page_opens_past_the_empty_first_step(streamlit_server, page):
    open_cell(page, streamlit_server, "?j=0")
    assert_no_exception(page)
    assert panel_text(page)[0].startswith("t = 1 ")  # at t = 0, x₀ = 0 and h = c = 0
    note = tr("cell.opening_note", "en", t=1)
    assert page.get_by_text(note).is_visible()
    assert "t=" not in page.evaluate("() => location.search")


def test_cell_page_steps_on_the_client(streamlit_server, page):
    open_cell(page, streamlit_server, "?j=0&t=0")  # from the very first step
    assert_no_exception(page)
    status, prompt, eq, numbers = panel_text(page)[:4]
    assert frame(status) == (0, 1)
    assert prompt.startswith(PREDICT) and "?" in numbers

    status, prompt, eq, numbers = step(page, btn("next"))[:4]
    assert prompt.startswith(REVEAL) and re.search(r"\d\.\d{3}$", numbers)
    meaning = page.locator(PANEL).nth(4)
    assert text_pattern("cell.m_forget").match(meaning.text_content()) and meaning.is_visible()
    assert meaning.bounding_box()["width"] > 300  # shown again after the question's hint
    status, prompt, *_ = step(page, btn("next"))
    assert frame(status)[1] == 2 and prompt.startswith(PREDICT)
    status, *_ = step(page, btn("next_t"))
    assert frame(status) == (1, 2)
    status, *_ = step(page, btn("prev"))
    assert frame(status) == (1, 1)
    status, *_ = step(page, btn("prev_t"))
    assert frame(status)[0] == 0

    # the Plotly slider: a click near its right end jumps to the last timestep
    rail = page.locator(".js-plotly-plot .slider-rail-touch-rect").first
    rail.scroll_into_view_if_needed()
    box = rail.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    # wait for the status line itself: other panel texts may change first, mid-transition
    wait_for_t(page, 11, timeout=10_000)
    assert frame(panel_text(page)[0])[0] == 11

    # play moves on by itself; pause stops it
    step(page, btn("prev_t"))
    step(page, btn("play"))  # waits until play has moved on by itself
    page.locator("g.updatemenu-button", has_text=btn("pause")).click()
    paused = panel_text(page)
    assert paused_text(page) == paused
    assert_no_exception(page)


def test_deep_link_opens_at_t_in_chinese(streamlit_server, page):
    open_cell(page, streamlit_server, "?t=4&j=1&lang=zh")
    assert_no_exception(page)
    status = panel_text(page)[0]
    assert frame(status, "zh")[0] == 4
    assert STATUS["zh"].match(status)["stage"] == tr("cell.stage_forget", "zh")
    status = step(page, btn("next", "zh"))[0]
    assert frame(status, "zh")[0] == 4
    status = step(page, btn("next_t", "zh"))[0]
    assert frame(status, "zh")[0] == 5


def key_step(page, key: str) -> list[str]:
    """Press a key on the page (nothing focused) and wait until the panel text changes."""
    before = panel_text(page)
    page.keyboard.press(key)
    page.wait_for_function(
        """([sel, before]) => JSON.stringify([...document.querySelectorAll(sel)]
            .map(t => t.textContent)) !== before""",
        arg=[PANEL, json.dumps(before)],
        timeout=10_000,
    )
    return settled_text(page)


QUERY_DEFAULTS = {"stage": "forget", "reveal": "0"}  # (no t: the run's opening step)


def wait_for_query(page, **want: str) -> dict[str, str]:
    """Wait until the address bar's query has these values (a default may be left out)."""
    page.wait_for_function(
        """([want, defaults]) => { const q = new URLSearchParams(location.search);
            return Object.entries(want).every(([k, v]) => (q.get(k) ?? defaults[k]) === v); }""",
        arg=[want, QUERY_DEFAULTS],
        timeout=15_000,
    )
    return dict(page.evaluate("() => Object.fromEntries(new URLSearchParams(location.search))"))


def test_keys_step_and_the_url_reproduces_the_frame(streamlit_server, page):
    open_cell(page, streamlit_server, "?H=3&t=0")  # all 3 units: bars; from the first step
    page.locator("h1").first.click()  # focus on the page, not on a widget
    status, prompt, *_ = key_step(page, "ArrowRight")
    assert frame(status) == (0, 1) and prompt.startswith(REVEAL)
    # the whole-vector bars drawn by that redraw-free step have their colours (not black)
    fills = page.eval_on_selector_all(
        ".js-plotly-plot .barlayer .point path", "ps => ps.map(p => getComputedStyle(p).fill)"
    )
    assert fills and "rgb(0, 0, 0)" not in fills
    status, *_ = key_step(page, "Shift+ArrowRight")
    assert frame(status) == (1, 1)
    status, prompt, *_ = key_step(page, "ArrowRight")
    assert frame(status)[1] == 2 and prompt.startswith(PREDICT)
    status, prompt, *_ = key_step(page, "ArrowRight")
    assert frame(status)[1] == 2 and prompt.startswith(REVEAL)
    shown = panel_text(page)

    # the address bar follows the figure: t = 1, the input gate, its numbers revealed
    query = wait_for_query(page, t="1", stage="input", reveal="1")
    assert query["H"] == "3"
    wait_idle(page)
    slider = page.get_by_role("slider", name=tr("cell.start_t", "en"))
    assert slider.get_attribute("aria-valuetext") == "1"  # follows the figure too
    # a reload (or the link pasted elsewhere) opens the figure at that same frame
    here = page.evaluate("() => location.href")
    page.goto(here)
    wait_idle(page)
    page.wait_for_selector("g.updatemenu-button", timeout=30_000)
    assert panel_text(page) == shown
    assert_no_exception(page)

    # Back undoes a step: the figure reopens at the frame of the URL it goes back to
    page.go_back()
    page.wait_for_function("here => location.href !== here", arg=here, timeout=15_000)
    wait_idle(page)
    q = page.evaluate("() => Object.fromEntries(new URLSearchParams(location.search))")
    t, stage = int(q.get("t", 0)), session.STAGES.index(q.get("stage", "forget"))
    wait_for_t(page, t)
    status, prompt, *_ = settled_text(page)
    assert frame(status) == (t, stage + 1)
    assert prompt.startswith(REVEAL if q.get("reveal") == "1" else PREDICT)
    assert (t, stage, q.get("reveal")) != (1, 1, "1")
    page.go_forward()
    page.wait_for_function("here => location.href === here", arg=here, timeout=15_000)
    wait_idle(page)
    page.wait_for_function(
        "([sel, want]) => [...document.querySelectorAll(sel)].map(t => t.textContent)"
        ".join('|') === want",
        arg=[PANEL, "|".join(shown)],
        timeout=15_000,
    )

    # keys typed into a widget are the widget's: the figure does not move
    page.get_by_role("slider", name=tr("cell.start_t", "en")).focus()
    before = panel_text(page)
    page.keyboard.press("ArrowLeft")
    wait_idle(page)
    wait_for_t(page, 0)  # the widget reopened the figure at t = 0
    assert frame(settled_text(page)[0])[0] == 0
    assert frame(before[0])[0] == 1

    # Space plays and pauses
    page.locator("h1").first.click()
    key_step(page, "Space")  # waits until play has moved on by itself
    page.keyboard.press("Space")
    paused = paused_text(page)  # fails if the panel still changes every frame
    # while playing the URL waits; where play stops, it follows
    t, n = frame(paused[0])
    reveal = "1" if paused[1].startswith(REVEAL) else "0"
    wait_for_query(page, t=str(t), stage=session.STAGES[n - 1], reveal=reveal)
    assert_no_exception(page)


COUNT_INTERRUPTIONS = """sel => {
    window.__interrupted = 0; window.__rejected = 0;
    document.querySelector(sel).on('plotly_animationinterrupted', () => window.__interrupted++);
    window.addEventListener('unhandledrejection', () => window.__rejected++);
}"""
BURST = """([sel, index, n]) => {
    const button = document.querySelectorAll(sel + ' g.updatemenu-button')[index];
    for (let i = 0; i < n; i++) button.dispatchEvent(new MouseEvent('click', {bubbles: true}));
}"""


def test_interrupted_steps_raise_nothing_and_other_rejections_still_do(streamlit_server, page):
    """Each step interrupts the previous one, and Plotly rejects the interrupted animation's
    promise (no reason, nobody to catch it): the stepper claims exactly those rejections of its
    figure. Any other rejection on the page is still an uncaught error."""
    figure = ".st-key-cell_diagram .js-plotly-plot"
    open_cell(page, streamlit_server)
    page.evaluate(COUNT_INTERRUPTIONS, figure)
    for _ in range(8):  # clicks as fast as Playwright clicks: a step interrupts the previous
        page.locator("g.updatemenu-button", has_text="next ▶").click()
    page.locator("h1").first.click()  # focus on the page: the keys are the stepper's
    for key in ["Shift+ArrowRight", "ArrowRight", "ArrowLeft", "Shift+ArrowRight"] * 2:
        page.keyboard.press(key)
    next_button = stepper.BUTTONS.index("next")
    page.evaluate(BURST, [figure, next_button, 20])  # each click interrupts the one before
    page.wait_for_function(
        "n => window.__interrupted >= n && window.__rejected === window.__interrupted",
        arg=30,
        timeout=15_000,
    )
    # every rejection the figure announced has reached the page, and none of them was uncaught
    assert_no_exception(page)

    # a rejection that is not our figure's, even reasonless and right after, still surfaces
    with page.expect_event("pageerror", timeout=5_000):
        page.evaluate("() => { Promise.reject(); }")
    assert page.js_errors == ["undefined"], page.js_errors
    page.js_errors.clear()

    # and the address bar still follows the frame where the burst left the figure
    status, prompt, *_ = settled_text(page)
    m = re.match(r"t = (\d+) · stage (\d)/6", status)
    stage = session.STAGES[int(m[2]) - 1]
    wait_for_query(page, t=m[1], stage=stage, reveal="1" if prompt.startswith("Reveal") else "0")
    assert_no_exception(page)
