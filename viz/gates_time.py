"""Figures over time for one layer/direction: gate heatmaps, the c and h paths, saturation.

Pure functions: a `LayerTrace` in, a `go.Figure` out. Colours and ranges from `viz.palette` only;
texts from `assets/i18n/gates.toml` in the language asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from app_logic.i18n import tr
from lstm_core.analysis import saturation
from lstm_core.trace import LayerTrace
from viz import palette
from viz.grid import ax, side_by_side, stacked
from viz.time_axis import base_layout, exact_array, step_labels_or_index, time_ticks

GATES = ("f", "i", "g", "o")  # the article's order: forget, input, candidate, output
SELECT_LINE = "#212529"  # outline of the selected cell (neutral, not a quantity's colour)
SATURATION_MARGIN = 0.05  # "near 0" means < 0.05, "near 1" means > 0.95
HIST_BINS = 20


def heatmap_cell(points: Sequence[tuple[float, float, int | None]]) -> tuple[int, int] | None:
    """(t, j) of the first clicked point [(x, y, curve)] on the gate heatmaps (x is the timestep,
    y the unit in every panel), or None when there is none (a deselection)."""
    for x, y, _ in points:
        return int(round(x)), int(round(y))
    return None


def _scale(name: str) -> list:
    return palette.DIVERGING_SCALE if name == "g" else palette.SIGMOID_SCALE


GRID = "#e9ecef"
ZERO = "#adb5bd"


def _layout(height: int, **entries) -> dict:
    """The common frame of these figures plus `entries` (axes, shapes, annotations, …)."""
    return base_layout(height, {"l": 60, "r": 20, "t": 50, "b": 40}, **entries)


def _band(x0: float, x1: float, n: int, fill: str, opacity: float = 1.0) -> dict:
    """A vertical band from x0 to x1 over the full height of subplot n, behind the data."""
    return {
        "type": "rect",
        "xref": f"x{ax(n)}",
        "yref": f"y{ax(n)} domain",
        "x0": x0,
        "x1": x1,
        "y0": 0,
        "y1": 1,
        "fillcolor": fill,
        "opacity": opacity,
        "line": {"width": 0},
        "layer": "below",
    }


def gate_heatmaps(
    lt: LayerTrace,
    t_sel: int | None = None,
    unit_sel: int | None = None,
    step_labels: Sequence[str] | None = None,
    lang: str = "en",
    b: int = 0,
) -> go.Figure:
    """Four heatmaps (unit × time) of f, i, g, o with fixed ranges, plus click targets.

    Trace 2n is gate GATES[n]'s heatmap, z = gate[:, b, :].T (H, T); trace 2n+1 is an invisible
    scatter over the cell centres with customdata [t, j, step label] (Streamlit reports clicks
    on it), the exact value in `text` and the pre-activation in `hovertext`.
    """
    T, _, H = lt.c.shape
    labels = step_labels_or_index(step_labels, T)
    row_h = max(110, min(22 * H, 300))
    axes, titles = stacked([tr(f"gates.heat_title_{name}", lang) for name in GATES], gap=0.055)
    tt, jj = np.meshgrid(np.arange(T), np.arange(H), indexing="ij")  # (T, H)
    t_flat, j_flat = tt.ravel(), jj.ravel()
    custom = np.stack(
        [t_flat.astype(object), j_flat.astype(object), np.array(labels, object)[t_flat]], axis=-1
    )
    data, shapes = [], []
    for n, name in enumerate(GATES, start=1):
        v = getattr(lt, name)[:, b, :]  # (T, H)
        z = getattr(lt, f"z_{name}")[:, b, :]
        lo, hi = palette.GATE_RANGE[name]
        y0, y1 = axes[f"yaxis{ax(n)}"]["domain"]
        data.append(
            go.Heatmap(
                z=v.T,
                x=np.arange(T),
                y=np.arange(H),
                zmin=lo,
                zmax=hi,
                colorscale=_scale(name),
                hoverinfo="skip",
                showscale=name in ("f", "g"),
                colorbar={
                    "title": {"text": "σ" if name != "g" else "tanh", "side": "right"},
                    "len": (y1 - y0) * (2.2 if name == "f" else 1.0),
                    "y": (y0 + y1) / 2 if name == "g" else 1.0,
                    "yanchor": "middle" if name == "g" else "top",
                    "thickness": 14,
                    "tickvals": [lo, (lo + hi) / 2, hi],
                },
                name=name,
                xaxis=f"x{ax(n)}",
                yaxis=f"y{ax(n)}",
            )
        )
        data.append(
            go.Scatter(
                x=t_flat,
                y=j_flat,
                mode="markers",
                marker={"size": 12, "opacity": 0, "color": palette.GATE_COLOR[name]},
                customdata=custom,
                text=exact_array(v).ravel(),
                hovertext=exact_array(z).ravel(),
                hovertemplate=(
                    f"<b>{name}</b> · t = %{{customdata[2]}} · j = %{{y}}<br>"
                    f"{name} = %{{text}}<br>z<sub>{name}</sub> = %{{hovertext}}<extra></extra>"
                ),
                showlegend=False,
                name=f"{name} cells",
                xaxis=f"x{ax(n)}",
                yaxis=f"y{ax(n)}",
            )
        )
        axes[f"yaxis{ax(n)}"] |= {
            "title": {"text": tr("gates.unit_axis", lang)},
            "range": [-0.5, H - 0.5],
            "tickmode": "linear" if H <= 16 else "auto",
            "dtick": 1,
        }
        axes[f"xaxis{ax(n)}"] |= {"range": [-0.5, T - 0.5], **time_ticks(step_labels, T)}
        if t_sel is not None:
            j0, j1 = (-0.5, H - 0.5) if unit_sel is None else (unit_sel - 0.5, unit_sel + 0.5)
            shapes.append(
                {
                    "type": "rect",
                    "xref": f"x{ax(n)}",
                    "yref": f"y{ax(n)}",
                    "x0": t_sel - 0.5,
                    "x1": t_sel + 0.5,
                    "y0": j0,
                    "y1": j1,
                    "line": {"color": SELECT_LINE, "width": 2.5},
                }
            )
    axes[f"xaxis{ax(len(GATES))}"]["title"] = {"text": tr("gates.time_axis", lang)}
    layout = _layout(
        4 * row_h + 150,
        **axes,
        annotations=titles,
        shapes=shapes,
        hovermode="closest",
        hoverdistance=-1,
        clickmode="event+select",
    )
    return go.Figure(data=data, layout=layout)


def memory_paths(
    lt: LayerTrace,
    unit: int,
    t_sel: int | None = None,
    step_labels: Sequence[str] | None = None,
    lang: str = "en",
    b: int = 0,
) -> go.Figure:
    """Left: c_t over time as stacked bars kept = f⊙c_{t-1} plus written = i⊙g, with the c line.
    Right: h = o ⊙ tanh(c) with o and tanh(c). One unit j; traces named by quantity."""
    T = lt.c.shape[0]
    j = unit
    labels = step_labels_or_index(step_labels, T)
    t = np.arange(T)
    axes, titles = side_by_side([tr("gates.long_title", lang), tr("gates.short_title", lang)], 0.1)
    data = []

    def series(key: str, y: np.ndarray, color: str, n: int, kind: str = "line", **line) -> None:
        name = tr(key, lang)
        common = {
            "x": t,
            "y": y,
            "name": name,
            "customdata": np.stack([labels, exact_array(y)], axis=-1),
            "hovertemplate": f"{name}<br>t = %{{customdata[0]}}: %{{customdata[1]}}<extra></extra>",
            "legendgroup": f"col{n}",
            "xaxis": f"x{ax(n)}",
            "yaxis": f"y{ax(n)}",
        }
        if kind == "bar":
            marker = {"color": color, "line": {"color": "white", "width": 0.5}}
            data.append(go.Bar(marker=marker, **common))
        else:
            data.append(go.Scatter(mode="lines+markers", line={"color": color, **line}, **common))

    edge = palette.STAGE_EDGE
    series("gates.kept", lt.kept[:, b, j], edge["forget"], 1, kind="bar")
    series("gates.written", lt.written[:, b, j], edge["candidate"], 1, kind="bar")
    dash = palette.LINE_DASH  # never colour alone: c solid, h dashed (and no other line dashed)
    series("gates.c_line", lt.c[:, b, j], palette.C_LINE, 1, width=3, dash=dash["c"])
    series("gates.o_line", lt.o[:, b, j], edge["output"], 2, dash="dot")
    series("gates.tanh_c_line", lt.tanh_c[:, b, j], palette.TANH_BOX, 2, dash="dashdot")
    series("gates.h_line", lt.h_cell[:, b, j], palette.H_LINE, 2, width=3, dash=dash["h"])

    c_lo, c_hi = palette.symmetric_range(
        np.concatenate([lt.c[:, b, j], lt.kept[:, b, j], lt.written[:, b, j]]), floor=0.5
    )
    for n, (lo, hi) in enumerate([(c_lo, c_hi), (-1.0, 1.0)], start=1):
        axes[f"yaxis{ax(n)}"] |= {
            "range": [lo * 1.08, hi * 1.08],
            "zeroline": True,
            "gridcolor": GRID,
            "zerolinecolor": ZERO,
        }
        axes[f"xaxis{ax(n)}"] |= {
            "range": [-0.6, T - 0.4],
            "title": {"text": tr("gates.time_axis", lang)},
            **time_ticks(step_labels, T),
        }
    shapes = [] if t_sel is None else [_band(t_sel - 0.5, t_sel + 0.5, n, GRID) for n in (1, 2)]
    layout = _layout(
        430,
        **axes,
        annotations=titles,
        shapes=shapes,
        barmode="relative",
        hovermode="closest",
        legend={"orientation": "h", "y": -0.25, "x": 0.5, "xanchor": "center"},
    )
    return go.Figure(data=data, layout=layout)


def saturation_histograms(lt: LayerTrace, lang: str = "en", b: int = 0) -> go.Figure:
    """Four histograms (percent of values) of f, i, g, o over every t and unit, on their fixed
    ranges, with the saturated zones (within 0.05 of either end) shaded and their share named."""
    titles, data, shapes = [], [], []
    for name in GATES:
        lo, hi = palette.GATE_RANGE[name]
        s = saturation(getattr(lt, name)[:, b, :], lo, hi, SATURATION_MARGIN, lt.mask[:, b])
        low, high = f"{100 * s.near_low:.0f}", f"{100 * s.near_high:.0f}"
        titles.append(tr(f"gates.sat_title_{name}", lang, low=low, high=high))
    axes, notes = side_by_side(titles, gap=0.06)
    for n, name in enumerate(GATES, start=1):
        lo, hi = palette.GATE_RANGE[name]
        v = getattr(lt, name)[:, b, :][lt.mask[:, b]].ravel()
        counts, edges = np.histogram(v, bins=HIST_BINS, range=(lo, hi))
        pct = 100.0 * counts / max(v.size, 1)
        data.append(
            go.Bar(
                x=(edges[:-1] + edges[1:]) / 2,
                y=pct,
                width=(hi - lo) / HIST_BINS * 0.92,
                marker={"color": palette.GATE_COLOR[name]},
                name=name,
                customdata=np.stack([edges[:-1], edges[1:], counts], axis=-1),
                hovertemplate=(
                    f"{name} ∈ [%{{customdata[0]:.2f}}, %{{customdata[1]:.2f}}): "
                    "%{customdata[2]} (%{y:.1f}%)<extra></extra>"
                ),
                showlegend=False,
                xaxis=f"x{ax(n)}",
                yaxis=f"y{ax(n)}",
            )
        )
        for x0, x1 in ((lo, lo + SATURATION_MARGIN), (hi - SATURATION_MARGIN, hi)):
            shapes.append(_band(x0, x1, n, "#dee2e6", opacity=0.6))
        axes[f"xaxis{ax(n)}"] |= {"range": [lo, hi], "title": {"text": name}}
        axes[f"yaxis{ax(n)}"] |= {"gridcolor": GRID}
    axes["yaxis"]["title"] = {"text": tr("gates.percent_axis", lang)}
    for note in notes:
        note["font"] = {"size": 12}
    return go.Figure(data=data, layout=_layout(300, **axes, annotations=notes, shapes=shapes))
