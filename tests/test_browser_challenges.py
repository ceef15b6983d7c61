"""A real browser solves a challenge with the keyboard only: slider focus, End / arrow keys, and
Enter on Check — the page says pass, with the numbers, and shows no exception."""

import re

import pytest
from conftest import assert_no_exception, wait_idle

from app_logic import challenges as ch
from app_logic.i18n import tr

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = pytest.mark.browser

# From the start values (hand_cell.DEFAULT) to a cell that counts the 1s: open the input and forget
# gates fully (b_i, b_f → 5), a steep candidate (w_g → 5) that ignores h (u_g 1 → 0).
KEYS = (("w_g", "End", 5.0), ("b_i", "End", 5.0), ("b_f", "End", 5.0), ("u_g", "ArrowLeft", 0.0))
SOLVED = (2.0, 0.0, 5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 5.0, 5.0, 0.0, 1.0)


def slider(page, name: str):
    return page.locator("[data-testid='stMain']").get_by_role("slider", name=name)


def test_count_the_ones_solved_by_keyboard(streamlit_server, page):
    assert ch.check(ch.get("count"), SOLVED).passed  # the keys below lead to a solution
    page.goto(f"{streamlit_server}/challenges?challenge=count")
    wait_idle(page)
    page.get_by_text(tr("challenges.count_title", "en")).first.wait_for()
    check = page.get_by_role("button", name=tr("challenges.check", "en"), exact=True)

    # A failed try first, by keyboard: the numbers and the hint appear.
    check.focus()
    page.keyboard.press("Enter")
    page.get_by_text("✗ Not yet").wait_for()
    page.get_by_text(tr("challenges.count_hint", "en")[:40]).wait_for()

    for name, key, want in KEYS:
        s = slider(page, name)
        s.focus()
        for _ in range(10 if key == "ArrowLeft" else 1):
            page.keyboard.press(key)
        expect(s).to_have_value(re.compile(rf"^{want:g}(\.0+)?$"))
        wait_idle(page)
    assert [float(slider(page, n).input_value()) for n in ("w_g", "u_g")] == [
        5.0,
        0.0,
    ]

    check.focus()
    page.keyboard.press("Enter")
    verdict = ch.verdict(ch.check(ch.get("count"), SOLVED), "en")
    page.get_by_text("✓ Pass on all 3 inputs").wait_for()
    shown = page.locator("[data-testid='stAlert']").filter(has_text="✓ Pass").inner_text()
    assert " ".join(shown.split()) == " ".join(verdict.replace("**", "").split())
    assert "challenge=count" in page.url
    assert_no_exception(page)
