"""The app shell: landing, shared settings, the URL, runs, selection, exports (AppTest)."""

from __future__ import annotations

import dataclasses
import io
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from app_logic import export, warmup
from app_logic.i18n import catalog, tr
from lstm_core import LSTM
from ui import session
from ui.session import Selection, Settings

ROOT = Path(__file__).resolve().parent.parent
APP = str(ROOT / "app.py")


def _app(**query) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=30)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def _texts(at: AppTest) -> str:
    """Every markdown/caption/title/html/alert text the run produced, joined."""
    parts = []
    for kind in ("markdown", "caption", "title", "subheader", "warning", "error", "info"):
        parts += [str(e.value) for e in getattr(at, kind)]
    parts += [e.proto.body for e in at.get("html")]
    return "\n".join(parts)


def _cfg(at: AppTest) -> Settings:
    return at.session_state["_settings"]


# ----- landing page ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_landing_shows_the_five_points_legend_and_way_around(lang):
    at = _app(lang=lang)
    assert not at.exception
    text = _texts(at)
    assert at.title[0].value == tr("home.title", lang)
    for n in range(1, 6):
        point = tr(f"home.point{n}", lang)
        assert point.replace("**", "<b>", 1).split("**")[0].split("<b>")[0] in text
    assert tr("home.point1", "zh" if lang == "en" else "en")[:12] not in text  # one language only
    for key in ("c", "h", "x", "sigma", "tanh", "forget", "input", "candidate", "output", "hidden"):
        assert tr(f"home.legend_{key}", lang) in text
    # The palette's colours are the ones drawn.
    from viz import palette as pal

    for color in (pal.C_LINE, pal.H_LINE, pal.X_LINE, pal.SIGMA_BOX, pal.TANH_BOX):
        assert color in text
    # One link per page, labelled in the chosen language; the lesson's is the call to action.
    labels = {link.proto.label for link in at.get("page_link")}
    lesson_page = "pages/guided_lesson.py"
    cards = {tr(key, lang) for file, _, key, _ in session.PAGES if file != lesson_page}
    assert labels == cards | {f"**{tr('lesson.cta', lang)}**"}


def test_landing_equations_use_torch_gate_order_and_colours():
    at = _app()
    latex = at.latex[0].value
    for sym in ("i_t", "f_t", "g_t", "o_t", "c_t", "h_t", r"\odot", r"\tanh", r"\sigma"):
        assert sym in latex
    assert "W_{ig}" in latex and "b_{hg}" in latex  # torch's names, the candidate is g


TORCH_PAGES = {"pages/compare.py"}  # the one page that needs torch (the parity check)
# Landing, then every page but the torch one, in a fresh interpreter; prints, per run, whether
# torch is loaded, and at the end which threads imported torch (an audit hook sees a first import).
RUN_PAGES = """
import os, sys, threading
imported_by = []
sys.addaudithook(
    lambda ev, args: ev == "import" and args[0] == "torch"
    and imported_by.append(threading.current_thread().name)
)
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=120).run()
assert not at.exception, at.exception
print("landing", "torch" in sys.modules)
for page in {pages!r}:
    at.switch_page(page).run()
    assert not at.exception, (page, at.exception)
    print(page, "torch" in sys.modules)
if {wait!r}:
    from ui.warmup import torch_warmup
    w = torch_warmup()
    assert w.done.wait(300), "the warm-up never finished"
    assert w.error is None and w.result is True, (w.error, w.result)
print("importers", ",".join(imported_by) or "-")
"""


def _run_pages(env: dict, wait: bool) -> list[list[str]]:
    pages = [f for f, *_ in session.PAGES if f not in TORCH_PAGES]
    code = RUN_PAGES.format(app=APP, pages=pages, wait=wait)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=400,
        env={**os.environ, **env},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-3000:]
    lines = [ln.split() for ln in out.stdout.strip().splitlines()]
    assert [name for name, _ in lines[:-1]] == ["landing", *pages]
    return lines


