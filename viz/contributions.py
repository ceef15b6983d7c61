"""Figures of the exact split of c_t into what each past input still contributes.

c_t = Σ_{0≤k≤t} (∏_{j=k+1..t} f_j) ⊙ i_k ⊙ g_k + (∏_{0≤j≤t} f_j) ⊙ c_{-1}, from
`lstm_core.analysis` (steps in processing order; c_{-1} is the initial state, torch's c0).
Pure functions: results in, `go.Figure` out; colours from `viz.palette` only.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from app_logic.i18n import tr
from lstm_core.analysis import Contributions, processing_order
from lstm_core.trace import LayerTrace
from viz import palette
from viz.time_axis import (
    base_layout,
    exact,
    exact_array,
    step_labels_or_index,
    time_ticks,
)

MAX_GROUPS = 24  # over time, at most this many bands of source steps (sums stay exact)
SELECT_FILL = "#e9ecef"
GRID = "#e9ecef"
ZERO = "#adb5bd"  # the negative end of c's colour scale
INITIAL_LABEL = "c₋₁"  # the initial state (c_{t-1} of step 0): not c₀, which is c_t at t = 0


def steps_text(n: float, lang: str, if_nan: str = "gates.longer_than_sequence") -> str:
    """ "1 step", "3 steps", "2.5 steps" in `lang`; NaN → the text `if_nan`, inf → "never"."""
    if n is None or math.isnan(n):
        return tr(if_nan, lang)
    if math.isinf(n):
        return tr("gates.infinite", lang)
    if n == 1:
        return tr("gates.steps_one", lang)
    return tr("gates.steps_value", lang, n=f"{n:.3g}")


def _layout(height: int, **entries) -> dict:
    """The common frame of these figures plus `entries` (axes, shapes, title, …)."""
    return base_layout(height, {"l": 60, "r": 60, "t": 60, "b": 40}, **entries)


def _colour_range(split: Contributions, lt: LayerTrace, b: int, j: int) -> tuple[float, float]:
    return palette.symmetric_range(
        np.concatenate([lt.c[:, b, j], split.inputs[:, :, b, j].ravel(), split.initial[:, b, j]]),
        floor=0.25,
    )


def _source_groups(order: np.ndarray) -> list[np.ndarray]:
    """Consecutive runs (in processing order) of source positions, at most MAX_GROUPS of them."""
    return [g for g in np.array_split(order, min(MAX_GROUPS, len(order))) if g.size]


def contributions_over_time(
    split: Contributions,
    lt: LayerTrace,
    unit: int,
    t_sel: int | None = None,
    step_labels: Sequence[str] | None = None,
    lang: str = "en",
    b: int = 0,
) -> go.Figure:
    """c_t for every t as relative-stacked bars, one band per source (input step k, or a few
    consecutive steps when T > MAX_GROUPS, plus the initial state c_{-1}); each segment coloured
    by its value. The bars at each t sum to c_t exactly; the last trace is the c_t line."""
    T = lt.c.shape[0]
    j = unit
    labels = step_labels_or_index(step_labels, T)
    cmin, cmax = _colour_range(split, lt, b, j)
    order = processing_order(lt)[:, b][: int(lt.mask[:, b].sum())]
    t = np.arange(T)
    data = []

    def band(name: str, y: np.ndarray, pattern: str = "") -> None:
        y = np.where(np.abs(y) > 0, y, np.nan)  # an empty segment: no bar, no hover
        data.append(
            go.Bar(
                x=t,
                y=y,
                name=name,
                marker={
                    "color": palette.scale_colours(np.nan_to_num(y), palette.C_SCALE, cmin, cmax),
                    "line": {"color": "white", "width": 0.6},
                    "pattern": {"shape": pattern, "fgcolor": palette.X_LINE} if pattern else None,
                },
                customdata=np.stack([labels, exact_array(np.nan_to_num(y))], axis=-1),
                hovertemplate=(
                    f"{tr('gates.contrib_from', lang, source=name)}<br>"
                    "t = %{customdata[0]}: %{customdata[1]}<extra></extra>"
                ),
                showlegend=False,
            )
        )

    band(INITIAL_LABEL, split.initial[:, b, j], pattern="/")
    for group in _source_groups(order):
        name = labels[group[0]] if group.size == 1 else f"{labels[group[0]]}…{labels[group[-1]]}"
        band(name, split.inputs[:, group, b, j].sum(axis=1))
    c = lt.c[:, b, j]
    data.append(
        go.Scatter(
            x=t,
            y=c,
            mode="lines+markers",
            name=tr("gates.c_line", lang),
            line={"color": palette.C_LINE, "width": 2.5},
            marker={"color": palette.C_LINE, "size": 7, "line": {"color": "white", "width": 1}},
            customdata=np.stack([labels, exact_array(c)], axis=-1),
            hovertemplate="c<sub>t</sub>, t = %{customdata[0]}: %{customdata[1]}<extra></extra>",
        )
    )
    shapes = []
    if t_sel is not None:
        shapes.append(
            {
                "type": "rect",
                "xref": "x",
                "yref": "y domain",
                "x0": t_sel - 0.5,
                "x1": t_sel + 0.5,
                "y0": 0,
                "y1": 1,
                "fillcolor": SELECT_FILL,
                "line": {"width": 0},
                "layer": "below",
            }
        )
    layout = _layout(
        380,
        xaxis={
            "range": [-0.6, T - 0.4],
            "title": {"text": tr("gates.time_axis", lang)},
            **time_ticks(step_labels, T),
        },
        yaxis={
            "title": {"text": tr("gates.c_axis", lang)},
            "gridcolor": GRID,
            "zerolinecolor": ZERO,
        },
        shapes=shapes,
        barmode="relative",
        bargap=0.15,
        title={"text": tr("gates.contrib_time_title", lang, j=j), "x": 0.01},
        legend={"orientation": "h", "y": 1.02, "x": 1, "xanchor": "right", "yanchor": "bottom"},
    )
    return go.Figure(data=data, layout=layout)


def contributions_at_t(
    split: Contributions,
    lt: LayerTrace,
    t: int,
    unit: int,
    lookback: float | None = None,
    step_labels: Sequence[str] | None = None,
    lang: str = "en",
    b: int = 0,
) -> go.Figure:
    """For one c_t (position t, unit j): a bar per source step k (oldest left, t itself right;
    the initial state c_{-1} first), coloured by value, summing to c_t; and on a second axis the
    weight ∏ f each source has kept, with the ½ line and the half-life `lookback` (steps back)
    marked.

    Trace 0 is the bars (customdata[:, 0] holds the source position, -1 for c_{-1}), trace 1 the
    kept-weight line.
    """
    T = lt.c.shape[0]
    j = unit
    labels = step_labels_or_index(step_labels, T)
    order = processing_order(lt)[:, b]
    step_of_t = int(np.nonzero(order == t)[0][0])
    sources = order[: step_of_t + 1]  # positions processed up to t, oldest first
    y = np.concatenate([[split.initial[t, b, j]], split.inputs[t, sources, b, j]])
    kept = np.concatenate([[split.retention0[t, b, j]], split.retention[t, sources, b, j]])
    names = [INITIAL_LABEL] + [labels[k] for k in sources]
    written = np.concatenate([[split.c0[b, j]], lt.written[sources, b, j]])
    x = np.arange(len(y))

    total = float(y.sum())
    bars = go.Bar(
        x=x,
        y=y,
        name=tr("gates.contrib_bar", lang),
        marker={
            "color": np.where(y >= 0, palette.C_LINE, palette.C_SCALE[0][1]),
            "opacity": 0.85,
            "pattern": {"shape": ["/"] + [""] * len(sources), "fgcolor": palette.X_LINE},
        },
        customdata=np.stack(
            [
                np.concatenate([[-1], sources]),
                names,
                exact_array(y),
                exact_array(written),
                exact_array(kept),
            ],
            axis=-1,
        ),
        hovertemplate=tr("gates.contrib_hover", lang) + "<extra></extra>",
    )
    kept_line = go.Scatter(
        x=x,
        y=kept,
        mode="lines+markers",
        name=tr("gates.kept_weight", lang),
        line={"color": palette.SIGMA_BOX, "width": 2},
        marker={"size": 6},
        customdata=np.stack([names, exact_array(kept)], axis=-1),
        hovertemplate="∏ f, %{customdata[0]}: %{customdata[1]}<extra></extra>",
        yaxis="y2",
    )
    half = {"color": palette.SIGMA_BOX, "dash": "dash", "width": 1}
    shapes = [  # the ½ line on the kept-weight axis
        {"type": "line", "xref": "x domain", "yref": "y2", "x0": 0, "x1": 1, "y0": 0.5, "y1": 0.5}
        | {"line": half}
    ]
    notes = []
    if lookback is not None and np.isfinite(lookback):
        xh = len(y) - 1 - lookback  # n steps back from t (c_{-1} sits at 0)
        shapes.append(
            {"type": "line", "xref": "x", "yref": "paper", "x0": xh, "x1": xh, "y0": 0, "y1": 1}
            | {"line": {"color": palette.SIGMA_BOX, "dash": "dot", "width": 2}}
        )
        notes.append(
            {
                "x": xh,
                "y": 1.0,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "text": tr("gates.half_life_mark", lang, n=steps_text(lookback, lang)),
                "font": {"color": palette.STAGE_EDGE["forget"]},
            }
        )
    layout = _layout(
        400,
        xaxis={
            "tickmode": "array" if len(x) <= 40 else "auto",
            "tickvals": x,
            "ticktext": names,
            "title": {"text": tr("gates.source_axis", lang)},
            "range": [-0.6, len(x) - 0.4],
        },
        yaxis={
            "title": {"text": tr("gates.contrib_axis", lang)},
            "gridcolor": GRID,
            "zerolinecolor": ZERO,
        },
        yaxis2={
            "title": {"text": tr("gates.kept_axis", lang)},
            "overlaying": "y",
            "side": "right",
            "range": [0, 1.05],
            "tickvals": [0, 0.25, 0.5, 0.75, 1],
            "showgrid": False,
            "color": palette.STAGE_EDGE["forget"],
        },
        shapes=shapes,
        annotations=notes,
        title={
            "text": tr("gates.contrib_t_title", lang, t=labels[t], j=j, c=f"{total:.4f}"),
            "x": 0.01,
        },
        hovermode="closest",
        legend={"orientation": "h", "y": -0.28, "x": 0.5, "xanchor": "center"},
        meta={"c_t": exact(lt.c[t, b, j]), "sum": exact(total)},
    )
    return go.Figure(data=[bars, kept_line], layout=layout)
