"""The unrolled network at a glance: layers × timesteps, c and h flowing through, click to open.

Thin: reads the shared settings, run and selection; the figure is `viz.network.network_grid`.
A click on a cell sets the shared selection (layer, direction, t); a link opens that cell in the
step-through page (CNN Explainer's overview → detail).
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_logic.i18n import tr
from ui import a11y, session, widgets
from viz.network import QUANTITIES, cell_at, network_grid

GRID_KEY = "network_grid"  # the chart's selection state
LAST_CLICK = "_network_last_click"  # the last click acted on (a repeated click deselects)
QUANTITY = "network_pick_quantity"  # which value colours the cells (kept in "_" + QUANTITY)


def cell_table(lt, t: int, lang: str) -> dict[str, np.ndarray]:
    """The selected cell's values, one row per unit: what came in, the gates, what came out."""
    return {
        tr("network.col_unit", lang): np.arange(lt.hidden_size),
        "cₜ₋₁": lt.c_prev[t, 0],
        "f": lt.f[t, 0],
        "i": lt.i[t, 0],
        "g": lt.g[t, 0],
        "o": lt.o[t, 0],
        "cₜ": lt.c[t, 0],
        "tanh(cₜ)": lt.tanh_c[t, 0],
        "hₜ = o·tanh(cₜ)": lt.h_cell[t, 0],
    }


lang = session.lang()
run = session.current_run()
trace = run.trace
L, ND = trace.num_layers, trace.num_directions
clicked = cell_at(widgets.new_click(st.session_state.get(GRID_KEY), LAST_CLICK) or [], L, ND)
if clicked is not None:
    session.set_selection(layer=clicked[0], direction=clicked[1], t=clicked[2])
sel = session.selection()
labels = run.step_labels

st.title(tr("network.title", lang))
session.page_link("pages/gru_cell.py", label=tr("gru.lstm_only_note", lang), icon=":material/info:")
st.markdown(tr("network.intro", lang))

c1, c2 = st.columns([3, 1])
with c1:
    quantity = st.radio(
        tr("network.colour_by", lang),
        QUANTITIES,
        format_func=lambda q: tr(f"network.qs_{q}", lang),
        horizontal=True,
        **widgets.kept(QUANTITY, "c"),
    )
with c2:
    widgets.pick(
        st.selectbox,
        tr("network.pick_unit", lang),
        "network_pick_unit",
        "unit",
        [widgets.ALL, *range(run.H)],
        sel.unit,
        format_func=lambda j: tr("network.all_units", lang) if j == widgets.ALL else str(j),
    )

st.caption(tr("network.grid_explain", lang))
if run.T > 16:
    st.caption(tr("network.big_t_note", lang, T=run.T))
if run.model.proj_size:
    st.caption(tr("network.proj_note", lang))
a11y.chart(
    network_grid(
        trace, quantity, sel.unit, selected=(sel.layer, sel.direction, sel.t),
        step_labels=labels, lang=lang,
    ),
    "words.network_grid", lang, key=GRID_KEY, on_select="rerun", selection_mode="points",
)  # fmt: skip

lt = trace.layers[sel.layer][sel.direction]
st.subheader(
    tr(
        "network.selected_title",
        lang,
        k=sel.layer,
        direction=tr(f"network.direction_{sel.direction}", lang),
        t=labels[sel.t],
    )
)
st.caption(tr("network.selected_explain", lang))
l1, l2, _ = st.columns([1, 1, 2])
with l1:
    session.page_link(
        "pages/cell.py", label=tr("network.open_cell", lang), icon=":material/memory:"
    )
with l2:
    session.page_link(
        "pages/gates.py", label=tr("network.open_time", lang), icon=":material/timeline:"
    )
a11y.numbers(cell_table(lt, sel.t, lang), tr("network.table_label", lang))
