"""The article's annotated LSTM cell as one Plotly figure that steps on the client.

`create_cell_figure(trace, ...)` draws the cell (green c line, rose-red h line, grey x line, blue σ
boxes, orange tanh boxes, ⊙ and + nodes, the five dashed tinted boxes) and adds one frame per
(timestep × stage × sub-step): sub-step "q" asks the reader to predict and hides the stage's
numbers, "a" reveals them with the equation. Frames change only three traces (the value labels,
the equation panel, and a white veil that dims everything but the current stage's box), never the
layout, so a step is one cheap update in the browser: no server round trip, no full redraw.
With all units (unit=None) a small bar glyph per label shows every unit (viz/cell_bars.py): bar
traces after the panel whose heights the frames change, each value sent once per timestep.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from lstm_core import LayerTrace, Trace
from viz import cell_bars, palette
from viz import cell_geometry as geo
from viz.equations import (
    STAGE_BOX,
    STAGE_GATE,
    STAGES,
    StepValues,
    fmt,
    fmt_vec,
    hidden_numeric,
    numeric,
    prev_index,
    step_values,
    symbolic,
)

MAX_STEPS = 60  # timesteps in one figure; longer sequences get a window around the selected t
PLAY_MS = 1400  # per frame when playing
BOX_ORDER = ("forget", "input", "candidate", "output", "hidden")
TEXT_SLOTS = ("status", "prompt", "eq_symbolic", "eq_numeric", "meaning")
TRACE_VEIL, TRACE_LABELS, TRACE_PANEL = 1, 2, 3  # the traces frames change (0: static symbols)
TRACE_BARS = 4  # whole vector only: the first bar trace (one per revealing stage, 7 in all)
# A step changes only traces (texts and the veil), so no full redraw is needed: that keeps a step
# to one cheap update in the browser. Buttons use frame lists (see chain_list).
STEP_ARGS = {
    "mode": "immediate",
    "fromcurrent": True,
    "frame": [{"duration": 0, "redraw": False}, {"duration": 10**9, "redraw": False}],
    "transition": {"duration": 0},
}
SLIDE_ARGS = {
    "mode": "immediate",
    "frame": {"duration": 0, "redraw": False},
    "transition": {"duration": 0},
}
VEIL = "rgba(255,255,255,0.62)"  # dims everything but the current stage's box
TEXT_COLOR = "#343a40"


@dataclass(frozen=True)
class Step:
    """One frame: position t, stage s (into STAGES), sub-step "q" (predict) or "a" (reveal)."""

    t: int
    s: int
    sub: str

    @property
    def name(self) -> str:
        return frame_name(self.t, self.s, self.sub)


def frame_name(t: int, s: int, sub: str = "a") -> str:
    """The frame's name, e.g. "t3s1q" (position 3, stage 1 = input gate, the question)."""
    return f"t{t}s{s}{sub}"


_FRAME_NAME = re.compile(r"t(\d{1,6})s(\d)([qa])")


def parse_frame_name(name: str) -> Step:
    """The Step a frame name stands for (the inverse of frame_name); ValueError if it is none."""
    m = _FRAME_NAME.fullmatch(name) if isinstance(name, str) else None
    if m is None or int(m[2]) >= len(STAGES):
        raise ValueError(f"not a frame name: {str(name)[:40]!r}")
    return Step(int(m[1]), int(m[2]), m[3])


