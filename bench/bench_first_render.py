"""Each page's first render, a page switch to it and a sidebar change on it, in a real browser,
against a bare two-page Streamlit app; and the Compare page's first visit on a server up 20 s.

One server runs the app and a second one `bench/bare_page.py` (two pages, a title and a line of
text each, one number input in the sidebar), both started by this script on loopback. Each round:
- first render: each page opened in a fresh browser context (a new session; the server is warm),
  timed from `page.goto` until the script is idle and every Plotly chart on the page is drawn;
- page switch: in one session, a click on each page's sidebar link in turn, timed from the click
  until the new page's script has run and is idle with every chart drawn; with the browser's own
  CPU time for it (the renderer process, Chromium's `Performance.getMetrics` ProcessTime), which
  a busy machine hardly moves;
- a sidebar change that rebuilds the run and its figures: on each page, a new seed typed into the
  sidebar (Enter), timed the same way (the bare app: its sidebar number input);
- the lesson opened from the landing page after 3 s of reading there, in a new session: the
  session's first chart page, whose Plotly code the landing page loads while idle.
Then, twice (warm-up on, and off with LSTM_EXPLAINER_WARM_TORCH=0): a fresh server; the first
visitor opens the landing page at once; when the server has been up 20 s, a new session opens the
Compare page, timed until its verdict and charts are drawn.
Prints medians, worsts and ratios to the bare app measured in the same run; `--write` puts the
tables into docs/BENCHMARKS.md.

    .venv/bin/python bench/bench_first_render.py [--rounds 3] [--write]
    .venv/bin/python bench/bench_first_render.py --first "" torch --rounds 7   # just these pages
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from harness import IDLE, ROOT, launch_chromium, start_server, stop_server, write_section

sys.path.insert(0, str(ROOT))
from app_logic import pages as app_pages  # noqa: E402
from app_logic import warmup  # noqa: E402
from app_logic.i18n import tr  # noqa: E402

PAGES = {"": tr("common.nav_home", "en")} | {  # url path → the page's name in the sidebar
    url: tr(key, "en") for _file, url, key, _icon in app_pages.PAGES
}
BARE = {"": "Bare one", "two": "Bare two"}  # the bare app's pages switched between
BARE_CHART = "chart"  # its page with one small Plotly chart (first render only)
SEED = "Seed"  # the sidebar's seed input, in both apps (common.seed in English)
UP_FOR_S = 20.0  # the Compare page's first visit, on a server up this long
# Idle, no element still a loading placeholder (Streamlit draws a grey skeleton while an
# element's code, e.g. Plotly's, is being fetched: the chart's slot only appears after it), and
# every Plotly chart that Streamlit placed on the page has been drawn by Plotly.
DRAWN_JS = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    const slots = document.querySelectorAll("[data-testid='stPlotlyChart']").length;
    const drawn = [...document.querySelectorAll(".js-plotly-plot")].filter(g => g._fullLayout);
    const loading = document.querySelector("[data-testid='stSkeleton']") !== null;
    return !loading && drawn.length >= slots && document.querySelector("h1") !== null;
}"""
# After an action: the page's URL shows the rerun's result (a page switch: the new path; a new
# seed: seed=N, which both apps write into the URL), the title is the new page's, and then the
# page is drawn (DRAWN_JS). Not a watch on the script state: a fast run (the bare app's) flips it
# to running and back within one React render, and the DOM never shows the change.
RERUN_JS = """([path, query, title]) => {
    const url = new URL(location.href);
    const h1 = document.querySelector("h1");
    return url.pathname === path && (!query || url.search.includes(query))
        && h1 !== null && (title === null || h1.textContent !== title);
}"""
SECTION = "## Browser: first render of each page and page switch"
WAIT_MS = 180_000


def new_page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    return context, context.new_page()


def wait_first_drawn(page) -> None:
    page.wait_for_selector("h1", timeout=WAIT_MS)
    page.wait_for_selector(IDLE, timeout=WAIT_MS)
    page.wait_for_function(DRAWN_JS, timeout=WAIT_MS)


def wait_rerun_drawn(page, path: str, query: str = "", old_title: str | None = None) -> None:
    """After an action: the URL is at `path` and holds `query`, the title is no longer
    `old_title` (None: not checked), the script is idle and every chart is drawn."""
    args = ["/" + path, query, old_title]
    page.wait_for_function(RERUN_JS, arg=args, timeout=WAIT_MS, polling=10)
    page.wait_for_function(DRAWN_JS, timeout=WAIT_MS, polling=10)


