"""Figures of the "From RNN to LSTM" page: how far back the last step's loss gradient reaches.

Pure functions: a `lstm_core.memory.GradientFlow` in, a `go.Figure` out. Colours from
`viz.palette` (h rose-red, c green, forget gate blue); the vanilla RNN, which has no colour in the
article, is a dark neutral. Texts from `assets/i18n/why.toml`.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app_logic.i18n import tr
from lstm_core.memory import GradientFlow
from viz import palette
from viz.training import framed

RNN_COLOR = "#495057"
TINY = 1e-300  # below this a norm has underflowed to 0: no point on a log axis


def _layout(fig: go.Figure, height: int) -> go.Figure:
    margin = {"l": 70, "r": 20, "t": 40, "b": 50}
    return framed(fig, height, margin, hovermode="x unified")


def _positive(a: np.ndarray) -> list[float | None]:
    """Values for a log axis: an underflowed 0 (or nan) becomes a gap."""
    return [float(v) if np.isfinite(v) and v > TINY else None for v in a]


def gradient_norms(flow: GradientFlow, lang: str = "en") -> go.Figure:
    """‖∂L/∂h_k‖ (RNN, LSTM), ‖∂L/∂c_k‖ (LSTM) and mean ∏ f against the distance t − k, log y.

    Traces: 0 RNN h, 1 LSTM h, 2 LSTM c, 3 mean product of forget gates.
    """
    d = flow.distance.tolist()
    dash = palette.LINE_DASH  # never colour alone: c solid, every h dashed, ∏ f dotted
    specs = (
        (flow.rnn_h, "fig_rnn_h", {"color": RNN_COLOR, "width": 3, "dash": dash["h"]}, "square"),
        (
            flow.lstm_h,
            "fig_lstm_h",
            {"color": palette.H_LINE, "width": 3, "dash": dash["h"]},
            "circle",
        ),
        (flow.lstm_c, "fig_lstm_c", {"color": palette.C_LINE, "width": 2, "dash": dash["c"]}, None),
        (
            flow.forget_product,
            "fig_prod_f",
            {"color": palette.GATE_COLOR["f"], "width": 2, "dash": "dot"},
            None,
        ),
    )
    fig = go.Figure()
    for values, key, line, symbol in specs:  # symbol: the markers (the two h lines), or none
        fig.add_trace(
            go.Scatter(
                x=d,
                y=_positive(values),
                mode="lines+markers" if symbol else "lines",
                name=tr(f"why.{key}", lang),
                line=line,
                marker={"size": 5, "symbol": symbol or "circle"},
                hovertemplate="%{y:.3e}",
            )
        )
    fig.update_yaxes(type="log", exponentformat="power", title_text=tr("why.fig_norm_axis", lang))
    fig.update_xaxes(title_text=tr("why.fig_distance_axis", lang))
    return _layout(fig, 440)


def step_factors(flow: GradientFlow, lang: str = "en") -> go.Figure:
    """What one step back multiplies the gradient by: the RNN's ratio and the LSTM's mean f_k.

    Traces: 0 RNN ‖∂L/∂h_{k-1}‖ / ‖∂L/∂h_k‖, 1 LSTM mean f_k; the line y = 1 is a layout shape.
    """
    d = flow.distance.tolist()
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=d[1:],
            y=_positive(flow.rnn_factor[1:]),
            mode="lines+markers",
            name=tr("why.fig_rnn_factor", lang),
            line={"color": RNN_COLOR, "width": 2},
            marker={"size": 5},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=d,
            y=flow.forget_mean.tolist(),
            mode="lines+markers",
            name=tr("why.fig_f_mean", lang),
            line={"color": palette.GATE_COLOR["f"], "width": 2},
            marker={"size": 5},
        )
    )
    fig.add_hline(y=1.0, line={"color": "#adb5bd", "dash": "dot", "width": 1})  # a neutral grey
    top = np.nanmax(np.concatenate([flow.rnn_factor[1:], flow.forget_mean, [1.1]]))
    fig.update_yaxes(
        range=[0, min(float(top) * 1.05, 3.0)], title_text=tr("why.fig_factor_axis", lang)
    )
    fig.update_xaxes(title_text=tr("why.fig_distance_axis", lang))
    return _layout(fig, 300)
