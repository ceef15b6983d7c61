"""Shared fixtures: a Streamlit server and a headless Chromium for the browser tests.

- `streamlit_server` (session): `streamlit run app.py` on a free loopback port; yields the base URL.
- `browser` (session): Playwright's Chromium from /usr/bin/chromium, started once for the suite.
- `page`: a fresh context and page per test (1400 × 1000, 60 s timeouts), closed afterwards;
  the server has already served the landing page once (a deep link is never its first request).
- `wait_idle(page)`: wait until the script has finished running; `assert_no_exception(page)`.
  Import them with `from conftest import wait_idle, assert_no_exception`, or use the fixtures of
  the same names.

Without Chromium or playwright the browser tests are skipped locally and FAIL when `CI=true`.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
from harness import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server  # noqa: E402

IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
DRAWN = "[data-testid='stMainBlockContainer'] [data-testid='stElementContainer']"
SERVER_START_TIMEOUT = 60.0


APP = str(ROOT / "app.py")


def open_app(page: str | None = None, query: dict | None = None, timeout: float = 60, state=None):
    """An AppTest session opened from a URL with `query`, session-state values `state` set, then
    switched to `page` (e.g. "pages/cell.py")."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=timeout)
    at.query_params.update(query or {})
    at.run()
    for key, value in (state or {}).items():
        at.session_state[key] = value
    if page:
        at.switch_page(page).run()
    return at


def open_page(page: str, query: dict | None = None, state=None):
    """open_app(page, query), asserting the page raised no exception."""
    at = open_app(page, query, state=state)
    assert not at.exception, at.exception
    return at


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def _missing(reason: str):
    """Skip locally; in CI a missing browser is a failure, never a silent skip."""
    if in_ci():
        pytest.fail(f"browser tests must run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@contextlib.contextmanager
def running_server(log_path: Path):
    """`streamlit run app.py` on a free loopback port, logging to log_path; yields the base URL."""
    try:
        proc, base = start_server(log_path=log_path, timeout_s=SERVER_START_TIMEOUT)
    except RuntimeError as e:
        pytest.fail(str(e))
    try:
        yield base
    finally:
        stop_server(proc)


@pytest.fixture(scope="session")
def streamlit_server(tmp_path_factory):
    """Base URL of `streamlit run app.py` on loopback; stopped at the end of the session."""
    with running_server(tmp_path_factory.mktemp("streamlit") / "server.log") as base:
        yield base


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (the system browser, driven by Playwright)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("playwright is not installed")
    if not Path(CHROMIUM).exists():
        _missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)")
    pw = sync_playwright().start()
    try:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    except Exception as e:  # a broken browser install: same rule as a missing one
        pw.stop()
        _missing(f"Chromium did not start: {e}")
    yield b
    b.close()
    pw.stop()


@pytest.fixture(scope="session")
def _warm_server(browser, streamlit_server):
    """Open the landing page once: a fresh server's very first request, if it is a deep link,
    shows a cosmetic "Page not found" dialog (TOOLING.md) that would hide the page from tests."""
    context = browser.new_context()
    p = context.new_page()
    p.goto(streamlit_server, timeout=60_000)
    p.wait_for_selector("h1", timeout=60_000)  # app.py ran (and called st.navigation) once
    wait_idle(p, timeout=60_000)
    context.close()


LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")


@pytest.fixture
def page(browser, _warm_server):
    """A fresh browser context and page (nothing shared between tests), 1400 × 1000.

    It records uncaught JavaScript errors (`p.js_errors`, checked by assert_no_exception) and
    every request that leaves the machine (`p.outside`): after the test there must be none.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    p = context.new_page()
    p.set_default_timeout(60_000)
    p.js_errors, p.outside = [], []
    p.on("pageerror", lambda e: p.js_errors.append(str(e)[:300]))
    p.on("request", lambda r: None if r.url.startswith(LOCAL) else p.outside.append(r.url))
    yield p
    context.close()
    assert not p.outside, f"the app fetched from outside (it must work offline): {p.outside[:5]}"


def wait_idle(page, timeout: float = 60_000, settle_ms: int = 150) -> None:
    """Wait until Streamlit's script has run and stopped (after a load or an interaction).

    First something drawn in the main area (before the first run, the idle flag is already set),
    then a short settle, so a rerun triggered just before has time to start, then idle twice.
    """
    page.wait_for_selector(DRAWN, timeout=timeout)
    page.wait_for_timeout(settle_ms)
    page.wait_for_selector(IDLE, timeout=timeout)
    page.wait_for_timeout(settle_ms)
    page.wait_for_selector(IDLE, timeout=timeout)


def assert_no_exception(page) -> None:
    """No Streamlit exception box anywhere on the page, and no uncaught JavaScript error."""
    n = page.locator("[data-testid='stException']").count()
    if n:
        text = page.locator("[data-testid='stException']").first.inner_text()[:2000]
        raise AssertionError(f"{n} exception(s) on {page.url}:\n{text}")
    errors = getattr(page, "js_errors", [])
    assert not errors, f"uncaught JavaScript error(s) on {page.url}: {errors[:3]}"


def page_report(page) -> str:
    """What a browser test's page held: URL, script state, JS errors, the main area's text."""
    try:
        state = page.locator("[data-testid='stApp']").get_attribute("data-test-script-state")
        text = page.locator("[data-testid='stMain']").inner_text(timeout=5_000)
    except Exception as e:  # the page itself may be what broke
        return f"{page.url}: could not read the page ({e})"
    errors = getattr(page, "js_errors", [])
    return f"{page.url} · script {state} · JS errors {errors[:3]}\n{text[:4000]}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed browser test's report carries what its page showed (CI logs are all we get)."""
    report = yield
    page = item.funcargs.get("page") if hasattr(item, "funcargs") else None
    if report.when == "call" and report.failed and page is not None:
        report.sections.append(("page at failure", page_report(page)))
    return report


@pytest.fixture(name="wait_idle")
def _wait_idle_fixture():
    return wait_idle


@pytest.fixture(name="assert_no_exception")
def _assert_no_exception_fixture():
    return assert_no_exception
