"""The pure logic under the shared selection: where pages open, the selection's URL, clicks → cells.

No Streamlit: `app_logic.settings`, `app_logic.run`, `app_logic.memory_view`, `app_logic.pages`
and the click mappings of `viz.gates_time` / `viz.network`.
"""

from __future__ import annotations

import numpy as np
import pytest

from app_logic.i18n import tr
from app_logic.memory_view import memory_at, memory_split
from app_logic.pages import PAGES, page_url
from app_logic.run import CLEAR, build_run, opening_step, shown_selection
from app_logic.settings import (
    Selection,
    Settings,
    clamp_selection,
    selection_from_query,
    selection_to_query,
)
from lstm_core.analysis import contributions
from viz.gates_time import heatmap_cell
from viz.network import cell_at, rows_of


def _sizes(run, t):
    lt = run.trace.layers[0][0]
    return float(np.abs(lt.x[t, 0]).max()), float(np.abs(lt.c_prev[t, 0]).max())


# ----- where the pages open --------------------------------------------------------------------


def test_the_default_run_opens_past_the_empty_first_step():
    run = build_run(Settings())
    t = opening_step(run)
    assert t == 1  # sine: x₀ = 0 and c₋₁ = 0; at t = 1, x = 0.5 and max |c₀| ≈ 0.46
    assert _sizes(run, 0) == (0.0, 0.0)
    x, c = _sizes(run, t)
    assert x >= CLEAR and c >= CLEAR


@pytest.mark.parametrize(
    "cfg",
    [
        Settings(hidden_size=3),
        Settings(input_kind="step"),
        Settings(input_kind="noise", num_features=3, seed=5),
        Settings(weights="hand"),
        Settings(num_layers=2, bidirectional=True),
    ],
)
def test_the_opening_step_is_the_first_where_x_and_c_are_both_clear(cfg):
    run = build_run(cfg)
    t = opening_step(run)
    assert t > 0
    assert all(min(_sizes(run, s)) < CLEAR for s in range(t))
    assert min(_sizes(run, t)) >= CLEAR


def test_the_step_input_opens_where_it_steps_up():
    assert opening_step(build_run(Settings(input_kind="step"))) == 6  # x = 0 before t = 6


def test_no_clear_step_opens_at_zero():
    assert opening_step(build_run(Settings(input_kind="impulse"))) == 0  # x = 0 after t = 0
    assert opening_step(build_run(Settings(seq_len=1))) == 0


def test_shown_selection_fills_a_t_not_chosen_and_keeps_a_chosen_one():
    run = build_run(Settings(hidden_size=3, seq_len=5))
    assert shown_selection(Selection(), run) == Selection(t=opening_step(run))
    assert shown_selection(Selection(t=0), run) == Selection(t=0)
    assert shown_selection(Selection(t=99, unit=7), run) == Selection(t=4, unit=2)
    assert clamp_selection(Selection(unit=7), run) == Selection(unit=2)  # t stays not chosen


# ----- the selection's URL ---------------------------------------------------------------------


def test_a_t_not_chosen_stays_out_of_the_url_and_a_chosen_zero_stays_in():
    assert selection_to_query(Selection()) == {}
    assert selection_to_query(Selection(t=0)) == {"t": "0"}
    assert selection_from_query({})[0] == Selection()
    assert selection_from_query({"t": "0"})[0] == Selection(t=0)
    for sel in (Selection(), Selection(t=0), Selection(t=7, unit=3, stage=2, reveal=True)):
        assert selection_from_query(selection_to_query(sel)) == (sel, [])


def test_a_bad_t_says_the_default_is_the_opening_step():
    sel, problems = selection_from_query({"t": "soon"})
    assert sel == Selection()
    [(key, fmt)] = problems
    assert fmt == {"param": "t", "value": "soon", "default": "auto"}
    assert "t=soon" in tr(key, "en", **fmt) and "opening step" in tr(key, "en", **fmt)
    assert "t=soon" in tr(key, "zh", **fmt) and "开头" in tr(key, "zh", **fmt)
    assert "auto" not in tr(key, "en", **fmt)  # the link's word for it, not the reader's
    assert selection_from_query({"t": "auto"}) == (Selection(), [])
    [(key, fmt)] = selection_from_query({"j": "-2"})[1]
    assert "every unit" in tr(key, "en", **fmt) and "全部单元" in tr(key, "zh", **fmt)


# ----- a click on a chart → the cell it names ----------------------------------------------------


def test_a_heatmap_click_names_timestep_and_unit():
    assert heatmap_cell([(3.0, 2.0, 1)]) == (3, 2)
    assert heatmap_cell([(4.4, 0.6, 7), (9.0, 9.0, 1)]) == (4, 1)  # the first point, rounded
    assert heatmap_cell([]) is None  # a deselection


def test_a_network_click_names_layer_direction_and_timestep():
    rows = rows_of(2, 2)
    top = rows[-1]
    assert (top.k, top.d) == (1, 1)
    assert cell_at([(6.0, top.y, 9)], 2, 2) == (1, 1, 6)
    assert cell_at([(2.0, rows[0].y, 0)], 2, 2) == (0, 0, 2)
    marker = rows[0].y - 1.1  # an input marker, below the first row
    assert cell_at([(2.0, marker, 0)], 2, 2) is None
    assert cell_at([(2.0, marker, 0), (5.0, rows[1].y, 3)], 2, 2) == (0, 1, 5)
    assert cell_at([], 2, 2) is None


# ----- the time page's numbers -----------------------------------------------------------------


def test_memory_at_sums_the_split_back_to_c_t():
    run = build_run(Settings(hidden_size=3, seq_len=9))
    lt = run.trace.layers[0][0]
    ms = memory_split(lt)
    split = contributions(lt)
    for t, j in ((0, 0), (4, 1), (8, 2)):
        m = memory_at(ms, lt, t, j)
        assert m.c_t == lt.c[t, 0, j]
        assert m.total == pytest.approx(m.c_t, abs=1e-12)
        want = split.inputs[t, :, 0, j].sum() + split.initial[t, 0, j]
        assert m.total == pytest.approx(float(want), abs=1e-15)
        assert m.lookback == ms.lookback[t, 0, j] or np.isnan(m.lookback)
        f = lt.f[:, 0, j]  # every step ran: the implied half-life is −ln 2 / mean(ln f)
        assert m.implied == pytest.approx(-np.log(2) / np.mean(np.log(f)), rel=1e-12)


# ----- the page list ---------------------------------------------------------------------------


def test_page_url_names_each_page_and_refuses_an_unknown_one():
    assert page_url("pages/cell.py") == "step"
    assert [page_url(f) for f, *_ in PAGES] == [url for _, url, *_ in PAGES]
    with pytest.raises(KeyError):
        page_url("pages/nope.py")
