"""HTML blocks the browser draws natively: a figure's folded data table, a small open table of
numbers, a code block. Pure functions: values in, an HTML string out, every text escaped. Their
look (classes below) is in ui/a11y.py's stylesheet; ui/a11y.js gives a code block its copy button.

Why not Streamlit's own elements: st.table drew every cell as a React component (0.7 s of the
browser's 2.7 s on the Gates page's switch); st.dataframe and st.code make the browser fetch and
run a 1.3 MB data grid and a 1.6 MB syntax highlighter before the page is done (docs/BENCHMARKS.md).
"""

from __future__ import annotations

import builtins
import contextlib
import io
import keyword
import tokenize
from html import escape

import numpy as np
import pandas as pd

TABLE_CLASS = "fig-data"  # a figure's data table: <details class="fig-data">
NUMBERS_CLASS = "num-table"  # a small open table of numbers (numbers_html)
CODE_CLASS = "code-snippet"  # a code block (code_html): div.code-snippet-box > pre.code-snippet


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
