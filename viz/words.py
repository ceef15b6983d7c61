"""Words for a figure: what a screen reader (or anyone who cannot see the chart) is told.

Pure: a `go.Figure` in, text and a table out. The numbers come from the figure's own data (the
same arrays the chart draws), so the words can never disagree with the picture:

- `series(fig)`: one `Series` per data trace: its name, how many values, the lowest and highest
  value and where they are (x, or row · column of a heatmap), and the last value of a line.
- `figure_words(fig, what, lang)`: `what` (one sentence saying what the figure shows) followed by
  the key numbers of every series, e.g. "… f: 16 values, from 0.12 (t = 3, unit 1) to 0.95 …".
- `figure_table(fig)`: the data as rows (series, x, y, value) for a table behind an expander.

A trace that only decorates (hoverinfo "skip", or no numbers) is left out; so are points whose
value is not finite (gaps).
"""

from __future__ import annotations

import base64
import contextlib
import math
import re
from dataclasses import dataclass

import numpy as np
import plotly.graph_objects as go

from app_logic.i18n import tr

MAX_SERIES = 12  # more series than this: the words name the first ones and count the rest
MAX_ROWS = 300  # the data table (an HTML table) is cut here, and a note says so


@dataclass(frozen=True)
class Series:
    name: str
    n: int  # finite values
    lo: float
    lo_at: str
    hi: float
    hi_at: str
    last: float | None  # a line's last finite value (None for bars, heatmaps, histograms)
    last_at: str


def num(v: float) -> str:
    """A number as the words print it: 3 significant digits, scientific when tiny or huge."""
    if v == 0:
        return "0"
    a = abs(v)
    if a < 1e-3 or a >= 1e5:
        return f"{v:.2e}"
    return f"{v:.3g}"


def _array(v) -> np.ndarray | None:
    """A trace attribute as an array (Plotly's base64 typed arrays decoded), or None."""
    if v is None:
        return None
    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return a.reshape(v["shape"]) if "shape" in v else a
    try:
        return np.asarray(v, dtype=object)
    except ValueError:  # ragged
        return None


def _floats(a: np.ndarray) -> np.ndarray:
    out = np.full(a.shape, np.nan)
    for idx, v in np.ndenumerate(a):
        with contextlib.suppress(TypeError, ValueError):
            out[idx] = float(v)
    return out


