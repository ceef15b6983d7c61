"""Figures and equations of the "Inside a GRU cell" page (pure: numbers in, go.Figure / KaTeX out).

The diagram speaks the LSTM cell's visual language: rose-red h, grey x, blue σ boxes, orange tanh
box; the reset gate r, the update gate z and the candidate n each sit in a dashed box tinted with
one of the palette's stage colours (the legend says which), the current stage's box highlighted.
A GRU has one memory, h, along the top: z keeps the old one, 1 − z lets the candidate in.
Colours are read from `viz.palette` at call time (the palette can be switched).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from app_logic.gru_view import STAGES, GruNumbers
from app_logic.i18n import tr
from viz import palette
from viz.equations import fmt, fmt_term
from viz.training import framed

# Which of the palette's five stage colours each GRU stage wears (said in the legend).
STAGE_COLOUR = {"reset": "output", "update": "forget", "candidate": "candidate", "hidden": "hidden"}

Y_H, Y_GATE, Y_BUS = 52.0, 26.0, 10.0  # the h line, the gate boxes, the h + x cable
BOX_W, BOX_H, NODE_R = 8.0, 7.0, 2.4
GATE_X = {"reset": 24.0, "update": 44.0, "candidate": 80.0}
X_MUL_R, X_ONE_MINUS, X_OUT = 67.0, 58.0, 96.0  # r ⊙ (W_hn h + b_hn); 1 − z; the output column
Y_Z_BRANCH, Y_N_UP = 42.0, 35.0
# The dashed box of each stage: (x0, y0, x1, y1).
STAGE_BOX = {
    "reset": (16.0, 17.0, 33.0, 40.0),
    "update": (36.0, 17.0, 52.0, 40.0),
    "candidate": (61.0, 17.0, 89.0, 39.0),
    "hidden": (38.0, 44.5, 104.0, 59.0),
}


def stage_colour(stage: str) -> str:
    """The edge colour of a stage (r, z, n, h′), from the palette's stage colours."""
    return palette.STAGE_EDGE[STAGE_COLOUR[stage]]


def stage_tint(stage: str) -> str:
    return palette.STAGE_TINT[STAGE_COLOUR[stage]]


def _line(x0, y0, x1, y1, color, width) -> dict:
    return dict(
        type="line", x0=x0, y0=y0, x1=x1, y1=y1, line=dict(color=color, width=width), layer="below"
    )


def _cable(x0, y0, x1, y1) -> list[dict]:
    """The h + x cable: rose-red with the grey input inside, as in the LSTM cell."""
    return [_line(x0, y0, x1, y1, palette.H_LINE, 6.0), _line(x0, y0, x1, y1, palette.X_LINE, 2.0)]


def _lines() -> list[dict]:
    h, x, s, t = palette.H_LINE, palette.X_LINE, palette.SIGMA_BOX, palette.TANH_BOX
    gx = GATE_X
    top = Y_GATE + BOX_H / 2
    lines = [
        _line(2.0, Y_H, 116.0, Y_H, h, 4.0),  # hₜ₋₁ → × z → + → hₜ
        _line(6.0, Y_H, 6.0, Y_BUS, h, 4.0),  # hₜ₋₁ down into the cable
        _line(12.0, 0.5, 12.0, Y_BUS, x, 3.0),  # xₜ comes up and joins it
        *_cable(6.0, Y_BUS, X_MUL_R, Y_BUS),
        *_cable(gx["reset"], Y_BUS, gx["reset"], Y_GATE - BOX_H / 2),
        *_cable(gx["update"], Y_BUS, gx["update"], Y_GATE - BOX_H / 2),
        *_cable(X_MUL_R, Y_BUS, X_MUL_R, Y_GATE - NODE_R),  # the h part W_hn h + b_hn
        _line(X_MUL_R, Y_BUS, gx["candidate"], Y_BUS, x, 3.0),  # the x part W_in x + b_in
        _line(gx["candidate"], Y_BUS, gx["candidate"], Y_GATE - BOX_H / 2, x, 3.0),
        # r: up, across, down into r ⊙ (W_hn h + b_hn)
        _line(gx["reset"], top, gx["reset"], Y_N_UP + 1.5, s, 2.5),
        _line(gx["reset"], Y_N_UP + 1.5, X_MUL_R, Y_N_UP + 1.5, s, 2.5),
        _line(X_MUL_R, Y_N_UP + 1.5, X_MUL_R, Y_GATE + NODE_R, s, 2.5),
        _line(X_MUL_R + NODE_R, Y_GATE, gx["candidate"] - BOX_W / 2, Y_GATE, h, 2.5),
        # z: up to × on the h line (z ⊙ hₜ₋₁), and across to 1 − z, then to (1 − z) ⊙ n
        _line(gx["update"], top, gx["update"], Y_H - NODE_R, s, 2.5),
        _line(gx["update"], Y_Z_BRANCH, X_OUT, Y_Z_BRANCH, s, 2.5),
        # n: up and across to (1 − z) ⊙ n, which goes up into +
        _line(gx["candidate"], top, gx["candidate"], Y_N_UP, t, 2.5),
        _line(gx["candidate"], Y_N_UP, X_OUT, Y_N_UP, t, 2.5),
        _line(X_OUT, Y_N_UP, X_OUT, Y_Z_BRANCH - NODE_R, t, 2.5),
        _line(X_OUT, Y_Z_BRANCH + NODE_R, X_OUT, Y_H - NODE_R, h, 3.0),
    ]
    return lines


