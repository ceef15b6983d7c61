"""Figures of the Challenges page: the cell's c and h over time with the target drawn in, and the
unit detective's heatmap of units × time beside the bracket depths.

Pure functions: results + lang in, a `go.Figure` out. Colours from `viz.palette` (green c,
rose-red h, grey x); a target is a tinted box with a dashed edge in its quantity's colour.
Every trace carries `meta` = {"role": ..., "seq": k} so tests (and readers) can find it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app_logic import detective as det_logic
from app_logic.challenges import Band, Result
from app_logic.i18n import tr
from viz import palette

INK = "#212529"  # a neutral: the depths the detective compares with, the picked unit's frame


def _colour(q: str) -> str:
    """x, c or h's colour in the active palette (read when drawn: chosen per run)."""
    return {"x": palette.X_LINE, "c": palette.C_LINE, "h": palette.H_LINE}[q]


ROW_HEIGHT = 190  # px per input sequence
HALF = 0.4  # a band covers its steps ± this much on the time axis


def _rgba(hex_color: str, alpha: float) -> str:
    r, g, b = (int(hex_color[k : k + 2], 16) for k in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _frame(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 55, "r": 15, "t": 60, "b": 40},
        font={"family": palette.FONT_FAMILY, "size": 13},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.04, "x": 0},
        hovermode="x unified",
    )
    fig.update_xaxes(showline=True, linecolor="#ced4da", gridcolor="#f1f3f5", zeroline=False)
    fig.update_yaxes(showline=True, linecolor="#ced4da", gridcolor="#f1f3f5")
    return fig


def y_range(result: Result, k: int) -> tuple[float, float]:
    """The y-axis of input k: every value drawn and every finite band limit, with room."""
    values = [*result.x[k], *result.c[k], *result.h[k]]
    values += [v for b in result.bands if b.seq == k for v in (b.lo, b.hi) if math.isfinite(v)]
    lo, hi = min(values), max(values)
    pad = 0.12 * max(hi - lo, 1.0)
    return lo - pad, hi + pad


def band_polygon(band: Band, lo_edge: float, hi_edge: float) -> tuple[list, list]:
    """The band as a closed box (x, y); an open side (±∞) reaches the axis edge."""
    lo = band.lo if math.isfinite(band.lo) else lo_edge
    hi = band.hi if math.isfinite(band.hi) else hi_edge
    x0, x1 = band.t0 - HALF, band.t1 + HALF
    return [x0, x1, x1, x0, x0], [lo, lo, hi, hi, lo]


def create_challenge_figure(result: Result, lang: str = "en") -> go.Figure:
    """One row per input: the target boxes, x (grey), c (green) and h (rose-red) over t.

    Traces per row k, in order: target (all of row k's boxes, None-separated), x, c, h.
    """
    B, T = result.x.shape
    titles = [tr("challenges.fig_input", lang, k=k + 1) for k in range(B)]
    fig = make_subplots(
        rows=B,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=50 / (ROW_HEIGHT * B),  # about 50 px between rows
        subplot_titles=titles,
    )
    t = list(range(T))
    q = result.challenge.quantity
    for k in range(B):
        lo_edge, hi_edge = y_range(result, k)
        bx, by = [], []
        for band in (b for b in result.bands if b.seq == k):
            px, py = band_polygon(band, lo_edge, hi_edge)
            bx += [*px, None]
            by += [*py, None]
        fig.add_trace(
            go.Scatter(
                x=bx,
                y=by,
                mode="lines",
                fill="toself",
                fillcolor=_rgba(_colour(q), 0.16),
                line={"color": _colour(q), "width": 1.5, "dash": "dash"},
                hoverinfo="skip",
                name=tr(f"challenges.fig_target_{q}", lang),
                legendgroup="target",
                showlegend=k == 0,
                meta={"role": "target", "seq": k},
            ),
            row=k + 1,
            col=1,
        )
        for role, values, width in (
            ("x", result.x[k], 1.5),
            ("c", result.c[k], 3),
            ("h", result.h[k], 2.5),
        ):
            fig.add_trace(
                go.Scatter(
                    x=t,
                    y=[float(v) for v in values],
                    mode="lines+markers",
                    line={
                        "color": _colour(role),
                        "width": width,
                        "dash": "dot" if role == "x" else palette.LINE_DASH[role],
                    },
                    marker={"size": 5 if role == "x" else 6},
                    name=tr(f"challenges.fig_{role}", lang),
                    legendgroup=role,
                    showlegend=k == 0,
                    meta={"role": role, "seq": k},
                    hovertemplate=f"{role} = %{{y:.3f}}<extra></extra>",
                ),
                row=k + 1,
                col=1,
            )
        fig.update_yaxes(range=[lo_edge, hi_edge], row=k + 1, col=1)
    fig.update_xaxes(range=[-0.6, T - 0.4], dtick=1 if T <= 16 else 2)
    fig.update_xaxes(title_text="t", row=B, col=1)
    return _frame(fig, ROW_HEIGHT * B + 90)


