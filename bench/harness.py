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
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
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

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]  # fmt: skip
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(
    extra: list[str] | None = None,
    script: str = "app.py",
    log_path: Path | None = None,
    timeout_s: float = 90.0,
) -> tuple[subprocess.Popen, str]:
    """`streamlit run <script>` on 127.0.0.1; the process and its base URL once healthy.

    Output goes to log_path (or nowhere); RuntimeError, with the log's tail, if the server exits
    or does not answer /_stcore/health within timeout_s.
    """
    port = free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", script, "--server.headless", "true",
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none", *(extra or []),
    ]  # fmt: skip
    with open(log_path or os.devnull, "wb") as log:  # the child keeps its own handle
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout_s
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as r:
                if r.read().strip() == b"ok":
                    return proc, base
        except OSError:
            time.sleep(0.2)
    why = (
        f"exited with {proc.returncode}"
        if proc.poll() is not None
        else f"no answer in {timeout_s} s"
    )
    stop_server(proc)
    tail = log_path.read_text(errors="replace")[-2000:] if log_path else ""
    raise RuntimeError(f"the Streamlit server {why} (/_stcore/health) {tail}")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def launch_chromium(playwright):
    """Debian's Chromium, driven by Playwright (no browser download)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