def test_pages_without_torch_never_import_it_with_the_warmup_off():
    """LSTM_EXPLAINER_WARM_TORCH=0: landing and every page but the torch one leave torch unloaded
    (no page that does not need torch pays for it, in time or memory)."""
    lines = _run_pages({warmup.ENV: "0"}, wait=False)
    assert [name for name, flag in lines[:-1] if flag != "False"] == []
    assert lines[-1] == ["importers", "-"]


def test_torch_is_imported_by_the_warmup_thread_never_on_a_page():
    """By default the process imports torch in its warm-up thread, once it is quiet: never on a
    script run's thread, so no page (and not the landing page) waits for it."""
    lines = _run_pages({warmup.ENV: "1"}, wait=True)
    assert lines[-1] == ["importers", warmup.THREAD_NAME]


@pytest.mark.parametrize(
    ("value", "on"),
    [(None, True), ("1", True), ("yes", True), ("0", False), ("false", False), (" OFF ", False)],
)
def test_warmup_setting(value, on):
    assert warmup.enabled({} if value is None else {warmup.ENV: value}) is on


def test_warmup_waits_for_a_quiet_process():
    """The work starts only once no run has started for quiet_s, and runs once."""
    calls = []
    w = warmup.TorchWarmup(work=lambda: calls.append(time.monotonic()) or "ok", quiet_s=0.3)
    w.start()
    last = time.monotonic()
    for _ in range(6):  # script runs keep starting every 0.1 s: the warm-up must wait
        time.sleep(0.1)
        w.touch()
        last = time.monotonic()
        assert not calls
    assert w.done.wait(10)
    assert len(calls) == 1 and calls[0] - last >= 0.3 and w.result == "ok" and w.error is None


def test_warmup_waits_while_a_script_runs():
    """A long script run (no touch for a while) holds the warm-up back until it ends."""
    running = threading.Event()
    running.set()
    w = warmup.TorchWarmup(work=lambda: "ok", quiet_s=0.0, busy=running.is_set).start()
    assert not w.done.wait(0.5)  # busy: it waits
    running.clear()
    assert w.done.wait(10) and w.result == "ok"


def test_a_failing_warmup_is_recorded_not_raised():
    def boom():
        raise ImportError("no torch here")

    w = warmup.TorchWarmup(work=boom, quiet_s=0.0).start()
    assert w.done.wait(10)
    assert isinstance(w.error, ImportError) and w.result is None


# ----- settings: widgets, page switches, the URL ------------------------------------------------


def test_setting_survives_page_switches_and_lands_in_the_url():
    at = _app()
    at.slider(key="w_hidden_size").set_value(8).run()
    at.toggle(key="w_bidirectional").set_value(True).run()
    assert at.query_params["H"] == "8" and at.query_params["bi"] == "1"
    for file, *_ in session.PAGES:
        at.switch_page(file).run()
        assert not at.exception, file
        assert at.slider(key="w_hidden_size").value == 8, file  # app.py's sidebar ran
        assert _cfg(at).hidden_size == 8 and _cfg(at).bidirectional
        run = at.session_state[session.LAST_RUN]
        assert run.H == 8 and run.trace.num_directions == 2
        assert at.query_params["H"] == "8"


def test_first_run_on_a_page_resends_the_kept_widget_values():
    """The browser may drop the old page's widget values on a page switch: the first run on the
    new page re-sends them (else the sidebar drew H at its minimum while the run used 6); later
    reruns on the page do not (a re-send would undo a key press made during the rerun)."""
    at = _app(H="6")
    at.switch_page("pages/gates.py").run()
    slider = at.slider(key="w_hidden_size")
    assert slider.value == 6 and slider.proto.set_value and list(slider.proto.value) == [6]
    at.run()
    assert not at.slider(key="w_hidden_size").proto.set_value


