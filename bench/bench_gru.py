"""The core's GRU against torch.nn.GRU: forward, and forward + backward, same CPU, same dtype.

    .venv/bin/python bench/bench_gru.py            # print the table
    .venv/bin/python bench/bench_gru.py --write    # and put it into docs/BENCHMARKS.md

The LSTM benches' sizes (bench_forward.py's three cases) and targets, and their method (harness):
each side in its own subprocess, the sides alternating over several rounds, every case timed
with many repeats (median kept), the median over rounds shown with the range of the per-round
ratio. forward — NumPy: `GRU(...).eval().trace(x)` (every intermediate kept); torch:
`nn.GRU(...)(x)` in eval mode under `torch.no_grad()`. backward — NumPy:
`model.backward(model.trace(x), grad_output)` (every gradient); torch: forward with x requiring
grad, then `out.backward(grad_output)`.
"""

from __future__ import annotations

import functools
import time

import bench_backward
import bench_forward
from harness import Case, bench_main, time_cases, torch_forward_backward

SECTION = "## Core GRU vs torch.nn.GRU"

# The LSTM forward bench's three sizes; targets from the LSTM forward and backward benches (the
# backward bench has no "long" case, so no target there).
BACKWARD_TARGETS = {c.name: c.target_f64 for c in bench_backward.CASES}
CASES = [
    Case(f"{kind} {c.name}", c.T, c.B, c.D, c.H, c.L, target)
    for kind in ("forward", "backward")
    for c in bench_forward.CASES
    for target in [c.target_f64 if kind == "forward" else BACKWARD_TARGETS.get(c.name)]
]
DTYPES = ("float64", "float32")


# ----- a worker: one side, every case, one round ------------------------------------------------


def _numpy_call(case: Case, dt: str, rng):
    from lstm_core import GRU

    model = GRU(case.D, case.H, num_layers=case.L, dtype=dt, seed=0).eval()
    x = rng.normal(size=(case.T, case.B, case.D)).astype(dt)
    if case.name.startswith("forward"):
        return functools.partial(model.trace, x)
    go = rng.normal(size=(case.T, case.B, case.H)).astype(dt)
    return lambda: model.backward(model.trace(x), go)


def _torch_call(case: Case, dt: str, rng):
    import torch

    module = torch.nn.GRU(case.D, case.H, case.L, dtype=getattr(torch, dt)).eval()
    x = torch.from_numpy(rng.normal(size=(case.T, case.B, case.D)).astype(dt))
    if case.name.startswith("forward"):

        def forward():
            with torch.no_grad():
                module(x)

        return forward
    x.requires_grad_()
    go = torch.from_numpy(rng.normal(size=(case.T, case.B, case.H)).astype(dt))
    return torch_forward_backward(module, x, go)


def worker(side: str, budget_s: float, min_repeats: int) -> dict:
    make = _numpy_call if side == "numpy" else _torch_call
    return time_cases(CASES, DTYPES, make, budget_s, min_repeats)


def section(result: dict, info: dict, command: str) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = " → ".join(f"{a:.1f}" for a in result["load"])
    return f"""{SECTION}

`lstm_core.GRU` against `torch.nn.GRU` at the LSTM benches' sizes and with their targets.
"forward": `GRU(...).eval().trace(x)` (every intermediate kept) against `nn.GRU(...)(x)` in eval
mode under `torch.no_grad()`. "backward": `model.backward(model.trace(x), grad_output)` (every
gradient: parameters, input, h_0, and ∂L/∂h_t per step) against torch's forward +
`out.backward(grad_output)`. Method as for the LSTM (harness.py): each side in its own
subprocess, {result["rounds"]} alternating rounds of about {result["budget_s"]} s per case;
medians over rounds; "ratio per round" shows the noise of the shared machine; "CPU-time ratio"
divides the medians of process CPU time (the steadier figure on a busy machine with 1 thread).
Targets apply to float64; the LSTM backward bench has no "long" case, so that row has none.

Command: `{command}` ({when}; 1-minute load average {load} over the run, on 2 cores)

Machine: {info["cpu"]}, {info["cores"]} cores; Python {info["python"]}, NumPy {info["numpy"]},
torch {info["torch"]} ({info["torch_threads"]} threads by default);
OPENBLAS_CORETYPE={info["OPENBLAS_CORETYPE"]}.

{bench_forward.table(result)}
"""


def main() -> None:
    bench_main(__file__, __doc__, CASES, DTYPES, worker, section, SECTION, min_repeats=10)


if __name__ == "__main__":
    main()
