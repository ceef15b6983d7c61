"""Train & watch: train a small LSTM live on a toy task, then see what training did to its gates.

Thin: the form is `ui.train_form`; before the first click the page shows one example of the task
and the untrained model's answer; the training loop is `lstm_core.training.train` (a generator),
advanced in chunks by `ui.training_runner.TrainJob` (why chunks: see that module's docstring);
the views are `ui.train_view`. When training ends (or is stopped) the trained `LSTM` goes to
`st.session_state["trained_model"]`, the weights source "trained" of every other page.
"""

from __future__ import annotations

import streamlit as st

from app_logic.i18n import tr
from ui import session, train_form, train_view
from ui import training_runner as runner

lang = session.lang()
job = runner.get_job()
train_form.read_link()

st.title(tr("train.title", lang))
st.markdown(tr("train.intro", lang))
for key, fields in train_form.link_problems():
    st.warning(tr(key, lang, **fields), icon=":material/link_off:")

with st.container(border=True):
    values = train_form.settings_form(lang, job)
train_form.write_link()

problem = train_form.start_error()
if problem is not None:
    st.error(tr(f"train.{problem[0]}", lang, **problem[1]))

if job is None:  # before the first click: the task, and how wrong the untrained model is
    text, text_problem = train_form.task_text(values)
    if text_problem is None:
        train_view.task_preview(values, text, lang)
    st.info(tr("train.how_to_start", lang), icon=":material/model_training:")
    st.stop()

st.subheader(tr("train.section_live", lang))
train_view.live_fragment(job, lang)
if job.running:
    st.stop()

if not job.offered:
    runner.offer_model(job)
train_view.outcome(job, lang)
if not job.has_model:
    st.stop()
train_view.predictions(job, lang)
train_view.gates_change(job, lang)
train_view.hand_off(job, lang)
