"""Figures of the Compare page: NumPy vs torch values, |difference| heatmaps, weight layout.

Pure functions: arrays in, `go.Figure` out; colours and ranges from `viz.palette` only.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app_logic.i18n import tr

from . import palette

GATE_STAGE = {"i": "input", "f": "forget", "g": "candidate", "o": "output"}
GATE_ORDER = ("i", "f", "g", "o")  # torch's row order in weight_ih / weight_hh
_FONT = {"family": palette.FONT_FAMILY, "size": 12}


def _base_layout(fig: go.Figure, height: int) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 60, "r": 20, "t": 50, "b": 40},
        font=_FONT,
        plot_bgcolor="white",
        paper_bgcolor="white",
    )
    return fig


def create_tensor_figure(
    core: np.ndarray,
    torch: np.ndarray,
    tol: float,
    titles: tuple[str, str, str],
    row_label: str,
    col_label: str,
    value_range: tuple[float, float],
    row_ticks: list[str] | None = None,
    lang: str = "en",
) -> go.Figure:
    """NumPy | torch | |NumPy − torch| for one 2-D slice (rows × cols), side by side.

    The values share one diverging scale over `value_range`; the |difference| scale runs from 0
    to the tolerance, so a cell in full colour would be a failure.
    """
    core, torch = np.asarray(core, np.float64), np.asarray(torch, np.float64)
    if core.shape != torch.shape or core.ndim != 2:
        raise ValueError(
            f"core and torch must be the same 2-D shape, got {core.shape}, {torch.shape}"
        )
    diff = np.abs(core - torch)
    rows = core.shape[0]
    y = row_ticks if row_ticks is not None else list(range(rows))
    fig = make_subplots(rows=1, cols=3, subplot_titles=titles, horizontal_spacing=0.11)
    lo, hi = value_range
    diff_name = tr("compare.diff_short", lang)
    hover = f"{row_label} %{{y}}, {col_label} %{{x}}<br>%{{z:.17g}}<extra></extra>"
    for col, z in ((1, core), (2, torch)):
        fig.add_trace(
            go.Heatmap(
                z=z,
                y=y,
                zmin=lo,
                zmax=hi,
                colorscale=palette.DIVERGING_SCALE,
                hovertemplate=hover,
                showscale=col == 2,
                colorbar={"x": 0.635, "len": 0.9, "thickness": 10},
            ),
            row=1,
            col=col,
        )
    fig.add_trace(
        go.Heatmap(
            z=diff,
            y=y,
            zmin=0.0,
            zmax=tol,
            colorscale=palette.DIFF_SCALE,
            hovertemplate=hover.replace("%{z:.17g}", f"{diff_name} %{{z:.3e}}"),
            colorbar={
                "x": 1.0,
                "len": 0.9,
                "thickness": 10,
                "tickformat": ".0e",
                "title": {"text": diff_name, "side": "right"},
            },
        ),
        row=1,
        col=3,
    )
    for col in (1, 2, 3):
        fig.update_yaxes(
            autorange="reversed",
            type="category" if row_ticks else "linear",
            dtick=None if row_ticks else max(1, rows // 8),
            title_text=row_label if col == 1 else None,
            showticklabels=col == 1,  # the rows are shared: label them once
            row=1,
            col=col,
        )
        fig.update_xaxes(title_text=col_label, row=1, col=col)
    height = int(np.clip(150 + 22 * rows, 260, 560))
    return _base_layout(fig, height)


def create_gate_diff_figure(
    per_t: dict[str, np.ndarray],
    tol: float,
    title: str,
    x_label: str,
    y_label: str,
    lang: str = "en",
) -> go.Figure:
    """max |NumPy − torch| per timestep, a line per gate (dotted) and c (solid), h (dashed);
    log scale, the tolerance dash-dotted."""
    fig = go.Figure()
    floor = 1e-18  # exact zeros still show on a log axis
    T = 0
    for name, values in per_t.items():
        v = np.asarray(values, np.float64)
        T = max(T, v.shape[0])
        fig.add_trace(
            go.Scatter(
                x=np.arange(v.shape[0]),
                y=np.maximum(v, floor),
                name=name,
                mode="lines+markers",
                line={
                    "color": palette.GATE_COLOR.get(name, palette.X_LINE),
                    "width": 2,
                    # never colour alone: c solid, h dashed, the gates dotted
                    "dash": palette.LINE_DASH.get(name, "dot"),
                },
                hovertemplate=f"{name}, t=%{{x}}: %{{y:.3e}}<extra></extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=[-0.5, max(T - 0.5, 0.5)],
            y=[tol, tol],
            name=tr("compare.tolerance_line", lang),
            mode="lines",
            line={"color": palette.STAGE_EDGE["hidden"], "dash": "dashdot", "width": 1.5},
            hovertemplate=tr("compare.tolerance_hover", lang, tol=f"{tol:.1e}") + "<extra></extra>",
        )
    )
    fig.update_yaxes(type="log", title_text=y_label, exponentformat="power", range=[-18.5, 0])
    fig.update_xaxes(title_text=x_label, dtick=1 if T <= 20 else None)
    fig.update_layout(title={"text": title}, legend={"orientation": "h", "y": -0.25})
    return _base_layout(fig, 360)


def create_weight_layout_figure(
    weights: dict[str, np.ndarray],
    hidden_size: int,
    block_labels: dict[str, dict[str, str]],
    lang: str = "en",
) -> go.Figure:
    """weight_ih_l0 and weight_hh_l0 (4H × ·) side by side, the four row blocks i|f|g|o tinted.

    `weights` maps a parameter name to its matrix; `block_labels[name][gate]` names a block,
    e.g. "W_ii". Each block gets its dashed box's tint as a band on the left and its edge colour
    as the outline.
    """
    H = hidden_size
    names = list(weights)
    widths = [max(weights[n].shape[1], 1) + 3 for n in names]
    fig = make_subplots(
        rows=1, cols=len(names), subplot_titles=names, column_widths=widths, horizontal_spacing=0.08
    )
    m = max(float(np.max(np.abs(w), initial=0.0)) for w in weights.values()) or 1.0
    for col, name in enumerate(names, start=1):
        w = np.asarray(weights[name], np.float64)
        rows, D = w.shape
        if rows != 4 * H:
            raise ValueError(f"{name} must have 4·H = {4 * H} rows, got {rows}")
        gate_of_row = np.repeat(np.array(GATE_ORDER), H)
        custom = np.array(
            [
                [f"{block_labels[name][g]}[{r % H}, {j}]" for j in range(D)]
                for r, g in enumerate(gate_of_row)
            ]
        )
        fig.add_trace(
            go.Heatmap(
                z=w,
                x=np.arange(D),
                y=np.arange(rows),
                zmin=-m,
                zmax=m,
                colorscale=palette.DIVERGING_SCALE,
                customdata=custom,
                hovertemplate=tr("compare.weight_hover", lang) + "<extra></extra>",
                showscale=col == len(names),
                colorbar={"thickness": 10, "len": 0.9},
            ),
            row=1,
            col=col,
        )
        xref = "x" if col == 1 else f"x{col}"
        yref = "y" if col == 1 else f"y{col}"
        for n, g in enumerate(GATE_ORDER):
            stage = GATE_STAGE[g]
            y0, y1 = n * H - 0.5, (n + 1) * H - 0.5
            fig.add_shape(  # the dashed box's tint, as a band beside the block
                type="rect",
                xref=xref,
                yref=yref,
                x0=-3.5,
                x1=-0.5,
                y0=y0,
                y1=y1,
                fillcolor=palette.STAGE_TINT[stage],
                line={"color": palette.STAGE_EDGE[stage], "width": 1},
            )
            fig.add_shape(  # the block's outline over the matrix
                type="rect",
                xref=xref,
                yref=yref,
                x0=-0.5,
                x1=D - 0.5,
                y0=y0,
                y1=y1,
                line={"color": palette.STAGE_EDGE[stage], "width": 2.5, "dash": "dash"},
            )
            fig.add_annotation(
                x=-2.0,
                y=(y0 + y1) / 2,
                xref=xref,
                yref=yref,
                text=block_labels[name][g],
                showarrow=False,
                textangle=-90,
                font={"color": palette.STAGE_EDGE[stage], "size": 13},
            )
        fig.update_xaxes(
            range=[-3.6, D - 0.4],
            showgrid=False,
            zeroline=False,
            tickvals=list(range(D)) if D <= 24 else None,
            row=1,
            col=col,
        )
        fig.update_yaxes(range=[rows - 0.4, -0.6], showgrid=False, zeroline=False, row=1, col=col)
    height = int(np.clip(120 + 9 * 4 * H, 320, 900))
    return _base_layout(fig, height)


def create_matrix_figure(w: np.ndarray, title: str, row_label: str, col_label: str) -> go.Figure:
    """One plain weight matrix as a heatmap (e.g. weight_hr: H_out × H)."""
    w = np.asarray(w, np.float64)
    m = float(np.max(np.abs(w), initial=0.0)) or 1.0
    fig = go.Figure(
        go.Heatmap(
            z=w,
            zmin=-m,
            zmax=m,
            colorscale=palette.DIVERGING_SCALE,
            hovertemplate=f"{row_label} %{{y}}, {col_label} %{{x}}: %{{z:.4f}}<extra></extra>",
            colorbar={"thickness": 10},
        )
    )
    fig.update_yaxes(autorange="reversed", title_text=row_label)
    fig.update_xaxes(title_text=col_label)
    fig.update_layout(title={"text": title})
    return _base_layout(fig, int(np.clip(120 + 22 * w.shape[0], 200, 500)))


def create_grad_figure(
    values: dict[str, np.ndarray], labels: list[str], title: str, x_label: str, y_label: str
) -> go.Figure:
    """Gradient entries by several methods (BPTT, autograd, central differences), overlaid.

    `labels` names each entry (e.g. its flat index). Later methods are drawn larger and open,
    so agreeing methods show as one marker inside another.
    """
    fig = go.Figure()
    colors = [palette.C_LINE, palette.TANH_BOX, palette.SIGMA_BOX, palette.H_LINE]
    symbols = ["circle", "x-thin-open", "diamond-open", "square-open"]
    sizes = [7, 12, 17, 20]
    for n, (name, v) in enumerate(values.items()):
        v = np.asarray(v, np.float64).ravel()
        fig.add_trace(
            go.Scatter(
                x=labels,
                y=v,
                name=name,
                mode="markers",
                marker={
                    "color": colors[n % 4],
                    "symbol": symbols[n % 4],
                    "size": sizes[n % 4],
                    "line": {"width": 2, "color": colors[n % 4]},
                },
                hovertemplate=f"{name} [%{{x}}] = %{{y:.12g}}<extra></extra>",
            )
        )
    fig.update_xaxes(title_text=x_label, type="category")
    fig.update_yaxes(title_text=y_label)
    fig.update_layout(title={"text": title}, legend={"orientation": "h", "y": -0.3})
    return _base_layout(fig, 360)
