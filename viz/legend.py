"""The landing page's cell sketch and colour legend as inline SVG, drawn from `viz.palette` only.

Pure (no Streamlit): `cell_svg(labels)` returns an SVG string; the text comes in as `labels`, so
the same drawing serves both languages.
"""

from __future__ import annotations

from html import escape

from viz import palette as pal
from viz.contrast import text_on

FONT = f"font-family:{pal.FONT_FAMILY}"

# The five dashed boxes of the article: (stage, x, y, width, height) in the sketch's coordinates.
STAGE_BOXES = (
    ("forget", 168, 40, 64, 160),
    ("input", 262, 110, 60, 90),
    ("candidate", 332, 92, 100, 108),
    ("output", 478, 110, 60, 90),
    ("hidden", 560, 84, 78, 146),
)


def _dash(dash: str | None) -> str:
    """An SVG dash pattern (viz.palette.SVG_DASH: h dashed), or nothing for a solid line."""
    return f' stroke-dasharray="{dash}"' if dash and dash != "none" else ""


def _line(x1, y1, x2, y2, color, width=3.0, arrow=False, dash: str | None = None) -> str:
    head = ' marker-end="url(#arrow)"' if arrow else ""
    cap = "butt" if _dash(dash) else "round"  # round caps would close a dash pattern's gaps
    return (
        f'<line x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}" stroke="{color}" '
        f'stroke-width="{width}" stroke-linecap="{cap}"{_dash(dash)}{head}/>'
    )


def _path(d: str, color: str, width=3.0, dash: str | None = None) -> str:
    return f'<path d="{d}" fill="none" stroke="{color}" stroke-width="{width}"{_dash(dash)}/>'


def _box(cx, cy, color, label, w=44, h=28) -> str:
    """An activation box: blue for σ, orange for tanh."""
    return (
        f'<rect x="{cx - w / 2}" y="{cy - h / 2}" width="{w}" height="{h}" rx="5" fill="{color}"/>'
        f'<text x="{cx}" y="{cy + 5}" text-anchor="middle" fill="{text_on(color)}" '
        f'style="{FONT};font-size:15px;font-weight:600">{label}</text>'
    )


def _op(cx, cy, sign: str) -> str:
    """A pointwise operation (× or +) on a line."""
    return (
        f'<circle cx="{cx}" cy="{cy}" r="11" fill="white" stroke="#495057" stroke-width="1.5"/>'
        f'<text x="{cx}" y="{cy + 5}" text-anchor="middle" fill="#212529" '
        f'style="{FONT};font-size:16px;font-weight:700">{sign}</text>'
    )


def _text(x, y, s: str, color="#212529", size=14, anchor="middle", weight=400) -> str:
    return (
        f'<text x="{x}" y="{y}" text-anchor="{anchor}" fill="{color}" '
        f'style="{FONT};font-size:{size}px;font-weight:{weight}">{escape(s)}</text>'
    )


def _sym(x, y, base: str, sub: str, color: str, anchor="middle") -> str:
    """A symbol with a subscript, e.g. c with t-1."""
    return (
        f'<text x="{x}" y="{y}" text-anchor="{anchor}" fill="{color}" '
        f'style="{FONT};font-size:17px;font-weight:700;font-style:italic">{escape(base)}'
        f'<tspan dy="5" style="font-size:12px">{escape(sub)}</tspan></text>'
    )


