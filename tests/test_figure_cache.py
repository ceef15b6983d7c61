"""ui/figures.py: figures built once per key, a run's key, frozen figures."""

from __future__ import annotations

import json

import plotly.graph_objects as go

from app_logic.run import build_run
from app_logic.settings import Settings
from ui import figures


def test_run_key_names_the_numbers_and_labels():
    a, b = build_run(Settings()), build_run(Settings())
    assert a.trace is not b.trace and figures.run_key(a) == figures.run_key(b)
    assert figures.run_key(build_run(Settings(seed=1))) != figures.run_key(a)
    assert figures.run_key(build_run(Settings(hidden_size=5))) != figures.run_key(a)
    text_a = build_run(Settings(input_kind="text", input_text="ab"))
    text_b = build_run(Settings(input_kind="text", input_text="ba"))
    assert figures.run_key(text_a) != figures.run_key(text_b)


def test_cached_figure_builds_once_per_key():
    calls = []

    def build(n):
        calls.append(n)
        return go.Figure(go.Scatter(x=[0, 1], y=[n, n]))

    key = ("test.cache", id(calls))
    first = figures.cached_figure((*key, 1), lambda: build(1))
    again = figures.cached_figure((*key, 1), lambda: build(1))
    other = figures.cached_figure((*key, 2), lambda: build(2))
    assert calls == [1, 2] and first is again and other is not first
    assert list(other.to_dict()["data"][0]["y"]) == [2, 2]


def test_a_frozen_figure_makes_its_dict_once_and_it_is_the_same_figure():
    fig = go.Figure(go.Bar(x=["a", "b"], y=[1.5, -2.0]), layout={"title": {"text": "t"}})
    want = json.loads(fig.to_json())
    frozen = figures.freeze(fig)
    assert frozen is fig and isinstance(fig, figures.FrozenFigure)
    assert fig.to_dict() is fig.to_dict()
    assert json.loads(fig.to_json()) == want
