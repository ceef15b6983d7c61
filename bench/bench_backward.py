"""The core's trace + BPTT against torch.nn.LSTM's forward + autograd backward; and training steps.

    .venv/bin/python bench/bench_backward.py            # print the table
    .venv/bin/python bench/bench_backward.py --write    # and put it into docs/BENCHMARKS.md

The method is bench_forward.py's: each side in its own subprocess, the sides alternating over
several rounds, every case timed with many repeats (median kept), the median over rounds shown
with the range of the per-round ratio.
NumPy side: `model.backward(model.trace(x), grad_output)` (every gradient: parameters, input,
h_0, c_0, and ∂L/∂h_t, ∂L/∂c_t at every step). torch side: `out, _ = module(x)` with x requiring
grad, then `out.backward(grad_output)` (parameters and input).
"train step": one full step of sine training (LSTM H=32 + linear readout, B=16, T=40, MSE,
clip 1.0, Adam): `next(train(...))` against the same step written in torch.
"""

from __future__ import annotations

import functools
import itertools
import time

from harness import (
    Case,
    bench_main,
    time_cases,
    torch_forward_backward,
    us,
)

SECTION = "## Core backward vs torch"


CASES = [
    Case("article", T=5, B=3, D=10, H=20, L=2, target_f64=1.0),
    Case("middle", T=100, B=32, D=64, H=128, L=1, target_f64=1.5),
    Case("train step", T=40, B=16, D=1, H=32, L=1, target_f64=None),
]
DTYPES = ("float64", "float32")


# ----- a worker: one side, every case, one round ------------------------------------------------


def _numpy_call(case: Case, dt: str, rng):

    from lstm_core import LSTM
    from lstm_core.tasks import sine_task
    from lstm_core.training import TrainConfig, train

    if case.name == "train step":
        task = sine_task(batch_size=case.B, T=case.T)
        cfg = TrainConfig(
            hidden_size=case.H, steps=10**9, eval_every=10**9, snapshot_every=10**9, dtype=dt
        )
        return functools.partial(next, train(task, cfg))
    model = LSTM(case.D, case.H, num_layers=case.L, dtype=dt, seed=0).eval()
    x = rng.normal(size=(case.T, case.B, case.D)).astype(dt)
    go = rng.normal(size=(case.T, case.B, case.H)).astype(dt)
    return lambda: model.backward(model.trace(x), go)


def _torch_call(case: Case, dt: str, rng):
    import torch

    tdt = getattr(torch, dt)
    if case.name == "train step":
        from lstm_core.tasks import noisy_sine

        lstm = torch.nn.LSTM(case.D, case.H, dtype=tdt)
        readout = torch.nn.Linear(case.H, 1, dtype=tdt)
        params = list(lstm.parameters()) + list(readout.parameters())
        opt = torch.optim.Adam(params, lr=1e-2)
        step_no = itertools.count()

        def step():
            batch = noisy_sine(next(step_no), batch_size=case.B, T=case.T)
            x, y = torch.from_numpy(batch.x.astype(dt)), torch.from_numpy(batch.y.astype(dt))
            opt.zero_grad(set_to_none=True)
            out, _ = lstm(x)
            loss = torch.nn.functional.mse_loss(readout(out), y)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()

        return step
    module = torch.nn.LSTM(case.D, case.H, case.L, dtype=tdt)
    x = torch.from_numpy(rng.normal(size=(case.T, case.B, case.D)).astype(dt)).requires_grad_()
    go = torch.from_numpy(rng.normal(size=(case.T, case.B, case.H)).astype(dt))
    return torch_forward_backward(module, x, go)


def worker(side: str, budget_s: float, min_repeats: int) -> dict:
    make = _numpy_call if side == "numpy" else _torch_call
    return time_cases(CASES, DTYPES, make, budget_s, min_repeats)


def table(result: dict) -> str:
    lines = [
        "| case | sizes | threads | dtype | numpy µs | torch µs | numpy steps/s | torch steps/s "
        "| ratio | ratio per round | target | pass |",
        "|---|---|---|---|--:|--:|--:|--:|--:|---|--:|---|",
    ]
    for r in result["rows"]:
        target = "—" if r["target"] is None else f"≤ {r['target']:.1f}×"
        ok = "—" if r["pass"] is None else ("yes" if r["pass"] else "**no**")
        lines.append(
            f"| {r['case']['name']} | {r['case']['label']} | {r['threads']} | {r['dtype']} "
            f"| {us(r['numpy_us'])} | {us(r['torch_us'])} "
            f"| {1e6 / r['numpy_us']:,.0f} | {1e6 / r['torch_us']:,.0f} | {r['ratio']:.2f}× "
            f"| {r['ratio_min']:.2f}–{r['ratio_max']:.2f} | {target} | {ok} |"
        )
    return "\n".join(lines)


def section(result: dict, info: dict, command: str) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return f"""{SECTION}

`model.backward(model.trace(x), grad_output)` — the forward that keeps every intermediate, then
BPTT giving every gradient (parameters, input, h_0, c_0, and ∂L/∂h_t, ∂L/∂c_t per step) — against
`torch.nn.LSTM` forward + `out.backward(grad_output)` (parameters and input), same dtype, same
CPU. "train step" is one whole step of sine training at the sizes shown (trace, readout, MSE,
BPTT, clipping, Adam) against the same step in torch. Method as for the forward: each side in
its own subprocess, {result["rounds"]} alternating rounds of about {result["budget_s"]} s per
case; median over rounds; "ratio per round" shows the noise of the shared machine.

Command: `{command}` ({when})

Machine: {info["cpu"]}, {info["cores"]} cores; Python {info["python"]}, NumPy {info["numpy"]},
torch {info["torch"]} ({info["torch_threads"]} threads by default);
OPENBLAS_CORETYPE={info["OPENBLAS_CORETYPE"]}. Load average (1 min) at the start and the end of
the run: {result["load"][0]:.1f} and {result["load"][1]:.1f}. A load far above the core count
means other jobs shared the CPU: torch's OpenMP pool ("default" threads) suffers most from that,
so then trust the "1 thread" rows.

{table(result)}
"""


def main() -> None:
    bench_main(__file__, __doc__, CASES, DTYPES, worker, section, SECTION, min_repeats=10)


if __name__ == "__main__":
    main()
