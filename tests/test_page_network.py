"""AppTest of "The unrolled network" page: the grid and the cell table show the trace's numbers."""

import json

import conftest
import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from ui import session
from viz.network import rows_of

PAGE = "pages/network.py"


def open_page(query: dict | None = None) -> AppTest:
    return conftest.open_page(PAGE, query)


def expected_trace(**settings):
    return session.build_run(session.Settings(**settings)).trace


def table(at: AppTest) -> dict[str, np.ndarray]:
    """The cell table's columns, read back from its HTML (numbers shown to 6 decimals)."""
    (df,) = conftest.html_tables(at)
    return {name: df[name].to_numpy(dtype=float) for name in df.columns}


def close(shown: np.ndarray, value: np.ndarray) -> None:
    np.testing.assert_allclose(shown, value, rtol=0, atol=5.000001e-7)


def click(at: AppTest, x: float, y: float) -> AppTest:
    """What Streamlit reports when the click target at (x, y) is clicked."""
    state = {"points": [{"curve_number": 9, "x": x, "y": y}], "point_indices": [0]}
    at.session_state["network_grid"] = {"selection": state | {"box": [], "lasso": []}}
    return at.run()


def test_grid_and_table_show_the_selected_cell():
    at = open_page({"t": "4"})
    lt = expected_trace().layers[0][0]
    df = table(at)
    close(df["cₜ"], lt.c[4, 0])
    close(df["f"], lt.f[4, 0])
    close(df["cₜ₋₁"], lt.c_prev[4, 0])
    close(df["hₜ = o·tanh(cₜ)"], lt.h[4, 0])
    assert at.subheader[0].value == "Selected cell: layer 0, forward →, t = 4"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert spec["data"][0]["type"] == "heatmap"
    links = at.get("page_link")
    # the GRU note at the top, the step-through page and time
    assert [p.proto.page for p in links] == ["gru", "step", "time"]


def test_a_click_on_a_cell_selects_layer_direction_and_t():
    at = open_page({"layers": "2", "bi": "1"})
    tr = expected_trace(num_layers=2, bidirectional=True)
    rows = rows_of(2, 2)
    click(at, 6, rows[3].y)  # layer 1, reverse, t = 6
    assert not at.exception
    assert (at.query_params["k"], at.query_params["dir"], at.query_params["t"]) == ("1", "1", "6")
    assert at.subheader[0].value == "Selected cell: layer 1, reverse ←, t = 6"
    close(table(at)["cₜ"], tr.layers[1][1].c[6, 0])
    # a click on an input marker (not a cell) changes nothing
    click(at, 2, rows[0].y - 1.1)
    assert at.query_params["t"] == "6"
    # another cell: the selection follows
    click(at, 0, rows[0].y)
    assert (at.query_params.get("k"), at.query_params.get("dir"), at.query_params.get("t")) == (
        None,
        None,
        "0",
    )  # layer 0 and forward are defaults, left out; a chosen t = 0 stays (no t: the opening step)
    close(table(at)["cₜ"], tr.layers[0][0].c[0, 0])


def test_colour_choice_and_unit_change_the_grid():
    at = open_page({"layers": "2", "bi": "1"})
    tr = expected_trace(num_layers=2, bidirectional=True)
    at.radio(key="network_pick_quantity").set_value("f").run()
    at.selectbox(key="network_pick_unit").set_value(1).run()
    assert at.query_params["j"] == "1"
    spec = json.loads(at.get("plotly_chart")[0].proto.spec)
    heat = spec["data"][0]
    assert (heat["zmin"], heat["zmax"]) == (0, 1)
    assert at.radio(key="network_pick_quantity").value == "f"
    # the grid holds 2 layers × 2 directions × T cells; the hover of each names its value
    targets = spec["data"][spec["layout"]["meta"]["cell_trace"]]
    T = tr.layers[0][0].c.shape[0]
    assert len(targets["hovertext"]) == 2 * 2 * T
    f = float(tr.layers[1][0].f[3, 0, 1])
    assert any(f"f = {f!r}" in h for h in targets["hovertext"])


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_both_languages(lang):
    at = open_page({"lang": lang})
    want = {"en": "The unrolled network at a glance", "zh": "一眼看全展开的网络"}[lang]
    assert at.title[0].value == want
    assert ("细胞" in at.subheader[0].value) == (lang == "zh")
