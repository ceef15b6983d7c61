"""The article's colour code (and a colour-blind-safe one) and the fixed value ranges: one place,
used by every figure and legend.

The source article's annotated cell: green = long-term memory c, rose-red = short-term memory h,
grey = input x, blue boxes = σ, orange boxes = tanh, and five dashed tinted boxes.

Two palettes, role → hex colour (`PALETTES`): "article" (the default) and "colorblind"
(Okabe–Ito / Paul Tol colours; c, h, x pairwise ΔE ≥ 30 and f, i, g, o pairwise ΔE ≥ 20 under
simulated protanopia, deuteranopia and tritanopia: tests/test_palette.py computes it).

Which palette is active is per script run, not global: a `ContextVar` (`use`, `using`), set by
`ui.session` from the settings at the start of every run (Streamlit runs each session's script in
a thread of its own, so two sessions never see each other's choice). The colour names
(`palette.C_LINE`, `palette.GATE_COLOR["f"]`, `palette.STAGE_EDGE[...]`, the scales) are resolved
through the active palette on each access (module `__getattr__`): write `palette.C_LINE` inside
the function that draws, never `from viz.palette import C_LINE` and never a module-level copy
(`X = palette.C_LINE` at import time would freeze the default palette's colour).

Never colour alone: c and h also differ by line style (`LINE_DASH`, c solid, h dashed) wherever
a chart or diagram draws both as lines, and carry text labels on the diagrams.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from contextvars import ContextVar, Token

import numpy as np
from plotly.colors import sample_colorscale

DEFAULT = "article"

# role → hex colour. Roles: the quantities c h x; the gates f i g o (= the edges of their dashed
# boxes); the box of the new h ("hidden"); the activation boxes sigma, tanh; the five boxes'
# light tints; the ends of the heatmap scales; the training-loss line.
PALETTES: dict[str, dict[str, str]] = {
    "article": {
        "c": "#2e9d4f",  # green: long-term memory (cell state) c
        "h": "#d6336c",  # rose-red: short-term memory (hidden state) h
        "x": "#868e96",  # grey: current input x
        "f": "#1c7ed6",  # 1 blue: forget gate f_t
        "i": "#37b24d",  # 2 green: input gate i_t
        "g": "#f59f00",  # 3 yellow: candidate g_t
        "o": "#7048e8",  # 4 purple: output gate o_t
        "hidden": "#e03131",  # 5 red: new short-term memory h_t
        "sigma": "#4dabf7",  # blue: sigmoid, output in (0, 1), a weight controlling the flow
        "tanh": "#fd7e14",  # orange: tanh, output in (-1, 1), encodes information
        "tint_forget": "#d0ebff",
        "tint_input": "#d3f9d8",
        "tint_candidate": "#fff3bf",
        "tint_output": "#e5dbff",
        "tint_hidden": "#ffe3e3",
        "scale_mid": "#f8f9fa",  # the middle (0) of every heatmap scale
        "diverging_low": "#1971c2",
        "diverging_high": "#e8590c",
        "c_low": "#862e9c",  # c's heatmap scale: purple (negative) … c's green (positive)
        "train_loss": "#74c0fc",  # the thin per-step loss, beside the held-out loss in f's colour
    },
    # Okabe & Ito (2008) and Paul Tol (2021) colours, chosen for ΔE under simulated colour
    # vision deficiencies (tests/test_palette.py); the article's hues kept where they allow it.
    "colorblind": {
        "c": "#009e73",  # Okabe–Ito bluish green
        "h": "#d55e00",  # Okabe–Ito vermillion
        "x": "#333333",  # dark grey: a mid grey is as light as c and h under every simulation
        "f": "#332288",  # Tol indigo
        "i": "#117733",  # Tol green
        "g": "#e69f00",  # Okabe–Ito orange
        "o": "#aa3377",  # Tol purple
        "hidden": "#ee6677",  # Tol red: ΔE ≥ 20 from f, i, g, o as well
        "sigma": "#56b4e9",  # Okabe–Ito sky blue
        "tanh": "#e69f00",  # Okabe–Ito orange
        "tint_forget": "#dedcec",  # each edge at 16 % over white
        "tint_input": "#d9e9de",
        "tint_candidate": "#fbf0d6",
        "tint_output": "#f1dee9",
        "tint_hidden": "#fce7e9",
        "scale_mid": "#f8f9fa",
        "diverging_low": "#0072b2",  # Okabe–Ito blue … vermillion
        "diverging_high": "#d55e00",
        "c_low": "#882255",  # Tol wine … c's bluish green
        "train_loss": "#88ccee",  # Tol cyan, beside the held-out loss in f's indigo
    },
}
ROLES = tuple(PALETTES[DEFAULT])
STAGES = ("forget", "input", "candidate", "output", "hidden")  # the five dashed boxes

# Line styles (Plotly `dash`; SVG `stroke-dasharray`): c solid, h dashed, in every palette.
LINE_DASH = {"c": "solid", "h": "dash"}
SVG_DASH = {"c": "none", "h": "7 4"}

_ACTIVE: ContextVar[str] = ContextVar("viz_palette")
_fallback: Callable[[], str | None] | None = None


def use(name: str) -> Token:
    """Make `name` the active palette of this context (a script run); ValueError if unknown."""
    if name not in PALETTES:
        raise ValueError(f"unknown palette {name!r}; one of {sorted(PALETTES)}")
    return _ACTIVE.set(name)


@contextlib.contextmanager
def using(name: str) -> Iterator[None]:
    """`with palette.using("colorblind"):` draws with that palette, then restores the previous."""
    token = use(name)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def set_fallback(fn: Callable[[], str | None] | None) -> None:
    """Where the active palette comes from when this context never called `use` (e.g. a
    Streamlit fragment rerun on a fresh thread): `ui.session` reads the session's settings."""
    global _fallback
    _fallback = fn


