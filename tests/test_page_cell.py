"""AppTest of the cell page: the diagram's numbers are the trace's; the selection drives it."""

import inspect
import json
import re

import conftest
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app_logic.i18n import tr
from lstm_core import recurrence
from ui import session
from viz.cell_diagram import TEXT_SLOTS, TRACE_PANEL, frame_name

PAGE = "pages/cell.py"
HALF = 0.0005 + 1e-12  # shown with 3 decimals


def open_page(query: dict | None = None) -> AppTest:
    return conftest.open_page(PAGE, query)


def figure(at: AppTest) -> dict:
    charts = at.get("plotly_chart")
    assert len(charts) == 1
    return json.loads(charts[0].proto.spec)


def panel_of(fig: dict, name: str) -> dict[str, str]:
    fr = next(f for f in fig["frames"] if f["name"] == name)
    data = dict(zip(fr["traces"], fr["data"]))
    return dict(zip(TEXT_SLOTS, data[TRACE_PANEL]["text"]))


def numbers(text: str) -> list[float]:
    plain = re.sub(r"<[^>]+>", "", text).replace("\u2212", "-")
    return [float(m) for m in re.findall(r"-?\d+\.\d+", plain)]


def forget_numbers(fig: dict, t: int) -> list[float]:
    """(W_if·x_t, b_if, W_hf·h_{t-1}, b_hf, z_f, f_t) as shown in the revealed forget stage."""
    return numbers(panel_of(fig, frame_name(t, 0, "a"))["eq_numeric"])


def expected_forget(lt, t: int, j: int) -> list[float]:
    H = lt.hidden_size
    row = H + j  # the forget block is the second of i, f, g, o
    return [
        lt.weight_ih[row] @ lt.x[t, 0],
        lt.bias_ih[row],
        lt.weight_hh[row] @ lt.h_prev[t, 0],
        lt.bias_hh[row],
        lt.z[t, 0, row],
        lt.f[t, 0, j],
    ]


def test_page_renders_the_current_run_stepping_frames():
    at = open_page({"j": "0"})
    run = session.build_run(session.Settings())
    fig = figure(at)
    assert len(fig["frames"]) == run.T * 6 * 2  # timesteps × stages × (predict, reveal)
    lt = run.trace.layers[0][0]
    for t in (0, 5, run.T - 1):
        assert np.allclose(forget_numbers(fig, t), expected_forget(lt, t, 0), atol=HALF)
    assert at.title[0].value.startswith("Inside one cell")
    code = "\n".join(conftest.code_blocks(at))
    assert inspect.getsource(recurrence.run_direction) in code  # the source, every character
    assert inspect.getsource(recurrence.cell_step) in code


def test_changing_the_unit_changes_the_numbers_and_the_shared_selection():
    at = open_page({"j": "0"})
    run = session.build_run(session.Settings())
    before = forget_numbers(figure(at), 3)
    at.selectbox(key="cell_unit").set_value(2).run()
    assert not at.exception
    after = forget_numbers(figure(at), 3)
    assert after != before
    assert np.allclose(after, expected_forget(run.trace.layers[0][0], 3, 2), atol=HALF)
    assert at.query_params["j"] == ["2"] or at.query_params["j"] == "2"
    at.selectbox(key="cell_unit").set_value("all").run()
    eq = panel_of(figure(at), frame_name(3, 0, "a"))["eq_numeric"]
    z_f, f = np.array(numbers(eq)).reshape(2, run.H)
    assert np.allclose(f, run.trace.layers[0][0].f[3, 0], atol=0.005)


def test_changing_the_layer_and_direction_changes_the_numbers():
    query = {"layers": "2", "bi": "1", "H": "3", "j": "1"}
    at = open_page(query)
    run = session.build_run(session.Settings(num_layers=2, bidirectional=True, hidden_size=3))
    at.selectbox(key="cell_layer").set_value(1).run()
    fig = figure(at)
    assert np.allclose(
        forget_numbers(fig, 2), expected_forget(run.trace.layers[1][0], 2, 1), atol=HALF
    )
    at.selectbox(key="cell_direction").set_value(1).run()
    fig = figure(at)
    lt = run.trace.layers[1][1]
    assert np.allclose(forget_numbers(fig, 2), expected_forget(lt, 2, 1), atol=HALF)
    assert fig["frames"][0]["name"] == frame_name(run.T - 1, 0, "q")  # reverse: from the end
    assert any("Reverse direction" in c.value for c in at.caption)


def test_deep_link_opens_the_diagram_at_t():
    at = open_page({"t": "7", "j": "1"})
    fig = figure(at)
    start = fig["layout"]["sliders"][0]["active"]
    assert fig["frames"][start]["name"] == frame_name(7, 0, "q")
    assert fig["data"][TRACE_PANEL]["text"][0].startswith("t = 7 ")
    at.select_slider(key="cell_t").set_value(3).run()
    fig = figure(at)
    assert fig["frames"][fig["layout"]["sliders"][0]["active"]]["name"] == frame_name(3, 0, "q")
    assert session.Selection(t=3, unit=1) == at.session_state["_selection"]