_SUB = str.maketrans("0123456789+-−=()aehijklmnoprstuvx", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₕᵢⱼₖₗₘₙₒₚᵣₛₜᵤᵥₓ")
_SUP = str.maketrans("0123456789+-−=()n", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿ")


def _script(s: str, table: dict) -> str:
    """s in Unicode sub/superscripts if every character has one, else s as it is (W<sub>if</sub>
    → "Wif", not a half-lowered "Wᵢf")."""
    out = s.translate(table)
    return out if all(c != o or c.isspace() for c, o in zip(s, out)) else s


def plain(text: str) -> str:
    """A figure's HTML-ish label as plain text: <sub>/<sup> as Unicode, other tags dropped."""
    text = re.sub(r"<sub>(.*?)</sub>", lambda m: _script(m[1], _SUB), text)
    text = re.sub(r"<sup>(.*?)</sup>", lambda m: _script(m[1], _SUP), text)
    text = re.sub(r"<br\s*/?>", " ", text)
    return re.sub(r"<[^>]+>", "", text).strip()


def _label(v) -> str:
    if isinstance(v, float | np.floating):
        return num(float(v))
    return plain(str(v))


def _name(trace, k: int) -> str:
    name = getattr(trace, "name", None)
    if name:
        return plain(str(name))
    return f"#{k + 1}"


def _hidden(t) -> bool:
    if getattr(t, "visible", None) is False or getattr(t, "opacity", None) == 0:
        return True
    marker = getattr(t, "marker", None)
    if (
        t.type == "scatter"
        and marker is not None
        and marker.opacity == 0
        and "lines" not in (t.mode or "")
    ):
        return True  # invisible markers over a heatmap, there to be clicked
    return t.type != "heatmap" and getattr(t, "hoverinfo", None) == "skip"


def _data_traces(fig: go.Figure):
    for k, t in enumerate(fig.data):
        if not _hidden(t):
            yield k, t


def _axis(fig: go.Figure, ref: str | None, letter: str):
    """The tick texts of the layout axis a trace uses ("x2" → layout.xaxis2), {tick value: text}
    (read once: a Plotly property read costs more than the lookup), and a title for it: its own,
    or the title of another axis of the same letter (subplots that share an axis title it once)."""
    name = f"{letter}axis{(ref or letter)[1:]}"
    ax = fig.layout[name] if name in fig.layout else None  # noqa: SIM401 (no .get)
    title = ax.title.text if ax is not None and ax.title.text else None
    if title is None:
        for key in fig.layout:
            if key.startswith(f"{letter}axis") and fig.layout[key].title.text:
                title = fig.layout[key].title.text
                break
    ticks = {}
    if ax is not None and ax.tickvals is not None and ax.ticktext is not None:
        ticks = {tv: plain(str(tt)) for tv, tt in zip(ax.tickvals, ax.ticktext)}  # last one wins
    return ticks, plain(title) if title else ""


def _where(ticks: dict, title: str, v) -> str:
    """Where a point lies on an axis: its tick text if the axis names it, with the axis title."""
    try:
        label = ticks.get(v)
    except TypeError:  # an unhashable value names no tick
        label = None
    if label is None:
        label = _label(v)
    return f"{title} = {label}" if title else label


def points(fig: go.Figure) -> list[tuple[str, str, str, float]]:
    """(series, x or column, y or row, value) for every finite data point of the figure."""
    rows = []
    for k, t in _data_traces(fig):
        name = _name(t, k)
        if t.type == "heatmap":
            z = _array(t.z)
            if z is None:
                continue
            z = _floats(z)
            if z.ndim != 2:
                continue
            xs, ys = _array(t.x), _array(t.y)
            (xa, xt), (ya, yt) = _axis(fig, t.xaxis, "x"), _axis(fig, t.yaxis, "y")
            for (r, c), v in np.ndenumerate(z):
                if math.isfinite(v):
                    xl = _where(xa, xt, xs[c] if xs is not None and c < len(xs) else c)
                    yl = _where(ya, yt, ys[r] if ys is not None and r < len(ys) else r)
                    rows.append((name, xl, yl, float(v)))
        elif t.type in ("scatter", "bar", "scattergl"):
            horizontal = getattr(t, "orientation", None) == "h"
            vals, pos = (t.x, t.y) if horizontal else (t.y, t.x)
            y = _array(vals)
            if y is None or y.ndim != 1:
                continue
            y = _floats(y)
            xs = _array(pos)
            pa, pt = _axis(fig, t.yaxis if horizontal else t.xaxis, "y" if horizontal else "x")
            for i, v in enumerate(y):
                if math.isfinite(v):
                    xl = _where(pa, pt, xs[i] if xs is not None and i < len(xs) else i)
                    rows.append((name, xl, "", float(v)))
    return rows


def series(fig: go.Figure, pts: list | None = None) -> list[Series]:
    """The key numbers of every data trace, in the figure's order (`pts`: its `points`, if read)."""
    by_name: dict[str, list[tuple[str, str, str, float]]] = {}
    kinds: dict[str, str] = {}
    for k, t in _data_traces(fig):
        kinds.setdefault(_name(t, k), t.type + ("" if t.type != "scatter" else str(t.mode)))
    for row in points(fig) if pts is None else pts:
        by_name.setdefault(row[0], []).append(row)
    out = []
    for name, rows in by_name.items():
        vals = np.array([r[3] for r in rows])
        at = [r[1] if not r[2] else f"{r[2]}, {r[1]}" for r in rows]
        lo, hi = int(np.argmin(vals)), int(np.argmax(vals))
        line = "lines" in kinds.get(name, "")
        out.append(
            Series(
                name=name,
                n=len(rows),
                lo=float(vals[lo]),
                lo_at=at[lo],
                hi=float(vals[hi]),
                hi_at=at[hi],
                last=float(vals[-1]) if line else None,
                last_at=at[-1] if line else "",
            )  # fmt: skip
        )
    return out


def series_words(s: Series, lang: str) -> str:
    """One series in words: name, count, lowest and highest (where), last (for a line)."""
    text = tr(
        "words.series", lang, name=s.name, n=s.n, lo=num(s.lo), lo_at=s.lo_at, hi=num(s.hi),
        hi_at=s.hi_at,
    )  # fmt: skip
    if s.last is not None:
        text += tr("words.series_last", lang, last=num(s.last), at=s.last_at)
    return text


def figure_words(fig: go.Figure, what: str, lang: str, pts: list | None = None) -> str:
    """What the figure shows, then the key numbers of each of its series."""
    ss = series(fig, pts)
    parts = [what, *(series_words(s, lang) for s in ss[:MAX_SERIES])]
    if len(ss) > MAX_SERIES:
        parts.append(tr("words.more_series", lang, n=len(ss) - MAX_SERIES))
    return joined(parts, lang)


def joined(parts, lang: str) -> str:
    """Sentences joined with the language's full stop, unless one already ends a sentence."""
    sep, out = tr("words.join", lang), ""
    for p in (p.strip() for p in parts):
        if not p:
            continue
        if out:
            out += " " if out[-1] in ".?!。？！" else sep
        out += p
    return out


def figure_table(
    fig: go.Figure, lang: str, pts: list | None = None
) -> tuple[list[str], list[list[str]], bool]:
    """(header, rows, cut): the figure's data points as text, at most MAX_ROWS of them."""
    rows = points(fig) if pts is None else pts
    header = [tr(f"words.col_{c}", lang) for c in ("series", "x", "y", "value")]
    body = [[n, x, y, num(v)] for n, x, y, v in rows[:MAX_ROWS]]
    if not any(r[2] for r in body):  # no heatmap: no row column
        header = [header[0], header[1], header[3]]
        body = [[r[0], r[1], r[3]] for r in body]
    return header, body, len(rows) > MAX_ROWS
