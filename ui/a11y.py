"""Accessibility helpers: the page's contrast and focus CSS, the keyboard helper, figure words.

- `setup(lang)`: called once per run by app.py (in the sidebar). A component (a11y.js,
  st.components.v2, runs in the page) that adds a small stylesheet to the document's head once
  (CSS: captions, code and disabled selects at WCAG AA contrast, a visible focus ring on the
  figure's buttons and on scrollers; it stays across reruns, unlike a style-only st.html, which
  Streamlit sends to its event container and which was seen to arrive seconds late), and makes
  what a keyboard cannot reach reachable: a scrolling region (an equation wider than the
  screen, the cell figure's sideways scroller) gets tabindex="0" and a name, and the buttons
  inside a Plotly figure become real buttons for Tab, Enter and Space.
- `chart(fig, what, lang, **plotly_chart_args)`: st.plotly_chart, then the figure's words under
  it (a caption: what it shows and its key numbers, viz.words) and its data as a folded table.
- `scroller(key)`: a container that scrolls sideways on a narrow screen (its content keeps
  MIN_FIGURE_WIDTH), reachable by the keyboard.
"""

from __future__ import annotations

import builtins
import contextlib
import io
import keyword
import tokenize
from html import escape
from pathlib import Path

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from app_logic.i18n import tr
from ui.figures import FrozenFigure
from viz import palette
from viz.words import figure_table, figure_words, points

MIN_FIGURE_WIDTH = 900  # px: below this the cell diagram's labels overlap (measured at 390 px)
SCROLL_PREFIX = "a11y_scroll_"  # st.container keys: class st-key-a11y_scroll_<name>
TABLE_CLASS = "fig-data"  # a figure's data table: <details class="fig-data">
NUMBERS_CLASS = "num-table"  # a small open table of numbers (see numbers_html)
CODE_CLASS = "code-snippet"  # a short code example without st.code (see code_html)

_T = palette.UI_TEXT


def _tokens(kinds: tuple[str, ...], color: str) -> str:
    """A CSS rule colouring these syntax-highlighting tokens of st.code (Prism class names)."""
    sel = ", ".join(f'.stApp [data-testid="stCode"] .token.{k}' for k in kinds)
    return f"{sel} {{ color: {color}; }}"


CSS = f"""
.stApp [data-testid="stCaptionContainer"] {{ color: {_T["caption"]}; opacity: 1; }}
{
    _tokens(
        (
            "keyword",
            "atrule",
            "attr-value",
            "function",
            "class-name",
            "operator",
            "entity",
            "url",
            "regex",
            "important",
            "variable",
            "decorator",
        ),
        _T["code_keyword"],
    )
}
{
    _tokens(
        ("number", "boolean", "constant", "symbol", "property", "tag", "deleted"), _T["code_number"]
    )
}
{_tokens(("string", "char", "builtin", "inserted", "selector", "attr-name"), _T["code_string"])}
{_tokens(("comment", "prolog", "doctype", "cdata"), _T["code_comment"])}
.stApp [data-testid="stElementContainer"]:has(input[disabled]) [data-testid="stWidgetLabel"] p,
.stApp [data-testid="stElementContainer"]:has(input[disabled]) [data-baseweb="select"] *,
.stApp input[disabled] {{
  color: {_T["disabled"]}; -webkit-text-fill-color: {_T["disabled"]};
}}
.{TABLE_CLASS} > summary {{ cursor: pointer; color: {_T["caption"]}; font-size: 0.875rem; }}
.{TABLE_CLASS} {{ overflow-x: auto; margin-bottom: 0.5rem; }}
.{TABLE_CLASS} table {{ border-collapse: collapse; font-size: 0.8rem; margin-top: 0.4rem; }}
.{TABLE_CLASS} th, .{TABLE_CLASS} td {{
  border: 1px solid rgba(128, 128, 128, 0.35); padding: 0.1rem 0.6rem; text-align: left;
}}
.{NUMBERS_CLASS} {{ overflow-x: auto; margin-bottom: 1rem; }}
.{NUMBERS_CLASS} table {{ border-collapse: collapse; font-size: 0.875rem; }}
.{NUMBERS_CLASS} th, .{NUMBERS_CLASS} td {{
  border: 1px solid rgba(128, 128, 128, 0.35); padding: 0.15rem 0.6rem; text-align: right;
  font-variant-numeric: tabular-nums; white-space: nowrap;
}}
.{NUMBERS_CLASS} .t {{ text-align: left; }}
.{NUMBERS_CLASS}:focus-visible {{ outline: 2px solid {_T["focus"]}; outline-offset: 2px; }}
.{TABLE_CLASS} summary:focus-visible {{ outline: 2px solid {_T["focus"]}; outline-offset: 2px; }}
.{CODE_CLASS} {{
  background: {palette.CODE_BACKGROUND}; border-radius: 0.5rem; padding: 1rem; overflow-x: auto;
  font-family: "Source Code Pro", monospace; font-size: 0.875rem; line-height: 1.5; margin: 0;
}}
.{CODE_CLASS}-box {{ position: relative; }}
.{CODE_CLASS}-box .code-copy {{
  position: absolute; top: 0.4rem; right: 0.4rem; font-size: 0.75rem; padding: 0.1rem 0.5rem;
  border: 1px solid rgba(128, 128, 128, 0.5); border-radius: 0.3rem; background: #ffffff;
  color: #31333f; cursor: pointer; user-select: none;
}}
.{CODE_CLASS}-box .code-copy:focus-visible {{
  outline: 2px solid {_T["focus"]}; outline-offset: 1px;
}}
.{CODE_CLASS}.wrap {{ white-space: pre-wrap; overflow-wrap: anywhere; }}
.{CODE_CLASS} .k {{ color: {_T["code_keyword"]}; }}
.{CODE_CLASS} .n, .{CODE_CLASS} .b {{ color: {_T["code_number"]}; }}
.{CODE_CLASS} .s {{ color: {_T["code_string"]}; }}
.{CODE_CLASS} .c {{ color: {_T["code_comment"]}; }}
.{CODE_CLASS}:focus-visible {{ outline: 2px solid {_T["focus"]}; outline-offset: 2px; }}
[class*="st-key-{SCROLL_PREFIX}"] {{ overflow-x: auto; }}
[class*="st-key-{SCROLL_PREFIX}"] > div {{ min-width: {MIN_FIGURE_WIDTH}px; }}
[data-a11y-region]:focus-visible, .katex-display:focus-visible {{
  outline: 3px solid {_T["focus"]}; outline-offset: 2px;
}}
.stApp a:focus-visible, .stApp [data-testid="stMain"]:focus-visible {{
  outline: 2px solid {_T["focus"]}; outline-offset: -3px;
}}
.stApp div:has(> input:focus-visible), .stApp [data-testid="stDataFrame"]:focus-within {{
  outline: 2px solid {_T["focus"]}; outline-offset: 1px;
}}
g.updatemenu-button:focus {{ outline: none; }}
g.updatemenu-button:focus-visible > rect {{
  stroke: {_T["focus"]} !important; stroke-width: 3px !important;
}}
"""
STYLE_ID = "lstm-a11y-css"  # the <style> element a11y.js adds to the document's head