def log(*what) -> None:
    """Progress on stderr: each measurement as it is taken (a hang shows where it is)."""
    print(*what, file=sys.stderr, flush=True)


def check(page, what: str) -> None:
    if page.locator("[data-testid='stException']").count():
        raise RuntimeError(f"an exception on {what}")


def first_render(browser, url: str, ready: str | None = None) -> float:
    """Seconds from navigation to a fully drawn page (and `ready` visible), in a new session."""
    context, page = new_page(browser)
    try:
        t0 = time.perf_counter()
        page.goto(url)
        if ready:
            page.wait_for_selector(ready, state="visible", timeout=WAIT_MS)
        wait_first_drawn(page)
        elapsed = time.perf_counter() - t0
        check(page, url)
        log(f"first render {url}: {elapsed * 1e3:,.0f} ms")
        return elapsed
    finally:
        context.close()


def renderer_cpu(cdp) -> float:
    metrics = cdp.send("Performance.getMetrics")["metrics"]
    return next(m["value"] for m in metrics if m["name"] == "ProcessTime")


def switches(browser, base: str, pages: dict[str, str]) -> dict[str, list[tuple[float, float]]]:
    """Per page: (seconds, renderer CPU seconds) of one sidebar click to it, all in one session."""
    context, page = new_page(browser)
    cdp = context.new_cdp_session(page)
    cdp.send("Performance.enable")
    out: dict[str, list[tuple[float, float]]] = {}
    try:
        page.goto(base)
        wait_first_drawn(page)
        for path in [*list(pages)[1:], next(iter(pages))]:
            title = page.locator("h1").first.text_content()
            c0, t0 = renderer_cpu(cdp), time.perf_counter()
            page.get_by_role("link", name=pages[path], exact=True).click()
            wait_rerun_drawn(page, path, old_title=title)
            out[path] = [(time.perf_counter() - t0, renderer_cpu(cdp) - c0)]
            check(page, f"switch to /{path}")
            log(f"switch to {base}/{path}: {out[path][0][0] * 1e3:,.0f} ms")
        return out
    finally:
        context.close()


def sidebar_changes(
    browser, base: str, pages: dict[str, str], seeds: list[int]
) -> dict[str, list[float]]:
    """Per page: seconds of each new seed typed into the sidebar (Enter) until redrawn."""
    context, page = new_page(browser)
    out: dict[str, list[float]] = {}
    try:
        for path in pages:
            page.goto(f"{base}/{path}")
            wait_first_drawn(page)
            box = page.locator(f"[data-testid='stSidebar'] input[aria-label='{SEED}']")
            out[path] = []
            for seed in seeds:
                box.fill(str(seed))
                t0 = time.perf_counter()
                box.press("Enter")
                wait_rerun_drawn(page, path, query=f"seed={seed}")
                out[path].append(time.perf_counter() - t0)
                check(page, f"seed {seed} on /{path}")
                log(f"seed {seed} on {base}/{path}: {out[path][-1] * 1e3:,.0f} ms")
        return out
    finally:
        context.close()


READ_S = 3.0  # a reader's time on the landing page before opening the lesson


def lesson_after_reading(browser, base: str) -> float:
    """Seconds of the switch to the lesson (the landing page's call to action) in a new session,
    after READ_S on the landing page: the session's first chart page, whose Plotly code the
    landing page loads while idle (ui/plotly_warmup.js)."""
    context, page = new_page(browser)
    try:
        page.goto(base)
        wait_first_drawn(page)
        page.wait_for_timeout(READ_S * 1e3)  # the scenario is a reader: nothing to wait on
        title = page.locator("h1").first.text_content()
        t0 = time.perf_counter()
        page.get_by_role("link", name=PAGES["lesson"], exact=True).click()
        wait_rerun_drawn(page, "lesson", old_title=title)
        elapsed = time.perf_counter() - t0
        check(page, "the lesson after the landing page")
        log(f"lesson after {READ_S:.0f} s on the landing page: {elapsed * 1e3:,.0f} ms")
        return elapsed
    finally:
        context.close()