def test_settings_are_read_from_the_url():
    at = _app(H="6", layers="2", bi="1", proj="3", input="step", T="20", seed="7", lang="zh")
    assert not at.exception
    cfg = _cfg(at)
    assert (cfg.hidden_size, cfg.num_layers, cfg.bidirectional, cfg.proj_size) == (6, 2, True, 3)
    assert (cfg.input_kind, cfg.seq_len, cfg.seed, cfg.lang) == ("step", 20, 7, "zh")
    assert at.slider(key="w_hidden_size").value == 6
    assert at.selectbox(key="w_input_kind").value == "step"
    run = at.session_state[session.LAST_RUN]
    assert run.x.shape == (20, 1) and run.model.proj_size == 3 and run.model.num_layers == 2
    assert not at.warning


def test_garbage_in_the_url_gives_messages_not_exceptions():
    at = _app(H="banana", layers="99", dtype="float16", hand="1,2", input="<script>", t="x")
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    for bad in ("H=banana", "layers=99", "dtype=float16", "hand=1,2", "input=<script>", "t=x"):
        assert bad in warnings
    assert _cfg(at) == Settings()  # every bad value fell back to its default
    # The bad values are gone from the URL: a copied link is clean.
    assert "H" not in at.query_params and "layers" not in at.query_params


def test_url_messages_disappear_after_a_change():
    at = _app(H="banana")
    assert at.warning
    at.slider(key="w_hidden_size").set_value(5).run()
    assert not at.warning and at.query_params["H"] == "5"


def test_typed_bad_input_gives_a_message_and_the_page_keeps_working():
    at = _app()
    at.selectbox(key="w_input_kind").set_value("typed").run()
    assert _cfg(at).input_text  # an example to start from, not an empty box
    at.text_area(key="w_input_text").set_value("1, 2, abc").run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "'abc' is not a number" in errors
    run = at.session_state[session.LAST_RUN]
    np.testing.assert_allclose(run.x[:, 0], np.sin(2 * np.pi * np.arange(12) / 12))  # fallback
    at.text_area(key="w_input_text").set_value("0.5 1; -1 0; 2 2").run()
    assert not at.error
    run = at.session_state[session.LAST_RUN]
    np.testing.assert_array_equal(run.x, [[0.5, 1], [-1, 0], [2, 2]])
    assert at.query_params["text"] == "0.5 1; -1 0; 2 2"


def test_language_switch_changes_texts_and_keeps_settings():
    at = _app(H="5")
    at.radio(key="w_lang").set_value("zh").run()
    assert at.title[0].value == tr("home.title", "zh")
    assert _cfg(at).hidden_size == 5 and at.query_params["lang"] == "zh"


def test_csv_upload_is_used_and_its_absence_explained():
    at = _app(input="csv")
    assert not at.exception
    assert tr("common.err_csv_missing", "en") in " ".join(e.value for e in at.error)
    assert tr("common.csv_not_in_url", "en") in _texts(at)
    at.file_uploader(key="w_csv").set_value(("x.csv", b"a,b,c\n1,2,3\n4,5,6\n", "text/csv")).run()
    run = at.session_state[session.LAST_RUN]
    assert not at.error and run.x.shape == (2, 3) and run.feature_labels == ("a", "b", "c")
    np.testing.assert_array_equal(run.x, [[1, 2, 3], [4, 5, 6]])
    # The file survives a page switch (its bytes live in session state, not in the widget).
    at.switch_page("pages/network.py").run()
    assert at.session_state[session.LAST_RUN].x.shape == (2, 3)
    # A bad file: a clear message, the default input, no traceback.
    at.file_uploader(key="w_csv").set_value(
        ("bad.csv", "é;1\n".encode("latin-1"), "text/csv")
    ).run()
    assert not at.exception
    assert "not UTF-8" in " ".join(e.value for e in at.error)
    assert at.session_state[session.LAST_RUN].x.shape == (12, 1)


def test_hand_mode_sliders_set_the_one_unit_cell():
    at = _app(weights="hand")
    assert len([s for s in at.slider if s.key.startswith("w_hand_")]) == 12
    at.slider(key="w_hand_9").set_value(-3.0).run()  # b_f
    assert _cfg(at).hand[9] == -3.0
    run = at.session_state[session.LAST_RUN]
    assert run.H == 1 and run.model.num_layers == 1
    lt = run.trace.layers[0][0]
    x0 = run.x[0, 0]
    w_f, b_f = _cfg(at).hand[1], -3.0
    np.testing.assert_allclose(lt.f[0, 0, 0], 1 / (1 + np.exp(-(w_f * x0 + b_f))), rtol=1e-12)


