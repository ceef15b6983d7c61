"""Small helpers shared by the figures over time: exact hover numbers and the time axis."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from viz import palette

# Hover boxes: opaque white with dark text, whatever the colour of the (invisible) marker below.
HOVER_LABEL = {
    "bgcolor": "white",
    "bordercolor": "#495057",
    "font": {"family": palette.FONT_FAMILY, "size": 13, "color": "#212529"},
}


def base_layout(height: int, margin: dict, **entries) -> dict:
    """The common frame of the figures over time (white, the palette's font, opaque hovers)."""
    return {
        "height": height,
        "margin": margin,
        "font": {"family": palette.FONT_FAMILY, "size": 13},
        "plot_bgcolor": "white",
        "paper_bgcolor": "white",
        "hoverlabel": HOVER_LABEL,
        **entries,
    }


MAX_TICK_LABELS = 40  # beyond this, Plotly picks the ticks itself
EVERY_TICK_UP_TO = 16  # up to this many steps, every step gets its label


def exact(v: float) -> str:
    """A float at full precision (the shortest text that reads back to the same number)."""
    return repr(float(v))


def exact_array(a: np.ndarray) -> np.ndarray:
    """Object array of `exact` strings, same shape as `a` (for hover texts)."""
    flat = [repr(float(v)) for v in np.asarray(a, dtype=float).ravel()]
    return np.array(flat, dtype=object).reshape(np.shape(a))


def step_labels_or_index(step_labels: Sequence[str] | None, T: int) -> list[str]:
    """The T step labels, or "0", "1", … when none are given (or the count does not fit)."""
    if step_labels is None or len(step_labels) != T:
        return [str(t) for t in range(T)]
    return [str(s) for s in step_labels]


def time_ticks(step_labels: Sequence[str] | None, T: int) -> dict:
    """Axis settings that label integer positions 0..T-1 with the step labels: every one when
    there are few, every n-th when more (never crowded or turned sideways), else Plotly's own."""
    if T > MAX_TICK_LABELS:
        return {"tickmode": "auto", "tickangle": 0}
    every = 1 if T <= EVERY_TICK_UP_TO else int(np.ceil(T / EVERY_TICK_UP_TO))
    labels = step_labels_or_index(step_labels, T)
    ticks = list(range(0, T, every))
    return {
        "tickmode": "array",
        "tickvals": ticks,
        "ticktext": [labels[t] for t in ticks],
        "tickangle": 0,
    }
