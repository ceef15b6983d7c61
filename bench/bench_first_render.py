"""Each page's first render, and a page switch, in a real browser, against a bare Streamlit page.

One server runs the app and a second one runs `bench/bare_page.py` (a title and a line of text),
both started by this script on loopback. Every round opens each page in a fresh browser context (a
new session; the server is already warm), and times from `page.goto` until the script is idle and
every Plotly chart on the page has been drawn. Then, in one session, it switches between pages by
clicking the sidebar links, timed the same way. Prints medians over the rounds and each page's
ratio to the bare page measured in the same run; `--write` puts the table into docs/BENCHMARKS.md.

    .venv/bin/python bench/bench_first_render.py [--rounds 5] [--write]
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from harness import IDLE, ROOT, launch_chromium, start_server, stop_server

PAGES = {  # url path → the page's name in the sidebar
    "": "What is an LSTM?",
    "step": "Inside one cell",
    "unrolled": "The unrolled network",
    "time": "Gates over time",
    "torch": "Check against PyTorch",
    "training": "Train & watch",
    "why": "From RNN to LSTM",
}
# Idle, and every Plotly chart that Streamlit placed on the page has been drawn by Plotly.
DRAWN_JS = """() => {
    const app = document.querySelector("[data-testid='stApp']");
    if (!app || app.getAttribute("data-test-script-state") !== "notRunning") return false;
    const slots = document.querySelectorAll("[data-testid='stPlotlyChart']").length;
    const drawn = [...document.querySelectorAll(".js-plotly-plot")].filter(g => g._fullLayout);
    return drawn.length >= slots && document.querySelector("h1") !== null;
}"""
SECTION = "## Browser: first render of each page and page switch"


def wait_drawn(page) -> None:
    page.wait_for_timeout(100)  # let a rerun that was just triggered start
    page.wait_for_selector(IDLE, timeout=120_000)
    page.wait_for_function(DRAWN_JS, timeout=120_000)


def first_render(browser, url: str) -> float:
    """Seconds from navigation to a fully drawn page, in a fresh context (a new session)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url)
        wait_drawn(page)
        elapsed = time.perf_counter() - t0
        if page.locator("[data-testid='stException']").count():
            raise RuntimeError(f"an exception on {url}")
        return elapsed
    finally:
        context.close()


def page_switches(browser, base: str) -> list[float]:
    """Seconds per sidebar click from one page to the next (all pages, in one session)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        page.goto(base)
        wait_drawn(page)
        times = []
        for name in [*list(PAGES.values())[1:], next(iter(PAGES.values()))]:
            before = page.locator("h1").first.text_content()
            t0 = time.perf_counter()
            page.get_by_role("link", name=name, exact=True).click()
            page.wait_for_function(  # the new page's title replaced the old one
                "b => (document.querySelector('h1')?.textContent ?? b) !== b", arg=before
            )
            wait_drawn(page)
            times.append(time.perf_counter() - t0)
        return times
    finally:
        context.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--write", action="store_true", help="write the table into docs/BENCHMARKS.md")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    load_start = os.getloadavg()[0]
    app, base = start_server()
    bare, bare_base = start_server(script="bench/bare_page.py")
    times: dict[str, list[float]] = {"bare": [], **{p: [] for p in PAGES}}
    switches: list[float] = []
    try:
        with sync_playwright() as pw:
            browser = launch_chromium(pw)
            first_render(browser, base)  # warm the server: the first run imports the app
            first_render(browser, f"{base}/torch")  # and torch: its cold cost is measured apart
            first_render(browser, bare_base)
            for r in range(args.rounds):
                times["bare"].append(first_render(browser, bare_base))
                for path in PAGES:
                    times[path].append(first_render(browser, f"{base}/{path}"))
                switches += page_switches(browser, base)
                print(f"round {r + 1}/{args.rounds} done", flush=True)
            browser.close()
    finally:
        stop_server(app)
        stop_server(bare)
    load_end = os.getloadavg()[0]

    bare_ms = statistics.median(times["bare"]) * 1e3
    rows = [
        "| page | url | median ms | min ms | ratio to the bare page |",
        "|---|---|--:|--:|--:|",
        f"| bare Streamlit page (title + text) | — | {bare_ms:,.0f} | "
        f"{min(times['bare']) * 1e3:,.0f} | 1.00× |",
    ]
    for path, name in PAGES.items():
        med = statistics.median(times[path]) * 1e3
        rows.append(
            f"| {name} | `/{path}` | {med:,.0f} | {min(times[path]) * 1e3:,.0f} | "
            f"{med / bare_ms:.2f}× |"
        )
    sw = sorted(switches)
    p95 = sw[min(len(sw) - 1, int(0.95 * len(sw)))]
    table = "\n".join(rows)
    text = (
        f"{SECTION}\n\n"
        "First render: from `page.goto` to the script idle with every Plotly chart drawn, in a\n"
        "fresh browser context (a new session) on a warm server; median over rounds. The bare\n"
        "page runs on its own server in the same run. Page switch: a click on a sidebar link to\n"
        "the next page drawn, in one session, over all pages.\n\n"
        f"Command: `.venv/bin/python bench/bench_first_render.py --rounds {args.rounds} --write` "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; 1-minute load average "
        f"{load_start:.1f} → {load_end:.1f}; AMD EPYC, 2 cores)\n\n"
        f"{table}\n\n"
        f"Page switch (sidebar click → next page drawn): median "
        f"{statistics.median(switches) * 1e3:,.0f} ms, p95 {p95 * 1e3:,.0f} ms over "
        f"{len(switches)} switches.\n"
    )
    print(text)
    if args.write:
        doc = ROOT / "docs" / "BENCHMARKS.md"
        old = doc.read_text()
        if SECTION in old:
            start = old.index(SECTION)
            end = old.find("\n## ", start + len(SECTION))
            new = old[:start] + text + (old[end + 1 :] if end != -1 else "")
        else:
            new = old.rstrip("\n") + "\n\n" + text
        doc.write_text(new)


if __name__ == "__main__":
    main()
