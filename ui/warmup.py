"""Start torch's background warm-up once per process (`app_logic.warmup`), from app.py's runs."""

from __future__ import annotations

import threading

import streamlit as st

from app_logic import warmup


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