def test_predict_toggle_off_reveals_at_once():
    at = open_page({"j": "0"})
    at.toggle(key="cell_predict").set_value(False).run()
    fig = figure(at)
    assert len(fig["frames"]) == 12 * 6
    assert all(f["name"].endswith("a") for f in fig["frames"])


@pytest.mark.parametrize(
    "lang, title, word",
    [("en", "Inside one cell", "forget gate"), ("zh", "单个细胞内部", "遗忘门")],
)
def test_both_languages(lang, title, word):
    at = open_page({"lang": lang, "j": "0"})
    assert at.title[0].value.startswith(title)
    assert word in panel_of(figure(at), frame_name(0, 0, "a"))["status"]
    assert [s.label for s in at.selectbox][:3] == (
        ["Layer k", "Direction", "Hidden unit j"]
        if lang == "en"
        else ["层 k", "方向", "隐藏单元 j"]
    )


def test_long_input_gets_a_window_and_says_so():
    at = open_page({"T": "80", "t": "70", "j": "0"})
    fig = figure(at)
    assert len(fig["frames"]) == 60 * 6 * 2
    assert any("80 steps" in i.value for i in at.info)


def active_frame(fig: dict) -> str:
    return fig["frames"][fig["layout"]["sliders"][0]["active"]]["name"]


def test_the_url_opens_the_figure_at_a_stage_and_its_answer():
    at = open_page({"t": "3", "stage": "candidate", "reveal": "1", "j": "0"})
    assert active_frame(figure(at)) == frame_name(3, 2, "a")
    assert at.session_state["_selection"] == session.Selection(t=3, unit=0, stage=2, reveal=True)
    at = open_page({"t": "3", "stage": "4", "j": "0"})  # a stage by its number, on its question
    assert active_frame(figure(at)) == frame_name(3, 4, "q")


def test_a_bad_stage_in_the_url_gets_a_message_and_the_first_stage():
    at = open_page({"t": "2", "stage": "lunch", "reveal": "maybe"})
    assert active_frame(figure(at)) == frame_name(2, 0, "q")
    shown = " ".join(w.value for w in at.warning)
    assert "stage" in shown and "lunch" in shown and "maybe" in shown


def test_the_predict_toggle_lives_in_the_url():
    at = open_page({"j": "0", "stage": "update"})
    at.toggle(key="cell_predict").set_value(False).run()
    assert at.query_params["predict"] in ("0", ["0"])
    opening = session.opening_step(session.build_run(session.Settings()))  # no t in the URL
    assert active_frame(figure(at)) == frame_name(opening, 3, "a")  # same stage, no question
    at = open_page({"predict": "0"})
    assert at.toggle(key="cell_predict").value is False
    assert all(f["name"].endswith("a") for f in figure(at)["frames"])


def test_opening_another_timestep_starts_at_its_first_stage():
    at = open_page({"t": "2", "stage": "output", "reveal": "1"})
    at.select_slider(key="cell_t").set_value(6).run()
    assert not at.exception
    assert active_frame(figure(at)) == frame_name(6, 0, "q")
    assert "stage" not in at.query_params and "reveal" not in at.query_params


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_opens_where_the_memory_is_not_empty_and_says_why(lang):
    at = open_page({"lang": lang})
    run = session.build_run(session.Settings())
    t = session.opening_step(run)
    assert t == 1  # at t = 0 of the sine, x₀ = 0 and h = c = 0
    assert active_frame(figure(at)) == frame_name(t, 0, "q")
    assert at.select_slider(key="cell_t").value == t
    note = tr("cell.opening_note", lang, t=t)
    assert note in [c.value for c in at.caption]
    assert "t" not in at.query_params  # the link stays bare: it opens the same step
    lt = run.trace.layers[0][0]  # the opening step's forget stage multiplies non-zero numbers
    assert abs(lt.x[t, 0]).max() > 0.25 and abs(lt.c_prev[t, 0]).max() > 0.25


def test_a_link_with_t_0_still_opens_t_0_without_the_note():
    at = open_page({"t": "0"})
    assert active_frame(figure(at)) == frame_name(0, 0, "q")
    assert at.query_params["t"] in ("0", ["0"])
    assert not [c for c in at.caption if c.value.startswith("We open at")]
    at.select_slider(key="cell_t").set_value(4).run()  # chosen steps stay chosen
    assert active_frame(figure(at)) == frame_name(4, 0, "q")
    at.select_slider(key="cell_t").set_value(0).run()
    assert active_frame(figure(at)) == frame_name(0, 0, "q")
    assert at.query_params["t"] in ("0", ["0"])
