"""Warm-ups, from app.py's runs: torch's once per process on the server (`app_logic.warmup`),
and Plotly's code once per browser page (`plotly_warmup.js`)."""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from app_logic import warmup

# Streamlit's Plotly chunk (static/js/PlotlyChart.<hash>.js), named by the installed Streamlit.
_STATIC_JS = Path(st.__file__).parent / "static" / "static" / "js"
PLOTLY_CHUNK = next((p.name for p in sorted(_STATIC_JS.glob("PlotlyChart.*.js"))), "")

_plotly_component = st.components.v2.component(
    "lstm_plotly_warmup", js=Path(__file__).with_name("plotly_warmup.js").read_text("utf-8")
)


def plotly_in_browser() -> None:
    """Have the browser load Plotly's code while idle, before the first chart needs it (once per
    document; nothing when this Streamlit has no such chunk)."""
    if PLOTLY_CHUNK:
        _plotly_component(key="plotly_warmup", data={"chunk": PLOTLY_CHUNK}, height=0)


@st.cache_resource(show_spinner=False)
def torch_warmup() -> warmup.TorchWarmup | None:
    """The process's one warm-up thread, started on its first script run; None when
    LSTM_EXPLAINER_WARM_TORCH=0 turns it off."""
    if not warmup.enabled():
        return None
    return warmup.TorchWarmup(busy=_script_running).start()


def _script_running() -> bool:
    """A script run is in progress in this process (Streamlit runs each in a thread of this name,
    which ends with the run)."""
    return any(t.name == "ScriptRunner.scriptThread" for t in threading.enumerate())


def touch() -> None:
    """Call at the start of every script run: the warm-up waits until the process is quiet."""
    w = torch_warmup()
    if w is not None:
        w.touch()
