"""Figure content of the unrolled-network view: one cell per (layer, direction, t), live colours."""

import numpy as np
import plotly.colors
import pytest

from lstm_core import LSTM
from viz import palette
from viz.network import CELL_W, QUANTITIES, cell_values, network_grid, rows_of


@pytest.fixture(scope="module")
def trace():
    model = LSTM(2, 3, num_layers=2, bidirectional=True, seed=7).eval()
    x = np.random.default_rng(7).normal(size=(6, 2))
    return model.trace(x)


def cells_of(fig) -> np.ndarray:
    """The heatmap's non-empty bricks, (rows, T)."""
    z = np.asarray(fig.data[0].z, dtype=float)
    return z[::2, ::2], z


def test_grid_has_one_cell_per_layer_direction_and_step(trace):
    fig = network_grid(trace, "c", unit=1)
    L, ND, T = 2, 2, 6
    cells, z = cells_of(fig)
    assert np.count_nonzero(~np.isnan(z)) == L * ND * T
    assert cells.shape == (L * ND, T)
    rows = rows_of(L, ND)
    for n, r in enumerate(rows):  # bottom to top: layer 0 →, layer 0 ←, layer 1 →, layer 1 ←
        np.testing.assert_array_equal(cells[n], trace.layers[r.k][r.d].c[:, 0, 1])
    # every cell has a click target with customdata [k, d, t], at the cell's centre
    targets = fig.data[fig.layout.meta["cell_trace"]]
    assert targets.marker.opacity == 0
    assert sorted(map(tuple, targets.customdata)) == sorted(
        (r.k, r.d, t) for r in rows for t in range(T)
    )
    n = list(map(tuple, targets.customdata)).index((1, 1, 4))
    assert (targets.x[n], targets.y[n]) == (4, rows[3].y)
    lt = trace.layers[1][1]
    for q in ("f", "i", "g", "o", "c"):
        assert f"{q} = {float(getattr(lt, q)[4, 0, 1])!r}" in targets.hovertext[n]
    assert f"h = {float(lt.h_cell[4, 0, 1])!r}" in targets.hovertext[n]


def test_cell_colours_come_from_the_values_and_the_palette(trace):
    c_fig = network_grid(trace, "c", unit=0)
    heat = c_fig.data[0]
    all_c = np.stack([lt.c[:, 0, 0] for layer in trace.layers for lt in layer])
    lo, hi = palette.symmetric_range(all_c, floor=0.5)
    assert (heat.zmin, heat.zmax) == (lo, hi) and heat.zmin == -heat.zmax
    assert [c for _, c in heat.colorscale] == [c for _, c in palette.C_SCALE]
    for q, scale, rng in (
        ("f", palette.SIGMOID_SCALE, palette.SIGMOID_RANGE),
        ("o", palette.SIGMOID_SCALE, palette.SIGMOID_RANGE),
        ("g", palette.DIVERGING_SCALE, palette.TANH_RANGE),
        ("h", palette.DIVERGING_SCALE, palette.TANH_RANGE),
    ):
        heat = network_grid(trace, q, unit=2).data[0]
        assert (heat.zmin, heat.zmax) == rng
        assert [c for _, c in heat.colorscale] == [c for _, c in scale]
        # the colour a cell gets is the scale sampled at its value
        v = float(cells_of(network_grid(trace, q, unit=2))[0][0, 0])
        want = plotly.colors.sample_colorscale(scale, (v - rng[0]) / (rng[1] - rng[0]))[0]
        got = plotly.colors.sample_colorscale(
            [[float(p), c] for p, c in heat.colorscale], (v - heat.zmin) / (heat.zmax - heat.zmin)
        )[0]
        assert got == want


def test_whole_vector_shows_the_mean_over_units(trace):
    fig = network_grid(trace, "h", unit=None)
    cells, _ = cells_of(fig)
    np.testing.assert_allclose(cells[0], trace.layers[0][0].h_cell[:, 0, :].mean(axis=1))


def test_paths_run_forward_and_backward_in_the_articles_colours(trace):
    fig = network_grid(trace, "c", unit=0)
    scatters = [t for t in fig.data if t.type == "scatter"]
    c_line = next(t for t in scatters if t.mode == "lines" and t.legendgroup == "c")
    h_line = next(t for t in scatters if t.mode == "lines" and t.legendgroup == "h")
    assert c_line.line.color == palette.C_LINE and h_line.line.color == palette.H_LINE
    heads = [t for t in scatters if t.mode == "markers" and t.legendgroup == "c"][0]
    rows = rows_of(2, 2)
    T = 6
    symbols = np.asarray(heads.marker.symbol).reshape(len(rows), T + 1)
    assert set(symbols[0]) == {"triangle-right"} and set(symbols[1]) == {"triangle-left"}
    # an arrow spans the gap between two cells: from one cell's edge to the next one's
    xs = np.asarray([x for x in c_line.x if x is not None], dtype=float).reshape(-1, 2)
    fwd, rev = xs[1], xs[T + 1 + 1]  # row 0 and row 1, the arrow after cell 0
    np.testing.assert_allclose(fwd, [CELL_W / 2, 1 - CELL_W / 2])
    np.testing.assert_allclose(rev, [1 - CELL_W / 2, CELL_W / 2])
    # the input markers sit below the first row, the output above the last
    x_in = next(
        t for t in scatters if t.marker.color == palette.X_LINE and t.marker.symbol == "square"
    )
    out = next(
        t for t in scatters if t.marker.color == palette.H_LINE and t.marker.symbol == "square"
    )
    assert max(x_in.y) < rows[0].y < rows[-1].y < min(out.y)


def test_selected_cell_is_outlined(trace):
    fig = network_grid(trace, "c", unit=0, selected=(1, 0, 2))
    (rect,) = [s for s in fig.layout.shapes if s.line.color == "#212529"]
    y = rows_of(2, 2)[2].y
    assert rect.x0 < 2 < rect.x1 and rect.y0 < y < rect.y1
    assert rect.x1 - rect.x0 < 1  # one cell, not the column


def test_unidirectional_grid_and_bad_quantity():
    tr = LSTM(1, 2, seed=0).eval().trace(np.ones((4, 1)))
    fig = network_grid(tr, "o", unit=1, lang="zh")
    cells, _ = cells_of(fig)
    assert cells.shape == (1, 4)
    assert "第 0 层" in "".join(fig.layout.yaxis.ticktext)
    assert set(QUANTITIES) == {"c", "h", "f", "i", "g", "o"}
    with pytest.raises(ValueError, match="quantity"):
        cell_values(tr.layers[0][0], "z", 0)