def test_trained_and_uploaded_weights_from_session_state():
    at = _app(weights="trained")
    assert tr("common.msg_no_trained", "en") in " ".join(e.value for e in at.error)
    assert at.session_state[session.LAST_RUN].source == "random"

    trained = LSTM(1, 3, seed=42).train()
    at.session_state[session.TRAINED_MODEL] = trained
    at.run()
    run = at.session_state[session.LAST_RUN]
    assert not at.error and run.source == "trained" and not run.model.training
    ref = LSTM(1, 3, seed=42).eval().trace(run.x)
    np.testing.assert_array_equal(run.trace.output, ref.output)

    up = LSTM(2, 5, num_layers=2, seed=3)
    at.session_state[session.UPLOADED_STATE_DICT] = up.state_dict()
    at.session_state[session.UPLOADED_CONFIG] = up.config()
    at.radio(key="w_weights").set_value("uploaded").run()
    run = at.session_state[session.LAST_RUN]
    assert run.source == "uploaded" and run.D == 2  # sine has D=1: noise with D=2 instead
    assert tr("common.msg_input_resized", "en", want=2, got=1) in run.notes
    np.testing.assert_array_equal(run.trace.output, up.eval().trace(run.x).output)


# ----- the run's numbers -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "cfg",
    [
        Settings(),
        Settings(hidden_size=6, num_layers=3, bidirectional=True, proj_size=2, seed=11),
        Settings(input_kind="noise", num_features=4, seq_len=9, seed=3, dtype="float32"),
        Settings(input_kind="text", input_text="你好 hello"),
        Settings(input_kind="text", input_text="a ␣b"),  # labels stay unique
    ],
)
def test_run_equals_a_direct_lstm_core_run(cfg):
    run = session.build_run(cfg)
    assert run.error is None
    model = LSTM(
        run.D,
        cfg.hidden_size,
        num_layers=cfg.num_layers,
        bidirectional=cfg.bidirectional,
        proj_size=cfg.proj_size,
        dtype=cfg.dtype,
        seed=cfg.seed,
    ).eval()
    ref = model.trace(run.x)
    np.testing.assert_array_equal(run.trace.output, ref.output)
    np.testing.assert_array_equal(run.trace.c_n, ref.c_n)
    for k in range(cfg.num_layers):
        for d in range(2 if cfg.bidirectional else 1):
            np.testing.assert_array_equal(run.trace.layers[k][d].gates, ref.layers[k][d].gates)
    assert run.trace.layers[0][0].c.shape == (run.T, 1, cfg.hidden_size)  # B = 1
    assert len(run.step_labels) == run.T and len(set(run.step_labels)) == run.T
    assert len(run.feature_labels) == run.D and len(set(run.feature_labels)) == run.D


def test_app_run_equals_direct_run():
    at = _app(H="5", seed="9", input="impulse", T="7")
    run = at.session_state[session.LAST_RUN]
    x = np.zeros((7, 1))
    x[0] = 1.0
    ref = LSTM(1, 5, seed=9).eval().trace(x)
    np.testing.assert_array_equal(run.x, x)
    np.testing.assert_array_equal(run.trace.layers[0][0].h, ref.layers[0][0].h)