def step_window(T: int, t: int, max_steps: int = MAX_STEPS) -> tuple[int, int]:
    """(lo, hi), the positions shown, at most max_steps of them and containing t."""
    if T <= max_steps:
        return 0, T - 1
    lo = min(max(t - max_steps // 2, 0), T - max_steps)
    return lo, lo + max_steps - 1


def step_order(
    T: int, t: int, direction: int = 0, predict: bool = True, max_steps: int = MAX_STEPS
) -> list[Step]:
    """Every frame in stepping order: positions in processing order (reversed for direction 1)."""
    lo, hi = step_window(T, t, max_steps)
    ts = range(hi, lo - 1, -1) if direction else range(lo, hi + 1)
    subs = ("q", "a") if predict else ("a",)
    return [Step(tt, s, sub) for tt in ts for s in range(len(STAGES)) for sub in subs]


# ----- texts of one frame ------------------------------------------------------------------------


def _mean(a) -> float:
    return float(np.mean(a))


def _pct(v: float) -> str:
    return f"{100 * v:.0f}%"


def _short_vec(a: np.ndarray, size_name: str) -> str:
    """A vector on a label: whole up to 3 entries, else `[a, b, …] (D=7)`."""
    a = np.ravel(a)
    if a.size == 1:
        return fmt(a[0])
    if a.size <= 3:
        return fmt_vec(a)
    return f"{fmt_vec(a[:2])[:-1]}, …] ({size_name}={a.size})"


def _label_value(name: str, v: StepValues, unit: int | None, proj: bool) -> str:
    """The number shown next to a line or box: the unit's value, or the mean over units.

    x, and with a projection h (P values, not one per unit j), are written as vectors when one
    unit is selected: a mean there would pass for unit j's value.
    """
    if name == "x":
        return _short_vec(v.x, "D")
    value = cell_bars.glyph_values(v)[name]
    if unit is not None and proj and name in ("h_prev", "h_up"):
        return _short_vec(value, "P")
    return fmt(_mean(value))


def _label_symbol(name: str, direction: int, proj: bool, tr: Callable[..., str]) -> str:
    p = prev_index(direction)
    return {
        "c_prev": f"c<sub>{p}</sub>",
        "kept": f"f⊙c<sub>{p}</sub>",
        "c": "c<sub>t</sub>",
        "h_prev": f"h<sub>{p}</sub>",
        "x": "x<sub>t</sub>",
        "f": "f<sub>t</sub>",
        "i": "i<sub>t</sub>",
        "g": "g<sub>t</sub>",
        "written": "i⊙g",
        "o": "o<sub>t</sub>",
        "tanh_c": "tanh(c<sub>t</sub>)",
        "h": "o⊙tanh(c<sub>t</sub>)" if proj else "h<sub>t</sub>",
        "h_up": f"{tr('cell.output_label')}: h<sub>t</sub>",
    }[name]


def _answer(stage: str, v: StepValues, proj: bool, tr: Callable[..., str]) -> str:
    """The reveal of the stage's prediction question, with the numbers."""
    if stage == "forget":
        f = _mean(v.gate["f"])
        key = "cell.a_forget_keep" if f > 0.5 else "cell.a_forget_drop"
        return tr(key, v=fmt(f), pct=_pct(f))
    if stage in ("input", "output"):
        g = STAGE_GATE[stage]
        a = _mean(v.gate[g])
        key = "cell.a_gate_open" if a > 0.5 else "cell.a_gate_closed"
        return tr(key, g=g, v=fmt(a), pct=_pct(a))
    if stage == "candidate":
        g = _mean(v.gate["g"])
        return tr("cell.a_candidate_pos" if g >= 0 else "cell.a_candidate_neg", v=fmt(g))
    H = np.size(v.c)
    if stage == "update":
        before, after = np.abs(np.ravel(v.c_prev)), np.abs(np.ravel(v.c))
        if H > 1:  # the whole vector: each unit's own answer, counted
            grow, shrink = int(np.sum(after > before)), int(np.sum(after < before))
            a, b = fmt(_mean(v.c_prev)), fmt(_mean(v.c))
            return tr("cell.a_update_units", grow=grow, shrink=shrink, H=H, a=a, b=b)
        a, b = float(before[0]), float(after[0])
        if fmt(a) == fmt(b):
            return tr("cell.a_update_same", a=fmt(a))
        return tr("cell.a_update_grow" if b > a else "cell.a_update_shrink", a=fmt(a), b=fmt(b))
    if proj:
        return tr("cell.a_hidden_proj")
    if H == 1:
        return tr("cell.a_hidden_same")
    text = tr("cell.a_hidden_units", H=H)
    h, c = round(_mean(v.h), 3), round(_mean(v.c), 3)  # as the labels show them
    if h * c < 0:
        text += tr("cell.a_hidden_units_means", h=fmt(h), c=fmt(c))
    return text


MEANING_COLS = 100  # the meaning line wraps after about this many columns (a CJK character: 2)


def wrap_html(text: str, cols: int = MEANING_COLS) -> str:
    """`text` (Plotly's HTML subset) with `<br>` where a line would pass `cols` columns.

    Breaks at spaces, or between two CJK characters (2 columns each); never inside a tag.
    """
    lines, line, width = [], "", 0
    for part in re.findall(r"<[^>]*>|[^<]+", text):
        if part.startswith("<"):
            line += part
            continue
        for word in re.findall(r"[\u2e80-\uffef]|[^\s\u2e80-\uffef]+|\s+", part):
            w = 2 if re.match(r"[\u2e80-\uffef]", word) else len(word)
            if width + w > cols and width and not word.isspace():
                lines.append(line.rstrip())
                line, width = "", 0
            if word.isspace() and not width:
                continue
            line += word
            width += w
    return "<br>".join([*lines, line])


def subscripts(text: str, direction: int) -> str:
    """Plain-text symbols from the texts (c_t, h_t, c_prev) as HTML with subscripts."""
    text = text.replace("_prev", f"<sub>{prev_index(direction)}</sub>")
    return re.sub(r"(?<![A-Za-z0-9])([a-zW])_(t|hr)(?![A-Za-z0-9])", r"\1<sub>\2</sub>", text)


def _meaning(
    stage: str, v: StepValues, unit: int | None, direction: int, tr: Callable[..., str]
) -> str:
    nums = dict(
        pct=_pct(_mean(v.gate[STAGE_GATE.get(stage, "f")])),
        c_prev=fmt(_mean(v.c_prev)),
        kept=fmt(_mean(v.kept)),
        written=fmt(_mean(v.written)),
        c=fmt(_mean(v.c)),
        h=fmt(_mean(v.h)),
    )
    text = subscripts(tr(f"cell.m_{stage}", **nums), direction)
    if unit is None:
        text = tr("cell.mean_prefix", H=np.size(v.c)) + text
    return text


def chain_list(names: Sequence[str], succ: dict[str, str | None], start: str) -> list:
    """A frame list for `animate(..., fromcurrent)` that shows succ(current) and nothing else.

    Plotly's `fromcurrent` plays the entries after the first occurrence of the current frame, but
    only if that occurrence is neither first nor last; with no current frame (before any step) it
    plays the list from the top. So the list starts with an empty frame object (always played,
    instantly), then succ(start); every frame's first occurrence is followed by its successor (or
    by itself: stay); `start` comes last, where the wrap-around also lands on succ(start). The
    frame durations [0, forever] make the animation stop on the first real frame.
    """
    preds = set(v for v in succ.values() if v is not None)
    chains = []  # paths following succ from every head
    for name in names:
        if name not in preds:
            chain = [name]
            while succ[chain[-1]] is not None:
                chain.append(succ[chain[-1]])
            chains.append(chain)
    out: list = [{"data": [], "traces": []}]
    home = next(c for c in chains if start in c)
    k = home.index(start)
    tail = home[k + 1 :]
    out += tail + [tail[-1]] if tail else [start, start]
    for chain in chains:
        if chain is not home:
            out += chain + [chain[-1]]
    out += home[: k + 1]
    return out


def _buttons(order: list[Step], start: int, tr: Callable[..., str]) -> list[dict]:
    """One row of buttons: ◀◀ t, ◀, ▶, t ▶▶, play, pause (static: their lists encode the steps)."""
    names = [s.name for s in order]
    per_t = len(order) // len({s.t for s in order})  # frames per timestep

    def succ(delta: int) -> dict[str, str | None]:
        return {
            names[n]: names[n + delta] if 0 <= n + delta < len(names) else None
            for n in range(len(names))
        }

    def btn(label: str, delta: int) -> dict:
        frames = chain_list(names, succ(delta), names[start])
        return dict(label=label, method="animate", args=[frames, STEP_ARGS])

    play = names[start + 1 :] + names[: start + 1]  # from the current frame on, then around
    play_args = {"frame": {"duration": PLAY_MS, "redraw": False}, "transition": {"duration": 0}}
    play_args |= {"mode": "immediate", "fromcurrent": True}
    pause_args = {"mode": "immediate", "frame": {"duration": 0, "redraw": False}}
    return [
        btn(tr("cell.btn_prev_t"), -per_t),
        btn(tr("cell.btn_prev"), -1),
        btn(tr("cell.btn_next"), +1),
        btn(tr("cell.btn_next_t"), +per_t),
        dict(label=tr("cell.btn_play"), method="animate", args=[play, play_args]),
        dict(label=tr("cell.btn_pause"), method="animate", args=[[None], pause_args]),
    ]


def _frame_texts(
    step: Step,
    v: StepValues,
    *,
    layer: int,
    direction: int,
    unit: int | None,
    proj: bool,
    predict: bool,
    step_label: str,
    tr: Callable[..., str],
) -> list[str]:
    """The dynamic annotation texts of one frame, in the order of TEXT_SLOTS then geo.LABELS."""
    stage = STAGES[step.s]
    reveal = step.sub == "a"
    unit_txt = tr("cell.unit_all", H=np.size(v.c)) if unit is None else tr("cell.unit_j", j=unit)
    label = f" ({step_label})" if step_label and step_label != str(step.t) else ""
    status = tr(
        "cell.status",
        t=step.t,
        label=label,
        n=step.s + 1,
        stage=tr(f"cell.stage_{stage}"),
        k=layer,
        dir=tr("cell.reverse" if direction else "cell.forward"),
        unit=unit_txt,
    )
    edge = palette.STAGE_EDGE.get(STAGE_BOX[stage] or "", palette.C_LINE)
    if reveal:
        prompt = _answer(stage, v, proj, tr)
        if predict:
            prompt = f"<b>{tr('cell.reveal')}</b> {prompt}"
    else:
        prompt = f"<b>{tr('cell.predict')}</b> {tr(f'cell.q_{stage}')}"
    prompt = f"<span style='color:{edge}'>{subscripts(prompt, direction)}</span>"
    eq_sym = symbolic(stage, unit, direction, proj)
    eq_num = numeric(stage, v, unit, proj) if reveal else hidden_numeric(stage)
    # never an empty text: Plotly does not bring back a text point that was once empty
    meaning = _meaning(stage, v, unit, direction, tr) if reveal else tr("cell.reveal_hint")
    meaning = wrap_html(meaning)

    labels = []
    for name in geo.LABELS:
        sym = _label_symbol(name, direction, proj, tr)
        known = geo.LABEL_STAGE[name]
        if _is_revealed(known, step):
            labels.append(f"{sym} = {_label_value(name, v, unit, proj)}")
        elif known == step.s:
            labels.append(f"{sym} = ?")
        else:
            labels.append(sym)
    return [status, prompt, eq_sym, eq_num, meaning, *labels]


def _is_revealed(known: int, step: Step) -> bool:
    """A value computed at stage `known` (-1: an input) is shown from that stage's answer on."""
    return known < step.s or (known == step.s and step.sub == "a")


def _veil(s: int) -> tuple[list, list]:
    """x, y of four white rectangles over the whole cell except stage s's box (dims the rest)."""
    box = STAGE_BOX[STAGES[s]]
    bx0, by0, bx1, by1 = geo.DASHED_BOX[box] if box else geo.UPDATE_BOX
    (X0, X1), (Y0, Y1) = geo.X_RANGE, (geo.Y_RANGE[0], geo.Y_DIAGRAM_TOP)
    rects = [(X0, Y0, bx0, Y1), (bx1, Y0, X1, Y1), (bx0, Y0, bx1, by0), (bx0, by1, bx1, Y1)]
    xs, ys = [], []
    for x0, y0, x1, y1 in rects:
        xs += [x0, x1, x1, x0, x0, None]
        ys += [y0, y0, y1, y1, y0, None]
    return xs[:-1], ys[:-1]


def _static_shapes() -> list[dict]:
    shapes = []
    for name in BOX_ORDER:  # the five dashed tinted boxes of the article
        x0, y0, x1, y1 = geo.DASHED_BOX[name]
        shapes.append(
            dict(
                type="rect", x0=x0, y0=y0, x1=x1, y1=y1, layer="below",
                fillcolor=palette.STAGE_TINT[name],
                line=dict(color=palette.STAGE_EDGE[name], width=1.6, dash="dash"),
            )
        )  # fmt: skip
    shapes += geo.static_lines()
    for x, y, color, _ in geo.gate_boxes():
        w, h = geo.BOX_W / 2, geo.BOX_H / 2
        shapes.append(
            dict(
                type="rect", x0=x - w, y0=y - h, x1=x + w, y1=y + h, layer="below",
                fillcolor=color, line=dict(color=color, width=1),
            )
        )  # fmt: skip
    r = geo.NODE_R
    for x, y, _ in geo.NODES.values():
        shapes.append(
            dict(
                type="circle", x0=x - r, y0=y - r, x1=x + r, y1=y + r, layer="below",
                fillcolor="white", line=dict(color=TEXT_COLOR, width=1.5),
            )
        )  # fmt: skip
    return shapes


def _static_text(tr: Callable[..., str]) -> go.Scatter:
    """σ / tanh / × / + symbols and the five boxes. titles (under the veil: dimmed too)."""
    xs, ys, texts, colors, sizes, positions = [], [], [], [], [], []
    for x, y, _, sym in geo.gate_boxes():
        xs.append(x), ys.append(y), texts.append(f"<b>{sym}</b>")
        colors.append("white"), sizes.append(15 if sym == "σ" else 12)
        positions.append("middle center")
    for x, y, sym in geo.NODES.values():
        xs.append(x), ys.append(y), texts.append(f"<b>{sym}</b>")
        colors.append(TEXT_COLOR), sizes.append(15), positions.append("middle center")
    for name in BOX_ORDER:
        x0, y0, x1, y1 = geo.DASHED_BOX[name]
        if name == "hidden":  # bottom right: the h_t line runs through the top left
            xs.append(x1 - 0.4), ys.append(y0 + 1.4), positions.append("middle left")
        else:
            xs.append(x0 + 0.4), ys.append(y1 - 1.4), positions.append("middle right")
        texts.append(tr(f"cell.box_{name}"))
        colors.append(palette.STAGE_EDGE[name]), sizes.append(12)
    return go.Scatter(
        x=xs, y=ys, text=texts, mode="text", textposition=positions, hoverinfo="skip",
        textfont=dict(color=colors, size=sizes), showlegend=False, cliponaxis=False,
    )  # fmt: skip


def _annotations(tr: Callable[..., str]) -> list[dict]:
    """Arrowheads where c and h leave the cell, and the colour key (static)."""
    ann = []
    arrows = [  # (x, y) tip, (ax, ay) tail, colour: the direction of flow at each exit
        (geo.X_C_END + 2.5, geo.Y_C, geo.X_C_END - 1, geo.Y_C, palette.C_LINE),
        (geo.X_H_END + 2.0, geo.Y_H_OUT, geo.X_H_END - 1, geo.Y_H_OUT, palette.H_LINE),
        (geo.X_H_UP, 73.5, geo.X_H_UP, 70.5, palette.H_LINE),
    ]
    for x, y, ax, ay, color in arrows:
        ann.append(
            dict(
                x=x, y=y, ax=ax, ay=ay, xref="x", yref="y", axref="x", ayref="y", text="",
                showarrow=True, arrowhead=2, arrowsize=1.0, arrowwidth=3, arrowcolor=color,
            )
        )  # fmt: skip
    legend = [  # the line's look too (never colour alone): c solid, h dashed
        (palette.C_LINE, "━━", tr("cell.legend_c")),
        (palette.H_LINE, "━ ━", tr("cell.legend_h")),
        (palette.X_LINE, "━━", tr("cell.legend_x")),
    ]
    for n, (color, swatch, text) in enumerate(legend):  # a colour key along the bottom of the cell
        ann.append(
            dict(
                x=50.0 + 25.0 * n, y=1.5, xanchor="left", yanchor="middle", showarrow=False,
                font=dict(color=color, size=13), text=f"<b>{swatch}</b> {text}",
            )
        )  # fmt: skip
    return ann


# Rows of the text panel (data units: below the cell, the status line above it).
PANEL_Y = {
    "status": 79.0,
    "prompt": -5.0,
    "eq_symbolic": -11.0,
    "eq_numeric": -16.5,
    "meaning": -22.5,
}
BARS_NOTE_Y = 75.8  # the glyphs' key (two lines), between the status line and the cell
PANEL_SIZE = {"status": 15, "prompt": 16, "eq_symbolic": 18, "eq_numeric": 18, "meaning": 15}


def _label_trace(texts: list[str]) -> go.Scatter:
    """The value next to every line and box (positions fixed; frames change the texts)."""
    pos = {"left": "middle right", "right": "middle left", "center": "middle center"}
    xs, ys, anchors, colors = zip(*geo.LABELS.values())
    return go.Scatter(
        x=xs, y=ys, text=texts, mode="text", textposition=[pos[a] for a in anchors],
        textfont=dict(color=list(colors), size=14), hoverinfo="skip", showlegend=False,
        cliponaxis=False,
    )  # fmt: skip


def _panel_trace(texts: list[str]) -> go.Scatter:
    """Status line, prediction / reveal, the equation and its numbers, the meaning."""
    return go.Scatter(
        x=[geo.X_RANGE[0]] * len(TEXT_SLOTS), y=[PANEL_Y[s] for s in TEXT_SLOTS], text=texts,
        mode="text", textposition="middle right", hoverinfo="skip", showlegend=False,
        textfont=dict(size=[PANEL_SIZE[s] for s in TEXT_SLOTS], color=TEXT_COLOR),
        cliponaxis=False,
    )  # fmt: skip


def _layer_trace(trace: Trace | LayerTrace, layer: int, direction: int) -> LayerTrace:
    if isinstance(trace, LayerTrace):
        return trace
    if not 0 <= layer < trace.num_layers:
        raise ValueError(f"layer must be in 0..{trace.num_layers - 1}, got {layer}")
    if not 0 <= direction < trace.num_directions:
        raise ValueError(f"direction must be in 0..{trace.num_directions - 1}, got {direction}")
    return trace.layers[layer][direction]


def _default_tr(lang: str) -> Callable[..., str]:
    from app_logic.i18n import tr  # pure: reads assets/i18n, no Streamlit

    return lambda key, **fmt_: tr(key, lang, **fmt_)


# Plotly's slider (sliders/constants.js): steps sit `STEP_INSET` px in from both ends of the rail.
STEP_INSET = 10
SLIDER_LABEL_DY = -22  # px below the plot area: under the rail, where Plotly puts step labels
MAX_SLIDER_LABELS = 20


def _slider_labels(order: Sequence[Step], predict: bool) -> list[dict]:
    """Annotations naming the timesteps under the slider, each exactly under its first frame.

    Step n of N sits at x = l + STEP_INSET + (w − 2·STEP_INSET)·n/(N−1) px (the slider spans the
    plot width w from its left edge l): paper x = n/(N−1) plus a shift of STEP_INSET·(1 − 2n/(N−1))
    px. At most MAX_SLIDER_LABELS timesteps are named (every k-th).
    """
    last = max(len(order) - 1, 1)
    ts = sorted({s.t for s in order})
    every = max(1, int(np.ceil(len(ts) / MAX_SLIDER_LABELS)))
    out = []
    for n, s in enumerate(order):
        if s.s == 0 and (s.sub == "q" or not predict) and (s.t - ts[0]) % every == 0:
            frac = n / last
            out.append(
                dict(
                    x=frac, y=0.0, xref="paper", yref="paper", xanchor="center", yanchor="top",
                    xshift=STEP_INSET * (1 - 2 * frac), yshift=SLIDER_LABEL_DY, showarrow=False,
                    text=str(s.t), font=dict(size=11, color=TEXT_COLOR),
                )
            )  # fmt: skip
    return out


def create_cell_figure(
    trace: Trace | LayerTrace,
    *,
    layer: int = 0,
    direction: int = 0,
    unit: int | None = 0,
    t: int = 0,
    stage: int = 0,
    reveal: bool = False,
    predict: bool = True,
    lang: str = "en",
    step_labels: Sequence[str] | None = None,
    max_steps: int = MAX_STEPS,
    batch: int = 0,
    height: int = 760,
) -> go.Figure:
    """The cell at layer/direction, unit j (None: all units), one frame per (t, stage, sub-step).

    The figure opens at position t, stage `stage` (0 forget … 5 hidden), on its question or, with
    `reveal` (or without `predict`, which has no questions), on its answer; arrays are read from
    `trace.layers[layer][direction]`, batch entry `batch`, time-major (T, B, ·).
    """
    lt = _layer_trace(trace, layer, direction)
    T, H = lt.c.shape[0], lt.hidden_size
    if unit is None and H == 1:
        unit = 0  # the whole vector is that one unit: show its terms, not "means over 1 unit"
    if not 0 <= t < T:
        raise ValueError(f"t must be in 0..{T - 1}, got {t}")
    if unit is not None and not 0 <= unit < H:
        raise ValueError(f"unit must be in 0..{H - 1} or None, got {unit}")
    if not 0 <= stage < len(STAGES):
        raise ValueError(f"stage must be in 0..{len(STAGES) - 1}, got {stage}")
    tr = _default_tr(lang)
    proj = lt.weight_hr is not None
    order = step_order(T, t, lt.direction, predict, max_steps)
    sub = "a" if reveal or not predict else "q"
    start = next(n for n, s in enumerate(order) if (s.t, s.s, s.sub) == (t, stage, sub))

    values = {tt: step_values(lt, tt, unit, batch) for tt in sorted({s.t for s in order})}
    labels = list(step_labels) if step_labels is not None else [str(n) for n in range(T)]

    def texts(n: int) -> list[str]:
        s = order[n]
        return _frame_texts(
            s, values[s.t], layer=lt.layer, direction=lt.direction, unit=unit, proj=proj,
            predict=predict, step_label=labels[s.t], tr=tr,
        )  # fmt: skip

    def revealed(s: Step) -> tuple[bool, ...]:
        """Per label of geo.LABELS: is its value shown at step s (the same rule as the texts)."""
        return tuple(_is_revealed(geo.LABEL_STAGE[name], s) for name in geo.LABELS)

    # Whole vector: one bar trace per label after the four traces above (unit j: none at all).
    glyphs = cell_bars.make_glyphs(lt, sorted(values), batch) if unit is None else []
    bar_heights = {
        tt: [g.heights(cell_bars.glyph_values(values[tt])[g.name]) for g in glyphs] for tt in values
    }

    # One bar trace per stage that reveals glyphs (7): a frame re-sends only the traces whose
    # glyphs it reveals, and a step redraws 7 small traces (one trace for all: 2× the JSON).
    groups = cell_bars.group_by_stage(glyphs)

    def bars_y(s: Step) -> list[list[float]]:
        """Every bar trace's heights at step s: a glyph's are zero until its value is revealed.

        Zeros, not an empty y: Plotly colours a bar when it is first drawn, and bars that appear
        during a step without redraw stay black. So every bar exists from the start.
        """
        shown = revealed(s)
        y = [bar_heights[s.t][k] if shown[k] else g.hidden() for k, g in enumerate(glyphs)]
        return [[v for k in grp for v in y[k]] for grp in groups]

    frames = []
    prev: tuple[Step, list[tuple[bool, ...]]] | None = None
    for n, s in enumerate(order):
        t_texts = texts(n)
        vx, vy = _veil(s.s)
        frame = dict(  # plain dicts: validating hundreds of go.Frame costs seconds
            name=s.name,
            data=[
                {"x": vx, "y": vy},
                {"text": t_texts[len(TEXT_SLOTS) :]},
                {"text": t_texts[: len(TEXT_SLOTS)]},
            ],
            traces=[TRACE_VEIL, TRACE_LABELS, TRACE_PANEL],
        )
        if glyphs:
            # Within one timestep a frame names the previous one as its base and carries only
            # the glyphs it reveals: each value is sent once per timestep, not once per frame.
            shown = revealed(s)
            shown_g = [tuple(shown[k] for k in grp) for grp in groups]
            if prev is not None and prev[0].t == s.t:
                frame["baseframe"] = prev[0].name
                changed = [n for n in range(len(groups)) if shown_g[n] != prev[1][n]]
            else:
                changed = list(range(len(groups)))
            y = bars_y(s)
            for n in changed:
                frame["data"].append({"type": "bar", "y": y[n]})  # no type: scatter
                frame["traces"].append(TRACE_BARS + n)
            prev = (s, shown_g)
        frames.append(frame)

    t_texts = texts(start)
    vx, vy = _veil(order[start].s)
    veil = go.Scatter(
        x=vx, y=vy, mode="lines", fill="toself", fillcolor=VEIL, line=dict(width=0),
        hoverinfo="skip", showlegend=False,
    )  # fmt: skip
    # Plotly labels only every k-th slider step (k from its pixel width), which misses most of
    # the timesteps' first frames: the steps carry no label, annotations name the timesteps.
    slider_steps = [dict(method="animate", args=[[s.name], SLIDE_ARGS], label="") for s in order]
    menu = dict(
        type="buttons", direction="right", x=0.0, y=1.0, xanchor="left", yanchor="bottom",
        pad=dict(r=4, t=0, b=6), showactive=False, font=dict(size=13),
        buttons=_buttons(order, start, tr),
    )  # fmt: skip

    fig = go.Figure(
        data=[
            _static_text(tr),
            veil,
            _label_trace(t_texts[len(TEXT_SLOTS) :]),
            _panel_trace(t_texts[: len(TEXT_SLOTS)]),
        ]
    )
    start_y = bars_y(order[start])
    shapes, annotations = _static_shapes(), _annotations(tr)
    for g in glyphs:
        shapes += g.shapes()
    annotations += _slider_labels(order, predict)
    if glyphs:
        annotations.append(
            dict(
                x=geo.X_RANGE[0], y=BARS_NOTE_Y, xanchor="left", yanchor="middle",
                showarrow=False, font=dict(color=TEXT_COLOR, size=11),
                text=cell_bars.note(glyphs, tr),
            )
        )  # fmt: skip
    fig.update_layout(
        height=height,
        margin=dict(l=10, r=10, t=50, b=24),
        paper_bgcolor="white",
        plot_bgcolor="white",
        font=dict(family=palette.FONT_FAMILY, color=TEXT_COLOR),
        xaxis=dict(range=list(geo.X_RANGE), visible=False, fixedrange=True),
        yaxis=dict(
            range=[PANEL_Y["meaning"] - 3.0, PANEL_Y["status"] + 2.0], visible=False,
            fixedrange=True, scaleanchor="x", scaleratio=1, constrain="domain",
        ),
        shapes=shapes,
        annotations=annotations,
        barmode="overlay",
        updatemenus=[menu],
        sliders=[
            dict(
                active=start, steps=slider_steps, x=0.0, len=1.0, y=0.0, yanchor="top",
                pad=dict(t=0, b=0, l=0, r=0), currentvalue=dict(visible=False), ticklen=0,
                minorticklen=0, font=dict(size=11),
            )
        ],
        showlegend=False,
        hovermode=False,
        dragmode=False,
        meta=dict(frame_order=[s.name for s in order], start=start),
    )  # fmt: skip
    spec = fig.to_dict()
    bars = [cell_bars.bar_trace([glyphs[k] for k in grp], y) for grp, y in zip(groups, start_y)]
    spec["data"] += bars  # after the panel: TRACE_BARS, …
    # Hundreds of frames: validating each one would cost seconds; they follow the spec above.
    return go.Figure(dict(spec, frames=frames), _validate=False)
