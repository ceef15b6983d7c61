"""The cell page in a real Chromium: it loads, and stepping on the client moves the equation."""

from __future__ import annotations

import json
import re

import pytest
from conftest import assert_no_exception, wait_idle

from app_logic.i18n import tr
from ui import session

pytestmark = pytest.mark.browser

URL = session.page_url("pages/cell.py")
PANEL = ".js-plotly-plot .scatterlayer .trace:last-child text"


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
    """The panel text once it has stopped changing: a click during Plotly's animation would
    interrupt it, so the next step waits for the current one to finish."""
    text = panel_text(page)
    for _ in range(50):
        page.wait_for_timeout(quiet_ms)
        now = panel_text(page)
        if now == text:
            return now
        text = now
    return text


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
    assert status.startswith("t = 0 ") and "stage 1/6" in status
    assert prompt.startswith("Predict:") and "?" in numbers

    status, prompt, eq, numbers = step(page, "next ▶")[:4]
    assert prompt.startswith("Reveal:") and re.search(r"\d\.\d{3}$", numbers)
    meaning = page.locator(PANEL).nth(4)
    assert meaning.text_content().startswith("The forget gate") and meaning.is_visible()
    assert meaning.bounding_box()["width"] > 300  # shown again after the question's hint
    status, prompt, *_ = step(page, "next ▶")
    assert "stage 2/6" in status and prompt.startswith("Predict:")
    status, *_ = step(page, "next t ▶▶")
    assert status.startswith("t = 1 ") and "stage 2/6" in status
    status, *_ = step(page, "◀ back")
    assert status.startswith("t = 1 ") and "stage 1/6" in status
    status, *_ = step(page, "◀◀ previous t")
    assert status.startswith("t = 0 ")

    # the Plotly slider: a click near its right end jumps to the last timestep
    rail = page.locator(".js-plotly-plot .slider-rail-touch-rect").first
    rail.scroll_into_view_if_needed()
    box = rail.bounding_box()
    page.mouse.click(box["x"] + box["width"] - 2, box["y"] + box["height"] / 2)
    # wait for the status line itself: other panel texts may change first, mid-transition
    page.wait_for_function(
        "sel => (document.querySelector(sel)?.textContent || '').startsWith('t = 11 ')",
        arg=PANEL,
        timeout=10_000,
    )
    assert panel_text(page)[0].startswith("t = 11 ")

    # play moves on by itself; pause stops it
    step(page, "◀◀ previous t")
    step(page, "play")  # waits until play has moved on by itself
    page.locator("g.updatemenu-button", has_text="pause").click()
    paused = panel_text(page)
    page.wait_for_timeout(2500)  # longer than one frame of play
    assert panel_text(page) == paused
    assert_no_exception(page)


def test_deep_link_opens_at_t_in_chinese(streamlit_server, page):
    open_cell(page, streamlit_server, "?t=4&j=1&lang=zh")
    assert_no_exception(page)
    status = panel_text(page)[0]
    assert status.startswith("t = 4 ") and "遗忘门" in status
    status = step(page, "前进 ▶")[0]
    assert status.startswith("t = 4 ")
    status = step(page, "下一时间步 ▶▶")[0]
    assert status.startswith("t = 5 ")


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
    assert status.startswith("t = 0 ") and "stage 1/6" in status and prompt.startswith("Reveal:")
    # the whole-vector bars drawn by that redraw-free step have their colours (not black)
    fills = page.eval_on_selector_all(
        ".js-plotly-plot .barlayer .point path", "ps => ps.map(p => getComputedStyle(p).fill)"
    )
    assert fills and "rgb(0, 0, 0)" not in fills
    status, *_ = key_step(page, "Shift+ArrowRight")
    assert status.startswith("t = 1 ") and "stage 1/6" in status
    status, prompt, *_ = key_step(page, "ArrowRight")
    assert "stage 2/6" in status and prompt.startswith("Predict:")
    status, prompt, *_ = key_step(page, "ArrowRight")
    assert "stage 2/6" in status and prompt.startswith("Reveal:")
    shown = panel_text(page)

    # the address bar follows the figure: t = 1, the input gate, its numbers revealed
    query = wait_for_query(page, t="1", stage="input", reveal="1")
    assert query["H"] == "3"
    wait_idle(page)
    slider = page.get_by_role("slider", name="Open at timestep t")
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
    page.wait_for_function(
        "([sel, want]) => (document.querySelector(sel)?.textContent || '').startsWith(want)",
        arg=[PANEL, f"t = {t} "],
        timeout=15_000,
    )
    status, prompt, *_ = settled_text(page)
    assert f"stage {stage + 1}/6" in status
    assert prompt.startswith("Reveal:" if q.get("reveal") == "1" else "Predict:")
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
    page.get_by_role("slider", name="Open at timestep t").focus()
    before = panel_text(page)
    page.keyboard.press("ArrowLeft")
    wait_idle(page)
    page.wait_for_timeout(500)
    assert panel_text(page)[0].startswith("t = 0 ")  # the widget reopened the figure at t = 0
    assert before[0].startswith("t = 1 ")

    # Space plays and pauses
    page.locator("h1").first.click()
    key_step(page, "Space")  # waits until play has moved on by itself
    page.keyboard.press("Space")
    paused = settled_text(page)
    page.wait_for_timeout(2500)  # longer than one frame of play
    assert panel_text(page) == paused
    # while playing the URL waits; where play stops, it follows
    m = re.match(r"t = (\d+) · stage (\d)/6", paused[0])
    stage = session.STAGES[int(m[2]) - 1]
    wait_for_query(page, t=m[1], stage=stage, reveal="1" if paused[1].startswith("Reveal") else "0")
    assert_no_exception(page)
