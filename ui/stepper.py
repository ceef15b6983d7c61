"""The cell figure's frame, followed by the server; the keyboard, stepping the figure.

Stepping happens in the browser (the figure's own frames), which keeps a step instant. A small
component (`stepper.js`, st.components.v2: it runs in the page) reports every frame the figure
reaches as the state value "frame"; `follow()` turns it into the shared selection (t, stage,
reveal), which writes the URL. Mounted inside a fragment, a report reruns only the fragment:
the figure is not redrawn. The same component steps the figure with the keyboard.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

from viz.cell_diagram import Step, parse_frame_name

# The figure's button row, in order (viz.cell_diagram._buttons): the keys press these.
BUTTONS = ("prev_t", "prev", "next", "next_t", "play", "pause")
DEBOUNCE_MS = 250  # report a frame once stepping pauses this long (fast key repeats: one report)

_component = st.components.v2.component(
    "lstm_cell_stepper", js=(Path(__file__).with_name("stepper.js")).read_text(encoding="utf-8")
)


def reported_step(state) -> Step | None:
    """The Step in the component's state (a mapping with "frame"), or None if there is none."""
    try:
        return parse_frame_name(state["frame"])
    except (KeyError, TypeError, ValueError):
        return None


def follow(chart_key: str, key: str, on_step: Callable[[Step], None]) -> None:
    """Mount the component for the plotly chart `chart_key`; call on_step(step) on each report."""

    def changed() -> None:
        step = reported_step(st.session_state.get(key))
        if step is not None:
            on_step(step)

    _component(
        key=key,
        data={
            "chart": chart_key,
            "debounce_ms": DEBOUNCE_MS,
            "buttons": {name: n for n, name in enumerate(BUTTONS)},
        },
        height=0,
        on_frame_change=changed,
    )
