"""A classroom on one server: N concurrent browser sessions stepping and switching pages.

Starts `streamlit run app.py` on a free loopback port (127.0.0.1 only), then opens N browser
contexts in one headless Chromium (Playwright's async API). Each session opens the cell page and,
for a fixed duration from then on, repeats one round:
  - 3 client-side steps: a click on the figure's "next ▶" button, timed in the page from the click
    to the changed equation text plus one painted frame (no Streamlit rerun);
  - 1 rerun step: the "start at t" slider moved with the keyboard, timed from the key press to the
    new `t` in the URL with the script idle (a full Streamlit rerun);
  - 2 page switches: to the unrolled network and back, timed from the click to the new title with
    the script idle.
Every action has a timeout and the loops stop by themselves at the deadline. Errors counted:
exceptions shown on a page (`stException`), failed loads, timeouts. The server's memory (VmRSS of
its process, sampled every 0.25 s) is reported at start, after the first load, peak and end.

With `--proxy-replicas N` the same classroom goes through `make serve`'s stack instead:
scripts/serve.py starts N replicas behind nginx on a free loopback port, each session reports the
replica that served it (nginx's X-Replica header), and memory and CPU are summed over the
replicas (the launcher and nginx are not counted: nginx's share is negligible).

    .venv/bin/python bench/bench_load.py --sessions 10 --seconds 60
    .venv/bin/python bench/bench_load.py --sessions 10 --seconds 60 --proxy-replicas 2
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import IDLE, ROOT, free_port, launch_chromium, start_server, stop_server

sys.path.insert(0, str(ROOT))
from app_logic.i18n import tr  # noqa: E402  (after the path fix, when run as a script)

EXCEPTION = "[data-testid='stException']"
ACTION_TIMEOUT = 60_000  # ms; a classroom on a 2-core machine is slow, not broken
# The cell figure's text panel (its last trace): status, equation, numbers.
EQ_TEXT_JS = """() => [...document.querySelectorAll(
    ".js-plotly-plot .scatterlayer .trace:last-child text")].map(t => t.textContent).join("|")"""
# Click the "next ▶" button; resolve with ms until the text changed and a frame was painted.
STEP_JS = (
    """async (label) => {
    const gd = document.querySelector(".js-plotly-plot");
    const text = __TEXT__;
    const before = text();
    const button = [...gd.querySelectorAll("g.updatemenu-button")]
        .find(b => b.textContent.trim() === label);
    if (!button) throw new Error("no button " + label);
    return await new Promise((resolve, reject) => {
        let t0 = 0;
        const timer = setTimeout(() => reject(new Error("no redraw in 10 s")), 10000);
        const obs = new MutationObserver(() => {
            if (text() !== before) {
                obs.disconnect(); clearTimeout(timer);
                requestAnimationFrame(() => resolve(performance.now() - t0));
            }
        });
        obs.observe(gd, {subtree: true, childList: true, characterData: true});
        t0 = performance.now();
        button.dispatchEvent(new MouseEvent("click", {bubbles: true}));
    });
}"""
).replace("__TEXT__", EQ_TEXT_JS)


def status_mib(pid: int, field: str = "VmRSS") -> float:
    """A memory field of /proc/<pid>/status (VmRSS: now, VmHWM: peak), in MiB."""
    with open(f"/proc/{pid}/status") as f:
        m = re.search(rf"^{field}:\s+(\d+) kB", f.read(), re.M)
    return int(m.group(1)) / 1024 if m else float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat), in seconds."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(xs: list[float], q: float) -> float:
    """The q-quantile (0..1) of xs, linear between order statistics."""
    if not xs:
        return float("nan")
    ys = sorted(xs)
    k = (len(ys) - 1) * q
    lo = int(k)
    return ys[lo] + (ys[min(lo + 1, len(ys) - 1)] - ys[lo]) * (k - lo)


class Stats:
    """What every session records: latencies in ms by kind, and errors by kind."""

    def __init__(self) -> None:
        self.ms: dict[str, list[float]] = {}
        self.errors: dict[str, int] = {}
        self.replicas: dict[str, int] = {}  # sessions per replica (X-Replica), through the proxy

    def add(self, kind: str, ms: float) -> None:
        self.ms.setdefault(kind, []).append(ms)

    def error(self, kind: str) -> None:
        self.errors[kind] = self.errors.get(kind, 0) + 1


async def wait_idle(page, timeout: float = ACTION_TIMEOUT) -> None:
    await page.wait_for_timeout(100)
    await page.wait_for_selector(IDLE, timeout=timeout)


async def switch(page, link: str, title: str, stats: Stats, kind: str) -> None:
    t0 = time.perf_counter()
    await page.get_by_role("link", name=link).first.click(timeout=ACTION_TIMEOUT)
    await page.get_by_role("heading", name=title, level=1).wait_for(timeout=ACTION_TIMEOUT)
    await page.wait_for_selector(IDLE, timeout=ACTION_TIMEOUT)
    stats.add(kind, 1000 * (time.perf_counter() - t0))


async def rerun_step(page, right: bool, stats: Stats) -> None:
    """Move the "start at t" slider one step; ms until the URL holds the new t, script idle."""
    slider = page.get_by_role("slider", name=tr("cell.start_t", "en"))
    await slider.focus(timeout=ACTION_TIMEOUT)
    want = re.compile(r"[?&]t=1(&|$)") if right else re.compile(r"^(?!.*[?&]t=)")
    t0 = time.perf_counter()
    await slider.press("ArrowRight" if right else "ArrowLeft")
    await page.wait_for_url(want, timeout=ACTION_TIMEOUT)
    await page.wait_for_selector(IDLE, timeout=ACTION_TIMEOUT)
    stats.add("rerun_step", 1000 * (time.perf_counter() - t0))


async def one_session(n: int, browser, base: str, seconds: float, stats: Stats) -> int:
    """One student: open the cell page, then step and switch pages for `seconds`."""
    from playwright.async_api import Error as PwError

    await asyncio.sleep(0.5 * n)  # a class arrives over a few seconds, not in one instant
    ctx = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await ctx.new_page()
    rounds = 0
    cell_title, net_title = tr("cell.title", "en"), tr("network.title", "en")
    try:
        t0 = time.perf_counter()
        response = await page.goto(f"{base}/step", timeout=ACTION_TIMEOUT)
        replica = response.headers.get("x-replica") if response else None
        if replica:
            stats.replicas[replica] = stats.replicas.get(replica, 0) + 1
        await page.wait_for_selector(".js-plotly-plot g.updatemenu-button", timeout=120_000)
        await wait_idle(page, 120_000)
        stats.add("first_load", 1000 * (time.perf_counter() - t0))
    except PwError:
        stats.error("failed_load")
        await ctx.close()
        return 0
    deadline = time.monotonic() + seconds  # the clock starts once the page is there
    right = True
    while time.monotonic() < deadline:
        try:
            for _ in range(3):
                stats.add("client_step", await page.evaluate(STEP_JS, tr("cell.btn_next", "en")))
            if time.monotonic() >= deadline:
                break
            await rerun_step(page, right, stats)
            right = not right
            if time.monotonic() >= deadline:
                break
            await switch(page, tr("common.nav_network", "en"), net_title, stats, "page_switch")
            await switch(page, tr("common.nav_cell", "en"), cell_title, stats, "page_switch")
            await page.wait_for_selector(
                ".js-plotly-plot g.updatemenu-button", timeout=ACTION_TIMEOUT
            )
            rounds += 1
        except PwError as e:
            stats.error("timeout" if "Timeout" in str(e) else "action_failed")
            try:  # start the round again from a fresh load of the cell page
                await page.goto(f"{base}/step", timeout=ACTION_TIMEOUT)
                await wait_idle(page)
                right = "t=1" not in page.url
            except PwError:
                stats.error("failed_load")
                break
        if await page.locator(EXCEPTION).count():
            stats.error("exception_on_page")
    await ctx.close()
    return rounds


async def sample_memory(pids: list[int], until: asyncio.Event, out: list[float]) -> None:
    while not until.is_set():
        out.append(sum(status_mib(p) for p in pids))
        await asyncio.sleep(0.25)


async def run(base: str, pids: list[int], sessions: int, seconds: float) -> dict:
    """The classroom against `base`; memory and CPU are summed over the server processes `pids`."""
    from playwright.async_api import async_playwright

    stats, samples, stop = Stats(), [], asyncio.Event()
    mem0 = sum(status_mib(p) for p in pids)
    async with async_playwright() as pw:
        browser = await launch_chromium(pw)
        # A fresh server's first request should not be a deep link (TOOLING.md): open the root,
        # once per server process (through the proxy, new browsers take the replicas in turn).
        for _ in pids:
            warm = await browser.new_page()
            await warm.goto(base, timeout=120_000)
            await warm.wait_for_selector(IDLE, timeout=120_000)
            await warm.close()
        mem_warm = sum(status_mib(p) for p in pids)
        sampler = asyncio.create_task(sample_memory(pids, stop, samples))
        cpu0 = sum(cpu_seconds(p) for p in pids)
        t0 = time.monotonic()
        rounds = await asyncio.gather(
            *(one_session(n, browser, base, seconds, stats) for n in range(sessions))
        )
        wall = time.monotonic() - t0
        cpu = sum(cpu_seconds(p) for p in pids) - cpu0
        stop.set()
        await sampler
        await browser.close()
    return {
        "stats": stats,
        "servers": len(pids),
        "rounds": rounds,
        "wall": wall,
        "server_cpu": cpu,
        "mem_start": mem0,
        "mem_warm": mem_warm,
        "mem_peak_sampled": max(samples, default=float("nan")),
        "mem_hwm": sum(status_mib(p, "VmHWM") for p in pids),
        "mem_end": sum(status_mib(p) for p in pids),
    }


def start_proxy(replicas: int, log: Path) -> tuple[subprocess.Popen, str, list[int]]:
    """scripts/serve.py (make serve) with `replicas` replicas behind nginx on a free loopback
    port: the launcher, the proxy's base URL and the replicas' pids, once it says "serving"."""
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(ROOT / "scripts" / "serve.py"), "--replicas", str(replicas),
             "--port", str(port)],
            cwd=ROOT, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    deadline = time.monotonic() + 180
    while not (m := re.search(r"\[serve\] serving (\S+) ", log.read_text(errors="replace"))):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_proxy(proc)
            raise RuntimeError(f"scripts/serve.py did not start:\n{log.read_text()[-2000:]}")
        time.sleep(0.2)
    pids = [int(p) for p in re.findall(r"replica r\d+ \S+ pid (\d+)", log.read_text())]
    return proc, m.group(1), pids


def stop_proxy(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)  # the launcher stops nginx and every replica
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def report(res: dict, sessions: int, seconds: float, load: tuple[float, float]) -> str:
    s: Stats = res["stats"]
    where = (
        f"through nginx to {res['servers']} replicas (sessions per replica: "
        f"{dict(sorted(s.replicas.items()))})"
        if s.replicas
        else "one server process"
    )
    lines = [
        where,
        f"sessions {sessions}, {seconds:.0f} s (wall {res['wall']:.0f} s), "
        f"rounds per session {res['rounds']}, load average (1 min) start/end "
        f"{load[0]:.1f}/{load[1]:.1f} on {os.cpu_count()} cores",
        f"errors: {sum(s.errors.values())} {s.errors or ''}",
    ]
    for kind in ("first_load", "client_step", "rerun_step", "page_switch"):
        xs = s.ms.get(kind, [])
        if xs:
            lines.append(
                f"{kind:12s} n={len(xs):4d}  p50 {statistics.median(xs):7.0f} ms  "
                f"p95 {pct(xs, 0.95):7.0f} ms  max {max(xs):7.0f} ms"
            )
    reruns = sum(len(s.ms.get(k, [])) for k in ("first_load", "rerun_step", "page_switch"))
    lines.append(
        f"server CPU: {res['server_cpu']:.1f} s over {reruns} script runs (loads, rerun steps, "
        f"page switches): {1000 * res['server_cpu'] / max(reruns, 1):.0f} ms per run; "
        f"client steps cost the server nothing"
    )
    lines.append(
        f"server RSS (summed over {res['servers']}): start {res['mem_start']:.0f} MiB, "
        f"after one page each {res['mem_warm']:.0f} MiB, "
        f"peak {max(res['mem_peak_sampled'], res['mem_hwm']):.0f} MiB, "
        f"end {res['mem_end']:.0f} MiB"
    )
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument(
        "--proxy-replicas",
        type=int,
        default=0,
        metavar="N",
        help="go through make serve's nginx to N replicas instead of one bare server",
    )
    args = ap.parse_args()
    if args.proxy_replicas:
        log = Path(tempfile.mkdtemp(prefix="bench-load-")) / "serve.log"
        proc, base, pids = start_proxy(args.proxy_replicas, log)
        stop = stop_proxy
    else:
        proc, base = start_server()
        pids, stop = [proc.pid], stop_server
    load0 = os.getloadavg()[0]
    try:
        res = asyncio.run(run(base, pids, args.sessions, args.seconds))
    finally:
        stop(proc)
    print(report(res, args.sessions, args.seconds, (load0, os.getloadavg()[0])))
    if sum(res["stats"].errors.values()):
        sys.exit(1)


if __name__ == "__main__":
    main()
