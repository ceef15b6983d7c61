"""Figures over time for one layer/direction: gate heatmaps, the c and h paths, saturation.

Pure functions: a `LayerTrace` in, a `go.Figure` out. Colours and ranges from `viz.palette` only;
texts from `assets/i18n/gates.toml` in the language asked for.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from lstm_core.analysis import saturation
from lstm_core.trace import LayerTrace
from ui.i18n import tr
from viz import palette
from viz.time_axis import HOVER_LABEL, exact_array, step_labels_or_index, time_ticks

GATES = ("f", "i", "g", "o")  # the article's order: forget, input, candidate, output
SELECT_LINE = "#212529"  # outline of the selected cell (neutral, not a quantity's colour)
SATURATION_MARGIN = 0.05  # "near 0" means < 0.05, "near 1" means > 0.95
HIST_BINS = 20


def _scale(name: str) -> list:
    return palette.DIVERGING_SCALE if name == "g" else palette.SIGMOID_SCALE


def _layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        font={"family": palette.FONT_FAMILY, "size": 13},
        plot_bgcolor="white",
        paper_bgcolor="white",
        hoverlabel=HOVER_LABEL,
    )
    return fig


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
    scatter over the cell centres with customdata [t, j] (Streamlit reports clicks on it).
    """
    T, _, H = lt.c.shape
    labels = step_labels_or_index(step_labels, T)
    row_h = max(110, min(22 * H, 300))
    fig = make_subplots(
        rows=4,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.22 / 4,
        subplot_titles=[tr(f"gates.heat_title_{name}", lang) for name in GATES],
    )
    tt, jj = np.meshgrid(np.arange(T), np.arange(H), indexing="ij")  # (T, H)
    for n, name in enumerate(GATES):
        row = n + 1
        v = getattr(lt, name)[:, b, :]  # (T, H)
        z = getattr(lt, f"z_{name}")[:, b, :]
        lo, hi = palette.GATE_RANGE[name]
        yaxis = fig.layout[f"yaxis{'' if row == 1 else row}"]
        y0, y1 = yaxis.domain
        fig.add_trace(
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
            ),
            row=row,
            col=1,
        )
        t_flat, j_flat = tt.ravel(), jj.ravel()
        fig.add_trace(
            go.Scatter(
                x=t_flat,
                y=j_flat,
                mode="markers",
                marker={"size": 12, "opacity": 0, "color": palette.GATE_COLOR[name]},
                # [t, j, step label]; the exact value and pre-activation ride in text/hovertext
                customdata=np.stack(
                    [
                        t_flat.astype(object),
                        j_flat.astype(object),
                        np.array(labels, object)[t_flat],
                    ],
                    axis=-1,
                ),
                text=exact_array(v).ravel(),
                hovertext=exact_array(z).ravel(),
                hovertemplate=(
                    f"<b>{name}</b> · t = %{{customdata[2]}} · j = %{{y}}<br>"
                    f"{name} = %{{text}}<br>z<sub>{name}</sub> = %{{hovertext}}<extra></extra>"
                ),
                showlegend=False,
                name=f"{name} cells",
            ),
            row=row,
            col=1,
        )
        fig.update_yaxes(
            title_text=tr("gates.unit_axis", lang),
            range=[-0.5, H - 0.5],
            tickmode="linear" if H <= 16 else "auto",
            dtick=1,
            row=row,
            col=1,
        )
        if t_sel is not None:
            j0, j1 = (-0.5, H - 0.5) if unit_sel is None else (unit_sel - 0.5, unit_sel + 0.5)
            fig.add_shape(
                type="rect",
                x0=t_sel - 0.5,
                x1=t_sel + 0.5,
                y0=j0,
                y1=j1,
                line={"color": SELECT_LINE, "width": 2.5},
                row=row,
                col=1,
            )
    fig.update_xaxes(range=[-0.5, T - 0.5], **time_ticks(step_labels, T))
    fig.update_xaxes(title_text=tr("gates.time_axis", lang), row=4, col=1)
    fig.update_layout(hovermode="closest", hoverdistance=-1, clickmode="event+select")
    return _layout(fig, height=4 * row_h + 150)


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
    labels = step_labels_or_index(step_labels, T)
    t = np.arange(T)
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.1,
        subplot_titles=[tr("gates.long_title", lang), tr("gates.short_title", lang)],
    )

    def series(name, y, color, col, **kw):
        text = exact_array(y)
        kind = kw.pop("kind", "line")
        common = {
            "x": t,
            "y": y,
            "name": name,
            "customdata": np.stack([labels, text], axis=-1),
            "hovertemplate": f"{name}<br>t = %{{customdata[0]}}: %{{customdata[1]}}<extra></extra>",
            "legendgroup": f"col{col}",
        }
        if kind == "bar":
            trace = go.Bar(
                marker={"color": color, "line": {"color": "white", "width": 0.5}}, **common
            )
        else:
            trace = go.Scatter(mode="lines+markers", line={"color": color, **kw}, **common)
        fig.add_trace(trace, row=1, col=col)

    j = unit
    series(tr("gates.kept", lang), lt.kept[:, b, j], palette.STAGE_EDGE["forget"], 1, kind="bar")
    series(
        tr("gates.written", lang),
        lt.written[:, b, j],
        palette.STAGE_EDGE["candidate"],
        1,
        kind="bar",
    )
    series(tr("gates.c_line", lang), lt.c[:, b, j], palette.C_LINE, 1, width=3)
    series(tr("gates.o_line", lang), lt.o[:, b, j], palette.STAGE_EDGE["output"], 2, dash="dot")
    series(tr("gates.tanh_c_line", lang), lt.tanh_c[:, b, j], palette.TANH_BOX, 2, dash="dash")
    series(tr("gates.h_line", lang), lt.h_cell[:, b, j], palette.H_LINE, 2, width=3)

    c_lo, c_hi = palette.symmetric_range(
        np.concatenate([lt.c[:, b, j], lt.kept[:, b, j], lt.written[:, b, j]]), floor=0.5
    )
    fig.update_yaxes(range=[c_lo * 1.08, c_hi * 1.08], zeroline=True, row=1, col=1)
    fig.update_yaxes(range=[-1.08, 1.08], zeroline=True, row=1, col=2)
    fig.update_xaxes(
        range=[-0.6, T - 0.4], title_text=tr("gates.time_axis", lang), **time_ticks(step_labels, T)
    )
    fig.update_yaxes(gridcolor="#e9ecef", zerolinecolor="#adb5bd")
    if t_sel is not None:
        for col in (1, 2):
            fig.add_vrect(
                x0=t_sel - 0.5,
                x1=t_sel + 0.5,
                fillcolor="#e9ecef",
                line_width=0,
                layer="below",
                row=1,
                col=col,
            )
    fig.update_layout(
        barmode="relative",
        hovermode="closest",
        legend={"orientation": "h", "y": -0.25, "x": 0.5, "xanchor": "center"},
    )
    return _layout(fig, height=430)


