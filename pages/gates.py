"""Gates over time: heatmaps of f, i, g, o; the c and h paths; who still speaks in c_t; saturation.

Thin: reads the shared settings, run and selection; the math is in `lstm_core.analysis`, the
figures in `viz.gates_time` and `viz.contributions`. A click on a heatmap cell sets the shared
selection (t, unit) for every page.
"""

from __future__ import annotations

import streamlit as st

from app_logic.i18n import tr
from lstm_core.analysis import (
    contributions,
    half_life_steps,
    implied_half_life,
    lookback_half_life,
)
from ui import session
from viz import palette
from viz.contributions import contributions_at_t, contributions_over_time, steps_text
from viz.gates_time import gate_heatmaps, memory_paths, saturation_histograms
from viz.time_axis import exact

HEAT_KEY = "gates_heatmap"  # the heatmap chart's selection state
LAST_CLICK = "_gates_last_click"  # the last click acted on (a repeated click deselects)
MEMO = "_gates_memo"
ALL = "all"

_col = palette.latex  # a KaTeX symbol in its article colour


# c_t = Σ_k (∏ f) ⊙ i_k ⊙ g_k + (∏ f) ⊙ c_{-1}, each symbol in its article colour; c_{-1} is the
# initial state (viz.contributions.INITIAL_LABEL), k and j run from step 0
SPLIT_LATEX = (
    rf"{_col('c', 'c_t')} = \sum_{{0 \le k \le t}}"
    rf" \Big(\prod_{{k < j \le t}} {_col('f', 'f_j')}\Big)"
    rf" \odot {_col('i', 'i_k')} \odot {_col('g', 'g_k')}"
    rf" + \Big(\prod_{{0 \le j \le t}} {_col('f', 'f_j')}\Big) \odot {_col('c', 'c_{-1}')}"
)


def clicked_cell(state) -> tuple[int, int] | None:
    """(t, j) of a new click on the heatmaps, or None (no click, or the same one as before)."""
    points = []
    try:
        points = list(state["selection"]["points"]) if state else []
    except (KeyError, TypeError):
        points = []
    key = [(p.get("curve_number"), p.get("x"), p.get("y")) for p in points]
    if key == st.session_state.get(LAST_CLICK):
        return None
    st.session_state[LAST_CLICK] = key
    for p in points:
        x, y = p.get("x"), p.get("y")
        if isinstance(x, (int, float)) and isinstance(y, (int, float)):
            return int(round(x)), int(round(y))
    return None  # a deselection: keep the shared selection as it is


def analysis_of(run: session.Run, k: int, d: int):
    """(contributions, look-back half-life, ahead half-life) of layer k, direction d; memoised."""
    memo = st.session_state.get(MEMO)
    if memo is not None and memo[0] is run.trace and memo[1] == (k, d):
        return memo[2]
    lt = run.trace.layers[k][d]
    result = (contributions(lt), lookback_half_life(lt), half_life_steps(lt))
    st.session_state[MEMO] = (run.trace, (k, d), result)
    return result


def _on_pick(field: str, key: str) -> None:
    v = st.session_state[key]
    session.set_selection(**{field: None if v == ALL else int(v)})


lang = session.lang()
run = session.current_run()
clicked = clicked_cell(st.session_state.get(HEAT_KEY))
if clicked is not None:
    session.set_selection(t=clicked[0], unit=clicked[1])
sel = session.selection()
tr_ = run.trace
labels = run.step_labels

st.title(tr("gates.title", lang))
st.markdown(tr("gates.intro", lang))

# ----- what to look at: layer, direction, t, unit --------------------------------------------
cols = st.columns([1, 1, 2, 1])
with cols[0]:
    st.selectbox(
        tr("gates.pick_layer", lang),
        list(range(tr_.num_layers)),
        key=session.seed_widget("gates_pick_layer", sel.layer),
        on_change=_on_pick,
        args=("layer", "gates_pick_layer"),
        disabled=tr_.num_layers == 1,
    )
with cols[1]:
    st.selectbox(
        tr("gates.pick_direction", lang),
        list(range(tr_.num_directions)),
        format_func=lambda d: tr(f"gates.direction_{d}", lang),
        key=session.seed_widget("gates_pick_direction", sel.direction),
        on_change=_on_pick,
        args=("direction", "gates_pick_direction"),
        disabled=tr_.num_directions == 1,
    )
