"""AppTest of "Inside a GRU cell": predict, reveal, the feedback and the numbers are the core's."""

from __future__ import annotations

import conftest
import numpy as np
import pytest

from app_logic import gru_view as gv
from app_logic.i18n import tr
from ui import session
from viz import gru as vg

PAGE = "pages/gru_cell.py"


def _expected(at, t: int, j: int | None = None):
    run = at.session_state[session.LAST_RUN]
    j = at.session_state["gru_j"] if j is None else j
    x = np.asarray(run.x, dtype=np.float64)
    model, trace = gv.build_gru(x, run.H, 0)
    return gv.gru_numbers(model, x, trace, t, j), trace


def _question(at):
    return next(r for r in at.radio if str(r.key).startswith("gru_q_"))


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_predict_then_reveal_judges_the_prediction_with_the_cores_number(lang):
    at = conftest.open_page(PAGE, {"lang": lang})
    assert at.title[0].value == tr("gru.title", lang)
    t = at.session_state["gru_t"]
    nums, trace = _expected(at, t)
    assert t == gv.opening_t(trace) and t > 0  # opens where the memory is not empty
    assert at.session_state["gru_j"] == gv.opening_unit(trace, t)  # on its largest unit
    assert abs(nums.h_prev) == np.abs(trace.layers[0][0].h_prev[t, 0]).max()
    assert at.latex[0].value.strip("$\n").endswith(r"= \;?")  # the number waits for the prediction
    assert at.button(key="gru_reveal").disabled
    right = gv.correct_answer("reset", nums)
    wrong = [o for o in gv.QUESTIONS["reset"] if o != right][0]
    _question(at).set_value(wrong).run()
    at.button(key="gru_reveal").click().run()
    assert not at.exception
    answer = tr(f"gru.a_reset_{right}", lang)
    assert [w.value for w in at.warning] == [
        tr("gru.wrong", lang, answer=answer, why=tr("gru.why_reset", lang))
    ]
    assert vg._k(nums.r) in at.latex[0].value and vg._k(nums.xr) in at.latex[0].value
    # the next stage asks again; this time the right answer
    at.button(key="gru_next").click().run()
    assert at.session_state["gru_stage"] == "update"
    _question(at).set_value(gv.correct_answer("update", nums)).run()
    at.button(key="gru_reveal").click().run()
    assert len(at.success) == 1 and not at.warning
    assert at.success[0].value.startswith(tr("gru.right", lang, answer="", why="")[:4])
    assert vg._k(nums.z) in at.latex[0].value
    assert len(at.get("plotly_chart")) == 2  # the cell, and the LSTM beside the GRU


def test_without_predictions_every_stage_shows_its_numbers_and_next_walks_through_time():
    at = conftest.open_page(PAGE)
    at.toggle(key="gru_predict").set_value(False).run()
    t0 = at.session_state["gru_t"]
    for stage in gv.STAGES:
        nums, _ = _expected(at, at.session_state["gru_t"])
        assert at.session_state["gru_stage"] == stage
        assert vg._k(nums.value(stage)) in at.latex[0].value
        assert not _question_present(at)
        at.button(key="gru_next").click().run()
    assert at.session_state["gru_stage"] == "reset" and at.session_state["gru_t"] == t0 + 1
    # unit and timestep pickers: the numbers follow
    at.selectbox(key="gru_j").set_value(3).run()
    nums, _ = _expected(at, t0 + 1, 3)
    assert vg._k(nums.r) in at.latex[0].value


def _question_present(at) -> bool:
    return any(str(r.key).startswith("gru_q_") for r in at.radio)


def test_a_smaller_sidebar_model_clamps_the_page_and_the_lstm_pages_point_here():
    at = conftest.open_page(PAGE, {"T": "12", "H": "8"})
    at.select_slider(key="gru_t").set_value(11).run()
    at.selectbox(key="gru_j").set_value(7).run()
    at.slider(key="w_hidden_size").set_value(2).run()
    at.slider(key="w_seq_len").set_value(5).run()
    assert not at.exception
    assert at.session_state["gru_j"] == 1 and at.session_state["gru_t"] == 4
    for page in ("pages/cell.py", "pages/network.py", "pages/gates.py"):
        at.switch_page(page).run()
        labels = [p.proto.label for p in at.get("page_link")]
        assert tr("gru.lstm_only_note", "en") in labels, page
