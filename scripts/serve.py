"""`make serve REPLICAS=N PORT=P`: N replicas of the app behind nginx, in the foreground.

    .venv/bin/python scripts/serve.py --replicas 2 --port 8501

Starts N `streamlit run app.py` processes on free loopback ports (headless, no file watcher, no
usage stats), waits until each answers /_stcore/health, then renders deploy/nginx.conf.template
into a fresh temp dir and runs Debian's nginx from there (`nginx -p DIR -c DIR/nginx.conf`,
`daemon off`) on LISTEN:P: sticky sessions by a cookie nginx sets, websocket upgrade, the upload
limit of app_logic/limits.py, passive health checks with failover (docs/SERVING.md).

It stays in the foreground and watches its children: a replica that exits is reported (nginx sends
its browsers to the others); if nginx exits, or every replica, it stops. Ctrl-C, SIGTERM or SIGHUP
stop nginx and every replica (each child runs in its own process group, which is signalled as a
whole: SIGTERM, then SIGKILL after --grace seconds), wait for them and remove the temp dir. Each
child also gets SIGTERM from the kernel if this launcher itself is killed (PR_SET_PDEATHSIG).

The launcher prints one line per replica, `replica rK http://127.0.0.1:PORT pid PID`, then
`serving http://LISTEN:P`: tests/test_serving.py reads them.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = ROOT / "deploy" / "nginx.conf.template"
sys.path.insert(0, str(ROOT))
from app_logic.limits import MAX_UPLOAD_BYTES  # noqa: E402  (after the path fix)

LOOPBACK = "127.0.0.1"  # replicas listen here only; nginx is the one door in
FAIL_TIMEOUT_S = 10  # a replica that failed is left alone this long before nginx tries it again
PR_SET_PDEATHSIG = 1


class Stop(Exception):
    """A signal asked us to stop (Ctrl-C, SIGTERM, SIGHUP)."""


def _on_signal(signum, _frame):
    raise Stop(signal.Signals(signum).name)


def say(msg: str) -> None:
    print(f"[serve] {msg}", flush=True)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def port_is_free(host: str, port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return False
    return True


def _own_group_and_die_with_parent() -> None:
    """In the child before exec: a process group of its own (we signal it as a whole; a Ctrl-C
    at the terminal reaches only us), and SIGTERM when the launcher dies, however it dies."""
    os.setpgid(0, 0)
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def spawn(cmd: list[str], log: Path | None, env: dict | None = None) -> subprocess.Popen:
    out = open(log, "wb") if log else None  # noqa: SIM115  (the child keeps its own handle)
    try:
        return subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT if out else None,
            preexec_fn=_own_group_and_die_with_parent,
        )
    finally:
        if out:
            out.close()


def health(base: str, timeout: float = 2.0) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=timeout) as r:
            return r.read().strip() == b"ok"
    except OSError:
        return False


def tail(path: Path, n: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def render_config(tmp: Path, ports: list[int], listen: str, port: int) -> str:
    """deploy/nginx.conf.template with this run's replicas, paths, address and limits."""
    server = f"max_fails=1 fail_timeout={FAIL_TIMEOUT_S}s"

    def upstream(name: str, first: int | None, health: bool = True) -> str:
        """All replicas (round robin), or replica `first` with the others as backups; or, for
        uploads (health=False), replica `first` alone and no health score."""
        lines = [f"    upstream {name} {{", f"        zone {name} 64k;"]
        for k, p in enumerate(ports):
            if health:
                backup = " backup" if first is not None and k != first else ""
                lines.append(f"        server {LOOPBACK}:{p} {server}{backup};")
            elif first is None or k == first:
                lines.append(f"        server {LOOPBACK}:{p} max_fails=0;")
        return "\n".join([*lines, "    }"])

    ups = [upstream("lstm_new", None)] + [upstream(f"lstm_r{k}", k) for k in range(len(ports))]
    ups += [upstream("lstm_upload_new", None, health=False)]
    ups += [upstream(f"lstm_upload_r{k}", k, health=False) for k in range(len(ports))]
    cookie = "Path=/; HttpOnly; SameSite=Lax"
    fields = {
        "@UPSTREAMS@": "\n".join(ups),
        "@COOKIE_TO_UPSTREAM@": "\n".join(f"        r{k} lstm_r{k};" for k in range(len(ports))),
        "@COOKIE_TO_UPLOAD_UPSTREAM@": "\n".join(
            f"        r{k} lstm_upload_r{k};" for k in range(len(ports))
        ),
        "@ADDR_TO_COOKIE@": "\n".join(
            f'        "~{re.escape(LOOPBACK)}:{p}$" "lstm_replica=r{k}; {cookie}";'
            for k, p in enumerate(ports)
        ),
        "@MAX_BODY@": str(MAX_UPLOAD_BYTES),
        "@LISTEN@": listen,
        "@PORT@": str(port),
        "@DIR@": str(tmp),
    }
    text = TEMPLATE.read_text(encoding="utf-8")
    for key, value in fields.items():
        text = text.replace(key, value)
    left = re.findall(r"@[A-Z_]+@", text)
    assert not left, f"fields of the template not filled in: {left}"
    return text


