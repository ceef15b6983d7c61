"""Bad input on every entry point, in the app (AppTest): a message, no traceback, the page works.

Entry points: the URL on every page, typed numbers, the text input, CSV bytes (what the sidebar's
uploader stores; the upload itself is in `test_browser_hardening.py`), every numeric setting at
and past its bound, the Compare page's own fields, and the upload readers with hostile files
(pickles that would create a marker file, zip bombs). A test marked xfail(strict) names a bug in
a file this suite does not own; it starts failing (XPASS) the moment the bug is fixed.
"""

from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import conftest
import numpy as np
import pytest
from needs import need_torch
from streamlit.testing.v1 import AppTest

from app_logic import compare_logic as cl
from app_logic import inputs, uploads
from app_logic.i18n import tr
from ui import session

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 120  # the Compare page imports torch; the machine is shared
SINE = np.sin(2 * np.pi * np.arange(12) / 12)  # the default input every bad input falls back to

# What each page must still draw after bad input: (file or None for the landing, min charts).
PAGES = {
    "home": (None, 0),
    "lesson": ("pages/guided_lesson.py", 1),
    "challenges": ("pages/gate_challenges.py", 1),
    "cell": ("pages/cell.py", 1),
    "network": ("pages/network.py", 1),
    "gates": ("pages/gates.py", 4),
    "compare": ("pages/compare.py", 1),
    "train": ("pages/train.py", 0),
    "why": ("pages/rnn_vs_lstm.py", 0),
    "gru": ("pages/gru_cell.py", 2),
    "variants": ("pages/variant_lab.py", 0),
}


def open_app(page: str | None = None, query: dict | None = None) -> AppTest:
    """A fresh session opened from a URL with `query`, then switched to `page`."""
    return conftest.open_app(page, query, timeout=TIMEOUT)


def alerts(at: AppTest) -> str:
    return "\n".join(str(e.value) for e in [*at.error, *at.warning])


def assert_page_works(at: AppTest, name: str) -> None:
    """No traceback; the page drew its title, its charts and the shared sidebar."""
    assert not at.exception, [e.value for e in at.exception]
    assert at.title, f"{name}: no title"
    assert len(at.get("plotly_chart")) >= PAGES[name][1], f"{name}: its charts are missing"
    run = at.session_state[session.LAST_RUN]
    if run.source == "random":
        assert at.slider(key="w_hidden_size").value == at.session_state["_settings"].hidden_size
    else:  # the weights fix the shape: the sidebar states the model's own H instead
        assert any(f"H = {run.H}" in c.value for c in at.sidebar.caption), name


def last_run(at: AppTest) -> session.Run:
    return at.session_state[session.LAST_RUN]


def cfg_of(at: AppTest) -> session.Settings:
    return at.session_state["_settings"]


# ----- the URL, on every page ------------------------------------------------------------------

GARBAGE = {
    "H": "banana",
    "T": "-5",
    "D": "1e9",
    "layers": "99999999999999999999999999",
    "seed": "nan",
    "proj": "٣٣",  # Arabic-Indic digits: 33 ≥ H
    "dtype": "float16",
    "lang": "klingon",
    "bi": "maybe",
    "weights": "../../etc/passwd",
    "input": "<script>alert(1)</script>",
    "hand": "inf,1,1,1,1,1,1,1,1,1,1,1",
    "text": "x" * (session.MAX_TEXT_CHARS + 1),
    "k": "-1",
    "dir": "ü",
    "t": "9" * 400,
    "j": "NaN",
    "utm_source": "mail",  # an unknown key: ignored, left alone
}


@pytest.mark.parametrize("name", list(PAGES))
def test_garbage_url_gives_a_message_per_value_and_the_page_works(name):
    query = dict(GARBAGE, H=["3", "banana"])  # a repeated key: the last value counts
    at = open_app(PAGES[name][0], query)
    assert_page_works(at, name)
    text = alerts(at)
    for key in GARBAGE:
        if key in session.QUERY_KEYS or key in session.SELECTION_KEYS:
            assert f"{key}=" in text, f"no message for {key} on {name}"
    assert cfg_of(at) == session.Settings()  # every bad value fell back to its default
    assert at.query_params.get("utm_source") == "mail"
    assert not any(k in at.query_params for k in ("H", "T", "layers", "text"))  # a clean link
    # The page keeps working: a change is applied and the old messages go.
    at.slider(key="w_hidden_size").set_value(5).run()
    assert_page_works(at, name)
    assert last_run(at).H == 5 and at.query_params["H"] == "5"
    assert "banana" not in alerts(at)


