"""What the benchmarks share: the writer of docs/BENCHMARKS.md and the machine they ran on; the
NumPy-vs-torch driver (each side in its own subprocess, alternating rounds); for the browser
benchmarks, a Streamlit server on loopback and a headless Chromium.
"""

from __future__ import annotations

import itertools
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "BENCHMARKS.md"


def write_section(text: str, section_title: str) -> None:
    """Replace (or add) one section of docs/BENCHMARKS.md, leaving the others as they are."""
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(section_title)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(old):
        new = pattern.sub(lambda _: text.rstrip("\n") + "\n\n", old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + text
    DOC.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


def machine() -> dict:
    """What the numbers were measured on."""
    info = {"python": platform.python_version()}
    try:
        lscpu = subprocess.run(["lscpu"], capture_output=True, text=True).stdout
        m = re.search(r"^Model name:\s*(.+)$", lscpu, re.M)
        info["cpu"] = m.group(1).strip() if m else platform.processor()
    except OSError:
        info["cpu"] = platform.processor()
    info["cores"] = os.cpu_count()
    code = (
        "import json, numpy, torch; print(json.dumps({'numpy': numpy.__version__, "
        "'torch': torch.__version__, 'torch_threads': torch.get_num_threads()}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout
    info |= json.loads(out)
    info["OPENBLAS_CORETYPE"] = os.environ.get("OPENBLAS_CORETYPE", "(unset)")
    return info


def us(v: float) -> str:
    """Microseconds for a table cell."""
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


# ----- NumPy against torch: one worker process per side and round ------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    T: int
    B: int
    D: int
    H: int
    L: int
    target_f64: float | None  # the ratio numpy / torch to stay under in float64

    @property
    def label(self) -> str:
        return f"T={self.T} B={self.B} D={self.D} H={self.H} L={self.L}"


THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def time_calls(call, budget_s: float, min_repeats: int) -> dict[str, float]:
    """Median seconds per call, wall clock and process CPU time: warm up for 0.2 s, then repeat
    until the time budget is spent."""
    warm_until = time.perf_counter() + 0.2  # the first case in a fresh process runs slow at first
    while time.perf_counter() < warm_until:
        call()
    wall, cpu = [], []
    start = time.perf_counter()
    while len(wall) < min_repeats or time.perf_counter() - start < budget_s:
        w0, c0 = time.perf_counter_ns(), time.process_time_ns()
        call()
        cpu.append((time.process_time_ns() - c0) * 1e-9)
        wall.append((time.perf_counter_ns() - w0) * 1e-9)
    return {"wall": statistics.median(wall), "cpu": statistics.median(cpu)}


def run_worker(script: str, side: str, threads: str, budget_s: float, min_repeats: int) -> dict:
    """`script --worker side` in a fresh interpreter: {case/dtype: time_calls(...)}. Threads
    "default" leaves both libraries' choice alone."""
    cmd = [sys.executable, script, "--worker", side]
    cmd += ["--budget", str(budget_s), "--min-repeats", str(min_repeats)]
    env = {k: v for k, v in os.environ.items() if threads == "default" or k not in THREAD_VARS}
    if threads != "default":
        env |= {k: threads for k in THREAD_VARS}  # read by OpenBLAS and by torch's OpenMP pool
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure_sides(
    script: str, cases, dtypes, rounds: int, threads: list[str], budget_s: float,
    min_repeats: int, log,
) -> dict:  # fmt: skip
    """Both sides, alternating, every round; one row per (threads, case, dtype) with the median
    times over rounds, their ratio (and its per-round range), the CPU-time ratio, the target."""
    load_start = os.getloadavg()[0]
    per_round = {(side, n): [] for side in ("numpy", "torch") for n in threads}
    for r in range(rounds):
        order = ("numpy", "torch") if r % 2 == 0 else ("torch", "numpy")
        for n in threads:
            for side in order:
                per_round[side, n].append(run_worker(script, side, n, budget_s, min_repeats))
        log(f"round {r + 1}/{rounds} done")
    rows = []
    for n, case, dt in itertools.product(threads, cases, dtypes):
        key = f"{case.name}/{dt}"
        ours = [res[key]["wall"] for res in per_round["numpy", n]]
        theirs = [res[key]["wall"] for res in per_round["torch", n]]
        ratios = [a / b for a, b in zip(ours, theirs)]
        ratio = statistics.median(ours) / statistics.median(theirs)
        cpu_ours = statistics.median(res[key]["cpu"] for res in per_round["numpy", n])
        cpu_theirs = statistics.median(res[key]["cpu"] for res in per_round["torch", n])
        target = case.target_f64 if dt == "float64" else None
        rows.append(
            {
                "case": asdict(case) | {"label": case.label},
                "threads": n,
                "dtype": dt,
                "numpy_us": statistics.median(ours) * 1e6,
                "torch_us": statistics.median(theirs) * 1e6,
                "ratio": ratio,
                "ratio_min": min(ratios),
                "ratio_max": max(ratios),
                "cpu_ratio": cpu_ours / cpu_theirs,
                "target": target,
                "pass": None if target is None else ratio <= target,
            }
        )
    load = (load_start, os.getloadavg()[0])
    return {"rows": rows, "rounds": rounds, "budget_s": budget_s, "threads": threads, "load": load}


# ----- the browser benchmarks -------------------------------------------------------------------
# The server starter and Chromium's flags are the browser tests' own (tests/browser_helpers.py):
# one definition, so a benchmark drives the app exactly as the tests do.

sys.path.insert(0, str(ROOT / "tests"))


def time_cases(cases, dtypes, make_call, budget_s: float, min_repeats: int) -> dict:
    """One worker's timings: `make_call(case, dtype, rng)` gives the call to time, per case and
    dtype, from one seeded generator (both sides draw the same inputs in the same order)."""
    import numpy as np

    sys.path.insert(0, str(ROOT))
    rng = np.random.default_rng(0)
    return {
        f"{case.name}/{dt}": time_calls(make_call(case, dt, rng), budget_s, min_repeats)
        for case in cases
        for dt in dtypes
    }


def torch_forward_backward(module, x, grad_output):
    """torch's backward case: forward, then `out.backward(grad_output)`, from zero grads."""

    def forward_backward():
        module.zero_grad(set_to_none=True)
        x.grad = None
        out, _ = module(x)
        out.backward(grad_output)

    return forward_backward


def bench_main(
    script: str, doc: str, cases, dtypes, worker, section, section_title: str, min_repeats: int = 10
) -> None:
    """The command line every core-vs-torch bench shares: measure both sides in alternating rounds
    (each in its own subprocess, `--worker`), print the table and optionally write it into
    docs/BENCHMARKS.md under `section_title`."""
    import argparse

    ap = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=6, help="alternating rounds per side")
    ap.add_argument("--budget", type=float, default=0.5, help="seconds of repeats per case")
    ap.add_argument("--min-repeats", type=int, default=min_repeats)
    ap.add_argument(
        "--threads",
        nargs="+",
        default=["default", "1"],
        help='thread settings to measure: "default" (each library\'s own choice) and/or numbers',
    )
    ap.add_argument("--write", action="store_true", help="write the table into docs/BENCHMARKS.md")
    ap.add_argument("--json", type=Path, help="also save the raw result as JSON")
    ap.add_argument("--worker", choices=["numpy", "torch"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.budget, args.min_repeats)))
        return

    # the command as shown in the docs: a private --json path is left out
    shown = [a for k, a in enumerate(sys.argv[1:]) if a != "--json" and sys.argv[k] != "--json"]
    command = f"python bench/{Path(script).name} " + " ".join(shown)
    info = machine()
    log = lambda m: print(m, flush=True)  # noqa: E731
    result = measure_sides(
        script, cases, dtypes, args.rounds, args.threads, args.budget, args.min_repeats, log
    )
    text = section(result, info, command.strip())
    print()
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"machine": info} | result, indent=2))
    if args.write:
        write_section(text, section_title)
        print(f"written to {DOC.relative_to(ROOT)}")


from browser_helpers import (  # noqa: E402, F401  (re-exported for the bench scripts)
    CHROMIUM,
    CHROMIUM_ARGS,
    IDLE,
    free_port,
    launch_chromium,
    start_server,
    stop_server,
)
