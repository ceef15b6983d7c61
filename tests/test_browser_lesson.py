"""The whole lesson in a real Chromium, by keyboard only (Tab, Space, arrow keys, Enter): from the
landing page's call to action through all seven chapters, answering every question."""

from __future__ import annotations

import re

import pytest
from conftest import assert_no_exception, wait_idle

from app_logic import lesson
from app_logic.i18n import tr

pytestmark = pytest.mark.browser

MAIN = "[data-testid='stMain']"
IS_LINK = "(e, text) => e.tagName === 'A' && e.textContent.includes(text)"
IS_BUTTON = "(e, text) => e.tagName === 'BUTTON' && e.textContent.includes(text)"
IS_RADIO = "(e) => e.type === 'radio' && !!e.closest(\"[data-testid='stMain']\")"
IS_SLIDER = "(e) => e.type === 'range' && !!e.closest(\"[data-testid='stMain']\")"


def _tab_to(page, predicate: str, arg=None, limit: int = 150) -> None:
    """Press Tab until the focused element satisfies the JS `predicate(element, arg)`."""
    for _ in range(limit):
        if page.evaluate(f"(arg) => ({predicate})(document.activeElement, arg)", arg):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached an element with {predicate} ({arg})")


def _main_text(page) -> str:
    return page.locator(MAIN).inner_text()


def _answer(page, n: int, kind: str, lang: str) -> None:
    """Pick the right option of the question with Space and ↓, then submit it with Enter."""
    q = lesson.chapter(n).question(kind)
    _tab_to(page, IS_RADIO)  # the first option of the only open question
    page.keyboard.press("Space")
    for _ in range(q.options.index(q.answer)):
        page.keyboard.press("ArrowDown")
    label = tr("lesson.predict_button" if kind == "predict" else "lesson.check_button", lang)
    _tab_to(page, IS_BUTTON, label)
    page.keyboard.press("Enter")
    wait_idle(page)
    why = tr(f"lesson.ch{n}_{kind}_{q.answer}_why", lang, **lesson.question_numbers(n))
    success = page.locator("[data-testid='stAlertContentSuccess']").filter(has_text=why[:40])
    success.first.wait_for(timeout=30_000)


def test_the_whole_lesson_by_keyboard(streamlit_server, page):
    lang = "en"
    page.goto(streamlit_server)
    wait_idle(page)
    _tab_to(page, IS_LINK, tr("lesson.cta", lang))
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/lesson\?chapter=1$"), timeout=30_000)
    wait_idle(page)
    for n in range(1, lesson.N_CHAPTERS + 1):
        ch = lesson.chapter(n)
        page.get_by_role("heading", name=f"{n}. {tr(ch.key('title'), lang)}").wait_for()
        assert tr("lesson.answer_hidden", lang) in _main_text(page)
        _answer(page, n, "predict", lang)
        shown = tr(ch.key("numbers"), lang, **lesson.numbers(lesson.example(n)))
        assert shown in _main_text(page)
        # Try it: the slider moves one stop, the numbers follow.
        _tab_to(page, IS_SLIDER)
        key = "ArrowLeft" if ch.try_it.default == ch.try_it.values[-1] else "ArrowRight"
        page.keyboard.press(key)
        wait_idle(page)
        k = ch.try_it.values.index(ch.try_it.default) + (1 if key == "ArrowRight" else -1)
        moved = tr(
            ch.key("numbers"), lang, **lesson.numbers(lesson.example(n, ch.try_it.values[k]))
        )
        # The whole line: its start ("kept fₜ × cₜ₋₁ = 0.75 + …") can be the same before the move.
        page.wait_for_function(
            f'(t) => document.querySelector("{MAIN}").innerText.includes(t)',
            arg=moved,
            timeout=30_000,
        )
        _answer(page, n, "check", lang)
        legend = tr("lesson.progress_legend", lang, right=n, wrong=0, open=lesson.N_CHAPTERS - n)
        assert legend in _main_text(page)
        assert_no_exception(page)
        if n < lesson.N_CHAPTERS:
            _tab_to(page, IS_BUTTON, tr("lesson.next", lang))
            page.keyboard.press("Enter")
            page.wait_for_url(re.compile(rf"chapter={n + 1}\b"), timeout=30_000)
            wait_idle(page)
    assert tr("lesson.finished", lang, right=7, N=7) in _main_text(page)
    assert_no_exception(page)
