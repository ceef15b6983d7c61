"""Step through one LSTM cell: the article's diagram, stage by stage, timestep by timestep.

Stepping happens in the browser (the figure's own frames, buttons, slider and keys); the widgets
here choose what the figure shows (layer, direction, unit, the timestep it opens at) and rerun.
The frame reached is followed into the shared selection and the URL (ui.stepper), so a reload or
a shared link opens the figure at that same frame.
"""

import hashlib
import inspect

import streamlit as st

from app_logic.i18n import tr
from lstm_core import recurrence
from ui import session, stepper
from viz.cell_diagram import MAX_STEPS, Step, create_cell_figure, step_window

ALL = "all"
REOPEN = "_cell_reopen"  # the "open at t" slider moved: rerun the page, not only its fragment


@st.cache_resource(max_entries=16, ttl="1h", show_spinner=False)
def _figure(_trace, fingerprint: str, sel: session.Selection, lang: str, labels: tuple):
    """The figure for one view (cached: hundreds of frames take a moment to build)."""
    return create_cell_figure(
        _trace, layer=sel.layer, direction=sel.direction, unit=sel.unit, t=sel.t,
        stage=sel.stage, reveal=sel.reveal, predict=sel.predict, lang=lang, step_labels=labels,
    )  # fmt: skip


def _fingerprint(run: session.Run) -> str:
    """Identifies the numbers of a run (the cache must not mix up two models)."""
    h = hashlib.blake2b(digest_size=16)
    for layer in run.trace.layers:
        for lt in layer:
            h.update(lt.x.tobytes() + lt.h.tobytes() + lt.c.tobytes() + lt.z.tobytes())
    return h.hexdigest()


def _copy_to_selection(name: str, key: str) -> None:
    value = st.session_state[key]
    session.set_selection(**{name: None if value == ALL else int(value)})


def _bound(name: str, current) -> dict:
    """Widget arguments that keep its value in the shared selection (re-seeded, copied back)."""
    key = session.seed_widget(f"cell_{name}", current)
    return dict(key=key, on_change=_copy_to_selection, args=(name, key))


def _selector(widget, label: str, name: str, options: list, current, **kwargs):
    return widget(label, options=options, **_bound(name, current), **kwargs)


def _on_step(step: Step) -> None:
    """The figure reached `step` in the browser: the selection (and the URL) follow it."""
    session.set_selection(t=step.t, stage=step.s, reveal=step.sub == "a")


def _reopen(name: str, key: str) -> None:
    _copy_to_selection(name, key)
    st.session_state[REOPEN] = True


@st.fragment
def _timestep(run: session.Run, lang: str) -> None:
    """The "open at t" slider and the figure's follower: a step the figure reports reruns only
    this fragment (the slider shows the figure's t; the figure is not redrawn); moving the
    slider reruns the whole page (the figure reopens at that t)."""
    if run.T > 1:
        key = session.seed_widget("cell_t", session.selection().t)
        st.select_slider(
            tr("cell.start_t", lang), options=list(range(run.T)), key=key,
            format_func=lambda t: run.step_labels[t], on_change=_reopen, args=("t", key),
        )  # fmt: skip
    stepper.follow("cell_diagram", "cell_stepper", _on_step)
    if st.session_state.pop(REOPEN, False):
        st.rerun(scope="app")


cfg = session.settings()
lang = cfg.lang
st.title(tr("cell.title", lang))

run = session.current_run()  # URL and input problems are shown above every page by app.py
for note in run.notes:
    st.info(note)
sel = session.selection()
trace = run.trace
H = run.H
st.markdown(tr("cell.intro", lang))

cols = st.columns([1, 1, 1, 2, 1.4])
with cols[0]:
    _selector(
        st.selectbox, tr("cell.layer", lang), "layer", list(range(trace.num_layers)), sel.layer
    )
with cols[1]:
    dir_names = {0: tr("cell.forward", lang), 1: tr("cell.reverse", lang)}
    _selector(
        st.selectbox, tr("cell.direction", lang), "direction",
        list(range(trace.num_directions)), sel.direction, format_func=dir_names.get,
    )  # fmt: skip
with cols[2]:
    _selector(
        st.selectbox, tr("cell.unit", lang), "unit", [ALL, *range(H)],
        ALL if sel.unit is None else sel.unit,
        format_func=lambda u: tr("cell.all_units", lang) if u == ALL else str(u),
    )  # fmt: skip
with cols[3]:
    _timestep(run, lang)
with cols[4]:
    st.toggle(
        tr("cell.predict_toggle", lang), **_bound("predict", sel.predict),
        help=tr("cell.predict_help", lang),
    )  # fmt: skip

sel = session.selection()
lt = trace.layers[sel.layer][sel.direction]
if run.T > MAX_STEPS:
    lo, hi = step_window(run.T, sel.t)
    st.info(tr("cell.window_note", lang, T=run.T, n=MAX_STEPS, lo=lo, hi=hi))
if sel.direction == 1:
    st.caption(tr("cell.reverse_note", lang))
if lt.weight_hr is not None:
    st.caption(tr("cell.proj_note", lang, P=lt.h.shape[-1]))

try:
    fig = _figure(trace, _fingerprint(run), sel, lang, tuple(run.step_labels))
except ValueError as e:
    st.error(tr("cell.no_run", lang, reason=str(e)))
else:
    st.plotly_chart(fig, width="stretch", config={"displayModeBar": False}, key="cell_diagram")
st.caption(tr("cell.controls_help", lang))

with st.expander(tr("cell.code_title", lang)):
    st.markdown(tr("cell.code_fast", lang))
    st.code(inspect.getsource(recurrence.run_direction), language="python")
    st.markdown(tr("cell.code_plain", lang))
    st.code(inspect.getsource(recurrence.cell_step), language="python")
