"""The core's trace-recording forward against torch.nn.LSTM's forward, same CPU, same dtype.

    .venv/bin/python bench/bench_forward.py            # print the table
    .venv/bin/python bench/bench_forward.py --write    # and put it into docs/BENCHMARKS.md

Each side runs in its own subprocess (torch's and NumPy's thread pools slow each other down in one
process), with default thread settings. The sides alternate over several rounds; in a round every
case is timed with many repeats and the median kept; the table shows the median over rounds, and
the spread of the per-round ratio says how noisy the shared machine was.
NumPy side: `LSTM(...).eval().trace(x)` (every intermediate kept). torch side: `nn.LSTM(...)(x)`
in eval mode under `torch.no_grad()`.
"""

from __future__ import annotations

import argparse
import functools
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

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "BENCHMARKS.md"
SECTION = "## Core forward vs torch"


@dataclass(frozen=True)
class Case:
    name: str
    T: int
    B: int
    D: int
    H: int
    L: int
    target_f64: float  # the ratio numpy / torch to stay under in float64

    @property
    def label(self) -> str:
        return f"T={self.T} B={self.B} D={self.D} H={self.H} L={self.L}"


CASES = [
    Case("article", T=5, B=3, D=10, H=20, L=2, target_f64=1.0),
    Case("middle", T=100, B=32, D=64, H=128, L=1, target_f64=1.3),
    Case("long", T=1000, B=1, D=8, H=32, L=1, target_f64=1.0),
]
DTYPES = ("float64", "float32")


# ----- a worker: one side, every case, one round ------------------------------------------------


def _time_calls(call, budget_s: float, min_repeats: int) -> dict[str, float]:
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


def _torch_forward(torch, module, x) -> None:
    with torch.no_grad():
        module(x)


def worker(side: str, budget_s: float, min_repeats: int) -> dict:
    import numpy as np

    rng = np.random.default_rng(0)
    results = {}
    if side == "numpy":
        sys.path.insert(0, str(ROOT))
        from lstm_core import LSTM

        for case in CASES:
            for dt in DTYPES:
                model = LSTM(case.D, case.H, num_layers=case.L, dtype=dt, seed=0).eval()
                x = rng.normal(size=(case.T, case.B, case.D)).astype(dt)
                call = functools.partial(model.trace, x)
                results[f"{case.name}/{dt}"] = _time_calls(call, budget_s, min_repeats)
    else:
        import torch

        for case in CASES:
            for dt in DTYPES:
                module = torch.nn.LSTM(case.D, case.H, case.L, dtype=getattr(torch, dt)).eval()
                x = torch.from_numpy(rng.normal(size=(case.T, case.B, case.D)).astype(dt))
                call = functools.partial(_torch_forward, torch, module, x)
                results[f"{case.name}/{dt}"] = _time_calls(call, budget_s, min_repeats)
    return results


# ----- the driver -------------------------------------------------------------------------------


THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def run_worker(side: str, threads: str, budget_s: float, min_repeats: int) -> dict:
    """One side in a fresh interpreter; threads "default" leaves both libraries' choice alone."""
    cmd = [sys.executable, __file__, "--worker", side]
    cmd += ["--budget", str(budget_s), "--min-repeats", str(min_repeats)]
    env = {k: v for k, v in os.environ.items() if threads == "default" or k not in THREAD_VARS}
    if threads != "default":
        env |= {k: threads for k in THREAD_VARS}  # read by OpenBLAS and by torch's OpenMP pool
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


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


def measure(rounds: int, threads: list[str], budget_s: float, min_repeats: int, log) -> dict:
    load_before = os.getloadavg()[0]
    per_round = {(side, n): [] for side in ("numpy", "torch") for n in threads}
    for r in range(rounds):
        order = ("numpy", "torch") if r % 2 == 0 else ("torch", "numpy")
        for n in threads:
            for side in order:
                per_round[side, n].append(run_worker(side, n, budget_s, min_repeats))
        log(f"round {r + 1}/{rounds} done")
    rows = []
    for n, case, dt in itertools.product(threads, CASES, DTYPES):
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
    load = (load_before, os.getloadavg()[0])
    return {"rows": rows, "rounds": rounds, "budget_s": budget_s, "threads": threads, "load": load}


