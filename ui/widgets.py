"""One way to bind a widget to state that no widget owns, and one way to read a click on a chart.

Streamlit forgets a widget's state on a run that does not draw it (a page switch), and a widget's
key cannot be written after the widget is drawn. So every value that must survive lives in state
no widget owns (the shared settings, the selection, or a page's own `_<key>`); its widget gets a
separate key, re-seeded from that value before it is drawn and copied back in `on_change`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import streamlit as st

from ui import session

ALL = "all"  # the "whole vector" choice of a unit picker (the selection's unit None)


def _changed(key: str, on_change: Callable[[Any], None]) -> None:
    on_change(st.session_state[key])


def bound(key: str, value, on_change: Callable[[Any], None]) -> dict:
    """Widget arguments: `key` re-seeded from `value`; a change calls `on_change(new value)`."""
    return {"key": session.seed_widget(key, value), "on_change": _changed, "args": (key, on_change)}


def _keep(key: str, value, then: Callable[[], None] | None = None) -> None:
    st.session_state["_" + key] = value
    if then is not None:
        then()


def kept_value(key: str, default):
    """The current value of a page's own setting `key` (kept under `_<key>`)."""
    return st.session_state.get("_" + key, default)


def kept(key: str, default, then: Callable[[], None] | None = None) -> dict:
    """Widget arguments for a page's own setting that survives page switches (kept in `_<key>`);
    `then()` runs after a change was kept (e.g. a new task resets the other settings)."""
    return {
        "key": session.seed_widget(key, kept_value(key, default)),
        "on_change": _changed,
        "args": (key, lambda v: _keep(key, v, then)),
    }


def _to_selection(field: str, value) -> None:
    session.set_selection(**{field: None if value == ALL else int(value)})


def pick(widget, label: str, key: str, field: str, options: Sequence, current, **kwargs):
    """A picker (selectbox, radio, select_slider, slider…) of a selection field (layer, direction,
    unit, t): drawn with the shared selection's value, a change sets the selection (and the URL).
    For `unit`, the option ALL stands for the whole vector (None)."""
    value = ALL if current is None else current
    args = bound(key, value, lambda v: _to_selection(field, v))
    if options is None:
        return widget(label, **args, **kwargs)
    return widget(label, options=list(options), **args, **kwargs)


def new_click(state, memory_key: str) -> list[tuple[float, float, int | None]] | None:
    """The clicked points [(x, y, curve_number)] of a chart drawn with `on_select="rerun"`, when
    the click is new; None when there is no click or it is the one seen before (Streamlit keeps
    a chart's last selection on every rerun, and a second click on the same point deselects it)."""
    try:
        points = list(state["selection"]["points"]) if state else []
    except (KeyError, TypeError):
        points = []
    seen = [(p.get("curve_number"), p.get("x"), p.get("y")) for p in points]
    if seen == st.session_state.get(memory_key):
        return None
    st.session_state[memory_key] = seen
    return [
        (float(x), float(y), c)
        for c, x, y in seen
        if isinstance(x, (int, float)) and isinstance(y, (int, float))
    ]