def test_hand_cell_by_hand():
    """H = 1, D = 2: every gate computed with the article's formulas from the 12 numbers."""
    hand = (0.5, 1.0, -1.5, 2.0, 0.3, -0.2, 0.7, 0.1, 0.0, 1.0, -0.5, 0.2)
    cfg = Settings(weights="hand", hand=hand, input_kind="typed", input_text="1 2; -1 0.5; 0 3")
    run = session.build_run(cfg)
    w, u, b = np.array(hand[:4]), np.array(hand[4:8]), np.array(hand[8:])

    def sig(z):
        return 1 / (1 + np.exp(-z))

    h, c = 0.0, 0.0
    for t in range(3):
        z = w * run.x[t].sum() + u * h + b  # the x-weight applies to every feature
        i, f, g, o = sig(z[0]), sig(z[1]), np.tanh(z[2]), sig(z[3])
        c = f * c + i * g
        h = o * np.tanh(c)
        np.testing.assert_allclose(run.trace.layers[0][0].c[t, 0, 0], c, rtol=1e-13)
        np.testing.assert_allclose(run.trace.layers[0][0].h[t, 0, 0], h, rtol=1e-13)


def test_bad_inputs_never_raise_in_build_run():
    for cfg in (
        Settings(input_kind="typed", input_text=""),
        Settings(input_kind="text", input_text=" "),
        Settings(input_kind="csv"),
        Settings(weights="uploaded"),
    ):
        run = session.build_run(cfg, external=None)
        assert run.error and run.x.shape == (12, 1) or run.source == "random"
    bad_sd = session.build_run(
        Settings(weights="uploaded"), external=({"input_size": 1, "hidden_size": 2}, {"x": 1})
    )
    assert "missing key" in bad_sd.error and bad_sd.source == "random"


# ----- URL codec and selection (pure) -----------------------------------------------------------

settings_strategy = st.builds(
    Settings,
    lang=st.sampled_from(session.LANGS),
    input_kind=st.sampled_from(session.INPUT_KINDS),
    input_text=st.text(max_size=40),
    seq_len=st.integers(1, 200),
    num_features=st.integers(1, 64),
    hidden_size=st.integers(2, 64),
    num_layers=st.integers(1, 3),
    bidirectional=st.booleans(),
    proj_size=st.just(1),
    dtype=st.sampled_from(session.DTYPES),
    weights=st.sampled_from(session.WEIGHT_SOURCES),
    seed=st.integers(0, session.MAX_SEED),
    hand=st.tuples(*[st.floats(-5, 5).map(lambda v: round(v, 1))] * 12),
)


@settings(max_examples=150, deadline=None)
@given(settings_strategy)
def test_url_round_trip(cfg):
    back, problems = session.settings_from_query(session.settings_to_query(cfg))
    assert problems == [] and back == cfg


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from([*session.QUERY_KEYS, *session.SELECTION_KEYS, "zz"]), st.text(max_size=30)
    )
)
def test_url_fuzz_never_raises(params):
    cfg, problems = session.settings_from_query(params)
    sel, sel_problems = session.selection_from_query(params)
    assert isinstance(cfg, Settings) and isinstance(sel, Selection)
    assert cfg.proj_size < cfg.hidden_size
    for key, fmt in problems + sel_problems:
        assert tr(key, "en", **fmt) and tr(key, "zh", **fmt)


def test_selection_is_clamped_to_the_run():
    run = session.build_run(Settings(num_layers=2, bidirectional=True, hidden_size=3, seq_len=5))
    sel = session.clamp_selection(Selection(layer=9, direction=5, t=99, unit=7), run)
    assert sel == Selection(layer=1, direction=1, t=4, unit=2)
    assert session.clamp_selection(Selection(t=-3, unit=None), run) == Selection(t=0)
    q = session.selection_to_query(Selection(layer=1, t=3, unit=None))
    assert q == {"k": "1", "t": "3"}
    assert session.selection_from_query(q)[0] == Selection(layer=1, t=3)


def test_selection_in_the_app_is_read_from_the_url_and_clamped():
    at = _app(t="50", j="2", T="10")
    from ui.session import _SEL

    assert at.session_state[_SEL] == Selection(t=9, unit=2)  # clamped: T = 10
    assert at.query_params["t"] == "9"
    run = at.session_state[session.LAST_RUN]
    assert session.clamp_selection(at.session_state[_SEL], run) == Selection(t=9, unit=2)


# ----- exports ---------------------------------------------------------------------------------