def cell_svg(labels: dict[str, str] | None = None) -> str:
    """The LSTM cell in the article's colours and the five numbered dashed boxes (+ a legend).

    `labels`, if given, adds a legend under the sketch: keys c, h, x, sigma, tanh, forget, input,
    candidate, output, hidden.
    """
    C, H, X = pal.C_LINE, pal.H_LINE, pal.X_LINE
    HD = pal.SVG_DASH["h"]  # never colour alone: h dashed, c solid
    parts = [
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="8" refY="5" markerWidth="6" '
        'markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" '
        'fill="#495057"/></marker></defs>'
    ]
    # The five dashed boxes first, so lines and boxes are drawn over their tint.
    for n, (stage, x, y, w, h) in enumerate(STAGE_BOXES, start=1):
        parts.append(
            f'<rect x="{x}" y="{y}" width="{w}" height="{h}" rx="8" fill="{pal.STAGE_TINT[stage]}" '
            f'stroke="{pal.STAGE_EDGE[stage]}" stroke-width="1.6" stroke-dasharray="6 4"/>'
        )
        parts.append(
            f'<circle cx="{x + 2}" cy="{y + 2}" r="10" fill="{pal.STAGE_EDGE[stage]}"/>'
            + _text(x + 2, y + 6.5, str(n), text_on(pal.STAGE_EDGE[stage]), size=12, weight=700)
        )
    # Long-term memory c along the top: × f_t, then + i_t ⊙ g_t.
    parts += [
        _line(40, 64, 700, 64, C, 4),
        _sym(20, 69, "c", "t-1", C),
        _sym(724, 69, "c", "t", C),
        # Short-term memory h_{t-1} joins the input x_t into the bus that feeds every gate.
        _path("M 40 250 L 110 250 L 110 226 L 520 226", H, 3, dash=HD),
        _sym(20, 255, "h", "t-1", H),
        _path("M 130 292 L 130 232 L 520 232", X, 3),
        _sym(130, 312, "x", "t", X),
        # Gates read the bus.
        _line(200, 226, 200, 174, H, 2, dash=HD),
        _line(292, 226, 292, 174, H, 2, dash=HD),
        _line(400, 226, 400, 174, H, 2, dash=HD),
        _line(508, 226, 508, 174, H, 2, dash=HD),
        _box(200, 160, pal.SIGMA_BOX, "σ"),
        _box(292, 160, pal.SIGMA_BOX, "σ"),
        _box(400, 160, pal.TANH_BOX, "tanh", w=52),
        _box(508, 160, pal.SIGMA_BOX, "σ"),
        _sym(206, 134, "f", "t", "#495057", anchor="start"),
        _sym(298, 138, "i", "t", "#495057", anchor="start"),
        _sym(406, 138, "g", "t", "#495057", anchor="start"),
        _sym(512, 138, "o", "t", "#495057", anchor="start"),
        # f_t multiplies c_{t-1}.
        _line(200, 146, 200, 76, "#495057", 2, arrow=True),
        _op(200, 64, "×"),
        # i_t ⊙ g_t is added to c.
        _path("M 292 146 L 292 118 L 342 118", "#495057", 2),
        _path("M 400 146 L 400 118 L 366 118", "#495057", 2),
        _op(354, 118, "×"),
        _line(354, 107, 354, 77, "#495057", 2, arrow=True),
        _op(354, 64, "+"),
        # tanh(c_t) times o_t is the new short-term memory h_t.
        _line(600, 64, 600, 96, C, 2.5),
        _box(600, 110, pal.TANH_BOX, "tanh", w=52),
        _line(600, 124, 600, 166, "#495057", 2, arrow=True),
        _path("M 530 160 L 556 160 L 556 178 L 586 178", "#495057", 2),
        _op(600, 178, "×"),
        _path("M 600 189 L 600 250 L 700 250", H, 3, dash=HD),
        _sym(724, 255, "h", "t", H),
        _path("M 660 250 L 660 120 L 700 120", H, 2, dash=HD),
        _sym(724, 125, "h", "t", H),
    ]
    if labels is None:
        body = "".join(parts)
        return (
            f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 760 320" width="100%" '
            f'role="img" aria-label="LSTM cell">{body}</svg>'
        )
    # Legend: the three lines, the two activations, the five boxes.
    y0 = 350
    items = [
        ("line", C, labels["c"]),
        ("line", H, labels["h"]),
        ("line", X, labels["x"]),
        ("box", pal.SIGMA_BOX, labels["sigma"]),
        ("box", pal.TANH_BOX, labels["tanh"]),
    ]
    for n, (kind, color, text) in enumerate(items):
        y = y0 + n * 24
        if kind == "line":
            parts.append(_line(20, y - 5, 54, y - 5, color, 4))
        else:
            parts.append(
                f'<rect x="25" y="{y - 14}" width="24" height="18" rx="4" fill="{color}"/>'
            )
        parts.append(_text(66, y, text, anchor="start", size=14))
    y1 = y0 + len(items) * 24 + 10
    for n, (stage, *_rest) in enumerate(STAGE_BOXES):
        y = y1 + n * 24
        parts.append(
            f'<rect x="22" y="{y - 15}" width="30" height="20" rx="5" '
            f'fill="{pal.STAGE_TINT[stage]}" stroke="{pal.STAGE_EDGE[stage]}" '
            f'stroke-width="1.5" stroke-dasharray="4 3"/>'
            + _text(37, y, str(n + 1), color=pal.STAGE_EDGE[stage], size=12, weight=700)
        )
        parts.append(_text(66, y, labels[stage], anchor="start", size=14))
    height = y1 + len(STAGE_BOXES) * 24 - 4
    body = "".join(parts)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 760 {height}" width="100%" '
        f'role="img" aria-label="LSTM cell">{body}</svg>'
    )


def legend_html(labels: dict[str, str]) -> str:
    """The colour legend as HTML rows (readable at any width): lines, activations, five boxes."""
    rows = []

    def row(swatch: str, text: str) -> None:
        rows.append(
            '<div style="display:flex;align-items:center;gap:10px;margin:3px 0">'
            f'<div style="flex:none;width:36px;display:flex;justify-content:center">{swatch}</div>'
            f"<div>{escape(text)}</div></div>"
        )

    for key, color in (("c", pal.C_LINE), ("h", pal.H_LINE), ("x", pal.X_LINE)):
        style = "dashed" if pal.LINE_DASH.get(key) == "dash" else "solid"  # h dashed, c solid
        row(
            f'<div style="width:34px;height:0;border-top:4px {style} {color}"></div>',
            labels[key],
        )
    for key, color, sym in (("sigma", pal.SIGMA_BOX, "σ"), ("tanh", pal.TANH_BOX, "tanh")):
        row(
            f'<div style="padding:0 5px;border-radius:4px;background:{color};'
            f'color:{text_on(color)};font-weight:600;font-size:12px">{sym}</div>',
            labels[key],
        )
    for n, (stage, *_rest) in enumerate(STAGE_BOXES, start=1):
        row(
            f'<div style="width:28px;height:20px;border-radius:5px;'
            f"background:{pal.STAGE_TINT[stage]};"
            f"border:1.5px dashed {pal.STAGE_EDGE[stage]};color:{pal.STAGE_EDGE[stage]};"
            f'font-weight:700;font-size:12px;text-align:center;line-height:18px">{n}</div>',
            labels[stage],
        )
    return f'<div style="font-size:0.92rem;line-height:1.35">{"".join(rows)}</div>'
