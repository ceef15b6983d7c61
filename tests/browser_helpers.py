"""What the browser tests (and the browser benchmarks in bench/) share: a Streamlit server on
loopback, the Chromium to drive, and waits on conditions (never fixed sleeps).

- `start_server()` / `stop_server(proc)`: `streamlit run app.py` on a free 127.0.0.1 port.
- `CHROMIUM`, `CHROMIUM_ARGS`, `launch_chromium(playwright)`: Debian's Chromium, headless.
- `wait_idle(page)`: the script has run and then stayed idle for a moment.
- `wait_settled(page, selector, what=...)`: the texts under a selector stopped changing; FAILS,
  saying what it waited for, when they never do.
- `text_pattern(key, lang, t="[0-9]+")`: a UI text from the text lookup as a regular expression, its
  placeholders as named groups, so tests find labels and texts in any language, never hard-coded.
  `text_prefix(key, lang)`: the text up to its first placeholder, for locators.
- `assert_no_exception(page)`, `page_report(page)`.

The test files import these with `from browser_helpers import ...` (pytest puts tests/ on the
path); bench/harness.py re-exports them. Nothing here imports from bench/.
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"
DRAWN = "[data-testid='stMainBlockContainer'] [data-testid='stElementContainer']"


# ----- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    extra: list[str] | None = None,
    script: str = "app.py",
    log_path: Path | None = None,
    timeout_s: float = 90.0,
) -> tuple[subprocess.Popen, str]:
    """`streamlit run <script>` on 127.0.0.1; the process and its base URL once healthy.

    Output goes to log_path (or nowhere); RuntimeError, with the log's tail, if the server exits
    or does not answer /_stcore/health within timeout_s.
    """
    port = free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *(extra or []),
    ]  # fmt: skip
    with open(log_path or os.devnull, "wb") as log:  # the child keeps its own handle
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, base
        except OSError:
            time.sleep(0.2)  # a process outside the browser: nothing to wait on but the clock
    why = (
        f"exited with {proc.returncode}"
        if proc.poll() is not None
        else f"no answer in {timeout_s} s"
    )
    stop_server(proc)
    tail = log_path.read_text(errors="replace")[-2000:] if log_path else ""
    raise RuntimeError(f"the Streamlit server {why} (/_stcore/health) {tail}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def launch_chromium(playwright):
    """Debian's Chromium, driven by Playwright (no browser download)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


# ----- the browser's console ----------------------------------------------------------------------

# What the console may say without a flaw in the app: Streamlit probing a deep link's base path
# (/<page>/_stcore/host-config and /health answer 404 by design), and Plotly saying that a cell
# figure's step animation was cut short by the next step (ui/stepper.js steps on; by design).
_BASE_PATH_PROBE = re.compile(r"/[^/]+/_stcore/(host-config|health)$")
_INTERRUPTED_STEP = "API call to Plotly.animate rejected"


def console_flaw(message) -> bool:
    """An error or warning in the browser's console (Plotly's warnings are console.trace) that
    is not one of the expected ones above. A figure attribute Plotly.js cannot read, for one,
    logs a warning per point while the figure draws."""
    if message.type not in ("error", "warning", "trace"):
        return False
    if _BASE_PATH_PROBE.search(message.location.get("url", "")):
        return False
    return _INTERRUPTED_STEP not in message.text


# ----- waits ------------------------------------------------------------------------------------

# Records, per document, when Streamlit's script state last changed (a MutationObserver sees every
# change, even a run that starts and ends between two polls); `from` is when the caller started
# waiting. True once the state is idle and has not changed for `quiet` ms since both.
_QUIET_IDLE = """([quiet, from]) => {
    const w = window;
    if (!w.__stStateChanged) {
        w.__stStateChanged = performance.now();
        new MutationObserver(() => { w.__stStateChanged = performance.now(); }).observe(
            document.documentElement,
            {subtree: true, attributes: true, attributeFilter: ['data-test-script-state']});
    }
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    return performance.now() - Math.max(w.__stStateChanged, from) >= quiet;
}"""