def test_trace_csv_long_format_round_trips_every_number():
    run = session.build_run(Settings(hidden_size=3, bidirectional=True, num_layers=2, seq_len=4))
    rows = export.read_csv_rows(export.trace_csv(run.trace))
    lookup = {(k, d, t, j, q): v for k, d, t, j, q, v in rows}
    n_expected = 0
    for k in range(2):
        for d in range(2):
            lt = run.trace.layers[k][d]
            for q in ("x", *export.UNIT_QUANTITIES):
                a = np.asarray(getattr(lt, q))[:, 0, :]
                n_expected += a.size
                for t in range(a.shape[0]):
                    for j in range(a.shape[1]):
                        assert lookup[(k, d, t, j, q)] == a[t, j]  # exact: 17 digits
    assert len(rows) == n_expected


def test_npz_exports_load_back():
    run = session.build_run(Settings(hidden_size=2, proj_size=1))
    arrays = np.load(io.BytesIO(export.trace_npz(run.trace)))
    np.testing.assert_array_equal(arrays["output"], run.trace.output)
    np.testing.assert_array_equal(arrays["l0.f"], run.trace.layers[0][0].f)
    np.testing.assert_array_equal(arrays["l0.weight_hr"], run.trace.layers[0][0].weight_hr)
    sd = np.load(io.BytesIO(export.state_dict_npz(run.model.state_dict())))
    model = LSTM(1, 2, proj_size=1)
    model.load_state_dict(dict(sd))
    np.testing.assert_array_equal(model.trace(run.x).output, run.trace.output)


def test_download_buttons_are_offered():
    at = _app()
    assert len(at.get("download_button")) == 3


# ----- texts -----------------------------------------------------------------------------------


def test_every_text_of_the_shell_exists_in_both_languages():
    keys = {f"common.kind_{k}" for k in session.INPUT_KINDS}
    keys |= {f"common.weights_{w}" for w in session.WEIGHT_SOURCES}
    keys |= {key for _, _, key, _ in session.PAGES}
    keys |= {f"common.msg_no_{w}" for w in ("trained", "uploaded")}
    keys |= {f"home.point{n}" for n in range(1, 6)}
    for src in (
        "app.py",
        "ui/sidebar.py",
        "ui/session.py",
        "app_logic/settings.py",
        "app_logic/run.py",
    ):
        text = (ROOT / src).read_text()
        keys |= {k for k in _literal_keys(text)}
    for k in sorted(keys):
        assert k in catalog(), k
        assert catalog()[k].get("en") and catalog()[k].get("zh"), k


def _literal_keys(text: str) -> set[str]:
    import re

    return set(re.findall(r'"((?:common|home)\.[a-z0-9_]+)"', text))


def test_figure_free_session_json_serialisable_query():
    """settings_to_query gives plain strings: what st.query_params can hold."""
    q = session.settings_to_query(
        dataclasses.replace(Settings(), hidden_size=7, bidirectional=True)
    )
    assert json.loads(json.dumps(q)) == {"H": "7", "bi": "1"}


def test_long_typed_input_stays_out_of_the_url_with_a_note():
    rows = "\n".join(" ".join(["0.12345678"] * 10) for _ in range(100))  # (100, 10), 11 k chars
    at = _app(input="typed")
    at.text_area(key="w_input_text").set_value(rows).run()
    run = at.session_state[session.LAST_RUN]
    assert not at.error and run.x.shape == (100, 10)
    assert "text" not in at.query_params and at.query_params["input"] == "typed"
    note = tr("common.text_not_in_url", "en", max=session.MAX_URL_TEXT)
    assert note in [c.value for c in at.caption]


def _script_setting_bad_values():
    import streamlit as st

    from ui import session

    session.set_settings(hidden_size=999, seed=3)
    for msg in session.url_messages():
        st.warning(msg)
    st.write(session.settings().hidden_size, session.settings().seed)


def test_set_settings_keeps_good_values_and_reports_bad_ones():
    at = AppTest.from_function(_script_setting_bad_values, default_timeout=30).run()
    assert not at.exception
    assert "hidden_size=999" in at.warning[0].value
    assert at.markdown[0].value == "`4` `3`"  # hidden_size kept its default, seed changed
    assert at.query_params["seed"] == "3" and "H" not in at.query_params


