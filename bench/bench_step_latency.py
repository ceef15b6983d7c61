"""Stepping latency of the cell page in a real browser: a click on "next ▶" to the redrawn equation.

Starts `streamlit run app.py` on a free loopback port, opens the cell page (url path `step`) in the
system Chromium on the default settings, then steps N times. Each step is timed inside the page:
`performance.now()` at the click (or the → key), a MutationObserver on the figure for the moment
the equation text (status, equation and numbers annotations) changes, then one animation frame for
the paint. The same steps are also timed from Playwright (click → `wait_for_function` on the new
text), which adds the driver's round trips. As a reference measured in the same run, the same
click on a minimal Plotly figure (one text trace, same frame-list button, no Streamlit): Plotly's
own floor on this machine at this moment (the machine is shared, so compare the two rather than
absolute times).
Prints median and p95 of each.

    .venv/bin/python bench/bench_step_latency.py [--steps 30] [--url-query "H=8&T=20"] [--write]

With `--write` the result goes into its own section of docs/BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

from harness import IDLE, ROOT, launch_chromium, start_server, write_section

sys.path.insert(0, str(ROOT))  # viz, when run as a script
# The panel of the cell figure (its last trace): status, prompt, equation, numbers, meaning.
EQ_TEXT_JS = """
() => [...document.querySelectorAll(".js-plotly-plot .scatterlayer .trace:last-child text")]
    .map(t => t.textContent).join(" | ")
"""
# Resolve with the ms from firing a step until the equation text changed and the next frame was
# painted. __FIRE__ fires it: a click on the button labelled `arg`, or the key `arg` pressed.
TIMED_JS = """
async (arg) => {
    const gd = document.querySelector(".js-plotly-plot");
    const text = __TEXT__;
    const before = text();
    const fire = __FIRE__;
    return await new Promise(resolve => {
        let t0 = 0;
        const done = () => requestAnimationFrame(() => resolve(performance.now() - t0));
        const obs = new MutationObserver(() => {
            if (text() !== before) { obs.disconnect(); done(); }
        });
        obs.observe(gd, {subtree: true, childList: true, characterData: true});
        t0 = performance.now();
        fire();
    });
}
""".replace("__TEXT__", EQ_TEXT_JS.strip())
STEP_JS = TIMED_JS.replace(
    "__FIRE__",
    """() => [...gd.querySelectorAll("g.updatemenu-button")]
        .find(b => b.textContent.trim() === arg)
        .dispatchEvent(new MouseEvent("click", {bubbles: true}))""",
)
# ui/stepper.js presses the figure's "next ▶" button for the → key
KEY_JS = TIMED_JS.replace(
    "__FIRE__",
    '() => document.body.dispatchEvent(new KeyboardEvent("keydown", {key: arg, bubbles: true}))',
)


def p95(xs: list[float]) -> float:
    return statistics.quantiles(xs, n=20)[-1] if len(xs) > 1 else xs[0]


def measure(base: str, steps: int, query: str, label: str = "next ▶") -> dict[str, list[float]]:
    """Open the cell page and step `steps` times; ms per step, in-page and from Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.goto(base)  # a fresh server's first request must not be a deep link (a toast)
        page.wait_for_selector(IDLE, timeout=60_000)
        page.goto(f"{base}/step" + (f"?{query}" if query else ""))
        page.wait_for_selector(IDLE, timeout=60_000)
        page.wait_for_selector(".js-plotly-plot g.updatemenu-button", timeout=60_000)
        page.wait_for_timeout(500)
        in_page, driver, key = [], [], []
        for _ in range(3):  # warm-up: the first redraws compile fonts and paths
            page.evaluate(STEP_JS, label)
        for n in range(steps):
            if n % 3 == 0:
                in_page.append(page.evaluate(STEP_JS, label))
            elif n % 3 == 1:
                key.append(page.evaluate(KEY_JS, "ArrowRight"))
            else:
                before = page.evaluate(EQ_TEXT_JS)
                t0 = time.perf_counter()
                page.locator("g.updatemenu-button", has_text=label).click()
                page.wait_for_function(
                    f"(before) => ({EQ_TEXT_JS.strip()})() !== before", arg=before, polling="raf"
                )
                driver.append(1000 * (time.perf_counter() - t0))
        if page.locator("[data-testid='stException']").count():
            raise RuntimeError("the page shows an exception")
        browser.close()
    return {"in_page": in_page, "key": key, "driver": driver}


