"""Figures of the Train page: the live loss curve, predictions, the gates before vs after training.

Pure functions: numbers in, a `go.Figure` out. Colours and ranges from `viz.palette` only; texts
from `assets/i18n/train.toml` in the language asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from app_logic.i18n import tr
from viz import palette

BEFORE = "#adb5bd"  # the untrained model: a light neutral, not one of the quantities' colours
AFTER = "#212529"  # the trained model
HEAT_GATES = ("f", "i", "o")  # the three σ gates: what to keep, what to write, what to show


def framed(fig: go.Figure, height: int, margin: dict | None = None, **extra) -> go.Figure:
    """The learning pages' frame: white, the palette's font, the legend on top, light grid lines
    (`extra`: more layout entries, e.g. hovermode)."""
    fig.update_layout(
        height=height,
        margin=margin or {"l": 60, "r": 20, "t": 50, "b": 45},
        font={"family": palette.FONT_FAMILY, "size": 13},
        plot_bgcolor="white",
        paper_bgcolor="white",
        legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        **extra,
    )
    fig.update_xaxes(showline=True, linecolor="#ced4da", gridcolor="#f1f3f5")
    fig.update_yaxes(showline=True, linecolor="#ced4da", gridcolor="#f1f3f5")
    return fig


def loss_curve(
    steps: Sequence[int],
    losses: Sequence[float],
    eval_steps: Sequence[int],
    eval_losses: Sequence[float],
    target: float | None = None,
    total_steps: int | None = None,
    lang: str = "en",
) -> go.Figure:
    """Training loss per step (thin) and held-out loss (thick), log scale, the target dashed.

    Traces: 0 training loss, 1 held-out loss; the target is a layout shape.
    """
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=list(steps),
            y=list(losses),
            mode="lines",
            name=tr("train.fig_train_loss", lang),
            line={"color": palette.TRAIN_LOSS, "width": 1},
        )
    )
    fig.add_trace(
        go.Scatter(
            x=list(eval_steps),
            y=list(eval_losses),
            mode="lines+markers",
            name=tr("train.fig_eval_loss", lang),
            line={"color": palette.STAGE_EDGE["forget"], "width": 3},
            marker={"size": 5},
        )
    )
    if target is not None:
        fig.add_hline(
            y=target,
            line={"color": palette.C_LINE, "dash": "dash", "width": 2},
            annotation_text=tr("train.fig_target", lang, target=f"{target:g}"),
            annotation_position="top right",
        )
    fig.update_yaxes(type="log", title_text=tr("train.fig_loss_axis", lang))
    x_max = max(total_steps or 0, steps[-1] if len(steps) else 1)
    fig.update_xaxes(title_text=tr("train.fig_step_axis", lang), range=[0, x_max])
    return framed(fig, 340)


def gates_before_after(
    before: Mapping[str, np.ndarray],
    after: Mapping[str, np.ndarray],
    step_labels: Sequence[str] | None = None,
    lang: str = "en",
) -> go.Figure:
    """Heatmaps (unit × time) of f, i, o before (left) and after (right) training, range 0..1.

    before/after: gate name → (T, H). Trace 2n is gate HEAT_GATES[n] before, 2n+1 after.
    """
    T, H = before["f"].shape
    x = list(step_labels) if step_labels is not None else list(range(T))
    titles = []
    for name in HEAT_GATES:
        for when in ("before", "after"):
            titles.append(tr(f"train.heat_{name}_{when}", lang))
    fig = make_subplots(
        rows=len(HEAT_GATES),
        cols=2,
        shared_xaxes=True,
        shared_yaxes=True,
        horizontal_spacing=0.04,
        vertical_spacing=0.09,
        subplot_titles=titles,
    )
    lo, hi = palette.SIGMOID_RANGE
    for n, name in enumerate(HEAT_GATES):
        for col, gates in enumerate((before, after), start=1):
            fig.add_trace(
                go.Heatmap(
                    z=np.asarray(gates[name]).T,  # (H, T): one row per unit j
                    x=x,
                    y=list(range(H)),
                    zmin=lo,
                    zmax=hi,
                    colorscale=palette.SIGMOID_SCALE,
                    showscale=n == 0 and col == 2,
                    colorbar={"len": 0.3, "y": 0.85, "thickness": 12},
                    hovertemplate=f"{name}<sub>t</sub>: %{{z:.3f}}<br>t=%{{x}}, j=%{{y}}"
                    "<extra></extra>",
                ),
                row=n + 1,
                col=col,
            )
    for n in range(len(HEAT_GATES)):
        fig.update_yaxes(title_text=tr("train.fig_unit_axis", lang), row=n + 1, col=1)
    fig.update_xaxes(title_text=tr("train.fig_t_axis", lang), row=len(HEAT_GATES))
    row_h = max(120, min(14 * H, 220))
    return framed(fig, 90 + len(HEAT_GATES) * row_h)


def forget_over_time(
    f_before: np.ndarray, f_after: np.ndarray, unit: int, lang: str = "en"
) -> go.Figure:
    """The memory unit j's forget gate f_t and the share of c₀ it still holds, ∏_{1≤s≤t} f_s.

    f_before, f_after (T, H). Traces: 0 f_t before, 1 f_t after, 2 share kept before, 3 after.
    """
    T = f_before.shape[0]
    t = list(range(T))
    fig = go.Figure()
    f_color, kept_color = palette.GATE_COLOR["f"], palette.C_LINE
    for f, when in ((f_before, "before"), (f_after, "after")):
        fig.add_trace(
            go.Scatter(
                x=t,
                y=f[:, unit],
                mode="lines+markers",
                name=tr(f"train.fig_f_unit_{when}", lang, j=unit),
                line={
                    "color": BEFORE if when == "before" else f_color,
                    "dash": "dot" if when == "before" else "solid",
                    "width": 2,
                },
                marker={"size": 5},
            )
        )
    for f, when in ((f_before, "before"), (f_after, "after")):
        kept = np.concatenate([[1.0], np.cumprod(f[1:, unit])])  # ∏_{1≤s≤t} f_s, 1 at t = 0
        fig.add_trace(
            go.Scatter(
                x=t,
                y=kept,
                mode="lines",
                name=tr(f"train.fig_kept_{when}", lang, j=unit),
                line={
                    "color": BEFORE if when == "before" else kept_color,
                    "dash": "dot" if when == "before" else "solid",
                    "width": 4,
                },
            )
        )
    fig.update_yaxes(range=[0, 1.02])
    fig.update_xaxes(title_text=tr("train.fig_t_axis", lang))
    return framed(fig, 340)


def prediction_over_time(
    x: np.ndarray,
    y: np.ndarray,
    y_before: np.ndarray,
    y_after: np.ndarray,
    lang: str = "en",
) -> go.Figure:
    """One sequence: input x_t, target y_t, and the prediction before and after training.

    All (T,). Traces: 0 input, 1 target, 2 before, 3 after.
    """
    t = list(range(len(y)))
    fig = go.Figure()
    specs = (
        (x, "fig_input", {"color": palette.X_LINE, "width": 1}, "lines+markers"),
        (y, "fig_target_line", {"color": palette.C_LINE, "width": 4}, "lines"),
        (y_before, "fig_before", {"color": BEFORE, "width": 2, "dash": "dot"}, "lines"),
        (y_after, "fig_after", {"color": AFTER, "width": 2}, "lines"),
    )
    for values, key, line, mode in specs:
        fig.add_trace(
            go.Scatter(
                x=t,
                y=np.asarray(values),
                mode=mode,
                name=tr(f"train.{key}", lang),
                line=line,
                marker={"size": 4},
            )
        )
    fig.update_xaxes(title_text=tr("train.fig_t_axis", lang))
    return framed(fig, 340)


def prediction_scatter(
    y: np.ndarray, y_before: np.ndarray, y_after: np.ndarray, lang: str = "en"
) -> go.Figure:
    """Held-out batch, one answer per sequence: prediction against target, before and after.

    All (B,). Traces: 0 the diagonal (perfect answers), 1 before, 2 after.
    """
    y, y_before, y_after = (np.asarray(a, dtype=float).ravel() for a in (y, y_before, y_after))
    lo = float(min(y.min(), y_before.min(), y_after.min()))
    hi = float(max(y.max(), y_before.max(), y_after.max()))
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=[lo, hi],
            y=[lo, hi],
            mode="lines",
            name=tr("train.fig_perfect", lang),
            line={"color": palette.C_LINE, "dash": "dash", "width": 2},
        )
    )
    for values, when, color in ((y_before, "before", BEFORE), (y_after, "after", AFTER)):
        fig.add_trace(
            go.Scatter(
                x=y,
                y=values,
                mode="markers",
                name=tr(f"train.fig_{when}", lang),
                marker={"color": color, "size": 8, "line": {"color": "white", "width": 1}},
            )
        )
    fig.update_xaxes(title_text=tr("train.fig_target_axis", lang))
    fig.update_yaxes(title_text=tr("train.fig_prediction_axis", lang))
    return framed(fig, 360)


def next_char_probability(
    chars: Sequence[str], p_before: np.ndarray, p_after: np.ndarray, lang: str = "en"
) -> go.Figure:
    """Next-character task: the probability given to the true next character at each position.

    chars: the T input characters; p_before, p_after (T,). Traces: 0 before, 1 after.
    """
    x = [f"{t}:{ch}" for t, ch in enumerate(chars)]  # unique tick labels
    fig = go.Figure()
    for p, when, color in ((p_before, "before", BEFORE), (p_after, "after", palette.H_LINE)):
        fig.add_trace(
            go.Bar(x=x, y=np.asarray(p), name=tr(f"train.fig_{when}", lang), marker_color=color)
        )
    fig.update_layout(barmode="group", bargap=0.15)
    fig.update_yaxes(range=[0, 1], title_text=tr("train.fig_p_axis", lang))
    fig.update_xaxes(title_text=tr("train.fig_char_axis", lang), tickangle=0)
    return framed(fig, 320)


GUESS_WRONG = "#495057"  # an untrained guess that misses: dark grey text, readable on white


def _visible(ch: str) -> str:
    return {" ": "␣", "\n": "⏎"}.get(ch, ch)


def _text_example(p, lang: str) -> go.Figure:
    """Text task: three rows of characters over t: input, target (the next one), untrained guess."""
    T = len(p.target)
    t = list(range(T))
    chars = [_visible(p.vocab[int(k)]) for k in p.x.argmax(axis=1)]
    target = [_visible(p.vocab[int(k)]) for k in p.target]
    guess = [_visible(p.vocab[int(k)]) for k in p.answer]
    right = np.asarray(p.answer) == np.asarray(p.target)
    rows = (
        (2, chars, "input", "fig_text_input", palette.X_LINE),
        (1, target, "target", "fig_text_target", palette.C_LINE),
        (
            0,
            guess,
            "untrained",
            "fig_untrained",
            [palette.C_LINE if r else GUESS_WRONG for r in right],
        ),
    )
    fig = go.Figure()
    for y, text, role, key, color in rows:
        fig.add_trace(
            go.Scatter(
                x=t, y=[y] * T, text=text, mode="text", meta=role, name=tr(f"train.{key}", lang),
                textfont={"size": 18, "color": color}, customdata=p.p_true,
                hovertemplate="t=%{x}: %{text}<br>p(next) = %{customdata:.3f}<extra></extra>",
            )
        )  # fmt: skip
    for y, _, _, key, _ in rows:  # each row's name above it, left: no wide margin on a phone
        fig.add_annotation(
            x=0, xref="paper", y=y + 0.32, text=tr(f"train.{key}", lang), showarrow=False,
            xanchor="left", yanchor="bottom", font={"size": 12, "color": palette.X_LINE},
        )  # fmt: skip
    fig.update_yaxes(visible=False, range=[-0.5, 2.9])
    fig.update_xaxes(
        title_text=tr("train.fig_t_axis", lang), range=[-0.6, T - 0.4], dtick=1 if T <= 20 else 5
    )
    return framed(fig, 280, margin={"l": 20, "r": 20, "t": 20, "b": 45}, showlegend=False)


def task_example(p, lang: str = "en") -> go.Figure:
    """One example of the task before training: its input, its target and the untrained model's
    answer (`p`: an `app_logic.train_preview.Preview`).

    Each trace's `meta` names its role: "input", "marked" (the inputs the answer depends on:
    the adding task's two values, remember's x₀), "target", "untrained". Tasks scored at every
    step draw target and answer over t; tasks scored at the last step draw each as one point
    at t = T − 1; the text task draws three rows of characters.
    """
    if p.vocab is not None:
        return _text_example(p, lang)
    T = p.x.shape[0]
    t = np.arange(T)
    fig = go.Figure()
    fig.add_trace(
        go.Scatter(
            x=t, y=p.x[:, 0], mode="lines+markers", meta="input", name=tr("train.fig_input", lang),
            line={"color": palette.X_LINE, "width": 1}, marker={"size": 4},
        )
    )  # fmt: skip
    if p.where == "every":
        fig.add_trace(
            go.Scatter(
                x=t, y=p.target, mode="lines", meta="target",
                name=tr("train.fig_target_line", lang), line={"color": palette.C_LINE, "width": 4},
            )
        )  # fmt: skip
        fig.add_trace(
            go.Scatter(
                x=t, y=p.answer, mode="lines", meta="untrained",
                name=tr("train.fig_untrained", lang),
                line={"color": GUESS_WRONG, "width": 2, "dash": "dot"},
            )
        )  # fmt: skip
        fig.update_xaxes(title_text=tr("train.fig_t_axis", lang))
        return framed(fig, 340)
    marked = p.marked
    fig.add_trace(
        go.Scatter(
            x=marked, y=p.x[marked, 0], mode="markers", meta="marked",
            name=tr(f"train.fig_marked_{p.task}", lang),
            marker={"size": 13, "color": "white", "line": {"color": palette.C_LINE, "width": 3}},
        )
    )  # fmt: skip
    last = T - 1
    for role, value, key, color, symbol, pos in (
        ("target", float(p.target), "fig_target_last", palette.C_LINE, "diamond", "top right"),
        ("untrained", float(p.answer), "fig_untrained", GUESS_WRONG, "x", "bottom right"),
    ):
        fig.add_trace(
            go.Scatter(
                x=[last], y=[value], mode="markers+text", meta=role,
                name=tr(f"train.{key}", lang), text=[f"{value:.3f}"], textposition=pos,
                textfont={"color": color, "size": 14},
                marker={"size": 15, "color": color, "symbol": symbol},
            )
        )  # fmt: skip
    if p.task == "remember":  # the same value, T − 1 steps later: what the cell must carry
        y0 = float(p.target)
        fig.add_shape(
            type="line", x0=0, x1=last, y0=y0, y1=y0, layer="below",
            line={"color": palette.C_LINE, "width": 1.5, "dash": "dash"},
        )  # fmt: skip
    values = np.concatenate([p.x[:, 0], [float(p.target), float(p.answer)]])
    lo, hi = float(values.min()), float(values.max())
    pad = 0.15 * max(hi - lo, 0.1)  # room for the labels of the two points
    fig.update_yaxes(range=[lo - pad, hi + pad])
    fig.update_xaxes(title_text=tr("train.fig_t_axis", lang), range=[-0.8, T + 1.5])
    return framed(fig, 340)
