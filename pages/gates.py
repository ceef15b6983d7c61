"""Gates over time: heatmaps of f, i, g, o; the c and h paths; who still speaks in c_t; saturation.

Thin: reads the shared settings, run and selection; the numbers are `app_logic.memory_view` (over
`lstm_core.analysis`), the figures `viz.gates_time` and `viz.contributions`. A click on a heatmap
cell sets the shared selection (t, unit) for every page.
"""

from __future__ import annotations

import streamlit as st

from app_logic.i18n import tr
from app_logic.memory_view import memory_at, memory_split
from ui import a11y, session, widgets
from ui.figures import cached_figure, run_key
from viz import palette
from viz.contributions import contributions_at_t, contributions_over_time, steps_text
from viz.gates_time import gate_heatmaps, heatmap_cell, memory_paths, saturation_histograms
from viz.time_axis import exact

HEAT_KEY = "gates_heatmap"  # the heatmap chart's selection state
LAST_CLICK = "_gates_last_click"  # the last click acted on (a repeated click deselects)
MEMO = "_gates_memo"

_col = palette.latex  # a KaTeX symbol in its article colour


# c_t = Σ_k (∏ f) ⊙ i_k ⊙ g_k + (∏ f) ⊙ c_{-1}, each symbol in its article colour; c_{-1} is the
# initial state (viz.contributions.INITIAL_LABEL), k and j run from step 0
SPLIT_LATEX = (
    rf"{_col('c', 'c_t')} = \sum_{{0 \le k \le t}}"
    rf" \Big(\prod_{{k < j \le t}} {_col('f', 'f_j')}\Big)"
    rf" \odot {_col('i', 'i_k')} \odot {_col('g', 'g_k')}"
    rf" + \Big(\prod_{{0 \le j \le t}} {_col('f', 'f_j')}\Big) \odot {_col('c', 'c_{-1}')}"
)


def analysis_of(run: session.Run, k: int, d: int):
    """The memory split of layer k, direction d (memoised for the session's current run)."""
    memo = st.session_state.get(MEMO)
    if memo is not None and memo[0] is run.trace and memo[1] == (k, d):
        return memo[2]
    result = memory_split(run.trace.layers[k][d])
    st.session_state[MEMO] = (run.trace, (k, d), result)
    return result


lang = session.lang()
run = session.current_run()
clicked = heatmap_cell(widgets.new_click(st.session_state.get(HEAT_KEY), LAST_CLICK) or [])
if clicked is not None:
    session.set_selection(t=clicked[0], unit=clicked[1])
sel = session.selection()
tr_ = run.trace
labels = run.step_labels

st.title(tr("gates.title", lang))
session.page_link("pages/gru_cell.py", label=tr("gru.lstm_only_note", lang), icon=":material/info:")
st.markdown(tr("gates.intro", lang))

# ----- what to look at: layer, direction, t, unit --------------------------------------------
cols = st.columns([1, 1, 2, 1])
with cols[0]:
    widgets.pick(
        st.selectbox, tr("gates.pick_layer", lang), "gates_pick_layer", "layer",
        range(tr_.num_layers), sel.layer, disabled=tr_.num_layers == 1,
    )  # fmt: skip
with cols[1]:
    widgets.pick(
        st.selectbox, tr("gates.pick_direction", lang), "gates_pick_direction", "direction",
        range(tr_.num_directions), sel.direction, disabled=tr_.num_directions == 1,
        format_func=lambda d: tr(f"gates.direction_{d}", lang),
    )  # fmt: skip
with cols[2]:
    widgets.pick(
        st.select_slider, tr("gates.pick_t", lang), "gates_pick_t", "t", range(run.T), sel.t,
        format_func=lambda t: labels[t], disabled=run.T == 1,
    )  # fmt: skip
with cols[3]:
    widgets.pick(
        st.selectbox, tr("gates.pick_unit", lang), "gates_pick_unit", "unit",
        [widgets.ALL, *range(run.H)], sel.unit,
        format_func=lambda j: tr("gates.all_units", lang) if j == widgets.ALL else str(j),
    )  # fmt: skip

k, d, t = sel.layer, sel.direction, sel.t
j = 0 if sel.unit is None else sel.unit
lt = tr_.layers[k][d]
fig_key = (run_key(run), k, d, lang)  # what every figure below depends on, plus its own inputs
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
a11y.chart(
    cached_figure(
        ("fig gates heatmaps", *fig_key, t, sel.unit),
        lambda: gate_heatmaps(lt, t_sel=t, unit_sel=sel.unit, step_labels=labels, lang=lang),
    ),
    "words.gates_heatmaps", lang, key=HEAT_KEY, on_select="rerun", selection_mode="points",
)  # fmt: skip

# ----- 2. the two paths -----------------------------------------------------------------------
st.subheader(tr("gates.section_paths", lang))
st.caption(tr("gates.paths_explain", lang))
if sel.unit is None:
    st.info(tr("gates.no_unit_hint", lang), icon=":material/touch_app:")
if lt.weight_hr is not None:
    st.caption(tr("gates.proj_note", lang))
a11y.chart(
    cached_figure(
        ("fig gates paths", *fig_key, j, t),
        lambda: memory_paths(lt, j, t_sel=t, step_labels=labels, lang=lang),
    ),
    "words.gates_paths", lang,
)  # fmt: skip

# ----- 3. the exact split of c_t --------------------------------------------------------------
st.subheader(tr("gates.section_contrib", lang))
st.markdown(tr("gates.contrib_explain", lang))
st.latex(SPLIT_LATEX)
ms = analysis_of(run, k, d)
at_t = memory_at(ms, lt, t, j)
m = st.columns(5)
m[0].metric(tr("gates.metric_c", lang), f"{at_t.c_t:.6f}", help=exact(at_t.c_t))
m[1].metric(tr("gates.metric_sum", lang), f"{at_t.total:.6f}", help=exact(at_t.total))
for col, name, value, never in (
    (m[2], "lookback", at_t.lookback, "gates.longer_than_sequence"),
    (m[3], "ahead", at_t.ahead, "gates.longer_than_sequence"),
    (m[4], "implied", at_t.implied, "gates.infinite"),
):
    col.metric(
        tr(f"gates.metric_{name}", lang),
        steps_text(value, lang, never),
        help=tr(f"gates.metric_{name}_help", lang),
    )
st.caption(tr("gates.half_life_explain", lang))
a11y.chart(
    cached_figure(
        ("fig gates contrib_at_t", *fig_key, t, j),
        lambda: contributions_at_t(
            ms.split, lt, t, j, lookback=at_t.lookback, step_labels=labels, lang=lang
        ),
    ),
    "words.contrib_at_t", lang,
)  # fmt: skip
st.caption(tr("gates.contrib_time_explain", lang))
a11y.chart(
    cached_figure(
        ("fig gates contrib_over_time", *fig_key, j, t),
        lambda: contributions_over_time(ms.split, lt, j, t_sel=t, step_labels=labels, lang=lang),
    ),
    "words.contrib_over_time", lang,
)  # fmt: skip

# ----- 4. saturation --------------------------------------------------------------------------
st.subheader(tr("gates.section_sat", lang))
st.caption(tr("gates.sat_explain", lang))
a11y.chart(
    cached_figure(("fig gates saturation", *fig_key), lambda: saturation_histograms(lt, lang=lang)),
    "words.saturation", lang,
)  # fmt: skip

session.page_link("pages/cell.py", label=tr("gates.open_cell", lang), icon=":material/memory:")
