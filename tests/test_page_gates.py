"""AppTest of the "Gates over time" page: the trace's numbers are shown; clicks select."""

import json
import re

import conftest
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from app_logic.i18n import tr
from lstm_core import LSTM
from lstm_core.analysis import contributions, lookback_half_life
from ui import session
from viz import palette
from viz.contributions import INITIAL_LABEL, contributions_at_t, contributions_over_time
from viz.gates_time import memory_paths

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


# ----- the texts say what the charts compute and draw ------------------------------------------

# The colour constants of the charts and the word a caption must use for each, per language.
COLOUR_WORDS = {
    palette.STAGE_EDGE["forget"]: {"en": "blue", "zh": "蓝色"},
    palette.STAGE_EDGE["input"]: {"en": "green", "zh": "绿色"},
    palette.STAGE_EDGE["candidate"]: {"en": "orange", "zh": "橙色"},
    palette.C_LINE: {"en": "green", "zh": "绿色"},
}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_paths_caption_names_the_colours_the_c_bars_are_drawn_in(lang):
    lt = expected_run().trace.layers[0][0]
    fig = memory_paths(lt, 0, lang=lang)
    colour = {d.name: d.marker.color for d in fig.data if d.type == "bar"}
    kept, written = colour[tr("gates.kept", lang)], colour[tr("gates.written", lang)]
    text = tr("gates.paths_explain", lang)
    said = dict(re.findall(r"(i ⊙ g|f ⊙ cₜ₋₁)[,，]\s*(\w+)[)）]", text))
    assert said == {
        "f ⊙ cₜ₋₁": COLOUR_WORDS[kept][lang],
        "i ⊙ g": COLOUR_WORDS[written][lang],
    }


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_split_formula_matches_the_chart_and_names_the_initial_state_as_it_does(lang):
    t, j = 6, 1
    at = open_page({"lang": lang, "t": str(t), "j": str(j)})
    explain = tr("gates.contrib_explain", lang)
    assert explain in [m.value for m in at.markdown]
    # the text's formula: cₜ = Σₖ (fₖ₊₁ ⋯ fₜ) ⊙ iₖ ⊙ gₖ + (f₀ ⋯ fₜ) ⊙ c₋₁, k = 0 … t
    assert "(fₖ₊₁ ⋯ fₜ) ⊙ iₖ ⊙ gₖ + (f₀ ⋯ fₜ) ⊙ " + INITIAL_LABEL in explain
    assert "c₀" not in explain and "c₀" not in tr("gates.contrib_time_explain", lang)
    assert INITIAL_LABEL in tr("gates.contrib_time_explain", lang)
    assert INITIAL_LABEL in tr("gates.source_axis", lang)
    latex = at.latex[0].value
    assert "c_{-1}" in latex and "c_0" not in latex and r"\prod_{0 \le j \le t}" in latex
    at_t, over_time = (json.loads(c.proto.spec) for c in at.get("plotly_chart")[2:4])
    assert at_t["layout"]["xaxis"]["ticktext"][0] == INITIAL_LABEL
    assert at_t["data"][0]["customdata"][0][1] == INITIAL_LABEL
    assert over_time["data"][0]["name"] == INITIAL_LABEL


@pytest.mark.parametrize("d", [0, 1])
def test_the_texts_formula_evaluated_on_a_trace_is_what_the_split_charts_draw(d):
    """cₜ = Σₖ (fₖ₊₁ ⋯ fₜ) ⊙ iₖ ⊙ gₖ + (f₀ ⋯ fₜ) ⊙ c₋₁ (k = 0 … t in processing order), with
    a non-zero initial state c₋₁, is exactly what both charts draw, band INITIAL_LABEL first."""
    model = LSTM(1, 3, bidirectional=True, seed=4).eval()
    rng = np.random.default_rng(0)
    h0, c0 = rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    lt = model.trace(np.sin(np.arange(8) / 2)[:, None], hx=(h0, c0)).layers[0][d]
    t, j = 5, 2
    steps = np.arange(8) if d == 0 else np.arange(8)[::-1]  # input positions in processing order
    s_t = int(np.nonzero(steps == t)[0][0])
    f, i, g = (getattr(lt, name)[steps, 0, j] for name in "fig")
    c_init = c0[d, j]
    np.testing.assert_allclose(lt.c_prev[steps[0], 0, j], c_init, rtol=0, atol=0)
    initial = np.prod(f[: s_t + 1]) * c_init
    inputs = [np.prod(f[k + 1 : s_t + 1]) * i[k] * g[k] for k in range(s_t + 1)]
    np.testing.assert_allclose(initial + sum(inputs), lt.c[t, 0, j], rtol=0, atol=1e-12)
    split = contributions(lt)
    at_t = contributions_at_t(split, lt, t, j)
    assert at_t.layout.xaxis.ticktext[0] == INITIAL_LABEL
    np.testing.assert_allclose(at_t.data[0].y, [initial, *inputs], rtol=0, atol=1e-12)
    band = contributions_over_time(split, lt, j).data[0]
    assert band.name == INITIAL_LABEL
    np.testing.assert_allclose(band.y[t], initial, rtol=0, atol=1e-12)
