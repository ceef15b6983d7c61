"""AppTest of the "Gates over time" page: the trace's numbers are shown; clicks select."""

import json

import conftest
import pytest
from streamlit.testing.v1 import AppTest

from lstm_core.analysis import contributions, lookback_half_life
from ui import session

PAGE = "pages/gates.py"


def open_page(query: dict | None = None) -> AppTest:
    return conftest.open_page(PAGE, query)


def expected_run(**settings) -> session.Run:
    return session.build_run(session.Settings(**settings))


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def click(at: AppTest, t: int, j: int) -> AppTest:
    """What Streamlit reports when a heatmap cell's click target is clicked."""
    point = {"curve_number": 1, "point_number": 0, "point_index": 0, "x": t, "y": j}
    at.session_state["gates_heatmap"] = {
        "selection": {"points": [point], "point_indices": [0], "box": [], "lasso": []}
    }
    return at.run()


def test_page_shows_the_traces_numbers_for_the_selection():
    at = open_page({"t": "7", "j": "2"})
    lt = expected_run().trace.layers[0][0]
    m = metrics(at)
    assert m["cₜ (unit j)"] == f"{lt.c[7, 0, 2]:.6f}"
    assert m["sum of the bars"] == f"{lt.c[7, 0, 2]:.6f}"
    n = lookback_half_life(lt)[7, 0, 2]
    assert m["Half-life, looking back"] == ("1 step" if n == 1 else f"{n:.3g} steps")
    charts = at.get("plotly_chart")
    assert len(charts) == 5
    heat = json.loads(charts[0].proto.spec)
    assert [d["type"] for d in heat["data"]][:2] == ["heatmap", "scatter"]
    assert heat["data"][0]["zmin"] == 0 and heat["data"][0]["zmax"] == 1
    assert at.title[0].value == "Gates over time"
    assert len(at.latex) == 1  # the split of c_t, written out


def test_a_heatmap_click_selects_t_and_unit_everywhere():
    at = open_page()
    lt = expected_run().trace.layers[0][0]
    click(at, 5, 3)
    assert not at.exception
    assert (at.query_params["t"], at.query_params["j"]) == ("5", "3")
    assert metrics(at)["cₜ (unit j)"] == f"{lt.c[5, 0, 3]:.6f}"
    assert at.selectbox(key="gates_pick_unit").value == 3
    # the browser keeps reporting that click on later reruns: a new choice elsewhere must win
    state = {"points": [{"curve_number": 1, "x": 5, "y": 3}], "point_indices": [0]}
    at.session_state["gates_heatmap"] = {"selection": state | {"box": [], "lasso": []}}
    at.selectbox(key="gates_pick_unit").set_value(1).run()
    assert metrics(at)["cₜ (unit j)"] == f"{lt.c[5, 0, 1]:.6f}"
    # the selection survives a switch to another page and back
    at.switch_page("pages/network.py").run()
    at.switch_page(PAGE).run()
    assert metrics(at)["cₜ (unit j)"] == f"{lt.c[5, 0, 1]:.6f}"


def test_timestep_slider_moves_t():
    at = open_page({"j": "0"})
    lt = expected_run().trace.layers[0][0]
    at.select_slider(key="gates_pick_t").set_value(9).run()
    assert at.query_params["t"] == "9"
    assert metrics(at)["cₜ (unit j)"] == f"{lt.c[9, 0, 0]:.6f}"


def test_layer_and_direction_of_a_two_layer_bidirectional_model():
    at = open_page({"layers": "2", "bi": "1", "t": "4", "j": "1"})
    tr = expected_run(num_layers=2, bidirectional=True).trace
    assert not at.selectbox(key="gates_pick_layer").disabled
    at.selectbox(key="gates_pick_layer").set_value(1).run()
    at.selectbox(key="gates_pick_direction").set_value(1).run()
    assert not at.exception
    assert (at.query_params["k"], at.query_params["dir"]) == ("1", "1")
    lt = tr.layers[1][1]
    m = metrics(at)
    assert m["cₜ (unit j)"] == f"{lt.c[4, 0, 1]:.6f}"
    split = contributions(lt)
    assert m["sum of the bars"] == f"{split.total()[4, 0, 1]:.6f}"
    assert "layer 1, reverse ←" in at.caption[0].value + "".join(c.value for c in at.caption)
    heat = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert heat["data"][0]["type"] == "heatmap"


def test_single_layer_model_disables_the_layer_and_direction_pickers():
    at = open_page()
    assert at.selectbox(key="gates_pick_layer").disabled
    assert at.selectbox(key="gates_pick_direction").disabled


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_both_languages(lang):
    at = open_page({"lang": lang, "j": "0"})
    title = at.title[0].value
    assert title == {"en": "Gates over time", "zh": "门随时间变化"}[lang]
    labels = [m.label for m in at.metric]
    assert ("c" in labels[0]) and len(labels) == 5
    if lang == "zh":
        assert "单元" in labels[0]


def test_a_garbage_selection_in_the_url_is_clamped_not_a_crash():
    at = open_page({"t": "999", "j": "77", "k": "5"})
    lt = expected_run().trace.layers[0][0]
    T, H = lt.c.shape[0], lt.hidden_size
    assert metrics(at)["cₜ (unit j)"] == f"{lt.c[T - 1, 0, H - 1]:.6f}"
