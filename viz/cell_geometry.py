"""Where everything sits in the cell diagram (data units: x 0..140, y 0..74), in colah's layout.

The long-term memory c runs along the top, the short-term memory h along the bottom, the input x
comes up from below and joins h in one cable that feeds every gate (each gate reads h_{t-1}, x_t).
"""

from __future__ import annotations

from viz import palette

X_RANGE = (0.0, 140.0)
Y_RANGE = (-1.0, 75.0)  # the cell itself
Y_DIAGRAM_TOP = Y_RANGE[1]

Y_C = 60.0  # the c line
Y_GATE = 30.0  # centre row of the σ / tanh gate boxes
Y_BUS = 16.0  # the h (+ x) cable feeding the gates
Y_H_OUT = 7.0  # h_t leaving to the right
Y_MUL_IG = 47.0  # i ⊙ g
Y_O = 40.0  # o ⊙ tanh(c)
BOX_W, BOX_H = 8.0, 7.0  # gate boxes
NODE_R = 2.2  # ⊙ / + circles

GATE_X = {"f": 22.0, "i": 43.5, "g": 60.0, "o": 82.0}
X_TANH_C = 104.0  # tanh(c_t) box and ⊙ with o
Y_TANH_C = 51.0
X_IN = 2.0  # where c_{t-1} and h_{t-1} enter
X_X = 9.0  # where x_t comes up
X_C_END = 120.0  # c_t leaves
X_H_END = 137.0  # h_t leaves to the right
X_H_UP = 128.0  # h_t goes up to the output

# The five dashed boxes of the article: (x0, y0, x1, y1).
DASHED_BOX = {
    "forget": (12.5, 22.0, 33.0, 65.0),
    "input": (35.0, 22.0, 53.0, 52.5),
    "candidate": (54.0, 22.0, 73.0, 65.0),
    "output": (75.0, 22.0, 97.0, 48.0),
    "hidden": (97.5, 30.0, 122.0, 57.0),
}
# The "cell update" stage highlights the c line itself.
UPDATE_BOX = (3.0, 56.0, 121.0, 64.5)

NODES = {  # name → (x, y, symbol)
    "mul_f": (GATE_X["f"], Y_C, "×"),
    "add": (GATE_X["g"], Y_C, "+"),
    "mul_ig": (GATE_X["g"], Y_MUL_IG, "×"),
    "mul_o": (X_TANH_C, Y_O, "×"),
}

LINE_W = {"c": 4.0, "h": 4.0, "x": 2.5, "gate": 2.5}


def _line(
    x0: float, y0: float, x1: float, y1: float, color: str, width: float, dash: str = "solid"
) -> dict:
    line = dict(color=color, width=width, dash=dash)
    return dict(type="line", x0=x0, y0=y0, x1=x1, y1=y1, line=line, layer="below")


def cable(x0: float, y0: float, x1: float, y1: float) -> list[dict]:
    """The h + x cable: a rose-red (dashed) line with the grey input line running inside it."""
    return [
        _line(x0, y0, x1, y1, palette.H_LINE, 6.0, palette.LINE_DASH["h"]),
        _line(x0, y0, x1, y1, palette.X_LINE, 2.0),
    ]


def static_lines() -> list[dict]:
    """Every line of the cell, coloured by what it carries (green c, rose-red h, grey x); the h
    lines also dashed (never colour alone)."""
    c, h, x = palette.C_LINE, palette.H_LINE, palette.X_LINE
    hd = palette.LINE_DASH["h"]
    wc, wh, wx, wg = LINE_W["c"], LINE_W["h"], LINE_W["x"], LINE_W["gate"]
    gx = GATE_X
    top = Y_GATE + BOX_H / 2
    lines = [
        _line(X_IN, Y_C, X_C_END, Y_C, c, wc),  # c_{t-1} → × f → + i⊙g → c_t
        _line(X_TANH_C, Y_C, X_TANH_C, Y_TANH_C + BOX_H / 2, c, wc),  # c_t down into tanh
        _line(X_IN, Y_BUS, X_X, Y_BUS, h, wh, hd),  # h_{t-1} comes in
        _line(X_X, 0.5, X_X, Y_BUS, x, 3.0),  # x_t comes up and joins it
        # each σ gate's output: a weight in (0, 1), drawn in the σ colour
        _line(gx["f"], top, gx["f"], Y_C - NODE_R, palette.SIGMA_BOX, wg),
        _line(gx["i"], top, gx["i"], Y_MUL_IG, palette.SIGMA_BOX, wg),
        _line(gx["i"], Y_MUL_IG, gx["g"] - NODE_R, Y_MUL_IG, palette.SIGMA_BOX, wg),
        _line(gx["o"], top, gx["o"], Y_O, palette.SIGMA_BOX, wg),
        _line(gx["o"], Y_O, X_TANH_C - NODE_R, Y_O, palette.SIGMA_BOX, wg),
        # tanh outputs: information in (−1, 1), in the tanh colour
        _line(gx["g"], top, gx["g"], Y_MUL_IG - NODE_R, palette.TANH_BOX, wg),
        _line(
            X_TANH_C, Y_TANH_C - BOX_H / 2, X_TANH_C, Y_O + NODE_R, palette.TANH_BOX, wg
        ),  # tanh(c_t) down to × o
        # i ⊙ g goes up into the c line
        _line(gx["g"], Y_MUL_IG + NODE_R, gx["g"], Y_C - NODE_R, c, wx),
        # h_t: down from × o, out to the right and up to the output
        _line(X_TANH_C, Y_O - NODE_R, X_TANH_C, Y_H_OUT, h, wh, hd),
        _line(X_TANH_C, Y_H_OUT, X_H_END, Y_H_OUT, h, wh, hd),
        _line(X_H_UP, Y_H_OUT, X_H_UP, 71.0, h, wh, hd),
    ]
    lines += cable(X_X, Y_BUS, gx["o"], Y_BUS)
    for g in ("f", "i", "g", "o"):
        lines += cable(gx[g], Y_BUS, gx[g], Y_GATE - BOX_H / 2)
    return lines