@pytest.mark.parametrize("name", ["cell", "network", "gates"])
def test_each_message_is_shown_once(name):
    at = open_app(PAGES[name][0], {"H": "banana", "input": "typed", "text": "1, abc"})
    texts = [str(e.value) for e in [*at.error, *at.warning]]
    assert texts and len(texts) == len(set(texts)), texts


def test_settings_at_their_bounds_are_accepted_and_the_largest_run_is_drawn():
    top = {
        "input": "noise",
        "T": str(inputs.MAX_T),
        "D": str(inputs.MAX_D),
        "H": str(session.MAX_HIDDEN),
        "layers": str(session.MAX_LAYERS),
        "bi": "1",
        "proj": str(session.MAX_HIDDEN - 1),
        "seed": str(session.MAX_SEED),
        "t": str(inputs.MAX_T - 1),
        "j": str(session.MAX_HIDDEN - 1),
    }
    at = open_app("pages/cell.py", top)
    assert_page_works(at, "cell")
    assert not alerts(at)
    run = last_run(at)
    assert (run.T, run.D, run.H) == (inputs.MAX_T, inputs.MAX_D, session.MAX_HIDDEN)
    assert run.trace.num_layers == session.MAX_LAYERS and run.trace.num_directions == 2
    assert run.model.proj_size == session.MAX_HIDDEN - 1
    sel = session.selection_from_query(top)[0]
    assert sel.t == inputs.MAX_T - 1 and sel.unit == session.MAX_HIDDEN - 1
    lo = {"input": "noise", "T": "1", "D": "1", "H": "1", "layers": "1", "proj": "0", "seed": "0"}
    at = open_app("pages/gates.py", lo)
    assert_page_works(at, "gates")
    assert not alerts(at) and last_run(at).x.shape == (1, 1)


PAST = {
    "T": [str(inputs.MAX_T + 1), "0"],
    "D": [str(inputs.MAX_D + 1), "0"],
    "H": [str(session.MAX_HIDDEN + 1), "0"],
    "layers": [str(session.MAX_LAYERS + 1), "0"],
    "proj": [str(session.MAX_HIDDEN), "-1"],
    "seed": [str(session.MAX_SEED + 1), "-1"],
    "hand": [",".join(["5.1"] * 12), ",".join(["-5.1"] * 12)],
}


@pytest.mark.parametrize("side", [0, 1], ids=["above", "below"])
def test_settings_past_their_bounds_are_refused_by_name(side):
    query = {k: v[side] for k, v in PAST.items()} | {"input": "noise", "weights": "hand"}
    at = open_app(None, query)
    assert_page_works(at, "home")
    text = alerts(at)
    for key, values in PAST.items():
        assert f"{key}={values[side][:30]}" in text  # long values are shortened
    cfg = cfg_of(at)
    defaults = session.Settings()
    assert (cfg.seq_len, cfg.hidden_size, cfg.num_layers, cfg.hand) == (
        defaults.seq_len,
        defaults.hidden_size,
        defaults.num_layers,
        defaults.hand,
    )


def test_widget_values_past_their_bounds_never_escape_the_limits():
    """The browser clamps sliders and number boxes; a crafted message must not get past either."""
    at = open_app()
    at.slider(key="w_hidden_size").set_value(session.MAX_HIDDEN + 500).run()
    at.number_input(key="w_num_layers").set_value(session.MAX_LAYERS + 1).run()
    at.number_input(key="w_seed").set_value(session.MAX_SEED + 1).run()
    assert_page_works(at, "home")
    cfg = cfg_of(at)
    assert 1 <= cfg.hidden_size <= session.MAX_HIDDEN
    assert 1 <= cfg.num_layers <= session.MAX_LAYERS
    assert 0 <= cfg.seed <= session.MAX_SEED
    run = last_run(at)
    assert run.H == cfg.hidden_size and run.trace.num_layers == cfg.num_layers


# ----- typed numbers and text, through the sidebar ---------------------------------------------