def active() -> str:
    """The active palette's name: this context's `use`, else the fallback's, else the default."""
    name = _ACTIVE.get(None)
    if name is None and _fallback is not None:
        try:
            name = _fallback()
        except Exception:  # no session to ask (a plain import, a test): the default
            name = None
    return name if name in PALETTES else DEFAULT


def colours(name: str | None = None) -> dict[str, str]:
    """role → hex of palette `name` (default: the active one); a copy."""
    return dict(PALETTES[name or active()])


@functools.cache
def _named(name: str) -> dict:
    """Every colour name of palette `name`, as the figures use them."""
    p = PALETTES[name]
    edge = {
        "forget": p["f"],
        "input": p["i"],
        "candidate": p["g"],
        "output": p["o"],
        "hidden": p["hidden"],
    }
    return {
        # Lines (paths) of the cell diagram and of every chart that shows these quantities.
        "C_LINE": p["c"],
        "H_LINE": p["h"],
        "X_LINE": p["x"],
        # Activation boxes.
        "SIGMA_BOX": p["sigma"],
        "TANH_BOX": p["tanh"],
        # The five dashed boxes of the article: light tints (fill) and stronger edge colours.
        "STAGE_TINT": {s: p[f"tint_{s}"] for s in STAGES},
        "STAGE_EDGE": edge,
        # One colour per gate in charts, matching the dashed box the gate lives in.
        "GATE_COLOR": {"f": p["f"], "i": p["i"], "g": p["g"], "o": p["o"]}
        | {"c": p["c"], "h": p["h"], "x": p["x"]},
        # Heatmap scales: sequential for σ gates (0..1), diverging for tanh-range values.
        "SIGMOID_SCALE": [[0.0, p["scale_mid"]], [1.0, p["sigma"]]],
        "DIVERGING_SCALE": [
            [0.0, p["diverging_low"]],
            [0.5, p["scale_mid"]],
            [1.0, p["diverging_high"]],
        ],
        "C_SCALE": [[0.0, p["c_low"]], [0.5, p["scale_mid"]], [1.0, p["c"]]],  # symmetric
        "DIFF_SCALE": [[0.0, p["scale_mid"]], [1.0, p["hidden"]]],  # |difference| ≥ 0
        "TRAIN_LOSS": p["train_loss"],
    }