def gate_boxes() -> list[tuple[float, float, str, str]]:
    """(x, y, colour, symbol) of the σ (blue) and tanh (orange) boxes."""
    sig, tnh = palette.SIGMA_BOX, palette.TANH_BOX
    return [
        (GATE_X["f"], Y_GATE, sig, "σ"),
        (GATE_X["i"], Y_GATE, sig, "σ"),
        (GATE_X["g"], Y_GATE, tnh, "tanh"),
        (GATE_X["o"], Y_GATE, sig, "σ"),
        (X_TANH_C, Y_TANH_C, tnh, "tanh"),
    ]


# Value labels: name → (x, y, xanchor, colour name in viz.palette). Order fixed: the figure indexes
# them. `LABELS` (below) gives them with the active palette's colours.
_LABEL_SPEC = {
    "c_prev": (X_IN + 0.5, Y_C - 3.4, "left", "C_LINE"),
    "kept": (43.5, Y_C + 3.4, "center", "C_LINE"),
    "c": (X_TANH_C + 1.5, Y_C + 3.4, "left", "C_LINE"),
    "h_prev": (X_IN + 0.5, Y_BUS + 3.6, "left", "H_LINE"),
    "x": (X_X + 1.5, 2.6, "left", "X_LINE"),
    "f": (GATE_X["f"] + 1.4, 45.0, "left", "SIGMA_BOX"),
    "i": (GATE_X["i"] + 1.4, 42.4, "left", "SIGMA_BOX"),
    "g": (GATE_X["g"] + 1.4, 42.4, "left", "TANH_BOX"),
    "written": (GATE_X["g"] + 1.4, 53.5, "left", "C_LINE"),
    "o": (90.0, Y_O + 2.6, "center", "SIGMA_BOX"),
    "tanh_c": (X_TANH_C + 5.0, Y_TANH_C, "left", "TANH_BOX"),
    "h": (X_TANH_C + 1.5, Y_H_OUT + 3.2, "left", "H_LINE"),
    "h_up": (X_H_UP - 1.2, 74.0, "right", "H_LINE"),
}


def labels() -> dict[str, tuple[float, float, str, str]]:
    """name → (x, y, xanchor, colour) of the value labels, in the active palette's colours."""
    return {k: (x, y, a, getattr(palette, c)) for k, (x, y, a, c) in _LABEL_SPEC.items()}


def __getattr__(name: str):
    """`geo.LABELS`: resolved on each access, so it follows the active palette (PEP 562)."""
    if name == "LABELS":
        return labels()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


# The stage (index into equations.STAGES) at which each quantity is computed; -1: it comes in.
LABEL_STAGE = {
    "c_prev": -1,
    "h_prev": -1,
    "x": -1,
    "f": 0,
    "kept": 0,
    "i": 1,
    "g": 2,
    "written": 2,
    "c": 3,
    "o": 4,
    "tanh_c": 5,
    "h": 5,
    "h_up": 5,
}

# Whole-vector mode: a small bar glyph per label, one thin bar per unit (viz/cell_bars.py).
# name → (x0, y0): the glyph's lower left corner; it is at most GLYPH_W wide and GLYPH_H tall.
# Placed in free space next to its label (mostly under it), clear of lines, boxes and labels.
GLYPH_W, GLYPH_H = 8.0, 6.0
GLYPH_SLOT_MAX = 2.0  # widest slot per bar: few bars stay thin bars, not blocks
GLYPHS = {
    "c_prev": (X_IN + 0.5, 48.8),
    "kept": (39.5, 65.8),
    "c": (X_TANH_C + 1.5, 65.8),
    "h_prev": (X_IN + 0.5, 22.4),
    "x": (X_X + 1.5, 5.2),
    "f": (GATE_X["f"] + 1.4, 36.8),
    "i": (GATE_X["i"] + 0.8, 34.4),
    "g": (GATE_X["g"] + 2.6, 34.4),
    "written": (GATE_X["g"] + 2.6, 45.6),
    "o": (GATE_X["o"] + 4.8, 33.3),
    "tanh_c": (X_TANH_C + 5.0, 42.6),
    "h": (X_TANH_C + 1.5, 12.6),
    "h_up": (X_H_UP - 1.2 - GLYPH_W, 65.8),
}