with cols[2]:
    st.select_slider(
        tr("gates.pick_t", lang),
        options=list(range(run.T)),
        format_func=lambda t: labels[t],
        key=session.seed_widget("gates_pick_t", sel.t),
        on_change=_on_pick,
        args=("t", "gates_pick_t"),
        disabled=run.T == 1,
    )
with cols[3]:
    st.selectbox(
        tr("gates.pick_unit", lang),
        [ALL, *range(run.H)],
        format_func=lambda j: tr("gates.all_units", lang) if j == ALL else str(j),
        key=session.seed_widget("gates_pick_unit", ALL if sel.unit is None else sel.unit),
        on_change=_on_pick,
        args=("unit", "gates_pick_unit"),
    )

k, d, t = sel.layer, sel.direction, sel.t
j = 0 if sel.unit is None else sel.unit
lt = tr_.layers[k][d]
st.caption(
    tr(
        "gates.selected",
        lang,
        k=k,
        direction=tr(f"gates.direction_{d}", lang),
        t=labels[t],
        j=tr("gates.all_units", lang) if sel.unit is None else sel.unit,
    )
)

# ----- 1. heatmaps ----------------------------------------------------------------------------
st.subheader(tr("gates.section_heat", lang))
st.caption(tr("gates.heat_explain", lang))
st.plotly_chart(
    gate_heatmaps(lt, t_sel=t, unit_sel=sel.unit, step_labels=labels, lang=lang),
    key=HEAT_KEY,
    on_select="rerun",
    selection_mode="points",
    width="stretch",
    config={"displayModeBar": False},
)

# ----- 2. the two paths -----------------------------------------------------------------------
st.subheader(tr("gates.section_paths", lang))
st.caption(tr("gates.paths_explain", lang))
if sel.unit is None:
    st.info(tr("gates.no_unit_hint", lang), icon=":material/touch_app:")
if lt.weight_hr is not None:
    st.caption(tr("gates.proj_note", lang))
st.plotly_chart(
    memory_paths(lt, j, t_sel=t, step_labels=labels, lang=lang),
    width="stretch",
    config={"displayModeBar": False},
)

# ----- 3. the exact split of c_t --------------------------------------------------------------
st.subheader(tr("gates.section_contrib", lang))
st.markdown(tr("gates.contrib_explain", lang))
st.latex(SPLIT_LATEX)
split, lookback, ahead = analysis_of(run, k, d)
c_t = float(lt.c[t, 0, j])
total = float(split.inputs[t, :, 0, j].sum() + split.initial[t, 0, j])
m = st.columns(5)
m[0].metric(tr("gates.metric_c", lang), f"{c_t:.6f}", help=exact(c_t))
m[1].metric(tr("gates.metric_sum", lang), f"{total:.6f}", help=exact(total))
m[2].metric(
    tr("gates.metric_lookback", lang),
    steps_text(float(lookback[t, 0, j]), lang, "gates.longer_than_sequence"),
    help=tr("gates.metric_lookback_help", lang),
)
m[3].metric(
    tr("gates.metric_ahead", lang),
    steps_text(float(ahead[t, 0, j]), lang, "gates.longer_than_sequence"),
    help=tr("gates.metric_ahead_help", lang),
)
implied = float(implied_half_life(lt.f[:, 0, j], lt.mask[:, 0]))
m[4].metric(
    tr("gates.metric_implied", lang),
    steps_text(implied, lang, "gates.infinite"),
    help=tr("gates.metric_implied_help", lang),
)
st.caption(tr("gates.half_life_explain", lang))
st.plotly_chart(
    contributions_at_t(
        split, lt, t, j, lookback=float(lookback[t, 0, j]), step_labels=labels, lang=lang
    ),
    width="stretch",
    config={"displayModeBar": False},
)
st.caption(tr("gates.contrib_time_explain", lang))
st.plotly_chart(
    contributions_over_time(split, lt, j, t_sel=t, step_labels=labels, lang=lang),
    width="stretch",
    config={"displayModeBar": False},
)

# ----- 4. saturation --------------------------------------------------------------------------
st.subheader(tr("gates.section_sat", lang))
st.caption(tr("gates.sat_explain", lang))
st.plotly_chart(
    saturation_histograms(lt, lang=lang), width="stretch", config={"displayModeBar": False}
)

session.page_link("pages/cell.py", label=tr("gates.open_cell", lang), icon=":material/memory:")