def _boxes(stage: str) -> list[dict]:
    """The dashed stage boxes (the current one tinted and solid-edged), then the gate boxes."""
    shapes = []
    for s, (x0, y0, x1, y1) in STAGE_BOX.items():
        current = s == stage
        shapes.append(
            dict(
                type="rect",
                x0=x0,
                y0=y0,
                x1=x1,
                y1=y1,
                layer="below",
                fillcolor=stage_tint(s),
                opacity=1.0 if current else 0.35,
                line=dict(
                    color=stage_colour(s),
                    width=3 if current else 1.2,
                    dash="solid" if current else "dash",
                ),
            )
        )
    for s, x in GATE_X.items():
        fill = palette.TANH_BOX if s == "candidate" else palette.SIGMA_BOX
        shapes.append(
            dict(
                type="rect",
                x0=x - BOX_W / 2,
                y0=Y_GATE - BOX_H / 2,
                x1=x + BOX_W / 2,
                y1=Y_GATE + BOX_H / 2,
                fillcolor=fill,
                line=dict(color=stage_colour(s), width=2),
            )
        )
    nodes = (
        (X_MUL_R, Y_GATE),
        (GATE_X["update"], Y_H),
        (X_OUT, Y_Z_BRANCH),
        (X_OUT, Y_H),
        (X_ONE_MINUS, Y_Z_BRANCH),
    )
    for x, y in nodes:
        shapes.append(
            dict(
                type="circle",
                x0=x - NODE_R,
                y0=y - NODE_R,
                x1=x + NODE_R,
                y1=y + NODE_R,
                fillcolor="white",
                line=dict(color="#495057", width=1.5),
            )
        )
    return shapes


def _text(x, y, text, size=13, color="#212529", **kw) -> dict:
    return dict(x=x, y=y, text=text, showarrow=False, font=dict(size=size, color=color), **kw)