def test_reset_restores_defaults_but_keeps_the_language():
    at = _app(lang="zh", H="9", input="noise", D="3", t="4")
    at.button(key="w_reset").click().run()
    assert _cfg(at) == Settings(lang="zh")
    assert dict(at.query_params) == {"lang": "zh"}
    assert at.session_state[session.LAST_RUN].x.shape == (12, 1)


def test_every_url_path_has_a_deep_link_entry():
    """pages/_<url>.py exists for every page and Streamlit's pages/ listing names it <url>
    (ui/deeplink.py); no url path equals a real page's file stem (TOOLING.md)."""
    from streamlit.source_util import page_icon_and_name

    pages = ROOT / "pages"
    real_stems = {p.stem for p in pages.glob("*.py") if not p.name.startswith("_")}
    for _file, url, _, _ in session.PAGES:
        entry = pages / f"_{url}.py"
        assert entry.is_file(), entry
        assert page_icon_and_name(entry)[1] == url
        assert url not in real_stems


def _sidebar_captions(at: AppTest) -> list[str]:
    return [c.value for c in at.sidebar.caption]


def test_sidebar_shows_the_shape_of_the_trained_model_not_the_seed_settings():
    at = _app(weights="trained", H="4", lang="zh")  # no trained model yet: random, H = 4
    assert at.session_state[session.LAST_RUN].source == "random"
    assert at.slider(key="w_hidden_size").value == 4 and at.slider(key="w_hidden_size").disabled

    at.session_state[session.TRAINED_MODEL] = LSTM(1, 48, seed=1)
    at.run()
    assert not at.exception
    run = at.session_state[session.LAST_RUN]
    assert run.source == "trained" and run.H == 48
    assert _cfg(at).hidden_size == 4  # the setting is kept for when random weights return
    # No disabled widget shows the seed model's H = 4 or its layers any more...
    for key in ("w_hidden_size", "w_num_layers", "w_proj_size", "w_bidirectional"):
        assert not [w for w in at.sidebar if getattr(w, "key", None) == key], key
    # ...the caption states the shape of the model in use, in the chosen language.
    want = tr(
        "common.model_in_use",
        "zh",
        H=48,
        L=1,
        direction=tr("common.model_dir_1", "zh"),
        proj=0,
        source=tr("common.weights_trained", "zh"),
    )
    assert want in _sidebar_captions(at)
    assert "H = 48" in want and "层数 = 1" in want

    at.radio(key="w_lang").set_value("en").run()
    assert any("H = 48**, layers = 1, one direction" in c for c in _sidebar_captions(at))

    # Back to random weights: the widgets return, with the settings' H = 4.
    at.radio(key="w_weights").set_value("random").run()
    assert at.slider(key="w_hidden_size").value == 4 and not at.slider(key="w_hidden_size").disabled
    assert not any("H = 48" in c for c in _sidebar_captions(at))


def test_sidebar_shows_the_shape_of_an_uploaded_or_hand_set_model():
    up = LSTM(1, 6, num_layers=2, bidirectional=True, proj_size=3, seed=3)
    at = _app(weights="uploaded", H="10")
    at.session_state[session.UPLOADED_STATE_DICT] = up.state_dict()
    at.session_state[session.UPLOADED_CONFIG] = up.config()
    at.run()
    assert at.session_state[session.LAST_RUN].source == "uploaded"
    captions = " ".join(_sidebar_captions(at))
    assert "H = 6**, layers = 2, bidirectional, projection = 3" in captions
    assert not [w for w in at.sidebar if getattr(w, "key", None) == "w_hidden_size"]

    at = _app(weights="hand", H="10", layers="3")
    captions = " ".join(_sidebar_captions(at))
    assert "H = 1**, layers = 1, one direction, projection = 0" in captions
    assert at.radio(key="w_dtype").value == "float64"  # dtype still applies to every model