def create_detective_figure(
    det: det_logic.Detective, lang: str = "en", picks: Mapping[str, int] | None = None
) -> go.Figure:
    """Top: c of every unit over the example string (units × time). Bottom: the two depths.
    A picked unit's row is framed. Traces: 0 heatmap, 1 round depth, 2 square depth."""
    b = det_logic.EXAMPLE
    c = det.trace.c[:, b, :].T  # (H, T)
    H, T = c.shape
    symbols = list(det.string(b))
    units = [tr("challenges.det_unit", lang, j=j) for j in range(H)]
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.6, 0.4],
        vertical_spacing=0.1,
        subplot_titles=[tr("challenges.det_fig_heat", lang), tr("challenges.det_fig_depth", lang)],
    )
    # Each row scaled to its own largest |c|: a unit with small values shows its pattern too.
    scale = np.maximum(np.max(np.abs(c), axis=1, keepdims=True), 1e-9)  # (H, 1)
    fig.add_trace(
        go.Heatmap(
            z=c / scale,
            x=list(range(T)),
            y=list(range(H)),
            colorscale=palette.C_SCALE,
            zmin=-1,
            zmax=1,
            colorbar={"len": 0.55, "y": 0.8, "thickness": 12},  # ±1: c / max|c| of its row
            customdata=np.stack(  # hover: the unit, the bracket, c itself (H, T, 3)
                [
                    np.array([[u] * T for u in units]),
                    np.array([symbols] * H),
                    c.round(3).astype(str),
                ],
                axis=-1,
            ),
            meta={"role": "heatmap"},
            hovertemplate="%{customdata[0]}, t = %{x} (%{customdata[1]}): c = %{customdata[2]}"
            "<extra></extra>",
        ),
        row=1,
        col=1,
    )
    for q, name in enumerate(det_logic.QUANTITIES):
        fig.add_trace(
            go.Scatter(
                x=list(range(T)),
                y=[float(v) for v in det.depth[:, b, q]],
                mode="lines+markers",
                line={
                    "color": INK,
                    "width": 2.5,
                    "dash": "solid" if q == 0 else "dot",
                    "shape": "hv",
                },
                name=tr(f"challenges.det_{name}", lang),
                meta={"role": name},
            ),
            row=2,
            col=1,
        )
    for unit in sorted(set((picks or {}).values())):
        fig.add_shape(
            type="rect",
            x0=-0.5,
            x1=T - 0.5,
            y0=unit - 0.5,
            y1=unit + 0.5,
            line={"color": INK, "width": 3},
            row=1,
            col=1,
        )
    fig.update_yaxes(tickvals=list(range(H)), ticktext=units, autorange="reversed", row=1, col=1)
    fig.update_yaxes(title_text=tr("challenges.det_depth_axis", lang), dtick=1, row=2, col=1)
    ticks = {"tickmode": "array", "tickvals": list(range(T)), "ticktext": symbols, "tickangle": 0}
    fig.update_xaxes(**ticks, row=1, col=1)
    fig.update_xaxes(**ticks, showticklabels=True, title_text="t", row=2, col=1)
    fig = _frame(fig, 520)
    fig.update_layout(hovermode="closest")
    return fig


def create_correlation_figure(det: det_logic.Detective, lang: str = "en") -> go.Figure:
    """r of each unit's c with each depth (bars): what the check measures. Traces: round, square."""
    H = det.r.shape[1]
    fig = go.Figure()
    for q, name in enumerate(det_logic.QUANTITIES):
        fig.add_trace(
            go.Bar(
                x=[tr("challenges.det_unit", lang, j=j) for j in range(H)],
                y=[float(v) for v in det.r[q]],
                name=tr(f"challenges.det_{name}", lang),
                marker={"color": INK if q == 0 else palette.X_LINE},
                meta={"role": name},
                texttemplate="%{y:.2f}",
                textposition="outside",
            )
        )
    fig.update_yaxes(range=[-1.15, 1.15], title_text="r", zeroline=True, zerolinecolor="#adb5bd")
    fig.update_layout(barmode="group")
    return _frame(fig, 320)