COLOUR_NAMES = tuple(_named(DEFAULT))


def __getattr__(name: str):
    """`palette.C_LINE`, `palette.GATE_COLOR`, ...: the active palette's value (PEP 562)."""
    values = _named(active())
    if name in values:
        value = values[name]
        # a fresh copy: a caller that edits it cannot change the palette
        if isinstance(value, dict):
            return dict(value)
        if isinstance(value, list):
            return [list(stop) for stop in value]
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(COLOUR_NAMES))


def latex(name: str, symbol: str) -> str:
    """A KaTeX symbol in the colour of GATE_COLOR[name], e.g. latex("f", "f_t")."""
    return rf"\textcolor{{{_named(active())['GATE_COLOR'][name]}}}{{{symbol}}}"


# Fixed ranges: the same colour always means the same value, on every page.
SIGMOID_RANGE = (0.0, 1.0)  # i, f, o
TANH_RANGE = (-1.0, 1.0)  # g, tanh(c), h without projection
GATE_RANGE = {"i": SIGMOID_RANGE, "f": SIGMOID_RANGE, "o": SIGMOID_RANGE, "g": TANH_RANGE}

FONT_FAMILY = "sans-serif"  # the browser's own font: nothing fetched from a CDN


def scale_colours(values, scale, lo: float, hi: float) -> list[str]:
    """Each value's colour on `scale` (a Plotly colour scale) over [lo, hi], as Plotly would map
    it. For bars: Plotly.js maps a bar's numeric marker.color through its colour scale, but logs
    a warning per bar while doing so (two thirds of such a figure's drawing time: 60 → 20 ms)."""
    span = hi - lo if hi > lo else 1.0
    return sample_colorscale(scale, np.clip((np.asarray(values, float) - lo) / span, 0.0, 1.0))


def symmetric_range(values, floor: float = 1.0) -> tuple[float, float]:
    """(-m, m) with m = max(|values|, floor): c is unbounded, so its range is symmetric."""
    m = float(np.max(np.abs(values), initial=0.0))
    m = max(m, floor)
    return (-m, m)


# ----- page text (not the article's colour code): WCAG 2.1 AA contrast, ≥ 4.5 : 1 ----------------
# Streamlit's defaults measured by axe-core: captions #828180 on white (3.9 : 1), code keywords
# #1c83e1, numbers #29b09d and comments #808495 on the code background #f7f7f6 (3.6, 2.5, 3.5 : 1),
# the text of a disabled select #acabaa (2.3 : 1). ui/a11y.py sets these instead
# (docs/ACCESSIBILITY.md).
PAGE_BACKGROUND = "#ffffff"
CODE_BACKGROUND = "#f7f7f6"  # Streamlit's code block background (light theme)
UI_TEXT = {
    "caption": "#5f5e5c",  # 6.5 : 1 on white
    "disabled": "#6b6a69",  # 5.4 : 1 on white (still lighter than body text #2f2d2b)
    "code_keyword": "#0b62b8",  # 5.7 : 1 on the code background
    "code_number": "#0d7a6b",  # 4.9 : 1
    "code_comment": "#5a5e6e",  # 6.0 : 1
    "code_string": "#2a7a3b",  # 5.0 : 1 (Streamlit's #09ab3b: 2.8 : 1)
    "focus": "#1c1c1c",  # the focus ring of the figure's own buttons
}
DARK_TEXT = "#212529"  # text on a coloured badge, when white would be too faint
