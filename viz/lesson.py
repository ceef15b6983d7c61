"""The lesson's figures: one per chapter, drawn from the chapter's example run.

Pure: an `app_logic.lesson` example + lang + reveal in, a `go.Figure` out. Before the reveal the
part that answers the chapter's prediction is hidden (a dashed "?" in its place), so the learner
commits to a guess first. Colours from `viz.palette` (the article's code: green c, rose-red h,
grey x, one colour per gate); the plain RNN is the neutral of the "From RNN to LSTM" page.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from app_logic.i18n import tr
from app_logic.lesson import Example, ShapesExample
from viz import palette
from viz.gradient_flow import RNN_COLOR
from viz.training import framed

HEIGHT = 380
STEP_RANGE = (-2.0, 2.0)  # the bars of chapters 2–5: every try-it value stays inside
MEMORY_RANGE = (-2.7, 2.7)  # chapter 1: c of the largest input (±2) stays inside
HIDDEN = "?"


def _t(name: str, lang: str, **fmt) -> str:
    return tr(f"lesson.fig_{name}", lang, **fmt)


def _hidden_note(fig: go.Figure, lang: str, x: float = 0.5, y: float = 0.5) -> None:
    fig.add_annotation(
        text=_t("hidden", lang), xref="paper", yref="paper", x=x, y=y, showarrow=False,
        font={"size": 15, "color": palette.X_LINE}, bgcolor="white",
    )  # fmt: skip


def memories(ex: Example, lang: str, reveal: bool) -> go.Figure:
    """Chapter 1: x (grey), c (green) and h (rose-red) over time; the band −1…1 where h lives.

    Traces: 0 x, then (revealed) 1 c, 2 h.
    """
    t = list(range(ex.T))
    fig = go.Figure()
    fig.add_hrect(y0=-1, y1=1, fillcolor=palette.STAGE_TINT["hidden"], line_width=0, layer="below")
    lines = [("x", ex.x, palette.X_LINE, "dot")]
    if reveal:
        lines += [
            ("c", ex.c, palette.C_LINE, palette.LINE_DASH["c"]),
            ("h", ex.h, palette.H_LINE, palette.LINE_DASH["h"]),
        ]
    for name, y, color, dash in lines:
        fig.add_trace(
            go.Scatter(
                x=t, y=y.tolist(), name=_t(name, lang), mode="lines+markers",
                line={"color": color, "width": 3, "dash": dash}, marker={"size": 7},
                hovertemplate="%{y:.2f}",
            )
        )  # fmt: skip
    if not reveal:
        _hidden_note(fig, lang, y=0.85)
    fig.update_xaxes(title_text=_t("step", lang), dtick=1)
    fig.update_yaxes(range=list(MEMORY_RANGE), zeroline=True, zerolinecolor="#adb5bd")
    fig.add_annotation(
        text=_t("band", lang), xref="paper", yref="y", x=0.01, y=-1, xanchor="left",
        yanchor="bottom", showarrow=False, font={"size": 11, "color": palette.STAGE_EDGE["hidden"]},
    )  # fmt: skip
    return framed(fig, HEIGHT, hovermode="x unified")


# chapters 2–5: (label key, value of the step, colour), the last bar answers the prediction
def _bars_of(ex: Example) -> list[tuple[str, float, str]]:
    s, col = ex.step, palette.GATE_COLOR
    return {
        2: [("c_prev", s.c_prev, col["c"]), ("f", s.f, col["f"]), ("kept", s.kept, col["c"])],
        3: [("i", s.i, col["i"]), ("g", s.g, col["g"]), ("written", s.written, col["c"])],
        4: [
            ("c_prev", s.c_prev, col["c"]), ("kept", s.kept, col["c"]),
            ("written", s.written, col["g"]), ("c", s.c, col["c"]),
        ],
        5: [("c", s.c, col["c"]), ("tanh_c", s.tanh_c, palette.TANH_BOX), ("o", s.o, col["o"]),
            ("h", s.h, col["h"])],
    }[ex.n]  # fmt: skip


def step_bars(ex: Example, lang: str, reveal: bool) -> go.Figure:
    """Chapters 2–5: the values of one step as bars; before the reveal the last one is a "?".

    Trace 0: the bars (the answer bar's value is None until revealed).
    """
    bars = _bars_of(ex)
    labels = [_t(f"bar_{key}", lang) for key, _, _ in bars]
    values = [v for _, v, _ in bars]
    shown = values if reveal else values[:-1] + [None]
    fig = go.Figure(
        go.Bar(
            x=labels, y=shown, marker={"color": [c for _, _, c in bars]},
            text=[HIDDEN if v is None else f"{v:.2f}" for v in shown], textposition="outside",
            textfont={"size": 16}, cliponaxis=False, hovertemplate="%{x}: %{y:.3f}<extra></extra>",
        )
    )  # fmt: skip
    if not reveal:
        n = len(bars) - 1
        fig.add_shape(
            type="rect", xref="x", yref="y", x0=n - 0.4, x1=n + 0.4, y0=0, y1=1,
            line={"color": palette.X_LINE, "dash": "dash", "width": 2},
        )  # fmt: skip
        fig.add_annotation(x=n, y=0.5, text=HIDDEN, showarrow=False, font={"size": 30})
    fig.update_yaxes(range=list(STEP_RANGE), zeroline=True, zerolinecolor="#868e96")
    fig.update_xaxes(tickfont={"size": 16})  # subscripts (cₜ₋₁) are small glyphs
    fig.update_layout(showlegend=False, bargap=0.35)
    return framed(fig, HEIGHT)


def over_time(ex: Example, lang: str, reveal: bool) -> go.Figure:
    """Chapter 6: what is left of step 0 after t steps: the LSTM's cₜ / c₀, the product of its
    forget gates, the RNN's hₜ / h₀. Before the reveal only t = 0 is drawn.

    Traces: 0 LSTM cₜ / c₀, 1 ∏ f, 2 RNN hₜ / h₀.
    """
    n = ex.T if reveal else 1
    t = list(range(n))
    fig = go.Figure()
    open_ring = {"symbol": "circle-open", "size": 11, "line": {"width": 2}}
    specs = (  # ∏ f lies exactly on cₜ / c₀: rings over the green line
        ("lstm_share", ex.c / ex.c[0], {"color": palette.C_LINE, "width": 4}, "lines", {}),
        ("prod_f", ex.share, {"color": palette.GATE_COLOR["f"]}, "markers", open_ring),
        ("rnn_share", ex.rnn_share, {"color": RNN_COLOR, "width": 3, "dash": "dash"},
         "lines+markers", {"size": 6}),
    )  # fmt: skip
    for key, y, line, mode, marker in specs:
        fig.add_trace(
            go.Scatter(
                x=t, y=np.asarray(y[:n]).tolist(), name=_t(key, lang), mode=mode,
                line=line, marker={"color": line["color"], **marker}, hovertemplate="%{y:.3f}",
            )
        )  # fmt: skip
    if not reveal:
        _hidden_note(fig, lang)
    fig.update_xaxes(title_text=_t("step", lang), range=[-0.5, ex.T - 0.5])
    fig.update_yaxes(title_text=_t("share_axis", lang), range=[0, 1.08], tickformat=".0%")
    return framed(fig, HEIGHT, hovermode="x unified")


def shapes(ex: ShapesExample, lang: str, reveal: bool) -> go.Figure:
    """Chapter 7: output[:, b, :], the top layer's h at each of the 5 steps (rows) for sequence b;
    its last row is h_n[1, b]. Before the reveal, an empty frame.

    Trace 0 (revealed): the heatmap.
    """
    fig = go.Figure()
    T, _, H = ex.output.shape
    if reveal:
        z = ex.output[:, ex.b, :]
        fig.add_trace(
            go.Heatmap(
                z=z.tolist(), x=list(range(H)), y=list(range(T)), zmin=-1, zmax=1,
                colorscale=palette.DIVERGING_SCALE, colorbar={"thickness": 12},
                hovertemplate="t=%{y}, j=%{x}: %{z:.4f}<extra></extra>",
            )
        )  # fmt: skip
        fig.add_shape(
            type="rect", x0=-0.5, x1=H - 0.5, y0=T - 1.5, y1=T - 0.5,
            line={"color": palette.H_LINE, "width": 3},
        )  # fmt: skip
        ticks = [str(t) for t in range(T - 1)] + [_t("last_row", lang, t=T - 1, b=ex.b)]
        fig.update_yaxes(tickvals=list(range(T)), ticktext=ticks)
        fig.update_layout(title={"text": _t("output_title", lang, b=ex.b), "font": {"size": 14}})
    else:
        _hidden_note(fig, lang)
    fig.update_xaxes(title_text=_t("unit", lang), range=[-0.5, H - 0.5], showgrid=False)
    fig.update_yaxes(
        title_text=_t("step", lang), range=[T - 0.5, -0.5], dtick=1, showgrid=False
    )  # t = 0 on top, as the code reads
    return framed(fig, HEIGHT, margin={"l": 60, "r": 20, "t": 60, "b": 45})


def create_lesson_figure(ex: Example | ShapesExample, lang: str, reveal: bool) -> go.Figure:
    """The figure of chapter ex.n for its example."""
    if isinstance(ex, ShapesExample):
        return shapes(ex, lang, reveal)
    if ex.n == 1:
        return memories(ex, lang, reveal)
    if ex.n == 6:
        return over_time(ex, lang, reveal)
    return step_bars(ex, lang, reveal)