BAD_TYPED = [
    "1, 2, abc",
    "",
    "   ;  ;",
    "1, nan, 2",
    "1, inf",
    "-Infinity, 1",
    "1 2; 3",  # ragged rows
    "1" * 400,  # overflows to infinity
    ", ".join(["0.5"] * (inputs.MAX_T + 1)),
    "; ".join([" ".join(["1"] * (inputs.MAX_D + 1))] * 2),
]


def _parser_message(text: str, lang: str = "en") -> str:
    with pytest.raises(inputs.InputError) as e:
        inputs.parse_typed(text)
    return tr(e.value.key, lang, **e.value.fmt)


def test_bad_typed_numbers_each_get_their_message_and_the_cell_page_keeps_working():
    at = open_app("pages/cell.py", {"input": "typed"})
    box = "w_input_text"
    for text in BAD_TYPED:
        at.text_area(key=box).set_value(text).run()
        assert_page_works(at, "cell")
        shown = alerts(at)
        assert _parser_message(text) in shown, (text[:40], shown[:300])
        assert tr("common.msg_bad_input", "en", reason=_parser_message(text)) in shown
        np.testing.assert_allclose(last_run(at).x[:, 0], SINE)  # the safe default, drawn
    # Chinese punctuation (and full-width digits) are understood; the page runs the numbers.
    at.text_area(key=box).set_value("0.5，1；-1，0；２，2").run()
    assert_page_works(at, "cell")
    assert not at.error
    np.testing.assert_array_equal(last_run(at).x, [[0.5, 1], [-1, 0], [2, 2]])


def test_bad_typed_numbers_in_chinese_get_the_chinese_message():
    at = open_app("pages/network.py", {"input": "typed", "text": "1, abc", "lang": "zh"})
    assert_page_works(at, "network")
    assert _parser_message("1, abc", "zh") in alerts(at)


