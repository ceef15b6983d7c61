"""Hostile uploads and garbage links in a real Chromium: a message, no traceback, nothing runs.

AppTest cannot set a file uploader, so the uploads happen here with Playwright's
`set_input_files`: CSV files in the sidebar, state_dict files on the Compare page (pickles that
would create a marker file, an object array, a zip bomb, a file far over the size limit). The
server is the shared `streamlit_server` fixture (a separate process: a marker file it created
would be visible here). Garbage links, with an HTML/JS injection in the input text, on every page.
"""

from __future__ import annotations

import io
import pickle
import zipfile
from pathlib import Path

import numpy as np
import pytest
from browser_helpers import assert_no_exception, text_prefix, wait_idle
from needs import need_torch

from app_logic import inputs, uploads
from app_logic.i18n import tr
from lstm_core import LSTM
from ui import session

pytestmark = pytest.mark.browser

DROP = "[data-testid='stFileUploaderDropzoneInput']"
ALERT = "[data-testid='stAlert']"
LONG = 90_000  # ms: the Compare page imports torch on its first visit
PASS = text_prefix("compare.verdict_pass", "en")  # the verdict on the article's example
LOADED = text_prefix("compare.upload_ok", "en")  # "Loaded {name}: ..."


class Payload:
    """Unpickling this runs code: it creates the file at `path`."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (exec, (f"open({self.path!r}, 'w').close()",))


def upload(page, name: str, data: bytes, mime: str = "application/octet-stream", want="") -> None:
    """Upload `data` as `name`, then wait until the page shows `want` in an alert."""
    page.locator(DROP).first.set_input_files({"name": name, "mimeType": mime, "buffer": data})
    wait_idle(page, timeout=LONG)
    if want:
        page.locator(ALERT).filter(has_text=want).first.wait_for(timeout=LONG)
        wait_idle(page, timeout=LONG)


def open_uploads(page, base: str) -> None:
    """The Compare page, on its upload tab (only the open tab runs)."""
    page.goto(f"{base}/torch", timeout=LONG)
    wait_idle(page, timeout=LONG)
    tab = page.get_by_role("tab", name=tr("compare.tab_files", "en"))
    if tab.count():
        tab.first.click()
        wait_idle(page, timeout=LONG)
    page.locator(DROP).first.wait_for(state="attached", timeout=LONG)


def alert_text(page) -> str:
    return " ".join(page.locator(ALERT).all_inner_texts())


def plotly_count(page) -> int:
    return page.locator("[data-testid='stPlotlyChart']").count()


# ----- CSV in the sidebar ----------------------------------------------------------------------

CSV_FILES = {
    "ragged.csv": b"1,2\n3\n",
    "utf16.csv": "a,b\n1,2\n".encode("utf-16"),
    "latin1.csv": "température\n1\n".encode("latin-1"),
    "garbage.csv": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
    "nan.csv": b"x\n1\nnan\n",
    "big.csv": b"1,2\n" * (inputs.MAX_CSV_BYTES // 4 + 1000),
}


def test_bad_csv_uploads_get_a_message_and_the_page_keeps_drawing(streamlit_server, page):
    page.goto(f"{streamlit_server}/unrolled?input=csv", timeout=LONG)
    wait_idle(page, timeout=LONG)
    assert tr("common.err_csv_missing", "en") in alert_text(page)
    for name, data in CSV_FILES.items():
        with pytest.raises(inputs.InputError) as e:
            inputs.parse_csv(data[: inputs.MAX_CSV_BYTES + 1])  # what the sidebar keeps
        want = tr(e.value.key, "en", **e.value.fmt)
        upload(page, name, data, "text/csv", want=want)
        assert want in alert_text(page), name
        assert_no_exception(page)
        assert plotly_count(page) >= 1, f"{name}: the grid is gone"
    upload(page, "good.csv", b"u,v\n1,2\n3,4\n5,6\n", "text/csv")
    page.get_by_text(tr("common.input_summary", "en", T=3, D=2)).wait_for(timeout=LONG)
    assert not page.locator("[data-testid='stAlertContentError']").count()
    sidebar = page.locator("section[data-testid='stSidebar']").inner_text()
    assert tr("common.input_summary", "en", T=3, D=2) in sidebar
    assert_no_exception(page)


# ----- state_dicts on the Compare page ---------------------------------------------------------


def _pt_with_payload(marker: Path) -> bytes:
    import torch

    buf = io.BytesIO()
    torch.save({"weight_ih_l0": Payload(str(marker))}, buf)
    return buf.getvalue()


def _npz_object(marker: Path) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, weight_ih_l0=np.array([Payload(str(marker))], dtype=object))
    return buf.getvalue()


def _npz_bomb(megabytes: int = 256) -> bytes:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (megabytes * 2**17,)}
    )
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("weight_ih_l0.npy", "w", force_zip64=True) as f,
    ):
        f.write(header.getvalue())
        for _ in range(megabytes):
            f.write(bytes(2**20))
    return buf.getvalue()


def _expected(name: str, data: bytes) -> str:
    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload(name, data)
    return tr(e.value.key, "en", **e.value.fmt)


def test_hostile_state_dicts_are_refused_on_the_compare_page_and_run_nothing(
    streamlit_server, page, tmp_path
):
    need_torch()
    open_uploads(page, streamlit_server)
    assert PASS in alert_text(page)  # the page's verdict on the article's example
    markers = [tmp_path / "pwned_pt", tmp_path / "pwned_npz", tmp_path / "pwned_raw"]
    files = {
        "evil.pt": _pt_with_payload(markers[0]),
        "evil.npz": _npz_object(markers[1]),
        "raw.pth": pickle.dumps(Payload(str(markers[2])), protocol=2),
        "bomb.npz": _npz_bomb(),
        "notes.npz": b"just text, not a zip archive",
    }
    for name, data in files.items():
        want = _expected(name, data)[:60]
        upload(page, name, data, want=want)
        text = alert_text(page)
        assert want in text, (name, text[:400])
        assert_no_exception(page)
        assert PASS in text, f"{name}: the comparison is gone"
    assert not any(m.exists() for m in markers), "an upload ran code on the server"
    # A good upload after all that is read and drives the comparison.
    model = LSTM(3, 5, num_layers=2, seed=1)
    upload(page, "good.npz", uploads.npz_bytes(model.state_dict()), want=f"{LOADED}good.npz")
    assert f"{LOADED}good.npz" in alert_text(page)
    assert_no_exception(page)


def test_a_file_far_over_the_upload_limit_is_refused_before_it_is_sent(
    streamlit_server, page, tmp_path
):
    open_uploads(page, streamlit_server)
    huge = tmp_path / "huge.npz"
    with huge.open("wb") as f:  # 60 MB against server.maxUploadSize = 20
        f.truncate(3 * uploads.MAX_UPLOAD_BYTES)
    page.locator(DROP).first.set_input_files(huge)
    err = page.get_by_text("File must be 20.0MB or smaller", exact=False)
    err.first.wait_for(timeout=30_000)
    wait_idle(page, timeout=LONG)
    assert_no_exception(page)
    assert f"{LOADED}huge.npz" not in alert_text(page) and PASS in alert_text(page)


def test_an_npy_header_that_lies_about_its_size_gets_a_message(streamlit_server, page):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (2**40,)}
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("weight_ih_l0.npy", header.getvalue() + bytes(64))
    open_uploads(page, streamlit_server)
    upload(page, "lie.npz", buf.getvalue())
    assert_no_exception(page)
    assert page.locator("[data-testid='stAlertContentError']").count() >= 1


# ----- garbage links, with an injection attempt, on every page ---------------------------------

INJECT = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
GARBAGE = (
    "H=banana&T=-5&layers=1e99&seed=nan&dtype=float16&lang=xx&t=99999999999999999999&j=%F0%9F%98%80"
    "&k=-1&dir=%E2%88%9E&H=7&hand=1,2&zz=1"
)


# Every page gets garbage links in AppTest (test_hardening.py); here the two pages that draw the
# user's text into their figures (step labels in the diagram and the grid).
@pytest.mark.parametrize(
    "url", [session.page_url("pages/cell.py"), session.page_url("pages/network.py")]
)
def test_garbage_links_get_messages_and_injected_html_never_runs(streamlit_server, page, url):
    from urllib.parse import quote

    query = f"input=text&text={quote(INJECT)}&{GARBAGE}"
    page.goto(f"{streamlit_server}/{url}?{query}", timeout=LONG)
    wait_idle(page, timeout=LONG)
    page.wait_for_selector("h1", timeout=LONG)
    assert_no_exception(page)
    text = alert_text(page)
    for bad in ("T=-5", "layers=1e99", "seed=nan", "dtype=float16", "lang=xx", "hand=1,2"):
        assert bad in text, (url, bad)
    assert "H=" not in text or "H=banana" not in text  # a repeated key: the last value (7) wins
    from playwright.sync_api import expect

    expect(page.get_by_role("slider", name=tr("common.hidden_size", "en"))).to_have_value("7")
    assert page.evaluate("window.__pwned") is None, "injected HTML ran in the page"
    assert page.locator("img[src='x']").count() == 0
