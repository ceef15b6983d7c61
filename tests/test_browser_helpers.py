"""The browser tests' own helpers (tests/browser_helpers.py): the waits fail, saying what they
waited for, when the condition never comes; the text lookups find texts in both languages.

The waits run in Chromium against small pages of our own (no Streamlit server needed).
"""

from __future__ import annotations

import re

import pytest
from browser_helpers import (
    DRAWN,
    console_flaw,
    js_regex,
    text_pattern,
    text_prefix,
    wait_idle,
    wait_settled,
)

from app_logic.i18n import tr

# A page shaped like Streamlit's for wait_idle: something drawn, and the script-state attribute.
APP_PAGE = """<div data-testid="stApp" data-test-script-state="{state}">
  <div data-testid="stMainBlockContainer"><div data-testid="stElementContainer">x</div></div>
</div><p id="t">0</p>"""


@pytest.fixture
def bare_page(browser):
    context = browser.new_context()
    yield context.new_page()
    context.close()


def set_state_later(page, *steps: tuple[int, str]) -> None:
    """Set the script state to each `state` after `ms` milliseconds."""
    page.evaluate(
        """steps => { const app = document.querySelector("[data-testid='stApp']");
            for (const [ms, s] of steps) setTimeout(() => {
                app.setAttribute('data-test-script-state', s);
                if (s === 'notRunning') window.__ran = true;
            }, ms); }""",
        [list(s) for s in steps],
    )


@pytest.mark.browser
def test_wait_settled_fails_naming_what_never_settled(bare_page):
    bare_page.set_content(APP_PAGE.format(state="notRunning"))
    bare_page.evaluate("() => { let n = 0; setInterval(() => { t.textContent = ++n; }, 40); }")
    with pytest.raises(AssertionError, match=r"the ticker never settled.*'#t'.*1\.0 s"):
        wait_settled(bare_page, "#t", "the ticker", quiet_ms=200, timeout=1_000)


@pytest.mark.browser
def test_wait_settled_returns_the_text_once_it_stops_changing(bare_page):
    bare_page.set_content(APP_PAGE.format(state="notRunning"))
    bare_page.evaluate(
        "() => { let n = 0; const id = setInterval(() => {"
        " t.textContent = ++n; if (n === 5) clearInterval(id); }, 40); }"
    )
    assert wait_settled(bare_page, "#t", "the ticker", quiet_ms=200, timeout=5_000) == ["5"]


@pytest.mark.browser
def test_wait_idle_fails_when_the_script_never_stops(bare_page):
    bare_page.set_content(APP_PAGE.format(state="running"))
    with pytest.raises(AssertionError, match=r"never stayed idle.*script state now: running"):
        wait_idle(bare_page, timeout=1_000)


@pytest.mark.browser
def test_wait_idle_waits_for_a_run_that_starts_just_after_the_call(bare_page):
    """An interaction's rerun starts a moment later: wait_idle must not return before it ends."""
    bare_page.set_content(APP_PAGE.format(state="notRunning"))
    assert bare_page.locator(DRAWN).count() == 1
    set_state_later(bare_page, (100, "running"), (700, "notRunning"))
    wait_idle(bare_page, timeout=5_000, settle_ms=200)
    assert bare_page.evaluate("() => window.__ran") is True


@pytest.mark.browser
def test_wait_idle_sees_a_run_shorter_than_its_polling(bare_page):
    """A run of a few ms between two polls still resets the quiet window (MutationObserver)."""
    bare_page.set_content(APP_PAGE.format(state="notRunning"))
    wait_idle(bare_page, timeout=5_000)  # installs the observer
    set_state_later(bare_page, (150, "running"), (152, "notRunning"))
    wait_idle(bare_page, timeout=5_000, settle_ms=300)
    assert bare_page.evaluate("() => window.__ran") is True


def test_text_pattern_reads_the_values_of_a_text_in_both_languages():
    en = text_pattern("cell.status", "en", t=r"\d+", n=r"\d")
    shown = tr("cell.status", "en", t=11, label="", n=3, stage="s", k=0, dir="d", unit="u")
    m = en.match(shown)
    assert m and (m["t"], m["n"]) == ("11", "3")
    zh = text_pattern("cell.status", "zh", t=r"\d+")
    shown = tr("cell.status", "zh", t=4, label="", n=1, stage="遗忘门", k=0, dir="d", unit="u")
    assert zh.match(shown)["t"] == "4"
    assert not en.match(shown)  # the English pattern does not match the Chinese text
    # a wrapped SVG text loses the space at its line break
    forget = text_pattern("cell.m_forget", "en")
    full = tr("cell.m_forget", "en", pct="47%", c_prev="0.500", kept="0.237")
    assert forget.match(full) and forget.match(full.replace("memory, ", "memory,"))


def test_text_pattern_for_locators_and_javascript():
    plain = text_pattern("compare.verdict_pass", "en", named=False, n="15")
    assert "(?P" not in plain.pattern and plain.search(
        tr("compare.verdict_pass", "en", n=15, dtype="float64", version="2.1")
    )
    assert not plain.search(tr("compare.verdict_pass", "en", n=27, dtype="x", version="y"))
    src = js_regex(text_pattern("cell.status", "en", t=r"\d+"))
    assert "(?<t>" in src and "(?P" not in src
    with pytest.raises(AssertionError, match="no text"):
        text_pattern("cell.no_such_text")


def test_text_prefix_is_the_text_before_its_first_value():
    assert text_prefix("train.stopped", "en") == tr("train.stopped", "en").split("{")[0]
    assert tr("train.stopped", "en", step=3, total=9).startswith(text_prefix("train.stopped"))
    with pytest.raises(AssertionError, match="no text"):
        text_prefix("train.no_such_text")
    assert re.match(re.escape(text_prefix("train.stopped", "zh")), tr("train.stopped", "zh"))


def test_a_console_flaw_is_an_error_or_warning_that_is_not_expected():
    from types import SimpleNamespace

    def said(kind: str, text: str, url: str = "http://127.0.0.1:1/static/js/x.js"):
        return SimpleNamespace(type=kind, text=text, location={"url": url})

    assert console_flaw(said("trace", "WARN: Invalid color specifier: number -0.26. Defaulting"))
    assert console_flaw(said("error", "Failed to load resource: 404", "http://h:1/_stcore/x"))
    assert not console_flaw(said("log", "anything"))  # not an error or warning
    assert not console_flaw(said("error", "404", "http://127.0.0.1:1/step/_stcore/host-config"))
    assert not console_flaw(said("trace", "WARN: API call to Plotly.animate rejected. undefined"))
