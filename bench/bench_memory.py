"""Memory of one session at the largest allowed settings, page by page.

For each page, a fresh Python process runs the app with Streamlit's AppTest (the script runs in
that process, as it would in the server): first a session at the default settings (imports,
torch where the page needs it, Streamlit itself), then the peak is reset and a second session
opens the same page at the largest settings the sidebar allows (T=200, D=64, H=64, 3 layers,
bidirectional, projection 63, noise input; the Compare page: its own largest options). Reported:
the process RSS after the default session, the RSS growth from the second session (what one more
student at the largest settings costs: its run, figures and caches) and the peak growth while it
ran (VmHWM after `clear_refs`). Also the tracemalloc peak of the computation alone
(`session.build_run` at the largest settings).

    .venv/bin/python bench/bench_memory.py [--pages cell,network,...]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PAGES = {
    "home": None,
    "cell": "pages/cell.py",
    "network": "pages/network.py",
    "gates": "pages/gates.py",
    "compare": "pages/compare.py",
    "train": "pages/train.py",
    "rnn_vs_lstm": "pages/rnn_vs_lstm.py",
}


def largest_query() -> dict[str, str]:
    """The sidebar's largest settings as URL query parameters (from the app's own limits)."""
    from app_logic import inputs
    from ui import session

    return {
        "input": "noise",
        "T": str(inputs.MAX_T),
        "D": str(inputs.MAX_D),
        "H": str(session.MAX_HIDDEN),
        "layers": str(session.MAX_LAYERS),
        "bi": "1",
        "proj": str(session.MAX_HIDDEN - 1),
        "seed": "7",
    }


# The Compare page's largest options (app_logic.compare_logic.LIMITS), set through its own widgets.
COMPARE_MAX = {
    "cmp_input_size": "input_size",
    "cmp_hidden_size": "hidden_size",
    "cmp_num_layers": "num_layers",
    "cmp_seq_len": "seq_len",
    "cmp_batch": "batch",
}

CHILD = textwrap.dedent(
    """
    import gc, json, re, sys, time
    from streamlit.testing.v1 import AppTest
    app, page, query = sys.argv[1], sys.argv[2] or None, json.loads(sys.argv[3])
    compare_max = json.loads(sys.argv[4])

    def mib(field):
        text = open("/proc/self/status").read()
        return int(re.search(field + r":\\s+(\\d+)", text).group(1)) / 1024

    def session(q):
        at = AppTest.from_file(app, default_timeout=600)
        at.query_params.update(q)
        at.run()
        if page:
            at.switch_page(page).run()
        return at

    first = session({})
    gc.collect()
    base = mib("VmRSS")
    open("/proc/self/clear_refs", "w").write("5")  # peak := now
    t0 = time.perf_counter()
    at = session(query)
    if compare_max:
        from app_logic.compare_logic import LIMITS
        for key, name in compare_max.items():
            at.number_input(key=key).set_value(LIMITS[name][1])
        at.checkbox(key="cmp_bidirectional").check()
        at.run()
        at.number_input(key="cmp_proj_size").set_value(LIMITS["proj_size"][1]).run()
    seconds = time.perf_counter() - t0
    gc.collect()
    print(json.dumps({
        "rss_after_default_session": base,
        "session_growth": mib("VmRSS") - base,
        "peak_growth": mib("VmHWM") - base,
        "seconds": seconds,
        "exceptions": [str(e.value)[:200] for e in [*first.exception, *at.exception]],
        "charts": len(at.get("plotly_chart")),
    }))
    """
)


def measure_page(name: str) -> dict:
    page = PAGES[name] or ""
    query = largest_query() if name != "compare" else {}
    cmax = COMPARE_MAX if name == "compare" else {}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT / "app.py"), page, json.dumps(query),
         json.dumps(cmax)],
        cwd=ROOT, capture_output=True, text=True, timeout=1800,
    )  # fmt: skip
    if out.returncode:
        raise RuntimeError(f"{name}: {out.stderr[-2000:]}")
    return json.loads(out.stdout.strip().splitlines()[-1])


def compute_peak() -> tuple[float, float]:
    """tracemalloc peak (MiB) of building the largest run, and the run's arrays (MiB)."""
    from ui import session

    q = largest_query()
    cfg, _ = session.settings_from_query(q)
    tracemalloc.start()
    run = session.build_run(cfg)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    held = sum(
        a.nbytes
        for layer in run.trace.layers
        for lt in layer
        for a in vars(lt).values()
        if hasattr(a, "nbytes") and a.base is None
    )
    return peak / 2**20, held / 2**20


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", default=",".join(PAGES))
    args = ap.parse_args()
    peak, held = compute_peak()
    print(f"build_run at the largest settings: tracemalloc peak {peak:.1f} MiB, "
          f"trace arrays {held:.1f} MiB")  # fmt: skip
    print(f"{'page':12s} {'RSS default':>12s} {'+1 session':>11s} {'peak +':>8s} "
          f"{'time':>7s}  charts  exceptions")  # fmt: skip
    for name in args.pages.split(","):
        r = measure_page(name)
        print(
            f"{name:12s} {r['rss_after_default_session']:9.0f} MiB {r['session_growth']:7.1f} MiB "
            f"{r['peak_growth']:5.0f} MiB {r['seconds']:6.1f}s  {r['charts']:6d}  "
            f"{r['exceptions'] or 'none'}"
        )


if __name__ == "__main__":
    main()