_component = st.components.v2.component(
    "lstm_a11y", js=Path(__file__).with_name("a11y.js").read_text(encoding="utf-8")
)


def setup(lang: str) -> None:
    """The stylesheet and the keyboard helper, once per run (app.py, before the page)."""
    _component(
        key="a11y_helper",
        data={
            "css": CSS,
            "style_id": STYLE_ID,
            "scroll_label": tr("words.scroll_region", lang),
            "equation_label": tr("words.equation_region", lang),
            "copy_label": tr("words.copy", lang),
            "copied_label": tr("words.copied", lang),
        },
        height=0,
    )


def scroller(name: str):
    """A container that scrolls sideways when the screen is narrower than MIN_FIGURE_WIDTH."""
    return st.container(key=f"{SCROLL_PREFIX}{name}")


def _words_of(fig: go.Figure, what: str, lang: str) -> tuple[str, str]:
    """(caption, data table HTML or "") of a figure, its points read once. A cached figure
    (ui.figures: frozen, never changed, the same object on every rerun) keeps them, so a rerun
    does not redo them."""
    memo = fig.__dict__.setdefault("_words_memo", {}) if isinstance(fig, FrozenFigure) else {}
    if (what, lang) not in memo:
        pts = points(fig)
        header, rows, cut = figure_table(fig, lang, pts)
        note = tr("words.table_cut", lang, n=len(rows)) if cut else ""
        html = table_html(header, rows, tr("words.data_title", lang), note) if rows else ""
        memo[what, lang] = figure_words(fig, what, lang, pts), html
    return memo[what, lang]


