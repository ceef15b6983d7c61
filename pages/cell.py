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
from ui import a11y, session, stepper, widgets
from ui.figures import freeze
from viz import palette
from viz.cell_diagram import MAX_STEPS, Step, create_cell_figure, step_window
from viz.cell_words import cell_words, frame_texts

REOPEN = "_cell_reopen"  # the "open at t" slider moved: rerun the page, not only its fragment


@st.cache_resource(max_entries=16, ttl="1h", show_spinner=False)
def _figure(
    _trace, fingerprint: str, sel: session.Selection, lang: str, labels: tuple, palette_name: str
):
    """The figure for one view (cached: hundreds of frames take a moment to build), in the
    palette `palette_name` (part of the key: the cache is shared by every session)."""
    with palette.using(palette_name):
        return freeze(create_cell_figure(
            _trace, layer=sel.layer, direction=sel.direction, unit=sel.unit, t=sel.t,
            stage=sel.stage, reveal=sel.reveal, predict=sel.predict, lang=lang, step_labels=labels,
        ))  # fmt: skip


def _fingerprint(run: session.Run) -> str:
    """Identifies the numbers of a run (the cache must not mix up two models)."""
    h = hashlib.blake2b(digest_size=16)
    for layer in run.trace.layers:
        for lt in layer:
            h.update(lt.x.tobytes() + lt.h.tobytes() + lt.c.tobytes() + lt.z.tobytes())
    return h.hexdigest()


def _on_step(step: Step) -> None:
    """The figure reached `step` in the browser: the selection (and the URL) follow it."""
    session.set_selection(t=step.t, stage=step.s, reveal=step.sub == "a")


def _reopen(t: int) -> None:
    session.set_selection(t=int(t))
    st.session_state[REOPEN] = True


@st.fragment
def _timestep(run: session.Run, lang: str, words_box) -> None:
    """The "open at t" slider and the figure's follower: a step the figure reports reruns only
    this fragment (the slider shows the figure's t; the figure is not redrawn); moving the
    slider reruns the whole page (the figure reopens at that t)."""
    if run.T > 1:
        st.select_slider(
            tr("cell.start_t", lang), options=list(range(run.T)),
            format_func=lambda t: run.step_labels[t],
            **widgets.bound("cell_t", session.selection().t, _reopen),
        )  # fmt: skip
    stepper.follow("cell_diagram", "cell_stepper", _on_step)
    if st.session_state.pop(REOPEN, False):
        st.rerun(scope="app")
    words_box.caption(_words(run, lang))  # the frame reached, in words (follows the figure)


def _words(run: session.Run, lang: str) -> str:
    sel = session.selection()
    step = Step(sel.t, sel.stage, "a" if sel.reveal or not sel.predict else "q")
    texts = frame_texts(
        run.trace, step, layer=sel.layer, direction=sel.direction, unit=sel.unit,
        predict=sel.predict, lang=lang, step_labels=run.step_labels,
    )  # fmt: skip
    return cell_words(texts, lang)


cfg = session.settings()
lang = cfg.lang
st.title(tr("cell.title", lang))
session.page_link("pages/gru_cell.py", label=tr("gru.lstm_only_note", lang), icon=":material/info:")

run = session.current_run()  # URL and input problems are shown above every page by app.py
for note in run.notes:
    st.info(note)
sel = session.selection()
trace = run.trace
H = run.H
st.markdown(tr("cell.intro", lang))

cols = st.columns([1, 1, 1, 2, 1.4])
with cols[0]:
    widgets.pick(
        st.selectbox, tr("cell.layer", lang), "cell_layer", "layer", range(trace.num_layers),
        sel.layer,
    )  # fmt: skip
with cols[1]:
    dir_names = {0: tr("cell.forward", lang), 1: tr("cell.reverse", lang)}
    widgets.pick(
        st.selectbox, tr("cell.direction", lang), "cell_direction", "direction",
        range(trace.num_directions), sel.direction, format_func=dir_names.get,
    )  # fmt: skip
with cols[2]:
    widgets.pick(
        st.selectbox, tr("cell.unit", lang), "cell_unit", "unit", [widgets.ALL, *range(H)],
        sel.unit,
        format_func=lambda u: tr("cell.all_units", lang) if u == widgets.ALL else str(u),
    )  # fmt: skip
with cols[4]:
    st.toggle(
        tr("cell.predict_toggle", lang), help=tr("cell.predict_help", lang),
        **widgets.bound("cell_predict", sel.predict, lambda v: session.set_selection(predict=v)),
    )  # fmt: skip

sel = session.selection()
lt = trace.layers[sel.layer][sel.direction]
if run.T > MAX_STEPS:
    lo, hi = step_window(run.T, sel.t)
    st.info(tr("cell.window_note", lang, T=run.T, n=MAX_STEPS, lo=lo, hi=hi))
if not session.t_chosen() and sel.t > 0:  # no t asked for: the run's opening step
    st.caption(tr("cell.opening_note", lang, t=run.step_labels[sel.t]))
if sel.direction == 1:
    st.caption(tr("cell.reverse_note", lang))
if lt.weight_hr is not None:
    st.caption(tr("cell.proj_note", lang, P=lt.h.shape[-1]))

try:
    fig = _figure(trace, _fingerprint(run), sel, lang, tuple(run.step_labels), palette.active())
except ValueError as e:
    st.error(tr("cell.no_run", lang, reason=str(e)))
else:
    with a11y.scroller("cell"):  # a phone scrolls it sideways; its buttons take Tab and Enter
        st.plotly_chart(fig, width="stretch", config={"displayModeBar": False}, key="cell_diagram")
# The fragment (drawn after the figure, into the row above) reruns when the figure steps: it
# moves the slider and rewrites the figure's words below it.
words_box = st.container()
with cols[3]:
    _timestep(run, lang, words_box)
st.caption(tr("cell.controls_help", lang))

with st.expander(tr("cell.code_title", lang)):
    code_label = tr("words.code_region", lang)
    st.markdown(tr("cell.code_fast", lang))
    a11y.code(inspect.getsource(recurrence.run_direction), code_label)
    st.markdown(tr("cell.code_plain", lang))
    a11y.code(inspect.getsource(recurrence.cell_step), code_label)