def wait_idle(page, timeout: float = 60_000, settle_ms: int = 200) -> None:
    """Wait until Streamlit's script has run and then stayed idle for settle_ms.

    First something drawn in the main area (before the first run the idle flag is already set);
    then the script state must be idle and unchanged for settle_ms, counted from this call, so a
    rerun that an interaction just before has asked for (and not yet started) is waited for too.
    """
    page.wait_for_selector(DRAWN, timeout=timeout)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    start = page.evaluate("() => performance.now()")
    try:
        page.wait_for_function(_QUIET_IDLE, arg=[settle_ms, start], timeout=timeout, polling=50)
    except PlaywrightTimeout:
        state = page.locator("[data-testid='stApp']").get_attribute("data-test-script-state")
        raise AssertionError(
            f"the script never stayed idle for {settle_ms} ms within {timeout / 1000:.0f} s "
            f"(script state now: {state}) on {page.url}"
        ) from None


# The texts under `sel`, joined; true once they have stayed the same for `quiet` ms. The last
# value and when it changed are kept on window under `key` (one entry per wait).
_SETTLED = """([sel, quiet, key]) => {
    const now = performance.now();
    const text = JSON.stringify([...document.querySelectorAll(sel)].map(n => n.textContent));
    const s = (window.__settle ||= {});
    if (!s[key] || s[key].text !== text) s[key] = {text, since: now};
    return now - s[key].since >= quiet && text;
}"""


def wait_settled(
    page, selector: str, what: str, quiet_ms: int = 200, timeout: float = 10_000
) -> list[str]:
    """The texts of the elements under `selector` once they have not changed for quiet_ms.

    Fails, naming `what` and the last texts seen, when they are still changing after timeout ms
    (a Plotly animation that never stops, a stream that never ends).
    """
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    key = f"k{time.monotonic_ns()}"
    try:
        done = page.wait_for_function(
            _SETTLED, arg=[selector, quiet_ms, key], timeout=timeout, polling=50
        )
    except PlaywrightTimeout:
        last = page.eval_on_selector_all(selector, "ns => ns.map(n => n.textContent)")
        raise AssertionError(
            f"{what} never settled: the texts of {selector!r} still changed within every "
            f"{quiet_ms} ms for {timeout / 1000:.1f} s; last seen {last[:4]}"
        ) from None
    return json.loads(done.json_value())


# ----- the texts on the page -------------------------------------------------------------------


def text_pattern(key: str, lang: str = "en", named: bool = True, **groups: str) -> re.Pattern:
    """The text `key` of assets/i18n in `lang` as a regex: each {placeholder} a named group (of
    the regex given in `groups`, or any text); `.match` it against what the page shows, and read
    the values from the groups (e.g. text_pattern("cell.status", t="[0-9]+").match(s)["t"]).
    Spaces match any whitespace or none: wrapped figure texts lose them at the line breaks.
    named=False: plain groups, for Playwright's locators (get_by_text(re), which run in JS)."""
    from app_logic.i18n import catalog, tr  # lazily: bench imports this file before app_logic

    assert key in catalog(), f"no text {key!r} in assets/i18n"
    out, seen = [], set()
    for i, part in enumerate(re.split(r"\{(\w+)\}", tr(key, lang))):
        if i % 2 == 0:  # a space may be a line break, gone from an SVG text's textContent
            out.append(r"\s*".join(re.escape(w) for w in re.split(r"\s+", part)))
        elif not named:
            out.append(f"(?:{groups.get(part, '.*?')})")
        elif part in seen:
            out.append(f"(?P={part})")
        else:
            seen.add(part)
            out.append(f"(?P<{part}>{groups.get(part, '.*?')})")
    return re.compile("".join(out), re.S)


def text_prefix(key: str, lang: str = "en") -> str:
    """The text `key` up to its first {placeholder}: for locators (get_by_text) of a text with
    values in it, e.g. "Stopped at step " of "Stopped at step {step} of {total}. ..."."""
    from app_logic.i18n import catalog, tr

    assert key in catalog(), f"no text {key!r} in assets/i18n"
    prefix = tr(key, lang).split("{")[0]
    assert prefix.strip(), f"{key!r} starts with a placeholder: no prefix to look for"
    return prefix


def js_regex(pattern: re.Pattern) -> str:
    """The source of a text_pattern for JavaScript's RegExp (named groups as (?<name>...))."""
    return re.sub(r"\(\?P=(\w+)\)", r"\\k<\1>", pattern.pattern.replace("(?P<", "(?<"))


# ----- what a page shows ------------------------------------------------------------------------


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