def _us(v: float) -> str:
    return f"{v:,.0f}" if v >= 100 else f"{v:.1f}"


def table(result: dict) -> str:
    lines = [
        "| case | sizes | threads | dtype | numpy µs | torch µs | ratio | ratio per round "
        "| CPU-time ratio | target | pass |",
        "|---|---|---|---|--:|--:|--:|---|--:|--:|---|",
    ]
    for r in result["rows"]:
        target = "—" if r["target"] is None else f"≤ {r['target']:.1f}×"
        ok = "—" if r["pass"] is None else ("yes" if r["pass"] else "**no**")
        lines.append(
            f"| {r['case']['name']} | {r['case']['label']} | {r['threads']} | {r['dtype']} "
            f"| {_us(r['numpy_us'])} "
            f"| {_us(r['torch_us'])} | {r['ratio']:.2f}× "
            f"| {r['ratio_min']:.2f}–{r['ratio_max']:.2f} | {r['cpu_ratio']:.2f}× "
            f"| {target} | {ok} |"
        )
    return "\n".join(lines)


def section(result: dict, info: dict, command: str) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = " → ".join(f"{a:.1f}" for a in result["load"])
    return f"""{SECTION}

`lstm_core.LSTM(...).eval().trace(x)` — the forward that keeps every intermediate the app shows —
against `torch.nn.LSTM(...)` forward in eval mode under `torch.no_grad()`, same dtype, same CPU.
Each side runs in its own subprocess; the sides alternate over {result["rounds"]} rounds; each
round times every case for about {result["budget_s"]} s and keeps the median of its repeats.
Threads: "default" is each library's own choice (what the app gets); "1" sets
`OMP_NUM_THREADS=OPENBLAS_NUM_THREADS=MKL_NUM_THREADS=1` for both sides.
numpy µs and torch µs are wall-clock medians over rounds, and "ratio" is their quotient (the
number the targets judge); "ratio per round" is the range of the per-round wall ratio: its width
shows how noisy the shared machine was. "CPU-time ratio" divides the medians of process CPU time:
with one thread it does not count time spent waiting for a core, so it is the steadier figure on
a busy machine (with two threads it also counts threads spinning for work).
Targets apply to float64, the app's default; torch runs float32 through a fused oneDNN kernel.

Command: `{command}` ({when}; 1-minute load average {load} over the run, on 2 cores)

Machine: {info["cpu"]}, {info["cores"]} cores; Python {info["python"]}, NumPy {info["numpy"]},
torch {info["torch"]} ({info["torch_threads"]} threads by default);
OPENBLAS_CORETYPE={info["OPENBLAS_CORETYPE"]}.

{table(result)}
"""


def write_section(text: str) -> None:
    """Replace (or add) this section of docs/BENCHMARKS.md, leaving the others as they are."""
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(SECTION)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(old):
        new = pattern.sub(lambda _: text.rstrip("\n") + "\n\n", old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + text
    DOC.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=6, help="alternating rounds per side")
    ap.add_argument("--budget", type=float, default=0.5, help="seconds of repeats per case")
    ap.add_argument("--min-repeats", type=int, default=15)
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

    shown = [a for k, a in enumerate(sys.argv[1:]) if a != "--json" and sys.argv[k] != "--json"]
    command = "python bench/bench_forward.py " + " ".join(shown)  # a private --json path left out
    info = machine()
    log = lambda m: print(m, flush=True)
    result = measure(args.rounds, args.threads, args.budget, args.min_repeats, log)
    text = section(result, info, command.strip())
    print()
    print(text)
    if args.json:
        args.json.write_text(json.dumps({"machine": info} | result, indent=2))
    if args.write:
        write_section(text)
        print(f"written to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
