"""Where one script run of each page spends its time, measured in CPU time (steady under load).

Runs the app in Streamlit's AppTest, in this process: the landing page, then each page through
`switch_page` (its first visit in the process: imports, cold caches), then `--warm` more runs of
that page with nothing changed (what a page switch back, or a widget change that does not touch
the page's inputs, costs). Then, per page, `--rebuild` runs after a sidebar change that rebuilds
the run and its figures (a seed not used before, so every run is a new model).
Each run is timed with the script thread's own CPU clock (`time.thread_time`), so other work on
the machine hardly moves it, and its output is weighed: the bytes of every message the run sends
to the browser, and of the Plotly figures' JSON among them.

    .venv/bin/python bench/profile_pages.py [--warm 5] [--rebuild 3] [--top 25] [--page step]

With `--top N` it also prints a cProfile of one warm run of each page (N functions by cumulative
time), which is where to look for what runs on every rerun that need not.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.chdir(ROOT)
os.environ.setdefault("LSTM_EXPLAINER_WARM_TORCH", "0")  # the pages' own cost, not torch's import

from streamlit.runtime.scriptrunner.script_cache import ScriptCache  # noqa: E402
from streamlit.testing.v1 import AppTest, local_script_runner  # noqa: E402
from streamlit.testing.v1.local_script_runner import LocalScriptRunner  # noqa: E402

from app_logic.pages import PAGES  # noqa: E402

_state = threading.local()
RECORD: dict = {"cpu": 0.0, "profile": None}


def _patched(orig):
    def run_thread(self):
        prof = RECORD["profile"]
        c0 = time.thread_time()
        if prof is not None:
            prof.enable()
        try:
            orig(self)
        finally:
            if prof is not None:
                prof.disable()
            RECORD["cpu"] = time.thread_time() - c0
            msgs = self.forward_msgs()
            RECORD["bytes"] = sum(m.ByteSize() for m in msgs)
            figs = 0
            for m in msgs:
                if m.WhichOneof("type") == "delta" and m.delta.WhichOneof("type") == "new_element":
                    el = m.delta.new_element
                    if el.WhichOneof("type") == "plotly_chart":
                        figs += len(el.plotly_chart.spec)
            RECORD["fig_bytes"] = figs

    return run_thread


LocalScriptRunner._run_script_thread = _patched(LocalScriptRunner._run_script_thread)
# AppTest compiles the scripts again on every run (a new ScriptCache per run); a server compiles
# each once. One cache for every run, as on a server, so the numbers are the server's.
_SCRIPT_CACHE = ScriptCache()
local_script_runner.ScriptCache = lambda: _SCRIPT_CACHE


def run(at: AppTest, profile: cProfile.Profile | None = None) -> dict:
    RECORD["profile"] = profile
    at.run()
    RECORD["profile"] = None
    if at.exception:
        raise RuntimeError(at.exception)
    return {"cpu": RECORD["cpu"], "bytes": RECORD["bytes"], "fig_bytes": RECORD["fig_bytes"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--warm", type=int, default=5)
    ap.add_argument("--rebuild", type=int, default=3)
    ap.add_argument("--top", type=int, default=0)
    ap.add_argument("--page", action="append", help="url path(s) to profile (default: all)")
    ap.add_argument("--sort", default="cumulative")
    args = ap.parse_args()

    pages = [("app.py", "")] + [(f, url) for f, url, *_ in PAGES]
    if args.page:
        pages = [(f, u) for f, u in pages if u in args.page]
    bare = AppTest.from_file(str(ROOT / "bench" / "bare_page.py"), default_timeout=60)
    bare_cpu = statistics.median(run(bare)["cpu"] for _ in range(args.warm + 1))
    print(f"bare Streamlit page (bench/bare_page.py), a run: {bare_cpu * 1e3:.1f} ms CPU")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=300)
    c0 = time.process_time()
    first = run(at)
    print(f"process start → landing drawn: {time.process_time() - c0:.2f} s CPU (imports)")
    print(f"landing, first run: {first['cpu'] * 1e3:.0f} ms CPU\n")
    rows = []
    for file, url in pages:
        if file != "app.py":
            at.switch_page(file)
        cold = run(at)
        warm = [run(at) for _ in range(args.warm)]
        prof = None
        if args.top:
            prof = cProfile.Profile()
            run(at, prof)
        rebuild = []
        for n in range(args.rebuild):  # a seed not used before: a new run, new figures
            seed = 1000 * len(rows) + n + 1
            at.number_input(key="w_seed").set_value(seed)
            rebuild.append(run(at))
        at.number_input(key="w_seed").set_value(0)
        run(at)
        rows.append((url, cold, warm, rebuild))
        if prof is not None:
            s = io.StringIO()
            pstats.Stats(prof, stream=s).sort_stats(args.sort).print_stats(args.top)
            print(f"===== /{url}: one warm run =====")
            print("\n".join(s.getvalue().splitlines()[4:]))
    med = statistics.median
    print(
        "| page | first visit ms CPU | warm rerun ms CPU (median) | sidebar change ms CPU "
        "(median / worst) | sent per run KB | of it figure JSON KB |"
    )
    print("|---|--:|--:|--:|--:|--:|")
    for url, cold, warm, rebuild in rows:
        rb = [r["cpu"] * 1e3 for r in rebuild] or [float("nan")]
        print(
            f"| `/{url}` | {cold['cpu'] * 1e3:,.0f} | {med(w['cpu'] for w in warm) * 1e3:,.0f} | "
            f"{med(rb):,.0f} / {max(rb):,.0f} | {warm[-1]['bytes'] / 1e3:,.0f} | "
            f"{warm[-1]['fig_bytes'] / 1e3:,.0f} |"
        )


if __name__ == "__main__":
    main()
