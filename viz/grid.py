"""Subplot grids as plain layout dicts: the few layouts these figures need, built directly.

`plotly.subplots.make_subplots` and the `row=/col=` helpers validate through Plotly's object tree
on every call (tens of ms each); a page that redraws on every click cannot afford them. Here
axis n is named "x{n}"/"y{n}" ("x"/"y" for n = 1), as Plotly does.
"""

from __future__ import annotations

from collections.abc import Sequence


def ax(n: int) -> str:
    """Axis suffix of subplot n (1-based): "" for 1, else "2", "3", …"""
    return "" if n == 1 else str(n)


def _title(text: str, x: float, y: float) -> dict:
    return {
        "text": text,
        "x": x,
        "y": y,
        "xref": "paper",
        "yref": "paper",
        "xanchor": "center",
        "yanchor": "bottom",
        "showarrow": False,
        "font": {"size": 14},
    }


def stacked(titles: Sequence[str], gap: float = 0.06) -> tuple[dict, list[dict]]:
    """Rows top to bottom sharing one time axis: (layout entries, title annotations).

    Row n (1-based) uses axes x{n}/y{n}; every x axis matches the first, and only the bottom one
    shows tick labels.
    """
    n_rows = len(titles)
    h = (1 - gap * (n_rows - 1)) / n_rows
    layout, notes = {}, []
    for n in range(1, n_rows + 1):
        top = 1 - (n - 1) * (h + gap)
        layout[f"yaxis{ax(n)}"] = {"domain": [top - h, top], "anchor": f"x{ax(n)}"}
        layout[f"xaxis{ax(n)}"] = {
            "domain": [0, 1],
            "anchor": f"y{ax(n)}",
            "showticklabels": n == n_rows,
            **({"matches": "x"} if n > 1 else {}),
        }
        notes.append(_title(titles[n - 1], 0.5, top))
    return layout, notes


def side_by_side(titles: Sequence[str], gap: float = 0.08) -> tuple[dict, list[dict]]:
    """Columns left to right, each with its own axes: (layout entries, title annotations)."""
    n_cols = len(titles)
    w = (1 - gap * (n_cols - 1)) / n_cols
    layout, notes = {}, []
    for n in range(1, n_cols + 1):
        left = (n - 1) * (w + gap)
        layout[f"xaxis{ax(n)}"] = {"domain": [left, left + w], "anchor": f"y{ax(n)}"}
        layout[f"yaxis{ax(n)}"] = {"domain": [0, 1], "anchor": f"x{ax(n)}"}
        notes.append(_title(titles[n - 1], left + w / 2, 1.0))
    return layout, notes