def _labels(nums: GruNumbers, stage: str, revealed: bool, lang: str) -> list[dict]:
    """Symbols on the boxes and nodes; the values of the stages reached (the current one only
    once revealed), '?' for the others."""
    k = STAGES.index(stage)

    def shown(s: str, v: float) -> str:
        i = STAGES.index(s)
        return fmt(v) if i < k or (i == k and revealed) else "?"

    gx = GATE_X
    texts = [
        _text(gx["reset"], Y_GATE, "σ", 15, "white"),
        _text(gx["update"], Y_GATE, "σ", 15, "white"),
        _text(gx["candidate"], Y_GATE, "tanh", 12, "white"),
        _text(X_MUL_R, Y_GATE, "×", 14),
        _text(gx["update"], Y_H, "×", 14),
        _text(X_OUT, Y_Z_BRANCH, "×", 14),
        _text(X_OUT, Y_H, "+", 14),
        _text(X_ONE_MINUS, Y_Z_BRANCH, "1−", 10),
        _text(
            2.0,
            Y_H + 4.5,
            f"h<sub>t−1</sub> = {fmt(nums.h_prev)}",
            13,
            palette.H_LINE,
            xanchor="left",
        ),
        _text(14.0, 2.5, f"x<sub>t</sub> = {_vec(nums.x)}", 13, palette.X_LINE, xanchor="left"),
        _text(
            116.0,
            Y_H + 4.5,
            f"h<sub>t</sub> = {shown('hidden', nums.h)}",
            14,
            stage_colour("hidden"),
            xanchor="right",
        ),
        _text(
            gx["reset"],
            STAGE_BOX["reset"][1] - 2.5,
            f"r = {shown('reset', nums.r)}",
            13,
            stage_colour("reset"),
        ),
        _text(
            gx["update"],
            STAGE_BOX["update"][1] - 2.5,
            f"z = {shown('update', nums.z)}",
            13,
            stage_colour("update"),
        ),
        _text(
            gx["candidate"] + 3,
            STAGE_BOX["candidate"][1] - 2.5,
            f"n = {shown('candidate', nums.n)}",
            13,
            stage_colour("candidate"),
        ),
    ]
    for s, (x0, _, _, y1) in STAGE_BOX.items():
        texts.append(
            _text(x0 + 0.8, y1 - 1.6, tr(f"gru.box_{s}", lang), 10, stage_colour(s), xanchor="left")
        )
    return texts


def _vec(v: np.ndarray, shown: int = 3) -> str:
    items = [fmt(a, 2) for a in np.ravel(v)[:shown]]
    return "[" + ", ".join(items) + (", …]" if np.size(v) > shown else "]")


def create_gru_figure(nums: GruNumbers, stage: str, revealed: bool, lang: str = "en") -> go.Figure:
    """The GRU cell of unit j at timestep t with `stage` highlighted (its value shown if revealed).

    Traces: one legend entry per stage colour (r, z, n, hₜ) and for h, x, σ, tanh (no data).
    """
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
    fig = go.Figure()
    legend = [(tr(f"gru.legend_{s}", lang), stage_colour(s), "square") for s in STAGES]
    legend += [
        (tr("gru.legend_h", lang), palette.H_LINE, "line-ew"),
        (tr("gru.legend_x", lang), palette.X_LINE, "line-ew"),
        (tr("gru.legend_sigma", lang), palette.SIGMA_BOX, "square"),
        (tr("gru.legend_tanh", lang), palette.TANH_BOX, "square"),
    ]
    for name, colour, symbol in legend:
        fig.add_trace(
            go.Scatter(
                x=[None],
                y=[None],
                mode="markers",
                name=name,
                hoverinfo="skip",
                marker=dict(color=colour, size=12, symbol=symbol, line=dict(color=colour, width=3)),
            )
        )
    fig.update_layout(
        shapes=_lines() + _boxes(stage), annotations=_labels(nums, stage, revealed, lang)
    )
    fig.update_xaxes(range=[0, 120], visible=False, fixedrange=True)
    fig.update_yaxes(range=[-1, 62], visible=False, fixedrange=True, scaleanchor="x")
    framed(fig, 560, {"l": 5, "r": 5, "t": 60, "b": 5})
    fig.update_layout(legend=dict(font=dict(size=12)))
    return fig


# ----- the equations, with the numbers ---------------------------------------------------------


def _c(stage: str, symbol: str) -> str:
    return rf"\textcolor{{{stage_colour(stage)}}}{{{symbol}}}"


def _h(symbol: str) -> str:
    return rf"\textcolor{{{palette.H_LINE}}}{{{symbol}}}"


def _x(symbol: str) -> str:
    return rf"\textcolor{{{palette.X_LINE}}}{{{symbol}}}"


def _k(v: float) -> str:
    """A number in KaTeX: a real minus sign."""
    return fmt(v).replace("\u2212", "-")


def _kt(v: float) -> str:
    return fmt_term(v).replace("\u2212", "-")


