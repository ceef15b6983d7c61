"""The article's colour code and the fixed value ranges: one place, used by every figure and legend.

The source article's annotated cell: green = long-term memory c, rose-red = short-term memory h,
grey = input x, blue boxes = σ, orange boxes = tanh, and five dashed tinted boxes.
"""

from __future__ import annotations

import numpy as np

# Lines (paths) of the cell diagram and of every chart that shows these quantities.
C_LINE = "#2e9d4f"  # green: long-term memory (cell state) c
H_LINE = "#d6336c"  # rose-red: short-term memory (hidden state) h
X_LINE = "#868e96"  # grey: current input x

# Activation boxes.
SIGMA_BOX = "#4dabf7"  # blue: sigmoid, output in (0, 1), a weight controlling the flow
TANH_BOX = "#fd7e14"  # orange: tanh, output in (-1, 1), encodes information

# The five dashed boxes of the article, light tints (fill) and their stronger edge colours.
STAGE_TINT = {
    "forget": "#d0ebff",  # 1 light blue: forget gate f_t
    "input": "#d3f9d8",  # 2 light green: input gate i_t
    "candidate": "#fff3bf",  # 3 light yellow: candidate g_t
    "output": "#e5dbff",  # 4 light purple: output gate o_t
    "hidden": "#ffe3e3",  # 5 light red: new short-term memory h_t
}
STAGE_EDGE = {
    "forget": "#1c7ed6",
    "input": "#37b24d",
    "candidate": "#f59f00",
    "output": "#7048e8",
    "hidden": "#e03131",
}

# One colour per gate in charts, matching the dashed box the gate lives in.
GATE_COLOR = {
    "f": STAGE_EDGE["forget"],
    "i": STAGE_EDGE["input"],
    "g": STAGE_EDGE["candidate"],
    "o": STAGE_EDGE["output"],
    "c": C_LINE,
    "h": H_LINE,
    "x": X_LINE,
}


def latex(name: str, symbol: str) -> str:
    """A KaTeX symbol in the colour of GATE_COLOR[name], e.g. latex("f", "f_t")."""
    return rf"\textcolor{{{GATE_COLOR[name]}}}{{{symbol}}}"


# Fixed ranges: the same colour always means the same value, on every page.
SIGMOID_RANGE = (0.0, 1.0)  # i, f, o
TANH_RANGE = (-1.0, 1.0)  # g, tanh(c), h without projection
GATE_RANGE = {"i": SIGMOID_RANGE, "f": SIGMOID_RANGE, "o": SIGMOID_RANGE, "g": TANH_RANGE}

# Colour scales for heatmaps: sequential for σ gates (0..1), diverging for tanh-range values.
SIGMOID_SCALE = [[0.0, "#f8f9fa"], [1.0, SIGMA_BOX]]
DIVERGING_SCALE = [[0.0, "#1971c2"], [0.5, "#f8f9fa"], [1.0, "#e8590c"]]
C_SCALE = [[0.0, "#862e9c"], [0.5, "#f8f9fa"], [1.0, C_LINE]]  # c: symmetric around 0

FONT_FAMILY = "sans-serif"  # the browser's own font: nothing fetched from a CDN


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
