"""First visit of the Compare page (it imports torch) against the landing page, in a real browser.

Each round starts a fresh `streamlit run app.py` (so torch is not yet imported in the server) and,
in a fresh browser context each time, times from `page.goto` to:
  1. landing, first visit: the landing page's script has finished (h1 shown, script idle);
  2. compare, first visit: the Compare page's verdict "PASS: ..." is visible (pays `import torch`,
     the first torch runs and the page's cached comparison);
  3. compare, again: a new session on the same server (torch imported, comparison cached);
  4. landing, again: a new session on the landing page.
Prints the median of each over the rounds and the ratios to the landing page's first visit, then
where a first visit's server time goes: `import torch`, the first comparison (torch's own warm-up)
and a warm one, each in a fresh Python process (median over the rounds).

    .venv/bin/python bench/bench_compare_first_visit.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time

from harness import IDLE, ROOT, launch_chromium, start_server

VERDICT = "text=PASS: all"


def timed_visit(browser, url: str, ready: str) -> float:
    """Seconds from navigation to `ready` visible, in a fresh context (a new session)."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        t0 = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(ready, state="visible", timeout=120_000)
        if ready != IDLE:
            elapsed = time.perf_counter() - t0
            page.wait_for_selector(IDLE, timeout=120_000)
            if page.locator("[data-testid='stException']").count():
                raise RuntimeError(f"an exception on {url}")
            return elapsed
        page.wait_for_selector("h1", timeout=120_000)
        return time.perf_counter() - t0
    finally:
        context.close()


BREAKDOWN = """
import time
t0 = time.perf_counter()
import torch
t1 = time.perf_counter()
from app_logic import compare_logic as cl
cl.run_comparison(cl.CompareConfig())
t2 = time.perf_counter()
cl.run_comparison(cl.CompareConfig(seed=1))
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def server_breakdown() -> tuple[float, float, float]:
    """(import torch, first comparison, warm comparison) in seconds, in a fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", BREAKDOWN], cwd=ROOT, capture_output=True, text=True, check=True
    )
    a, b, c = (float(v) for v in out.stdout.split())
    return a, b, c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    names = ("landing, first visit", "compare, first visit", "compare, again", "landing, again")
    times: dict[str, list[float]] = {n: [] for n in names}
    with sync_playwright() as pw:
        browser = launch_chromium(pw)
        for r in range(args.rounds):
            proc, base = start_server()
            try:
                times[names[0]].append(timed_visit(browser, base + "/", IDLE))
                times[names[1]].append(timed_visit(browser, base + "/torch", VERDICT))
                times[names[2]].append(timed_visit(browser, base + "/torch", VERDICT))
                times[names[3]].append(timed_visit(browser, base + "/", IDLE))
            finally:
                proc.terminate()
                proc.wait(timeout=20)
            print(f"round {r + 1}: " + ", ".join(f"{n} {times[n][-1]:.2f} s" for n in names))
        browser.close()
    base_t = statistics.median(times[names[0]])
    print(
        f"\nmedians over {args.rounds} rounds (fresh server each round, fresh session each visit):"
    )
    for n in names:
        m = statistics.median(times[n])
        print(f"  {n:22s} {m:6.2f} s   ({m / base_t:.2f} × landing's first visit)")
    parts = [server_breakdown() for _ in range(args.rounds)]
    print("\nserver side, fresh process each (median):")
    for j, n in enumerate(("import torch", "first comparison", "warm comparison")):
        print(f"  {n:22s} {statistics.median(p[j] for p in parts):6.2f} s")
    print(f"\nload average during the run: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