def stage_latex(nums: GruNumbers, stage: str, revealed: bool) -> str:
    """torch's equation of `stage` for unit j; with `revealed`, the numbers substituted."""
    r, z, n = _c("reset", "r_t"), _c("update", "z_t"), _c("candidate", "n_t")
    h_prev, x, h = _h("h_{t-1}"), _x("x_t"), _c("hidden", "h_t")
    if stage == "reset":
        lhs, eq = r, rf"\sigma(W_{{ir}}{x} + b_{{ir}} + W_{{hr}}{h_prev} + b_{{hr}})"
        nums_ = rf"= \sigma({_k(nums.xr)} + {_kt(nums.hr)}) = {_k(nums.r)}"
    elif stage == "update":
        lhs, eq = z, rf"\sigma(W_{{iz}}{x} + b_{{iz}} + W_{{hz}}{h_prev} + b_{{hz}})"
        nums_ = rf"= \sigma({_k(nums.xz)} + {_kt(nums.hz)}) = {_k(nums.z)}"
    elif stage == "candidate":
        lhs, eq = n, rf"\tanh(W_{{in}}{x} + b_{{in}} + {r} \odot (W_{{hn}}{h_prev} + b_{{hn}}))"
        nums_ = (
            rf"= \tanh({_k(nums.xn)} + {_k(nums.r)} \times {_kt(nums.hn)})"
            rf" = \tanh({_k(nums.xn + nums.r * nums.hn)}) = {_k(nums.n)}"
        )
    elif stage == "hidden":
        lhs, eq = h, rf"(1 - {z}) \odot {n} + {z} \odot {h_prev}"
        nums_ = (
            rf"= (1 - {_k(nums.z)}) \times {_kt(nums.n)} + {_k(nums.z)} \times {_kt(nums.h_prev)}"
            rf" = {_k(nums.written)} + {_kt(nums.kept)} = {_k(nums.h)}"
        )
    else:
        raise ValueError(f"stage must be one of {STAGES}, got {stage!r}")
    if not revealed:
        return rf"{lhs} = {eq} = \;?"
    return rf"\begin{{aligned}} {lhs} &= {eq} \\ &{nums_} \end{{aligned}}"


def all_latex() -> list[str]:
    """The four equations without numbers (the page's summary)."""
    blank = GruNumbers(0, 0, np.zeros(1), *([0.0] * 11))
    return [stage_latex(blank, s, revealed=False).removesuffix(r" = \;?") for s in STAGES]


# ----- LSTM and GRU side by side ------------------------------------------------------------------


def create_side_by_side(
    pair: dict[str, np.ndarray], j: int, step_labels: Sequence[str], lang: str = "en"
) -> go.Figure:
    """Unit j over time: the LSTM's hₜ and cₜ, the GRU's hₜ, on the same input.

    Traces: 0 LSTM h (rose-red, solid), 1 LSTM c (green), 2 GRU h (the hidden stage colour, dashed).
    """
    t = list(range(len(step_labels)))
    specs = (
        ("lstm_h", "fig_lstm_h", dict(color=palette.H_LINE, width=3), "lines+markers"),
        ("lstm_c", "fig_lstm_c", dict(color=palette.C_LINE, width=2), "lines"),
        ("gru_h", "fig_gru_h", dict(color=palette.H_LINE, width=3, dash="dash"), "lines+markers"),
    )
    fig = go.Figure()
    for key, name, line, mode in specs:
        v = pair[key]
        if j >= v.shape[1]:
            raise ValueError(f"unit j must be < {v.shape[1]} for {key}, got {j}")
        fig.add_trace(
            go.Scatter(
                x=t,
                y=v[:, j].tolist(),
                mode=mode,
                name=tr(f"gru.{name}", lang),
                line=line,
                marker=dict(size=6, symbol="diamond" if key == "gru_h" else "circle"),
            )
        )
    fig.update_xaxes(
        title_text=tr("gru.fig_t_axis", lang),
        tickmode="array",
        tickvals=t,
        ticktext=list(step_labels),
        nticks=20,
    )
    fig.update_yaxes(title_text=tr("gru.fig_value_axis", lang, j=j))
    return framed(fig, 360, hovermode="x unified")
