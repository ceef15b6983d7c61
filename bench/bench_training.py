"""Time-to-target of every toy task's default training configuration.

    .venv/bin/python bench/bench_training.py            # print the table
    .venv/bin/python bench/bench_training.py --write    # and put it into docs/BENCHMARKS.md

For each task and seed: `train(get_task(name), DEFAULT_CONFIGS[name])` until the held-out loss
(evaluated every `eval_every` steps) first reaches `TARGETS[name]`; the time includes everything
a page would wait for (sampling, trace, BPTT, Adam, the evaluations). Seeds run one after the
other in this process.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import DOC, machine, write_section  # noqa: E402

from lstm_core.tasks import DEFAULT_TEXT, TASK_NAMES, get_task  # noqa: E402
from lstm_core.training import (  # noqa: E402
    DEFAULT_CONFIGS,
    HELD_OUT,
    TARGETS,
    build_model,
    derive_seed,
    evaluate,
    train,
)

SECTION = "## Training time-to-target"


def time_to_target(name: str, seed: int) -> dict:
    """Seconds and steps until the held-out loss first reaches the task's target."""
    task = get_task(name)
    config = dataclasses.replace(DEFAULT_CONFIGS[name], seed=seed)
    target, _ = TARGETS[name]
    model, readout = build_model(task, config)  # the same initial weights train() starts from
    held_out = task.sample(derive_seed(seed, HELD_OUT))
    start = evaluate(model, readout, task, held_out)
    last = None
    for p in train(task, config):
        last = p
        if p.eval_loss is not None and p.eval_loss <= target:
            return {"seconds": p.elapsed, "steps": p.step, "loss": p.eval_loss, "start": start}
    return {"seconds": None, "steps": None, "loss": last.eval_loss, "start": start}


def measure(seeds: list[int], log) -> list[dict]:
    rows = []
    for name in TASK_NAMES:
        runs = []
        for seed in seeds:
            r = time_to_target(name, seed)
            log(f"{name} seed {seed}: {r}")
            runs.append(r)
        reached = [r for r in runs if r["seconds"] is not None]
        target, budget = TARGETS[name]
        cfg = DEFAULT_CONFIGS[name]
        secs = [r["seconds"] for r in reached]
        steps = [r["steps"] for r in reached]
        rows.append(
            {
                "task": name,
                "config": cfg,
                "target": target,
                "budget": budget,
                "reached": len(reached),
                "runs": len(runs),
                "median_s": statistics.median(secs) if secs else None,
                "max_s": max(secs) if secs else None,
                "median_steps": statistics.median(steps) if steps else None,
                "steps_per_s": statistics.median(st / s for st, s in zip(steps, secs))
                if secs
                else None,
                "start": statistics.median(r["start"] for r in runs),
                "pass": len(reached) == len(runs) and max(secs) <= budget,
            }
        )
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| task | default config | start loss | target | budget | reached | median s | max s "
        "| median steps | steps/s | pass |",
        "|---|---|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in rows:
        c = r["config"]
        cfg = f"{c.model.upper()} H={c.hidden_size}, {c.optimizer} lr={c.lr}, clip={c.clip}"
        if c.forget_bias:
            cfg += f", forget bias +{c.forget_bias}"
        fmt = lambda v, spec: "—" if v is None else format(v, spec)
        lines.append(
            f"| {r['task']} | {cfg} | {r['start']:.3f} | < {r['target']} | {r['budget']:.0f} s "
            f"| {r['reached']}/{r['runs']} "
            f"| {fmt(r['median_s'], '.1f')} | {fmt(r['max_s'], '.1f')} "
            f"| {fmt(r['median_steps'], '.0f')} | {fmt(r['steps_per_s'], '.0f')} "
            f"| {'yes' if r['pass'] else '**no**'} |"
        )
    return "\n".join(lines)


def section(rows: list[dict], seeds: list[int], info: dict, command: str, load) -> str:
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return f"""{SECTION}

Each task's default configuration (`lstm_core.training.DEFAULT_CONFIGS`) trained with
`lstm_core.training.train` until the loss on a fixed held-out batch (evaluated every 25 steps)
first reaches the stated target (`TARGETS`). Seeds {seeds}; the time includes sampling, the
trace, BPTT, clipping, Adam and the evaluations — what a page streaming the run waits for.
Losses: MSE for sine, adding and remember; cross-entropy (nats) for the text (the default text,
{len(DEFAULT_TEXT)} characters, {len(set(DEFAULT_TEXT))} distinct). "start loss": the held-out
loss before training (median over seeds). float64 throughout. The machine is shared by several
jobs: times are indicative, steps/s is steps to target over seconds to target.

Command: `{command}` ({when})

Machine: {info["cpu"]}, {info["cores"]} cores; Python {info["python"]}, NumPy {info["numpy"]}.
Load average (1 min) at the start and the end of the run: {load[0]:.1f} and {load[1]:.1f}
(above {info["cores"]}, other jobs shared the CPU and the times are longer than on an idle machine).

{table(rows)}
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--write", action="store_true", help="write the table into docs/BENCHMARKS.md")
    args = ap.parse_args()
    command = "python bench/bench_training.py " + " ".join(sys.argv[1:])
    info = machine()
    load_start = os.getloadavg()[0]
    rows = measure(args.seeds, lambda m: print(m, flush=True))
    load = (load_start, os.getloadavg()[0])
    text = section(rows, args.seeds, info, command.strip(), load)
    print()
    print(text)
    if args.write:
        write_section(text, SECTION)
        print(f"written to {DOC.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
