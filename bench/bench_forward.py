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

import functools
import sys
import time

from harness import (
    ROOT,
    Case,
    bench_main,
    time_calls,
    us,
)

SECTION = "## Core forward vs torch"


CASES = [
    Case("article", T=5, B=3, D=10, H=20, L=2, target_f64=1.0),
    Case("middle", T=100, B=32, D=64, H=128, L=1, target_f64=1.3),
    Case("long", T=1000, B=1, D=8, H=32, L=1, target_f64=1.0),
]
DTYPES = ("float64", "float32")


# ----- a worker: one side, every case, one round ------------------------------------------------


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
                results[f"{case.name}/{dt}"] = time_calls(call, budget_s, min_repeats)
    else:
        import torch

        for case in CASES:
            for dt in DTYPES:
                module = torch.nn.LSTM(case.D, case.H, case.L, dtype=getattr(torch, dt)).eval()
                x = torch.from_numpy(rng.normal(size=(case.T, case.B, case.D)).astype(dt))
                call = functools.partial(_torch_forward, torch, module, x)
                results[f"{case.name}/{dt}"] = time_calls(call, budget_s, min_repeats)
    return results


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
            f"| {us(r['numpy_us'])} "
            f"| {us(r['torch_us'])} | {r['ratio']:.2f}× "
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


def main() -> None:
    bench_main(__file__, __doc__, CASES, DTYPES, worker, section, SECTION, min_repeats=15)


if __name__ == "__main__":
    main()