def saturation_histograms(lt: LayerTrace, lang: str = "en", b: int = 0) -> go.Figure:
    """Four histograms (percent of values) of f, i, g, o over every t and unit, on their fixed
    ranges, with the saturated zones (within 0.05 of either end) shaded and their share named."""
    titles = []
    stats = {}
    for name in GATES:
        lo, hi = palette.GATE_RANGE[name]
        s = saturation(getattr(lt, name)[:, b, :], lo, hi, SATURATION_MARGIN, lt.mask[:, b])
        stats[name] = s
        titles.append(
            tr(
                f"gates.sat_title_{name}",
                lang,
                low=f"{100 * s.near_low:.0f}",
                high=f"{100 * s.near_high:.0f}",
            )
        )
    fig = make_subplots(rows=1, cols=4, subplot_titles=titles, horizontal_spacing=0.06)
    for n, name in enumerate(GATES):
        lo, hi = palette.GATE_RANGE[name]
        v = getattr(lt, name)[:, b, :][lt.mask[:, b]].ravel()
        counts, edges = np.histogram(v, bins=HIST_BINS, range=(lo, hi))
        pct = 100.0 * counts / max(v.size, 1)
        centres = (edges[:-1] + edges[1:]) / 2
        fig.add_trace(
            go.Bar(
                x=centres,
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
            ),
            row=1,
            col=n + 1,
        )
        for x0, x1 in ((lo, lo + SATURATION_MARGIN), (hi - SATURATION_MARGIN, hi)):
            fig.add_vrect(
                x0=x0,
                x1=x1,
                fillcolor="#dee2e6",
                opacity=0.6,
                line_width=0,
                layer="below",
                row=1,
                col=n + 1,
            )
        fig.update_xaxes(range=[lo, hi], title_text=name, row=1, col=n + 1)
    fig.update_yaxes(title_text=tr("gates.percent_axis", lang), row=1, col=1)
    fig.update_yaxes(gridcolor="#e9ecef")
    fig.update_annotations(font_size=12)
    return _layout(fig, height=300)
