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

import argparse
import functools
import itertools
import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_forward import THREAD_VARS, _time_calls, _us, machine  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "BENCHMARKS.md"
SECTION = "## Core backward vs torch"


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

    def forward_backward():
        module.zero_grad(set_to_none=True)
        x.grad = None
        out, _ = module(x)
        out.backward(go)

    return forward_backward


def worker(side: str, budget_s: float, min_repeats: int) -> dict:
    import numpy as np

    sys.path.insert(0, str(ROOT))
    rng = np.random.default_rng(0)
    make = _numpy_call if side == "numpy" else _torch_call
    results = {}
    for case in CASES:
        for dt in DTYPES:
            # median wall-clock seconds per call (bench_forward's timer, warm-up included)
            results[f"{case.name}/{dt}"] = _time_calls(make(case, dt, rng), budget_s, min_repeats)[
                "wall"
            ]
    return results


# ----- the driver -------------------------------------------------------------------------------


def run_worker(side: str, threads: str, budget_s: float, min_repeats: int) -> dict:
    """One side in a fresh interpreter; threads "default" leaves both libraries' choice alone."""
    cmd = [sys.executable, __file__, "--worker", side]
    cmd += ["--budget", str(budget_s), "--min-repeats", str(min_repeats)]
    env = {k: v for k, v in os.environ.items() if threads == "default" or k not in THREAD_VARS}
    if threads != "default":
        env |= {k: threads for k in THREAD_VARS}
    done = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(rounds: int, threads: list[str], budget_s: float, min_repeats: int, log) -> dict:
    load_start = os.getloadavg()[0]
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
        ours = [res[key] for res in per_round["numpy", n]]
        theirs = [res[key] for res in per_round["torch", n]]
        ratios = [a / b for a, b in zip(ours, theirs)]
        ratio = statistics.median(ours) / statistics.median(theirs)
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
                "target": target,
                "pass": None if target is None else ratio <= target,
            }
        )
    load = (load_start, os.getloadavg()[0])
    return {"rows": rows, "rounds": rounds, "budget_s": budget_s, "threads": threads, "load": load}


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
            f"| {_us(r['numpy_us'])} | {_us(r['torch_us'])} "
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


def write_section(text: str, section_title: str = SECTION) -> None:
    """Replace (or add) one section of docs/BENCHMARKS.md, leaving the others as they are."""
    old = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(section_title)}\n.*?(?=^## |\Z)", re.M | re.S)
    if pattern.search(old):
        new = pattern.sub(lambda _: text.rstrip("\n") + "\n\n", old, count=1)
    else:
        new = old.rstrip("\n") + "\n\n" + text
    DOC.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--rounds", type=int, default=6, help="alternating rounds per side")
    ap.add_argument("--budget", type=float, default=0.5, help="seconds of repeats per case")
    ap.add_argument("--min-repeats", type=int, default=10)
    ap.add_argument("--threads", nargs="+", default=["default", "1"])
    ap.add_argument("--write", action="store_true", help="write the table into docs/BENCHMARKS.md")
    ap.add_argument("--json", type=Path, help="also save the raw result as JSON")
    ap.add_argument("--worker", choices=["numpy", "torch"], help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.budget, args.min_repeats)))
        return

    command = "python bench/bench_backward.py " + " ".join(sys.argv[1:])
    info = machine()
    result = measure(args.rounds, args.threads, args.budget, args.min_repeats, print)
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