def find_nginx() -> str:
    found = shutil.which("nginx") or next(
        (p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx") if os.access(p, os.X_OK)), None
    )
    if not found:
        sys.exit("[serve] no nginx: run `scripts/setup.sh serve` (installs Debian's nginx)")
    return found


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def stop_all(children: list[subprocess.Popen], grace: float) -> None:
    """SIGTERM to each child's process group (nginx first: no new requests), wait, SIGKILL."""
    for p in children:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(p.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for p in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            p.wait(timeout=max(0.0, deadline - time.monotonic()))
    for p in children:
        if p.poll() is None or group_alive(p.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
            p.wait()
    # nginx's workers are in the master's group: wait until no member of any group is left.
    deadline = time.monotonic() + grace
    while any(group_alive(p.pid) for p in children) and time.monotonic() < deadline:
        time.sleep(0.05)


def serve(args, tmp: Path, children: list[subprocess.Popen]) -> int:
    nginx = find_nginx()
    if not port_is_free(args.listen, args.port):
        say(f"port {args.listen}:{args.port} is in use")
        return 2
    env = dict(os.environ)
    # One cookie secret for all replicas: a cookie signed by one is valid on the one that takes
    # over its browsers. Passed in the environment, not on a command line everyone can read.
    env["STREAMLIT_SERVER_COOKIE_SECRET"] = secrets.token_hex(32)
    ports = []
    for k in range(args.replicas):
        port = free_port()
        while port in ports or port == args.port:
            port = free_port()
        ports.append(port)
        cmd = [
            sys.executable, "-m", "streamlit", "run", "app.py",
            "--server.headless", "true", "--server.address", LOOPBACK, "--server.port", str(port),
            "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
        ]  # fmt: skip
        children.append(spawn(cmd, tmp / f"replica-r{k}.log", env))
    replicas = list(children)

    deadline = time.monotonic() + args.start_timeout
    waiting = set(range(args.replicas))
    while waiting:
        for k in sorted(waiting):
            if replicas[k].poll() is not None:
                say(f"replica r{k} exited with {replicas[k].returncode} while starting:")
                print(tail(tmp / f"replica-r{k}.log"), flush=True)
                return 1
            if health(f"http://{LOOPBACK}:{ports[k]}", timeout=1):
                waiting.discard(k)
                say(f"replica r{k} http://{LOOPBACK}:{ports[k]} pid {replicas[k].pid}")
        if waiting and time.monotonic() > deadline:
            late = sorted(f"r{k}" for k in waiting)
            say(f"replicas {late} did not answer /_stcore/health in {args.start_timeout} s")
            return 1
        if waiting:
            time.sleep(0.2)

    conf = tmp / "nginx.conf"
    conf.write_text(render_config(tmp, ports, args.listen, args.port), encoding="utf-8")
    cmd = [nginx, "-p", str(tmp), "-c", str(conf), "-e", "stderr"]
    check = subprocess.run([*cmd, "-t", "-q"], capture_output=True, text=True)
    if check.returncode:
        say(f"nginx refused the generated config {conf}:\n{check.stderr}")
        return 1
    proxy = spawn(cmd, None)
    children.insert(0, proxy)  # stopped first
    base = f"http://{args.listen}:{args.port}"
    deadline = time.monotonic() + 30
    while not health(f"http://{LOOPBACK if args.listen == '0.0.0.0' else args.listen}:{args.port}"):
        if proxy.poll() is not None or time.monotonic() > deadline:
            say("nginx did not start (its messages are above)")
            return 1
        time.sleep(0.1)
    say(
        f"serving {base} (nginx pid {proxy.pid}, {args.replicas} replicas, sticky by the cookie "
        f"lstm_replica; logs in {tmp}). Ctrl-C or SIGTERM stops them all."
    )

    alive = set(range(args.replicas))
    while True:
        time.sleep(0.5)
        if proxy.poll() is not None:
            say(f"nginx exited with {proxy.returncode}: stopping the replicas")
            return 1
        for k in sorted(alive):
            if replicas[k].poll() is not None:
                alive.discard(k)
                say(
                    f"replica r{k} (port {ports[k]}, pid {replicas[k].pid}) exited with "
                    f"{replicas[k].returncode}; nginx sends its browsers to the other replicas "
                    f"({len(alive)} left). Its log ends with:\n{tail(tmp / f'replica-r{k}.log')}"
                )
        if not alive:
            say("no replica is left: stopping")
            return 1


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0].strip("`"))
    ap.add_argument("--replicas", type=int, default=os.cpu_count() or 1, help="app processes")
    ap.add_argument("--port", type=int, default=8501, help="the port nginx listens on")
    ap.add_argument(
        "--listen",
        default=LOOPBACK,
        help="the address nginx listens on (default 127.0.0.1: this machine only)",
    )
    ap.add_argument("--start-timeout", type=float, default=120, help="s for the replicas to start")
    ap.add_argument("--grace", type=float, default=10, help="s between SIGTERM and SIGKILL")
    args = ap.parse_args()
    if args.replicas < 1:
        ap.error("--replicas must be at least 1")

    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _on_signal)
    tmp = Path(tempfile.mkdtemp(prefix="lstm-serve-"))
    # Started as root, nginx's worker runs as an unprivileged user and must reach its temp dirs
    # (nginx creates and owns them) inside this one: traversable, not listable.
    tmp.chmod(0o711)
    children: list[subprocess.Popen] = []
    code = 0
    try:
        code = serve(args, tmp, children)
    except Stop as why:
        say(f"{why}: stopping nginx and the replicas")
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # the cleanup below is bounded; let it finish
        stop_all(children, args.grace)
        shutil.rmtree(tmp, ignore_errors=True)
        say("stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())
