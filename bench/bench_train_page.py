"""The learning pages' budgets: each task's default run as the Train page drives it, and the
RNN-vs-LSTM page's computation.

    .venv/bin/python bench/bench_train_page.py            # print the section
    .venv/bin/python bench/bench_train_page.py --write    # and put it into docs/BENCHMARKS.md

Train page: for each task, the page's default settings (= `DEFAULT_CONFIGS`, read by the page)
run through `ui.training_runner.TrainJob` in chunks of `CHUNK_S` seconds, each chunk followed by
the redraw's Python side (building the loss-curve figure), exactly as the live fragment does;
the bare `train()` generator over the same steps for comparison. Reported: wall time of the whole
default run, when the held-out loss first reached the stated target, the final held-out loss.
Why page: `gradient_flow` for the page's default settings and for the largest ones (T=120, H=64).
The browser adds a pause between fragment runs (see the section's notes).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import write_section  # noqa: E402

from app_logic import inputs  # noqa: E402
from lstm_core.memory import gradient_flow, paired_models  # noqa: E402
from lstm_core.tasks import TASK_NAMES, get_task  # noqa: E402
from lstm_core.training import DEFAULT_CONFIGS, TARGETS, train  # noqa: E402
from ui import training_runner as runner  # noqa: E402
from viz.training import loss_curve  # noqa: E402

SECTION = "## Learning pages"


def first_reach(steps: list[int], losses: list[float], target: float) -> int | None:
    return next((s for s, v in zip(steps, losses) if v < target), None)


def page_run(task: str) -> dict:
    """The default run through TrainJob chunks plus the loss-curve figure after each chunk."""
    job = runner.TrainJob(task, None, runner.page_config(task))
    t0 = time.perf_counter()
    reach_s = None
    target = TARGETS[task][0]
    while job.running:
        job.advance(runner.CHUNK_S)
        loss_curve(job.steps, job.losses, job.eval_steps, job.eval_losses, target, job.config.steps)
        if reach_s is None and job.eval_losses and min(job.eval_losses) < target:
            reach_s = time.perf_counter() - t0
    return {
        "wall": time.perf_counter() - t0,
        "reach_step": first_reach(job.eval_steps, job.eval_losses, target),
        "reach_s": reach_s,
        "final": job.eval_losses[-1],
        "chunks": job.chunks,
        "steps": job.step,
        "status": job.status,
    }


def bare_run(task: str) -> float:
    t0 = time.perf_counter()
    for _ in train(get_task(task), DEFAULT_CONFIGS[task]):
        pass
    return time.perf_counter() - t0


def flow_ms(T: int, H: int, repeats: int = 7) -> float:
    x = inputs.preset("sine", T, 1, 0)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        rnn, lstm = paired_models(1, H, 0, 3.0, 1.0)
        gradient_flow(rnn, lstm, x)
        times.append(time.perf_counter() - t0)
    return 1000 * statistics.median(times)


def section(rows: list[dict], flows: dict, load: tuple[float, float], command: str) -> str:
    out = [
        SECTION,
        "",
        "Train page: each task's default run (the page's defaults are `DEFAULT_CONFIGS`) driven",
        f"as the page drives it: `TrainJob.advance({runner.CHUNK_S} s)` chunks, the loss-curve",
        "figure rebuilt after each chunk; 'bare' is the `train()` generator alone, same steps.",
        "'reached' is the held-out loss's first step below the stated target (evaluated every",
        "`eval_every` steps) and the wall time until then.",
        "",
        f"Command: `{command}` ({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}); "
        f"load average (1 min) at start and end: {load[0]:.1f} and {load[1]:.1f} on "
        f"{os.cpu_count()} cores (other jobs shared the CPU).",
        "",
        "| task | steps | chunks | page run s | bare s | target | budget | reached at step | "
        "reached s | final held-out | within budget |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|",
    ]
    for r in rows:
        target, budget = TARGETS[r["task"]]
        ok = r["reach_s"] is not None and r["reach_s"] <= budget
        reach_s = "—" if r["reach_s"] is None else f"{r['reach_s']:.1f}"
        out.append(
            f"| {r['task']} | {r['steps']} | {r['chunks']} | {r['wall']:.1f} | {r['bare']:.1f} | "
            f"< {target:g} | {budget:g} s | {r['reach_step'] or '—'} | {reach_s} | "
            f"{r['final']:.2g} | {'yes' if ok else 'no'} |"
        )
    out += [
        "",
        "Why page (`gradient_flow`: both models' trace and BPTT, median of 7): "
        + ", ".join(f"T={T}, H={H}: {ms:.1f} ms" for (T, H), ms in flows.items())
        + ".",
        "",
        "In the browser (measured with `tests/test_browser_learning.py` and a Playwright script",
        "timing each fragment run on the server, load average 12–20): a fragment run is",
        f"{runner.CHUNK_S} s of training + 0.05–0.3 s of redraw, and the browser asks for the next",
        "one ~0.4 s after the last one ended, so the page trains ~60 % of the wall time",
        "(a chunk every ~1.3 s). The first Plotly chart of a session takes a few seconds to load",
        "under that load. A Stop click waits for the running chunk: 2–4 s from the click to the",
        "'Stopped' message, including the full-page rerun that draws the results.",
    ]
    return "\n".join(out) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--tasks", nargs="+", default=list(TASK_NAMES), choices=TASK_NAMES)
    ap.add_argument("--write", action="store_true", help="write the section into BENCHMARKS.md")
    args = ap.parse_args()
    load0 = os.getloadavg()[0]
    rows = []
    for task in args.tasks:
        r = page_run(task) | {"task": task, "bare": bare_run(task)}
        print(r, flush=True)
        rows.append(r)
    flows = {(40, 16): flow_ms(40, 16), (120, 64): flow_ms(120, 64)}
    command = "python bench/bench_train_page.py " + " ".join(sys.argv[1:])
    text = section(rows, flows, (load0, os.getloadavg()[0]), command.strip())
    print(text)
    if args.write:
        write_section(text, SECTION)


if __name__ == "__main__":
    main()
