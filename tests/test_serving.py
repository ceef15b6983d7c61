"""`make serve` for real: scripts/serve.py with 2 replicas behind Debian's nginx, on loopback.

One launcher for the module (the `serving` fixture, free ports), then in order:
- plain HTTP through the proxy: new browsers alternate between the replicas and get a cookie
  naming theirs; the cookie pins a browser to its replica; a cookie we did not issue cannot
  steer the proxy anywhere else; an upload above MAX_UPLOAD_BYTES is refused by nginx (413)
  before it reaches a replica, one at the limit reaches the browser's own replica;
- four Chromium sessions through the proxy, spread over both replicas: a step on the cell page
  (a rerun), a page switch, a sidebar change and a CSV upload; every HTTP response and the one
  websocket of a session come from one replica, and the upload is still there after a switch
  (it lives in that replica's process, not in the URL);
- one replica killed (SIGKILL): the sessions on the other go on (a rerun answers, their
  websocket stays up), the launcher reports it, a new browser lands on the survivor, and a
  session of the dead replica reconnects to the survivor by itself;
- SIGTERM to the launcher: it exits 0, and afterwards no replica port and no proxy port
  answers, no nginx process of ours (master or worker) and no replica process remains, and its
  temp dir is gone. A second, one-replica launcher is stopped the way Ctrl-C stops it (SIGINT).

Without nginx the module is skipped locally and FAILS under CI=true (setup.sh installs it).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from browser_helpers import free_port
from conftest import ROOT, assert_no_exception, in_ci, wait_idle

from app_logic.i18n import tr
from app_logic.limits import MAX_UPLOAD_BYTES
from ui import session as app_session

pytestmark = [pytest.mark.browser, pytest.mark.slow]

SERVE = ROOT / "scripts" / "serve.py"
LONG = 120_000  # ms: a first render on a fresh replica, on a shared 2-core machine
START_S = 180.0  # s for the launcher to report "serving"
CELL = app_session.page_url("pages/cell.py")
DROP = "[data-testid='stFileUploaderDropzoneInput']"
BUTTONS = ".js-plotly-plot g.updatemenu-button"  # the cell figure has drawn
CSV = b"u,v\n1,2\n3,4\n5,6\n"
LOCAL = ("http://127.0.0.1", "data:", "blob:", "about:")


# ----- the launcher ------------------------------------------------------------------------------


@dataclass
class Serving:
    proc: subprocess.Popen
    log: Path
    port: int
    base: str = ""
    nginx_pid: int = 0
    tmp: Path = Path()
    replicas: dict[str, tuple[int, int]] = field(default_factory=dict)  # name: (port, pid)

    def addr(self, name: str) -> str:
        return f"127.0.0.1:{self.replicas[name][0]}"

    def name_of(self, addr: str) -> str:
        """The replica that answered: after a failover X-Replica lists every address tried."""
        return next(n for n in self.replicas if self.addr(n) == answered(addr))

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def answered(x_replica: str) -> str:
    """The last address of an X-Replica header ("A, B" when A refused and B answered)."""
    return x_replica.split(",")[-1].strip()


def nginx_present() -> bool:
    return bool(shutil.which("nginx") or os.access("/usr/sbin/nginx", os.X_OK))


def start_serving(replicas: int, log: Path) -> Serving:
    """scripts/serve.py in a session of its own; returns once it reports "serving"."""
    if not nginx_present():
        if in_ci():
            pytest.fail("make serve must be tested in CI: no nginx (scripts/setup.sh test)")
        pytest.skip("no nginx (apt-get install nginx)")
    port = free_port()
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [sys.executable, str(SERVE), "--replicas", str(replicas), "--port", str(port)],
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    s = Serving(proc, log, port)
    deadline = time.monotonic() + START_S
    while not (
        m := re.search(r"\[serve\] serving (\S+) \(nginx pid (\d+).*logs in (\S+)\)", s.text())
    ):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop(proc)
            pytest.fail(f"scripts/serve.py did not start:\n{s.text()[-3000:]}")
        time.sleep(0.2)
    s.base, s.nginx_pid, s.tmp = m.group(1), int(m.group(2)), Path(m.group(3))
    for name, rport, pid in re.findall(
        r"replica (r\d+) http://127\.0\.0\.1:(\d+) pid (\d+)", s.text()
    ):
        s.replicas[name] = (int(rport), int(pid))
    assert len(s.replicas) == replicas, s.text()
    return s


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 60) -> int:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode


def answers(port: int) -> bool:
    """Does anything accept a TCP connection on 127.0.0.1:port?"""
    with socket.socket() as s:
        s.settimeout(2)
        return s.connect_ex(("127.0.0.1", port)) == 0


def alive(pid: int) -> bool:
    """A process that exists and is not a zombie."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def children_of(pid: int) -> list[int]:
    kids = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                ppid = int((d / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if ppid == pid:
                kids.append(int(d.name))
    return kids


def check_all_stopped(s: Serving, pids: list[int]) -> None:
    assert not answers(s.port), "the proxy port still answers"
    for name, (port, _) in s.replicas.items():
        assert not answers(port), f"replica {name}'s port {port} still answers"
    left = [p for p in pids if alive(p)]
    assert not left, f"processes of ours still running: {left}"
    assert not s.tmp.exists(), f"temp dir {s.tmp} left behind"
    assert s.text().rstrip().endswith("[serve] stopped"), s.text()[-2000:]


def fetch(url: str, cookie: str = "", method: str = "GET", body: bytes | None = None):
    """(status, headers) of one request with no cookie jar: each call is a new browser."""
    req = urllib.request.Request(url, data=body, method=method)
    if cookie:
        req.add_header("Cookie", cookie)
    try:
        with urllib.request.urlopen(req, timeout=60) as r:
            r.read()
            return r.status, r.headers
    except urllib.error.HTTPError as e:
        return e.code, e.headers


@pytest.fixture(scope="module")
def serving(tmp_path_factory):
    s = start_serving(2, tmp_path_factory.mktemp("serve") / "serve.log")
    yield s
    stop(s.proc)


# ----- plain HTTP through the proxy --------------------------------------------------------------


def test_new_browsers_alternate_and_the_cookie_pins_each_to_its_replica(serving):
    s = serving
    seen = []
    for _ in range(4):
        status, h = fetch(f"{s.base}/")
        assert status == 200
        name = s.name_of(h["X-Replica"])
        assert h["Set-Cookie"].startswith(f"lstm_replica={name};"), h["Set-Cookie"]
        seen.append(name)
    assert seen in (["r0", "r1"] * 2, ["r1", "r0"] * 2), seen  # round robin, not one replica
    for name in s.replicas:
        for path in ("/", "/_stcore/health", f"/{CELL}"):
            status, h = fetch(f"{s.base}{path}", cookie=f"lstm_replica={name}")
            assert (status, h["X-Replica"]) == (200, s.addr(name)), path
    # A cookie value the proxy did not issue is a new browser, never an address to go to.
    for forged in ("r7", "127.0.0.1:22", "lstm_r0", "../r0"):
        status, h = fetch(f"{s.base}/_stcore/health", cookie=f"lstm_replica={forged}")
        assert status == 200 and h["X-Replica"] in {s.addr(n) for n in s.replicas}, forged


def put(base: str, nbytes: int, cookie: str) -> tuple[int, str]:
    """PUT nbytes to Streamlit's upload endpoint: (status, X-Replica)."""
    conn = http.client.HTTPConnection(base.removeprefix("http://"), timeout=60)
    # nginx may answer 413 and close before the whole body is sent; the answer is read below.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        conn.request(
            "PUT",
            "/_stcore/upload_file/no-session/no-file",
            body=bytes(nbytes),
            headers={"Cookie": cookie, "Content-Type": "application/octet-stream"},
        )
    r = conn.getresponse()
    r.read()
    conn.close()
    return r.status, r.getheader("X-Replica") or ""


def test_the_upload_limit_is_the_apps_and_a_refused_upload_marks_no_replica_down(serving):
    s = serving
    status, replica = put(s.base, MAX_UPLOAD_BYTES + 1, "lstm_replica=r1")
    assert (status, replica) == (413, ""), "nginx must refuse it before a replica sees it"
    # At the limit, nginx passes it on, to this browser's replica only (which refuses it: no
    # session, no XSRF token) ...
    for name in s.replicas:
        status, replica = put(s.base, MAX_UPLOAD_BYTES, f"lstm_replica={name}")
        assert status != 413 and replica == s.addr(name), (status, replica)
    # ... and a replica refusing an upload is not a replica down: both still get new browsers.
    seen = {s.name_of(fetch(f"{s.base}/")[1]["X-Replica"]) for _ in range(4)}
    assert seen == set(s.replicas)


# ----- browser sessions through the proxy --------------------------------------------------------


@dataclass
class Tab:
    page: object
    replica: str = ""  # the replica that served the page
    http: list[tuple[str, str]] = field(default_factory=list)  # (url, X-Replica) of each response
    ws: list[str] = field(default_factory=list)  # X-Replica of each websocket handshake
    ws_closed: int = 0


def open_tab(browser, s: Serving) -> Tab:
    """A new browser (context) opening the cell page through the proxy; recorded: the
    X-Replica of every HTTP response and of every websocket handshake (over CDP, where the
    101 response's headers are visible), closed websockets, JS errors, outside requests."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = ctx.new_page()
    page.set_default_timeout(LONG)
    tab = Tab(page)
    page.js_errors, page.outside = [], []
    page.on("pageerror", lambda e: page.js_errors.append(str(e)[:300]))
    page.on("request", lambda r: None if r.url.startswith(LOCAL) else page.outside.append(r.url))

    def on_response(r) -> None:
        if r.url.startswith(s.base):
            tab.http.append((r.url, answered(r.headers.get("x-replica", ""))))

    page.on("response", on_response)

    def on_ws(ws) -> None:
        def closed(_=None) -> None:
            tab.ws_closed += 1

        ws.on("close", closed)

    page.on("websocket", on_ws)
    cdp = ctx.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.on(
        "Network.webSocketHandshakeResponseReceived",
        lambda e: tab.ws.append(
            answered(
                {k.lower(): v for k, v in e["response"]["headers"].items()}.get("x-replica", "")
            )
        ),
    )
    response = page.goto(f"{s.base}/{CELL}", wait_until="commit")
    tab.replica = s.name_of(response.headers["x-replica"])
    return tab


def wait_drawn(tab: Tab) -> None:
    tab.page.wait_for_selector(BUTTONS, timeout=LONG)
    wait_idle(tab.page, timeout=LONG)


def step(tab: Tab) -> None:
    """The cell page's "start at t" slider, one key press (to 1 from 0, else one back): a rerun,
    answered with the new t in the URL and the script idle."""
    page = tab.page
    slider = page.get_by_role("slider", name=tr("cell.start_t", "en"))
    now = int(slider.input_value())
    new = 1 if now == 0 else now - 1
    slider.focus()
    slider.press("ArrowRight" if new > now else "ArrowLeft")
    want = re.compile(rf"[?&]t={new}(&|$)") if new else re.compile(r"^(?!.*[?&]t=)")
    page.wait_for_url(want, timeout=LONG)
    wait_idle(page, timeout=LONG)
    assert slider.input_value() == str(new)


def switch(tab: Tab, nav: str, title: str) -> None:
    tab.page.get_by_role("link", name=tr(nav, "en")).first.click()
    tab.page.get_by_role("heading", name=tr(title, "en"), level=1).wait_for(timeout=LONG)
    wait_idle(tab.page, timeout=LONG)


def upload_csv(tab: Tab) -> None:
    """Sidebar: input "CSV file", then a 3 × 2 CSV; the sidebar then says (T, D) = (3, 2)."""
    page = tab.page
    page.get_by_role("combobox", name=tr("common.input_kind", "en")).click()
    page.get_by_role("option", name=tr("common.kind_csv", "en")).click()
    page.locator(DROP).first.wait_for(state="attached", timeout=LONG)
    page.locator(DROP).first.set_input_files(
        {"name": "x.csv", "mimeType": "text/csv", "buffer": CSV}
    )
    page.get_by_text(tr("common.input_summary", "en", T=3, D=2)).wait_for(timeout=LONG)
    wait_idle(page, timeout=LONG)


def sidebar(tab: Tab) -> str:
    return tab.page.locator("section[data-testid='stSidebar']").inner_text()


def assert_on_one_replica(s: Serving, tab: Tab) -> None:
    want = s.addr(tab.replica)
    other = [(u, r) for u, r in tab.http if r != want]
    assert not other, f"responses from elsewhere than {tab.replica}: {other[:5]}"
    assert tab.ws == [want], f"websockets: {tab.ws} (one, on {want}, expected)"
    assert tab.ws_closed == 0
    assert not tab.page.outside, tab.page.outside[:5]


@pytest.fixture(scope="module")
def tabs(serving, browser):
    """Four browsers on the cell page through the proxy, loading side by side."""
    opened = [open_tab(browser, serving) for _ in range(4)]
    for tab in opened:
        wait_drawn(tab)
    yield opened
    for tab in opened:
        tab.page.context.close()


def test_sessions_are_spread_and_each_stays_on_its_replica(serving, tabs):
    s = serving
    assert sorted(t.replica for t in tabs) == ["r0", "r0", "r1", "r1"], "round robin"
    for tab in tabs:
        step(tab)
    # One session per replica goes further: a page switch, a sidebar change and an upload.
    for tab in {t.replica: t for t in tabs}.values():
        switch(tab, "common.nav_network", "network.title")
        upload_csv(tab)
        ups = [r for u, r in tab.http if "/_stcore/upload_file/" in u]
        assert ups and set(ups) == {s.addr(tab.replica)}, ups
        # Back on the cell page the upload is still the input: it lives in this replica's
        # session (the CSV is not in the URL), so the session never left its replica.
        switch(tab, "common.nav_cell", "cell.title")
        assert tr("common.input_summary", "en", T=3, D=2) in sidebar(tab)
        tab.page.wait_for_selector(BUTTONS, timeout=LONG)
    for tab in tabs:
        assert_no_exception(tab.page)
        assert_on_one_replica(s, tab)


def test_a_dead_replica_leaves_the_others_sessions_working(serving, tabs, browser):
    s = serving
    victim = tabs[0].replica
    survivor = next(n for n in s.replicas if n != victim)
    os.kill(s.replicas[victim][1], signal.SIGKILL)
    deadline = time.monotonic() + 30
    while f"replica {victim} (port" not in s.text():
        assert time.monotonic() < deadline, f"the launcher did not notice:\n{s.text()[-2000:]}"
        time.sleep(0.2)
    assert not answers(s.replicas[victim][0])

    # A new browser: the first one after the death may try the dead replica first (refused,
    # nginx goes on to the next). It loads while the survivor's sessions carry on.
    fresh = open_tab(browser, s)
    try:
        for tab in (t for t in tabs if t.replica == survivor):
            step(tab)  # a rerun still answers, on the same websocket
            assert_no_exception(tab.page)
            assert_on_one_replica(s, tab)

        # A session of the dead replica lost its websocket; Streamlit reconnects by itself and
        # the proxy sends it to the survivor (a new session there), whose answers re-pin the
        # cookie: a reload, too, lands on the survivor and rebuilds the screen from the URL.
        orphan = tabs[0]
        deadline = time.monotonic() + LONG / 1000
        while s.addr(survivor) not in orphan.ws:
            assert time.monotonic() < deadline, f"no reconnect to the survivor: {orphan.ws}"
            orphan.page.wait_for_timeout(200)
        assert orphan.ws_closed >= 1
        response = orphan.page.reload(wait_until="commit")
        assert s.name_of(response.headers["x-replica"]) == survivor

        assert fresh.replica == survivor
        wait_drawn(fresh)
        step(fresh)
        assert_no_exception(fresh.page)
        assert_on_one_replica(s, fresh)
        wait_drawn(orphan)
        step(orphan)
        assert_no_exception(orphan.page)
    finally:
        fresh.page.context.close()


def test_sigterm_stops_every_replica_and_nginx(serving):
    s = serving
    assert alive(s.nginx_pid)
    workers = children_of(s.nginx_pid)
    assert workers, "nginx has a worker process"
    pids = [s.proc.pid, s.nginx_pid, *workers, *(pid for _, pid in s.replicas.values())]
    t0 = time.monotonic()
    assert stop(s.proc, signal.SIGTERM) == 0, s.text()[-2000:]
    assert time.monotonic() - t0 < 30
    check_all_stopped(s, pids)


def test_ctrl_c_stops_them_too(tmp_path):
    s = start_serving(1, tmp_path / "serve.log")
    try:
        pids = [s.proc.pid, s.nginx_pid, *children_of(s.nginx_pid), s.replicas["r0"][1]]
        assert fetch(f"{s.base}/_stcore/health")[0] == 200
    finally:
        code = stop(s.proc, signal.SIGINT)
    assert code == 0, s.text()[-2000:]
    check_all_stopped(s, pids)