def compare_after_up(pw, warm: bool) -> tuple[float, float]:
    """A fresh server (warm-up on or off): the landing page's first visit at once, then, when
    the server has been up UP_FOR_S, the Compare page's first visit (a new session)."""
    old = os.environ.get(warmup.ENV)
    os.environ[warmup.ENV] = "1" if warm else "0"
    try:
        t_start = time.monotonic()
        server, base = start_server()
    finally:
        if old is None:
            os.environ.pop(warmup.ENV)
        else:
            os.environ[warmup.ENV] = old
    browser = launch_chromium(pw)
    try:
        landing = first_render(browser, base)
        # The scenario is "a server up 20 s": nothing to wait on but the clock.
        time.sleep(max(0.0, UP_FOR_S - (time.monotonic() - t_start)))
        compare = first_render(browser, f"{base}/torch", ready="text=PASS: all")
        return landing, compare
    finally:
        browser.close()
        stop_server(server)


def med(v) -> float:
    return statistics.median(v)


def first_only(paths: list[str], rounds: int) -> None:
    """Only the first render of these pages (url paths, "" for the landing page), `rounds` fresh
    sessions each on one warm server: a quick before/after of a change to one page."""
    from playwright.sync_api import sync_playwright

    app, base = start_server()
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            for path in paths:  # the page's first run on the server
                first_render(browser, f"{base}/{path}")
            for path in paths:
                ms = [first_render(browser, f"{base}/{path}") * 1e3 for _ in range(rounds)]
                print(f"/{path}: median {med(ms):,.0f} ms of {[round(v) for v in ms]}")
            browser.close()
    finally:
        stop_server(app)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--write", action="store_true", help="write the tables into docs/BENCHMARKS.md")
    ap.add_argument(
        "--first", nargs="+", metavar="PATH",
        help="only time these pages' first render ('' for the landing page), --rounds times each",
    )  # fmt: skip
    args = ap.parse_args()
    if args.first:
        first_only(args.first, args.rounds)
        return
    from playwright.sync_api import sync_playwright

    load_start = os.getloadavg()
    app, base = start_server()
    bare, bare_base = start_server(script="bench/bare_page.py")
    first = {p: [] for p in PAGES} | {"bare": [], BARE_CHART: []}
    switch: dict[str, list] = {p: [] for p in PAGES}
    bare_switch: list = []
    change: dict[str, list[float]] = {p: [] for p in PAGES}
    bare_change: list[float] = []
    reading: list[float] = []
    cold: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            for path in PAGES:  # warm the server: every page's first run (and torch) once
                first_render(browser, f"{base}/{path}")
            first_render(browser, bare_base)
            for r in range(args.rounds):
                first["bare"].append(first_render(browser, bare_base))
                first[BARE_CHART].append(first_render(browser, f"{bare_base}/{BARE_CHART}"))
                for path in PAGES:
                    first[path].append(first_render(browser, f"{base}/{path}"))
                for path, v in switches(browser, base, PAGES).items():
                    switch[path] += v
                for v in switches(browser, bare_base, BARE).values():
                    bare_switch += v
                seeds = [100 * (r + 1) + n for n in range(2)]  # new seeds: new runs and figures
                for path, v in sidebar_changes(browser, base, PAGES, seeds).items():
                    change[path] += v
                bare_change += sidebar_changes(browser, bare_base, {"": BARE[""]}, seeds)[""]
                reading.append(lesson_after_reading(browser, base))
                print(f"round {r + 1}/{args.rounds} done", flush=True)
            browser.close()
        stop_server(app)
        stop_server(bare)
        with sync_playwright() as pw:
            for r in range(args.rounds):
                for warm in (True, False):
                    cold[warm].append(compare_after_up(pw, warm))
                print(f"fresh-server round {r + 1}/{args.rounds} done", flush=True)
    finally:
        stop_server(app)
        stop_server(bare)
    load_end = os.getloadavg()

    bare_first = med(first["bare"]) * 1e3
    bare_sw = med(t for t, _ in bare_switch) * 1e3
    bare_sw_cpu = med(c for _, c in bare_switch) * 1e3
    bare_ch = med(bare_change) * 1e3
    rows = [
        "| page | url | first render ms | × bare | page switch ms | × bare | switch: browser "
        "CPU ms | × bare | sidebar change ms, median / worst | × bare (median) |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|",
        f"| bare two-page app | — | {bare_first:,.0f} | 1.00× | {bare_sw:,.0f} | 1.00× | "
        f"{bare_sw_cpu:,.0f} | 1.00× | {bare_ch:,.0f} / {max(bare_change) * 1e3:,.0f} | 1.00× |",
    ]
    chart_first = med(first[BARE_CHART]) * 1e3
    rows.append(
        f"| bare page with one small Plotly chart | — | {chart_first:,.0f} | "
        f"{chart_first / bare_first:.2f}× | | | | | | |"
    )
    ratios = {"first": [], "switch": [], "change": []}
    for path, name in PAGES.items():
        f = med(first[path]) * 1e3
        s = med(t for t, _ in switch[path]) * 1e3
        c = med(c for _, c in switch[path]) * 1e3
        ch = med(change[path]) * 1e3
        ratios["first"].append(f / bare_first)
        ratios["switch"].append(s / bare_sw)
        ratios["change"].append(ch / bare_ch)
        rows.append(
            f"| {name} | `/{path}` | {f:,.0f} | {f / bare_first:.2f}× | {s:,.0f} | "
            f"{s / bare_sw:.2f}× | {c:,.0f} | {c / bare_sw_cpu:.2f}× | {ch:,.0f} / "
            f"{max(change[path]) * 1e3:,.0f} | {ch / bare_ch:.2f}× |"
        )
    rows.append(
        f"| **median over the pages** | | | **{med(ratios['first']):.2f}×** | | "
        f"**{med(ratios['switch']):.2f}×** | | | | **{med(ratios['change']):.2f}×** |"
    )
    rows.append(
        f"| **worst page** | | | **{max(ratios['first']):.2f}×** | | "
        f"**{max(ratios['switch']):.2f}×** | | | | **{max(ratios['change']):.2f}×** |"
    )
    cold_rows = [
        "| fresh server | landing, first visit ms | Compare, first visit at 20 s ms | × landing |",
        "|---|--:|--:|--:|",
    ]
    for warm in (True, False):
        land = med(a for a, _ in cold[warm]) * 1e3
        comp = med(b for _, b in cold[warm]) * 1e3
        label = "torch warm-up on (default)" if warm else f"warm-up off (`{warmup.ENV}=0`)"
        cold_rows.append(f"| {label} | {land:,.0f} | {comp:,.0f} | {comp / land:.2f}× |")
    text = (
        f"{SECTION}\n\n"
        "Each visit in Debian's Chromium (headless, Playwright), timed until the script is\n"
        "idle and every Plotly chart on the page is drawn; the bare app (`bench/bare_page.py`:\n"
        "two pages, a title and a line of text each, one number input in the sidebar) runs on\n"
        "its own server in the same run; its third page, one small Plotly chart, is the floor of\n"
        "any page with a chart in a fresh browser (Streamlit's Plotly bundle, ≈ 4.7 MB, fetched\n"
        "and evaluated). First render: `page.goto` in a fresh browser context\n"
        "(a new session) on a warm server. Page switch: a click on the page's sidebar link, in\n"
        "one session; its browser CPU is the renderer process's CPU time for it (Chromium's\n"
        "`Performance.getMetrics`, steady under load). Sidebar change: a new seed typed into the\n"
        "sidebar and Enter, which builds a new run and its figures on the pages that show it.\n"
        "Medians over the rounds.\n\n"
        f"Command: `.venv/bin/python bench/bench_first_render.py --rounds {args.rounds} --write` "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average (1, 5, 15 min) "
        f"{load_start[0]:.1f}, {load_start[1]:.1f}, {load_start[2]:.1f} at the start → "
        f"{load_end[0]:.1f}, {load_end[1]:.1f}, {load_end[2]:.1f} at the end; 2 cores)\n\n"
        + "\n".join(rows)
        + f"\n\nThe lesson opened from the landing page after {READ_S:.0f} s of reading there "
        "(a new session; the session's first chart page, whose Plotly code the landing page loads "
        f"while idle): median {med(reading) * 1e3:,.0f} ms, against a page switch to it straight "
        f"after the landing page drew (table: {med(t for t, _ in switch['lesson']) * 1e3:,.0f} ms)."
        + "\n\nThe Compare page's first visit: a fresh server each round; the first visitor opens "
        "the landing page at once (which starts torch's background warm-up, `app_logic/warmup.py`"
        f"); when the server has been up {UP_FOR_S:.0f} s, a new session opens the Compare page, "
        "timed until its verdict and charts are drawn. Median over the rounds.\n\n"
        + "\n".join(cold_rows)
        + "\n"
    )
    print(text)
    if args.write:
        write_section(text, SECTION)


if __name__ == "__main__":
    main()
