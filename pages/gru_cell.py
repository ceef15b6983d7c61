"""Inside a GRU cell: reset gate, update gate, candidate, new memory; stage by stage, predict first.

Thin: the numbers are `app_logic.gru_view` (recomputed from the weights, equal to the core's
trace), the diagram and equations `viz.gru`. The GRU is built here from the sidebar's input, H
and seed (its own weights); the LSTM beside it is the sidebar's model, on the same input.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_logic import gru_view as gv
from app_logic.i18n import tr
from ui import a11y, session, widgets
from viz import gru as vg

REVEALED = "_gru_revealed"  # session state: the (t, j, stage) whose value was revealed
CHART = {"displayModeBar": False}


@st.cache_resource(max_entries=16, ttl="1h", show_spinner=False)
def _gru(x_bytes: bytes, shape: tuple, H: int, seed: int):
    return gv.build_gru(np.frombuffer(x_bytes).reshape(shape), H, seed)


def _next_stage(k: int, T: int, t: int) -> None:
    """The "next" button: the next stage, or the first stage of the next timestep."""
    if k + 1 < len(gv.STAGES):
        st.session_state["_gru_stage"] = gv.STAGES[k + 1]
    elif t + 1 < T:
        st.session_state["_gru_stage"], st.session_state["_gru_t"] = gv.STAGES[0], t + 1


cfg = session.settings()
lang = cfg.lang
run = session.current_run()
x = np.ascontiguousarray(run.x, dtype=np.float64)
model, trace = _gru(x.tobytes(), x.shape, run.H, cfg.seed)

st.title(tr("gru.title", lang))
st.markdown(tr("gru.intro", lang))
st.caption(tr("gru.model_note", lang, H=run.H, seed=cfg.seed, T=run.T, D=run.D))

ss = st.session_state
cols = st.columns([3, 1, 3, 1.4])
ss["_gru_t"] = min(int(widgets.kept_value("gru_t", gv.opening_t(trace))), run.T - 1)
ss["_gru_j"] = min(
    int(widgets.kept_value("gru_j", gv.opening_unit(trace, ss["_gru_t"]))), run.H - 1
)  # the sidebar may shrink T, H
cols[0].select_slider(
    tr("gru.t", lang),
    options=list(range(run.T)),
    format_func=lambda t: run.step_labels[t],
    **widgets.kept("gru_t", 0),
)
cols[1].selectbox(tr("gru.unit", lang), list(range(run.H)), **widgets.kept("gru_j", 0))
cols[2].select_slider(
    tr("gru.stage", lang),
    options=list(gv.STAGES),
    format_func=lambda s: tr(f"gru.stage_{s}", lang),
    **widgets.kept("gru_stage", gv.STAGES[0]),
)
predict = cols[3].toggle(tr("gru.predict_toggle", lang), **widgets.kept("gru_predict", True))

t, j = int(ss["gru_t"]), int(ss["gru_j"])
stage = ss["gru_stage"]
k = gv.STAGES.index(stage)
nums = gv.gru_numbers(model, x, trace, t, j)
seen = ss.setdefault(REVEALED, set())
revealed = not predict or (t, j, stage) in seen

st.markdown(f"#### {tr(f'gru.stage_{stage}', lang)}")
st.markdown(tr(f"gru.explain_{stage}", lang))
if not revealed:
    with st.container(border=True):
        choice = st.radio(
            tr(f"gru.q_{stage}", lang),
            gv.QUESTIONS[stage],
            index=None,
            horizontal=True,
            format_func=lambda o: tr(f"gru.a_{stage}_{o}", lang),
            key=f"gru_q_{t}_{j}_{stage}",
        )
        if st.button(tr("gru.reveal", lang), key="gru_reveal", disabled=choice is None):
            seen.add((t, j, stage))
            ss["_gru_choice"] = (t, j, stage, choice)
            st.rerun()
        if choice is None:
            st.caption(tr("gru.pick_first", lang))
else:
    last = ss.get("_gru_choice")
    if predict and last is not None and last[:3] == (t, j, stage):
        ok = gv.judge(stage, nums, last[3])
        right = tr(f"gru.a_{stage}_{gv.correct_answer(stage, nums)}", lang)
        (st.success if ok else st.warning)(
            tr(
                "gru.right" if ok else "gru.wrong",
                lang,
                answer=right,
                why=tr(f"gru.why_{stage}", lang),
            )
        )

a11y.chart(
    vg.create_gru_figure(nums, stage, revealed, lang), "words.gru_diagram", lang, config=CHART,
    key="gru_diagram",
)  # fmt: skip
st.latex(vg.stage_latex(nums, stage, revealed))
last_step = k + 1 == len(gv.STAGES) and t + 1 >= run.T
st.button(
    tr("gru.next", lang),
    key="gru_next",
    icon=":material/arrow_forward:",
    disabled=last_step,
    on_click=_next_stage,
    args=(k, run.T, t),
)

st.subheader(tr("gru.section_equations", lang))
for eq in vg.all_latex():
    st.latex(eq)
st.info(tr("gru.colah_note", lang), icon=":material/swap_horiz:")

st.subheader(tr("gru.section_pair", lang))
st.markdown(tr("gru.pair_explain", lang))
pair = gv.paired_traces(run.trace, trace)
jj = min(j, pair["lstm_h"].shape[1] - 1)
a11y.chart(
    vg.create_side_by_side(pair, jj, run.step_labels, lang), "words.gru_pair", lang, config=CHART,
    key="gru_pair",
)  # fmt: skip
m = st.columns(3)
n_lstm = gv.param_count(run.D, run.H, 4)
n_gru = gv.param_count(run.D, run.H, 3)
m[0].metric(tr("gru.metric_lstm_params", lang), f"{n_lstm:,}")
m[1].metric(
    tr("gru.metric_gru_params", lang), f"{n_gru:,}", delta=f"{n_gru - n_lstm:,}", delta_color="off"
)
m[2].metric(tr("gru.metric_states", lang), tr("gru.metric_states_value", lang))
if run.model.num_layers > 1 or run.model.bidirectional or run.model.proj_size:
    st.caption(tr("gru.pair_top_note", lang))
st.caption(tr("gru.pair_note", lang))
