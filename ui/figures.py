"""Figures built once per input and shared across reruns and sessions.

Building a Plotly figure (every property validated by `go.Figure`) is most of a page's script time:
a page that rebuilt its figures on every rerun paid for them on every widget change and every page
switch back. `cached_figure(key, build)` builds a figure once per `key`, which must name every
input the figure depends on; `run_key(run)` names a run's numbers and labels (a digest of every
array of its trace and of its step and feature labels, computed once per trace). The figure object
is shared (read-only: `st.plotly_chart` copies it before sending), and `freeze` makes that copy
once per figure instead of once per run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import weakref
from collections.abc import Callable, Hashable

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from viz import palette

_DIGESTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def run_key(run) -> str:
    """A digest of every array of a run's trace (its layers' records) and of its labels: equal
    digests, equal figures. Computed once per trace object (a trace and its labels are built
    together by `app_logic.run.build_run`; `localise` keeps both)."""
    trace = run.trace
    key = _DIGESTS.get(trace)
    if key is None:
        h = hashlib.blake2b(digest_size=16)
        h.update("\0".join(run.step_labels + ("",) + run.feature_labels).encode())
        for layer in trace.layers:
            for lt in layer:
                for f in dataclasses.fields(lt):
                    a = getattr(lt, f.name)
                    if isinstance(a, np.ndarray):
                        h.update(f"{f.name}{a.dtype}{a.shape}".encode())
                        h.update(np.ascontiguousarray(a).tobytes())
                    else:
                        h.update(repr(a).encode())
        key = _DIGESTS[trace] = h.hexdigest()
    return key


class FrozenFigure(go.Figure):
    """A figure that is never changed after it is built (a cached one): its `to_dict()`, which
    `st.plotly_chart` calls on every run (a deep copy of every trace, frame and layout entry:
    16 ms for the cell diagram's 144 frames), is computed once. Changing it afterwards is a bug."""

    def to_dict(self) -> dict:
        d = self.__dict__.get("_frozen_dict")
        if d is None:
            d = self._frozen_dict = super().to_dict()
        return d


def freeze(fig: go.Figure) -> go.Figure:
    """`fig`, as a FrozenFigure (the same object): for figures kept in a cache."""
    if type(fig) is go.Figure:
        fig.__class__ = FrozenFigure
    return fig


@st.cache_resource(max_entries=128, ttl="1h", show_spinner=False)
def _cached(key: tuple, palette_name: str, _build: Callable[[], go.Figure]) -> go.Figure:
    with palette.using(palette_name):
        return freeze(_build())


def cached_figure(key: tuple[Hashable, ...], build: Callable[[], go.Figure]) -> go.Figure:
    """`build()`, once per `key` and palette: the key names the figure and every input it depends
    on (e.g. ("fig gates heatmaps", run_key(run), layer, direction, t, unit, lang)); the active
    palette (the one global a figure reads) is added here."""
    return _cached(key, palette.active(), build)