def baseline_html() -> str:
    """A minimal figure stepped exactly like the cell figure: texts change, no redraw."""
    import plotly.graph_objects as go

    from viz.cell_diagram import STEP_ARGS, chain_list

    names = [f"f{k}" for k in range(60)]
    succ = {n: (names[k + 1] if k + 1 < len(names) else None) for k, n in enumerate(names)}
    frames = [
        go.Frame(name=n, data=[go.Scatter(text=[f"step {k}", f"= {k / 7:.3f}"])], traces=[0])
        for k, n in enumerate(names)
    ]
    fig = go.Figure(
        data=[go.Scatter(x=[0, 0], y=[1, 0], mode="text", text=["step 0", "= 0.000"])],
        frames=frames,
    )
    next_button = dict(
        label="next ▶", method="animate", args=[chain_list(names, succ, "f0"), STEP_ARGS]
    )
    fig.update_layout(updatemenus=[dict(type="buttons", buttons=[next_button])], height=400)
    return fig.to_html(include_plotlyjs=True, auto_play=False, config={"displayModeBar": False})


def measure_baseline(steps: int) -> list[float]:
    """ms per step of the minimal figure, timed in the page like the cell page."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_content(baseline_html())
        page.wait_for_selector(".js-plotly-plot g.updatemenu-button", timeout=60_000)
        for _ in range(3):
            page.evaluate(STEP_JS, "next ▶")
        out = [page.evaluate(STEP_JS, "next ▶") for _ in range(steps // 3)]
        browser.close()
    return out


SECTION = "## Browser: stepping latency"


def section(res: dict[str, list[float]], command: str, load: tuple[float, float]) -> str:
    """The markdown section for docs/BENCHMARKS.md."""
    rows = {
        "in_page": "cell page, in the page (click → equation text changed → next frame painted)",
        "key": "cell page, the → key, timed the same way (keydown → … → painted)",
        "driver": "cell page, from Playwright (click → `wait_for_function` saw the new text)",
        "plotly_floor": "minimal Plotly figure, same button and timing (Plotly's floor right now)",
    }
    lines = [
        "| what is timed | steps | median ms | p95 ms | min ms |",
        "|---|--:|--:|--:|--:|",
    ]
    for key, label in rows.items():
        xs = res[key]
        lines.append(
            f"| {label} | {len(xs)} | {statistics.median(xs):.0f} | {p95(xs):.0f} | {min(xs):.0f} |"
        )
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return f"""{SECTION}

A step in the cell diagram ("next ▶": one stage, or predict → reveal) on the default settings
(sine input, T = 12, H = 4, all units: 144 frames), in headless Chromium against
`streamlit run app.py`. Target: median ≤ 100 ms from the click to the redrawn diagram with its
equation and numbers. Stepping never reruns the script: the figure's frames change only traces
(the value labels, the equation panel, the veil that dims all but the current stage's box and,
for all units, the bar glyphs: one bar per unit), never the layout, with no full redraw, and the
buttons are frame lists that Plotly's `fromcurrent` turns into exactly one step
(`viz.cell_diagram.chain_list`). The → key presses that same button (`ui/stepper.js`). About
250 ms after stepping pauses, the frame reached is reported to the server, which reruns only a
fragment (the URL and the "open at t" slider follow; the figure is not redrawn).

Command: `{command}` ({when})

Load average (1 min) at the start and the end of the run: {load[0]:.1f} and {load[1]:.1f} on 2
cores (above 2, other jobs shared the CPU and every time here is longer than on an idle machine;
compare with the Plotly floor measured in the same run).

{chr(10).join(lines)}
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=30)
    ap.add_argument("--url-query", default="", help='extra settings, e.g. "H=8&T=20"')
    ap.add_argument("--write", action="store_true", help="write the result into docs/BENCHMARKS.md")
    args = ap.parse_args()
    proc, base = start_server()
    load0 = os.getloadavg()[0]
    try:
        res = measure(base, args.steps, args.url_query)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    res["plotly_floor"] = measure_baseline(args.steps)
    load = (load0, os.getloadavg()[0])
    print(f"load average (1 min) at start / end: {load[0]:.1f} / {load[1]:.1f}")
    for name, xs in res.items():
        print(
            f"{name:12s} n={len(xs):3d}  median {statistics.median(xs):6.1f} ms  "
            f"p95 {p95(xs):6.1f} ms  min {min(xs):6.1f}  max {max(xs):6.1f}"
        )
    if args.write:
        command = "python bench/bench_step_latency.py " + " ".join(sys.argv[1:])
        write_section(section(res, command.strip(), load), SECTION)
        print("written to docs/BENCHMARKS.md")


if __name__ == "__main__":
    main()