def _table(header: list[str], rows: list[list], text: frozenset[int] = frozenset()) -> str:
    """A table; the columns numbered in `text` hold words (class "t": aligned left)."""
    cls = [' class="t"' if i in text else "" for i in range(len(header))]
    head = "".join(f'<th scope="col"{c}>{escape(str(h))}</th>' for c, h in zip(cls, header))
    body = "".join(
        "<tr>" + "".join(f"<td{c}>{escape(str(v))}</td>" for c, v in zip(cls, row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def table_html(header: list[str], rows: list[list], summary: str, note: str = "") -> str:
    """The data table as one HTML block, folded in a <details> (open with a click, Enter or
    Space). One element the browser parses natively: Streamlit's st.table drew every cell as a
    React component, 0.7 s of the browser's 2.7 s on the Gates page's switch."""
    tail = f'<p class="{TABLE_CLASS}-note">{escape(note)}</p>' if note else ""
    return (
        f'<details class="{TABLE_CLASS}"><summary>{escape(summary)}</summary>'
        f"{_table(header, rows)}{tail}</details>"
    )


def numbers_html(data, label: str, formats: dict[str, str] | None = None, digits: int = 6) -> str:
    """A small table shown open: `data` as pandas reads it (columns, records or a DataFrame).
    A column named in `formats` is printed with that %-format (e.g. "%.3e"), other floats to
    `digits` decimals, the rest as text; in a region that scrolls sideways and a keyboard can
    reach. For tables of a few hundred rows at most: st.dataframe makes the browser fetch its
    grid and Arrow code (1.3 MB) first, which cost the unrolled-network page 0.3 s of its first
    render and the Compare page 0.6 s (with st.code's highlighter)."""
    frame = pd.DataFrame(data)
    formats = formats or {}

    def cell(col: str, v) -> str:
        if isinstance(v, (bool, np.bool_, str)) or not isinstance(v, (int, float, np.number)):
            return str(v)
        if col in formats:
            return formats[col] % v
        if isinstance(v, (int, np.integer)):
            return str(v)
        return "—" if np.isnan(v) else f"{float(v):.{digits}f}"

    cols = [str(c) for c in frame.columns]
    rows = [[cell(c, v) for c, v in zip(cols, row)] for row in frame.itertuples(index=False)]
    types = pd.api.types
    text = frozenset(
        i
        for i, c in enumerate(frame.columns)
        if types.is_bool_dtype(frame[c]) or not types.is_numeric_dtype(frame[c])
    )
    return (
        f'<div class="{NUMBERS_CLASS}" tabindex="0" role="region" aria-label="{escape(label)}">'
        f"{_table(cols, rows, text)}</div>"
    )


def _python_spans(source: str) -> str:
    """Python source as escaped HTML, its keywords, built-ins, strings, numbers and comments in
    <span class="k|b|s|n|c"> (tokenize: Python's own reading of the text)."""
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    out, pos = [], 0
    for tok in tokenize.generate_tokens(io.StringIO(source).readline):
        start = offsets[tok.start[0] - 1] + tok.start[1]
        end = offsets[tok.end[0] - 1] + tok.end[1] if tok.end[0] <= len(lines) else len(source)
        if tok.type == tokenize.COMMENT:
            kind = "c"
        elif tok.type == tokenize.STRING:
            kind = "s"
        elif tok.type == tokenize.NUMBER:
            kind = "n"
        elif tok.type == tokenize.NAME and keyword.iskeyword(tok.string):
            kind = "k"
        elif tok.type == tokenize.NAME and tok.string in _BUILTINS:
            kind = "b"
        else:
            continue
        out.append(escape(source[pos:start]))
        out.append(f'<span class="{kind}">{escape(source[start:end])}</span>')
        pos = end
    out.append(escape(source[pos:]))
    return "".join(out)


_BUILTINS = frozenset(dir(builtins)) - {"copyright", "credits", "license", "exit", "quit"}


def code_html(source: str, label: str, python: bool = True, wrap: bool = False) -> str:
    """Code as one <pre> block; Python coloured like st.code (the same WCAG AA colours).

    st.code makes the browser fetch and run Streamlit's syntax highlighter (1.6 MB) before the
    page is done: the landing page's first render took 2.2 s with it, 1.7 s without; the cell
    page's 3.1 s, 2.6 s. Focusable (tabindex, named by `label`) so a keyboard can scroll it
    sideways on a narrow screen; a11y.js gives it a copy button. `wrap`: long lines wrap
    instead of scrolling. Text that Python cannot read is shown uncoloured.
    """
    body = escape(source)
    if python:
        with contextlib.suppress(tokenize.TokenError, SyntaxError):  # e.g. an unclosed bracket
            body = _python_spans(source)
    cls = f"{CODE_CLASS} wrap" if wrap else CODE_CLASS
    return (
        f'<div class="{CODE_CLASS}-box"><pre class="{cls}" tabindex="0" '
        f'aria-label="{escape(label)}"><code>{body}</code></pre></div>'
    )


def words(fig: go.Figure, what: str, lang: str) -> None:
    """The figure's words as a caption, and its data as a table folded under it."""
    caption, html = _words_of(fig, what, lang)
    st.caption(caption)
    if html:
        st.html(html)


def chart(fig: go.Figure, what_key: str, lang: str, **kwargs):
    """st.plotly_chart(fig, **kwargs) (no mode bar unless given), then its words."""
    kwargs.setdefault("width", "stretch")
    kwargs.setdefault("config", {"displayModeBar": False})
    event = st.plotly_chart(fig, **kwargs)
    words(fig, tr(what_key, lang), lang)
    return event