def test_a_10_mb_text_is_refused_with_a_message():
    at = open_app("pages/cell.py", {"input": "typed"})
    ten_mb = "1, " * (10 * 2**20 // 3)
    at.text_area(key="w_input_text").set_value(ten_mb).run()
    assert_page_works(at, "cell")
    kept = cfg_of(at).input_text
    assert len(kept) == session.MAX_TEXT_CHARS  # the box keeps max_chars; 10 MB never stored
    assert _parser_message(kept) in alerts(at)  # "at most 200 timesteps, got 6667"


def test_a_text_past_the_limits_gets_a_message():
    long = "ab" * inputs.MAX_T
    at = open_app("pages/gates.py", {"input": "text", "text": long})
    assert_page_works(at, "gates")
    with pytest.raises(inputs.InputError) as e:
        inputs.one_hot_text(long)
    assert tr(e.value.key, "en", **e.value.fmt) in alerts(at)
    wide = "".join(chr(0x4E00 + n) for n in range(inputs.MAX_D + 1))  # 65 distinct characters
    at.text_area(key="w_input_text").set_value(wide).run()
    assert_page_works(at, "gates")
    assert f"at most {inputs.MAX_D} features, got {inputs.MAX_D + 1}" in alerts(at)
    at.text_area(key="w_input_text").set_value("你好，世界").run()
    assert_page_works(at, "gates")
    assert not at.error and last_run(at).x.shape == (5, 5)


def test_huge_typed_numbers_with_float32_get_a_message(name="cell"):
    at = open_app(PAGES[name][0], {"input": "typed", "text": "1e300, -1e300", "dtype": "float32"})
    assert_page_works(at, name)
    assert any("±1e+06" in e.value for e in at.error)


def test_huge_typed_numbers_in_float64_get_a_message_and_a_finite_run():
    at = open_app("pages/cell.py", {"input": "typed", "text": "1.7e308, -1.7e308, 1e-320"})
    assert_page_works(at, "cell")
    assert any("±1e+06" in e.value for e in at.error)
    lt = last_run(at).trace.layers[0][0]
    for a in (lt.i, lt.f, lt.g, lt.o, lt.c, lt.h):
        assert np.all(np.isfinite(a))


# ----- CSV (the bytes the sidebar's uploader stores) -------------------------------------------

BAD_CSV = {
    "ragged": b"1,2\n3\n4,5\n",
    "empty": b"",
    "blank lines": b"\n\n , \n",
    "header only": b"a,b\n",
    "nan": b"1,2\nnan,3\n",
    "inf": b"1,2\n3,-inf\n",
    "utf-16": "a,b\n1,2\n".encode("utf-16"),
    "latin-1": "température,pression\n1,2\n".encode("latin-1"),
    "binary": b"\x89PNG\r\n\x1a\n" + bytes(range(256)),
    "nul bytes": b"1,2\x00\n3,4\n",
    "too big": b"1,2\n" * (inputs.MAX_CSV_BYTES // 4 + 1),
    "too long": b"1\n" * (inputs.MAX_T + 1),
    "too wide": (",".join(["1"] * (inputs.MAX_D + 1)) + "\n").encode() * 2,
}


def test_bad_csv_files_each_get_their_message_and_the_page_keeps_working():
    at = open_app("pages/network.py", {"input": "csv"})
    for label, data in BAD_CSV.items():
        at.session_state[session.CSV_BYTES] = data
        at.run()
        assert_page_works(at, "network")
        if data:
            with pytest.raises(inputs.InputError) as e:
                inputs.parse_csv(data)
            want = tr(e.value.key, "en", **e.value.fmt)
        else:  # no bytes at all: treated as no file
            want = tr("common.err_csv_missing", "en")
        assert want in alerts(at), (label, alerts(at)[:300])
        np.testing.assert_allclose(last_run(at).x[:, 0], SINE)
    at.session_state[session.CSV_BYTES] = b"u,v\n1,2\n3,4\n5,6\n"
    at.run()
    assert_page_works(at, "network")
    assert not at.error and last_run(at).feature_labels == ("u", "v")


# ----- the Compare page's own fields -----------------------------------------------------------


def test_compare_page_refuses_bad_fields_by_name_and_keeps_its_verdict():
    at = open_app("pages/compare.py", GARBAGE)
    assert_page_works(at, "compare")
    assert at.success, "no verdict on the default example"
    for text in ("abc", "1, 2", "0, 1, 2", "99, 1, 1", "٣, -1, 2", "5" * 400):
        at.text_input(key="cmp_lengths").set_value(text).run()
        assert not at.exception, text
        assert at.error, f"no message for lengths {text!r}"
        with pytest.raises(cl.CompareError) as e:  # the box keeps at most max_chars characters
            cl.parse_lengths(text[: cl.MAX_LENGTHS_CHARS], 3, 5)
        assert tr(e.value.key, "en", **e.value.fmt) in alerts(at)
    at.text_input(key="cmp_lengths").set_value("5, 3, 4").run()
    assert not at.exception and not at.error and at.success
    for key, past in (("cmp_hidden_size", 65), ("cmp_num_layers", 5), ("cmp_seq_len", 41)):
        at.number_input(key=key).set_value(past).run()
        assert not at.exception, key
        assert at.number_input(key=key).value <= past


# ----- uploads: the readers the Compare page calls (the page itself: the browser suite) ---------


class Payload:
    """Unpickling this runs code: it creates the file at `path`."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (exec, (f"open({self.path!r}, 'w').close()",))


def test_a_pickle_in_a_pt_file_is_refused_and_never_runs(tmp_path):
    torch = need_torch()
    marker = tmp_path / "pwned"
    buf = io.BytesIO()
    torch.save({"weight_ih_l0": Payload(str(marker))}, buf)
    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload("evil.pt", buf.getvalue())
    assert tr(e.value.key, "en", **e.value.fmt) and not marker.exists()
    torch.load(io.BytesIO(buf.getvalue()), weights_only=False)  # the payload is live
    assert marker.exists()


def test_an_object_array_in_an_npz_is_refused_and_never_unpickled(tmp_path):
    marker = tmp_path / "pwned"
    buf = io.BytesIO()
    np.savez(buf, weight_ih_l0=np.array([Payload(str(marker))], dtype=object))
    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload("evil.npz", buf.getvalue())
    assert e.value.key == "compare.err_upload_npz_arrays" and not marker.exists()
    np.load(io.BytesIO(buf.getvalue()), allow_pickle=True)["weight_ih_l0"]  # live payload
    assert marker.exists()


def zip_bomb_npz(megabytes: int) -> bytes:
    """An .npz whose one member inflates to `megabytes` MB of zeros, a few kB on the wire."""
    header = io.BytesIO()
    n = megabytes * 2**20 // 8
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (n,)}
    )
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("weight_ih_l0.npy", "w", force_zip64=True) as f,
    ):
        f.write(header.getvalue())
        chunk = bytes(2**20)
        for _ in range(megabytes):
            f.write(chunk)
    return buf.getvalue()


def test_an_npz_zip_bomb_is_refused_from_its_directory_without_inflating(monkeypatch):
    data = zip_bomb_npz(256)  # 256 MiB unpacked, 4 × the limit
    assert len(data) < 2**20
    monkeypatch.setattr(uploads.np, "load", lambda *a, **k: pytest.fail("inflated the bomb"))
    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload("bomb.npz", data)
    assert e.value.key == "compare.err_upload_npz_inflated"
    assert "268,435,5" in tr(e.value.key, "en", **e.value.fmt)  # 256 MiB and the .npy header


def test_a_file_far_over_the_limit_is_refused_by_its_size():
    data = bytes(uploads.MAX_UPLOAD_BYTES * 3)
    for name in ("big.pt", "big.npz"):
        with pytest.raises(uploads.UploadError) as e:
            uploads.model_from_upload(name, data)
        assert e.value.key == "compare.err_upload_too_big"
        assert f"{uploads.MAX_UPLOAD_BYTES:,}" in tr(e.value.key, "zh", **e.value.fmt)


PT_READER = textwrap.dedent(
    """
    import re, sys
    import torch  # imported before the baseline, like the page, which has torch loaded
    from app_logic import uploads

    def kib(field):
        return int(re.search(field + r":\\s+(\\d+)", open("/proc/self/status").read()).group(1))

    data = open(sys.argv[1], "rb").read()
    open("/proc/self/clear_refs", "w").write("5")  # reset the peak (VmHWM) to the current RSS
    before = kib("VmRSS")
    try:
        uploads.model_from_upload("bomb.pt", data)
        verdict = "accepted"
    except uploads.UploadError as e:
        verdict = e.key
    print(verdict, (kib("VmHWM") - before) // 1024)
    """
)


def pt_zip_bomb(path: Path) -> int:
    """torch.save of 32 MiB of zeros, re-packed with deflate (torch writes stored members)."""
    import torch

    buf = io.BytesIO()
    torch.save({"weight_ih_l0": torch.zeros(2**23, dtype=torch.float32)}, buf)
    src, out = zipfile.ZipFile(io.BytesIO(buf.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info.filename))
    path.write_bytes(out.getvalue())
    return len(out.getvalue())


def test_a_pt_zip_bomb_is_refused_before_it_is_inflated(tmp_path):
    need_torch()
    size = pt_zip_bomb(tmp_path / "bomb.pt")
    assert size < 100_000  # 32 MiB unpacked
    out = subprocess.run(
        [sys.executable, "-c", PT_READER, str(tmp_path / "bomb.pt")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    verdict, grew = out.stdout.split()
    assert verdict.startswith("compare.err_upload_"), out.stdout
    assert int(grew) < 16, f"peak memory grew by {grew} MiB while reading a {verdict} file"


# ----- the text of the next-character task (Train page) ----------------------------------------

BAD_TASK_TEXT = {
    "empty": "",
    "blank": " \n\t ",
    "one character": "aaaa",
    "too long": "ab" * 101,
    "too many characters": "".join(chr(0x4E00 + n) for n in range(130)),
}


def test_bad_task_texts_are_refused_with_their_message_and_nothing_trains():
    from ui import training_runner as runner

    at = open_app("pages/train.py")
    at.selectbox(key="train_task").set_value("text").run()
    assert_page_works(at, "train")
    for label, text in BAD_TASK_TEXT.items():
        at.text_area(key="train_text").set_value(text).run()
        at.button(key="train_start").click().run()
        assert_page_works(at, "train")
        key, fmt = runner.text_problem(text, inputs.MAX_T)
        assert tr(f"train.{key}", "en", **fmt) in alerts(at), (label, alerts(at)[:300])
        job = at.session_state[runner.JOB] if runner.JOB in at.session_state else None  # noqa: SIM401
        assert not isinstance(job, runner.TrainJob), f"{label}: a training run started"
        assert tr("train.how_to_start", "en") in [str(i.value) for i in at.info]
