"""Shared fixtures: a Streamlit server and a headless Chromium for the browser tests.

- `streamlit_server` (session): `streamlit run app.py` on a free loopback port; yields the base URL.
- `browser` (session): Playwright's Chromium from /usr/bin/chromium, started once for the suite.
- `page`: a fresh context and page per test (1400 × 1000, 60 s timeouts), closed afterwards;
  the server has already served the landing page once (a deep link is never its first request).
- `open_app`, `open_page`: an AppTest session of app.py (optionally switched to a page).

The browser helpers themselves (server start, Chromium flags, `wait_idle`, `wait_settled`,
`assert_no_exception`) live in tests/browser_helpers.py; `need_torch()` in tests/needs.py. Both are
re-exported here for `from conftest import ...`.

Without Chromium or playwright the browser tests are skipped locally and FAIL when `CI=true`;
likewise the parity tests without torch (`need_torch`).
"""

from __future__ import annotations

import contextlib
import html
import re
from pathlib import Path

import browser_helpers
import pytest
from browser_helpers import (  # noqa: F401  (re-exported for the test files)
    DRAWN,
    IDLE,
    assert_no_exception,
    page_report,
    start_server,
    stop_server,
    wait_idle,
    wait_settled,
)
from needs import in_ci, missing, need_torch  # noqa: F401  (re-exported for the test files)

ROOT = Path(__file__).resolve().parent.parent
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


def html_tables(at):
    """The run's tables of numbers (viz.html_blocks.numbers_html), in page order, read back as
    pandas DataFrames: the cells as shown, a column of numbers as numbers."""
    import pandas as pd

    out = []
    for body in (e.proto.body for e in at.get("html")):
        if 'class="num-table"' not in body:
            continue
        header = [html.unescape(h) for h in re.findall(r"<th(?: [^>]*)?>(.*?)</th>", body)]
        rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>")[1])
        cells = [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", r)] for r in rows]
        frame = pd.DataFrame(cells, columns=header)
        for col in frame.columns:
            with contextlib.suppress(ValueError, TypeError):
                frame[col] = pd.to_numeric(frame[col])
        out.append(frame)
    return out


def code_blocks(at) -> list[str]:
    """The run's code blocks (viz.html_blocks.code_html), in page order, as their plain text."""
    bodies = [e.proto.body for e in at.get("html")]
    return [html.unescape(re.sub(r"<[^>]+>", "", b)) for b in bodies if "code-snippet" in b]


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


def start_browser():
    """(playwright, Chromium) started, or missing(...): skipped locally, a failure under CI."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("browser tests need playwright, and it is not installed")
    chromium = browser_helpers.CHROMIUM
    if not Path(chromium).exists():
        missing(
            f"browser tests need Chromium, and there is none at {chromium} (apt install chromium)"
        )
    pw = sync_playwright().start()
    try:
        return pw, pw.chromium.launch(executable_path=chromium, args=browser_helpers.CHROMIUM_ARGS)
    except Exception as e:  # a broken browser install: same rule as a missing one
        pw.stop()
        missing(f"browser tests need Chromium, and it did not start: {e}")


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session (the system browser, driven by Playwright)."""
    pw, b = start_browser()
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

    It records uncaught JavaScript errors (`p.js_errors`, checked by assert_no_exception), every
    request that leaves the machine (`p.outside`) and every error or warning in the browser's
    console (`p.console`, see browser_helpers.console_flaw): after the test there must be none.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    p = context.new_page()
    p.set_default_timeout(60_000)
    p.js_errors, p.outside = [], []
    p.on("pageerror", lambda e: p.js_errors.append(str(e)[:300]))
    p.on("request", lambda r: None if r.url.startswith(LOCAL) else p.outside.append(r.url))
    p.console = []
    p.on("console", lambda m: p.console.append(m) if browser_helpers.console_flaw(m) else None)
    yield p
    context.close()
    assert not p.outside, f"the app fetched from outside (it must work offline): {p.outside[:5]}"
    assert not p.console, [f"{m.type}: {m.text[:200]}" for m in p.console[:5]]


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
