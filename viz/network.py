"""The unrolled network at a glance: layers × timesteps as a grid of cells, c and h running through.

One pure function, `network_grid`: a `Trace` in, a `go.Figure` out. Each cell is coloured by a live
value (c, h, or a gate) of one unit (or the mean over units); the green c path and the rose-red h
path run from cell to cell (right to left in a reverse row), the grey input x enters from below,
the output leaves at the top. Colours and ranges from `viz.palette` only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from app_logic.i18n import tr
from lstm_core.trace import LayerTrace, Trace
from viz import palette
from viz.time_axis import HOVER_LABEL, exact, step_labels_or_index, time_ticks

QUANTITIES = ("c", "h", "f", "i", "g", "o")
CELL_W = 0.6  # a cell's width in timesteps; the gap between cells carries the c and h arrows
CELL_H = 0.62  # a cell's height in row units
LAYER_GAP = 0.7  # extra space between layers (rows of one layer are 1 apart)
PATH_DY = 0.17  # c runs this far above a cell's middle, h this far below (as in the article)
MAX_ARROWHEAD_T = 40  # beyond this, arrowheads shrink so the grid stays readable
MAX_CELL_TEXT_T = 16  # write each cell's value in it when T is at most this
SELECT_LINE = "#212529"
GROUP_FILL = "#f1f3f5"


@dataclass(frozen=True)
class Row:
    """One row of cells: layer k, direction d, at height y."""

    k: int
    d: int
    y: float


def rows_of(num_layers: int, num_directions: int) -> list[Row]:
    """Rows bottom to top: layer 0 forward, (layer 0 reverse), layer 1 forward, …"""
    pitch = num_directions + LAYER_GAP
    return [Row(k, d, k * pitch + d) for k in range(num_layers) for d in range(num_directions)]


def cell_at(
    points: Sequence[tuple[float, float, int | None]], num_layers: int, num_directions: int
) -> tuple[int, int, int] | None:
    """(k, d, t) of the first clicked point [(x, y, curve)] that is a cell of the grid: x is t, y
    its row; None when no point is a cell (the input and output markers lie between the rows)."""
    rows = rows_of(num_layers, num_directions)
    for x, y, _ in points:
        for r in rows:
            if abs(r.y - y) < 1e-9:
                return r.k, r.d, int(round(x))
    return None


def cell_values(lt: LayerTrace, quantity: str, unit: int | None, b: int = 0) -> np.ndarray:
    """(T,) the value a cell shows: `quantity` of unit j, or its mean over units when unit is None.

    h is o ⊙ tanh(c) before any projection, so that unit j means the same unit in every quantity.
    """
    if quantity not in QUANTITIES:
        raise ValueError(f"quantity must be one of {QUANTITIES}, got {quantity!r}")
    a = lt.h_cell if quantity == "h" else getattr(lt, quantity)  # (T, B, H)
    a = a[:, b, :]
    return a.mean(axis=1) if unit is None else a[:, unit]


def colour_scale(quantity: str, values: np.ndarray) -> tuple[list, float, float]:
    """(colorscale, zmin, zmax): fixed for σ gates (0..1) and tanh quantities (−1..1), symmetric
    around 0 for the unbounded c."""
    if quantity == "c":
        lo, hi = palette.symmetric_range(values, floor=0.5)
        return palette.C_SCALE, lo, hi
    if quantity in ("h", "g"):
        return palette.DIVERGING_SCALE, *palette.TANH_RANGE
    return palette.SIGMOID_SCALE, *palette.SIGMOID_RANGE


def _edges(centres: Sequence[float], width: float) -> np.ndarray:
    """Brick edges [c0 - w/2, c0 + w/2, c1 - w/2, …]: cells alternate with empty gaps."""
    return np.array([[c - width / 2, c + width / 2] for c in centres]).ravel()


def _segments(pairs) -> tuple[list, list]:
    """x and y lists of line segments ((x0, y0), (x1, y1)) separated by None."""
    xs, ys = [], []
    for (x0, y0), (x1, y1) in pairs:
        xs += [x0, x1, None]
        ys += [y0, y1, None]
    return xs, ys


def network_grid(
    trace: Trace,
    quantity: str = "c",
    unit: int | None = None,
    selected: tuple[int, int, int] | None = None,
    step_labels: Sequence[str] | None = None,
    lang: str = "en",
    b: int = 0,
) -> go.Figure:
    """The unrolled network: one cell per (layer k, direction d, timestep t), coloured by value.

    Trace 0 is a heatmap whose non-empty bricks are the cells (z[2·r, 2·t] is row r's cell t);
    the trace named in `layout.meta["cell_trace"]` holds one invisible marker per cell with
    customdata [k, d, t] (Streamlit reports clicks on it). `selected` is (k, d, t).
    """
    L, ND = trace.num_layers, trace.num_directions
    T = trace.layers[0][0].c.shape[0]
    labels = step_labels_or_index(step_labels, T)
    rows = rows_of(L, ND)
    values = np.stack([cell_values(trace.layers[r.k][r.d], quantity, unit, b) for r in rows])
    scale, zmin, zmax = colour_scale(quantity, values)

    # The cells: a heatmap whose odd rows and columns are empty gaps.
    z = np.full((2 * len(rows) - 1, 2 * T - 1), np.nan)
    z[::2, ::2] = values
    show_text = T <= MAX_CELL_TEXT_T
    qname = tr(f"network.q_{quantity}", lang)
    data = [
        go.Heatmap(
            z=z,
            x=_edges(range(T), CELL_W),
            y=_edges([r.y for r in rows], CELL_H),
            zmin=zmin,
            zmax=zmax,
            colorscale=scale,
            hoverinfo="skip",
            texttemplate="%{z:.2f}" if show_text else None,
            textfont={"size": 12, "color": "#212529"},
            colorbar={"title": {"text": qname, "side": "right"}, "thickness": 14, "len": 0.8},
            name="cells",
        )
    ]

    # Each layer's rows sit on one light panel: both directions read the same input.
    shapes = []
    for k in range(L):
        ys = [r.y for r in rows if r.k == k]
        shapes.append(
            {
                "type": "rect",
                "x0": -0.5,
                "x1": T - 0.5,
                "y0": min(ys) - 0.45,
                "y1": max(ys) + 0.45,
                "fillcolor": GROUP_FILL,
                "line": {"width": 0},
                "layer": "below",
            }
        )

    # The c (green) and h (rose-red) paths from cell to cell, with arrowheads at their ends.
    gap0, gap1 = CELL_W / 2, 1 - CELL_W / 2
    for name, dy, color in (("c", PATH_DY, palette.C_LINE), ("h", -PATH_DY, palette.H_LINE)):
        pairs, symbols = [], []
        for r in rows:
            y = r.y + dy
            for t in range(-1, T):  # the gap after cell t; t = -1 and T-1: the state in and out
                x0, x1 = (t + gap0, t + gap1) if r.d == 0 else (t + gap1, t + gap0)
                pairs.append(((x0, y), (x1, y)))
                symbols.append("triangle-right" if r.d == 0 else "triangle-left")
        xs, ys = _segments(pairs)
        data.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": color, "width": 2.5, "dash": palette.LINE_DASH[name]},
                hoverinfo="skip",
                name=tr(f"network.path_{name}", lang),
                legendgroup=name,
            )
        )
        data.append(
            go.Scatter(
                x=[p[1][0] for p in pairs],
                y=[p[1][1] for p in pairs],
                mode="markers",
                marker={
                    "symbol": symbols,
                    "size": 9 if T <= MAX_ARROWHEAD_T else 5,
                    "color": color,
                },
                hoverinfo="skip",
                showlegend=False,
                legendgroup=name,
            )
        )

    # Input x along the bottom, output along the top, joined to the cells by vertical arrows.
    y_x = rows[0].y - 1.1
    y_out = rows[-1].y + 1.1
    tops = {k: max(r.y for r in rows if r.k == k) for k in range(L)}
    bottoms = {k: min(r.y for r in rows if r.k == k) for k in range(L)}
    up = [((t, y_x + 0.2), (t, bottoms[0] - CELL_H / 2 - 0.02)) for t in range(T)]
    up_h = [
        ((t, tops[k] + CELL_H / 2 + 0.02), (t, bottoms[k + 1] - CELL_H / 2 - 0.02))
        for k in range(L - 1)
        for t in range(T)
    ]
    up_h += [((t, tops[L - 1] + CELL_H / 2 + 0.02), (t, y_out - 0.2)) for t in range(T)]
    for pairs, color, dash in (
        (up, palette.X_LINE, "solid"),
        (up_h, palette.H_LINE, palette.LINE_DASH["h"]),
    ):
        xs, ys = _segments(pairs)
        data.append(
            go.Scatter(
                x=xs,
                y=ys,
                mode="lines",
                line={"color": color, "width": 1.5, "dash": dash},
                hoverinfo="skip",
                showlegend=False,
            )
        )
        data.append(
            go.Scatter(
                x=[p[1][0] for p in pairs],
                y=[p[1][1] for p in pairs],
                mode="markers",
                marker={"symbol": "triangle-up", "size": 7, "color": color},
                hoverinfo="skip",
                showlegend=False,
            )
        )

    x_in = trace.layers[0][0].x[:, b, :]  # (T, D)
    data.append(
        go.Scatter(
            x=list(range(T)),
            y=[y_x] * T,
            mode="markers+text" if show_text and x_in.shape[1] == 1 else "markers",
            text=[f"{v:.2f}" for v in x_in[:, 0]],
            textposition="bottom center",
            textfont={"color": palette.X_LINE, "size": 12},
            marker={"symbol": "square", "size": 16, "color": palette.X_LINE},
            name=tr("network.input", lang),
            hovertext=[
                f"x<sub>{labels[t]}</sub> = [{', '.join(exact(v) for v in x_in[t][:8])}"
                f"{', …' if x_in.shape[1] > 8 else ''}]"
                for t in range(T)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )
    out = np.concatenate([trace.layers[L - 1][d].h[:, b, :] for d in range(ND)], axis=-1)
    data.append(
        go.Scatter(
            x=list(range(T)),
            y=[y_out] * T,
            mode="markers",
            marker={"symbol": "square", "size": 16, "color": palette.H_LINE},
            name=tr("network.output", lang),
            hovertext=[
                f"{tr('network.output', lang)}<sub>{labels[t]}</sub> = "
                f"[{', '.join(exact(v) for v in out[t][:8])}{', …' if out.shape[1] > 8 else ''}]"
                for t in range(T)
            ],
            hovertemplate="%{hovertext}<extra></extra>",
        )
    )

    # One invisible marker per cell: hover shows every value of the cell, a click selects it.
    hover, custom, cx, cy = [], [], [], []
    for r in rows:
        lt = trace.layers[r.k][r.d]
        vals = {q: cell_values(lt, q, unit, b) for q in QUANTITIES}
        for t in range(T):
            head = tr(
                "network.cell_hover_head",
                lang,
                k=r.k,
                direction=tr(f"network.direction_{r.d}", lang),
                t=labels[t],
                unit=tr("network.mean_units", lang) if unit is None else f"j = {unit}",
            )
            body = "<br>".join(f"{q} = {exact(vals[q][t])}" for q in ("f", "i", "g", "o", "c", "h"))
            hover.append(f"{head}<br>{body}")
            custom.append([r.k, r.d, t])
            cx.append(t)
            cy.append(r.y)
    data.append(
        go.Scatter(
            x=cx,
            y=cy,
            mode="markers",
            marker={"size": 14, "opacity": 0},
            customdata=custom,
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            showlegend=False,
            name="cell targets",
        )
    )
    cell_trace = len(data) - 1

    if selected is not None:
        k, d, t = selected
        y = next(r.y for r in rows if r.k == k and r.d == d)
        shapes.append(
            {
                "type": "rect",
                "x0": t - CELL_W / 2 - 0.06,
                "x1": t + CELL_W / 2 + 0.06,
                "y0": y - CELL_H / 2 - 0.06,
                "y1": y + CELL_H / 2 + 0.06,
                "line": {"color": SELECT_LINE, "width": 3},
            }
        )

    tickvals = [y_x] + [r.y for r in rows] + [y_out]
    ticktext = (
        [tr("network.input", lang)]
        + [
            tr("network.row_label", lang, k=r.k, direction=tr(f"network.direction_{r.d}", lang))
            for r in rows
        ]
        + [tr("network.output", lang)]
    )
    layout = {
        "yaxis": {
            "tickmode": "array",
            "tickvals": tickvals,
            "ticktext": ticktext,
            "range": [y_x - 0.6, y_out + 0.6],
            "showgrid": False,
            "zeroline": False,
            "fixedrange": True,
        },
        "xaxis": {
            "range": [-1.0, T],
            "showgrid": False,
            "zeroline": False,
            "title": {"text": tr("network.time_axis", lang)},
            **time_ticks(step_labels, T),
        },
        "shapes": shapes,
        "height": int(150 + 95 * (len(rows) + 2)),
        "margin": {"l": 110, "r": 20, "t": 40, "b": 50},
        "font": {"family": palette.FONT_FAMILY, "size": 13},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "hoverlabel": HOVER_LABEL,
        "hovermode": "closest",
        "hoverdistance": -1,
        "clickmode": "event+select",
        "legend": {"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
        "meta": {"cell_trace": cell_trace, "rows": [[r.k, r.d, r.y] for r in rows]},
    }
    return go.Figure(data=data, layout=layout)
