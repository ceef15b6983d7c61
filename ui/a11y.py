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

from pathlib import Path

import plotly.graph_objects as go
import streamlit as st

from app_logic.i18n import tr
from ui.figures import FrozenFigure
from viz import palette
from viz.html_blocks import (
    CODE_CLASS,
    NUMBERS_CLASS,
    TABLE_CLASS,
    code_html,
    numbers_html,
    table_html,
)
from viz.words import figure_table, figure_words, points

MIN_FIGURE_WIDTH = 900  # px: below this the cell diagram's labels overlap (measured at 390 px)
SCROLL_PREFIX = "a11y_scroll_"  # st.container keys: class st-key-a11y_scroll_<name>

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


def code(source: str, label: str, python: bool = True, wrap: bool = False) -> None:
    """A code block (viz.html_blocks.code_html: light HTML, coloured; a11y.js adds a copy
    button)."""
    st.html(code_html(source, label, python=python, wrap=wrap))


def numbers(data, label: str, formats: dict[str, str] | None = None) -> None:
    """A small open table of numbers (viz.html_blocks.numbers_html)."""
    st.html(numbers_html(data, label, formats))


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
