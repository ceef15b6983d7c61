"""Variant lab: LSTM variants of Greff et al. (and the GRU) raced on one task, seed and budget.

Thin: the race is `app_logic.variant_lab` (the core's models, BPTT and Adam), run live in chunks
by `ui.variant_race`; figures in `viz.variants`; texts in assets/i18n/variants.toml.
"""

from __future__ import annotations

import streamlit as st

from app_logic import variant_lab as vl
from app_logic.i18n import tr
from ui import session
from ui import variant_race as vr

lang = session.lang()
st.title(tr("variants.title", lang))
st.markdown(tr("variants.intro", lang))
with st.expander(tr("variants.list_title", lang)):
    st.markdown(tr("variants.list", lang))

with st.container(border=True):
    cfg = vr.settings_form(lang)
problems = vl.check_race(cfg)
for key, fields in problems:
    st.error(tr(f"variants.{key}", lang, **fields))

st.subheader(tr("variants.section_predict", lang))
pick = vr.prediction(cfg, lang) if not problems else None
entry = vr.current()
running = entry is not None and not entry["race"].done
if st.button(
    tr("variants.start", lang),
    key="var_start",
    type="primary",
    icon=":material/flag:",
    disabled=bool(problems) or pick is None or running,
):
    vr.start(cfg, pick)
    entry = vr.current()
if pick is None and not problems:
    st.caption(tr("variants.predict_first", lang))

if entry is None:
    st.info(tr("variants.how_to_start", lang), icon=":material/flag:")
else:
    st.subheader(tr("variants.section_race", lang))
    if entry["race"].cfg != cfg:
        st.caption(tr("variants.settings_changed", lang))
    vr.live_fragment(lang)
    if not entry["race"].done:
        st.stop()
    st.subheader(tr("variants.section_results", lang))
    vr.results(entry, lang)
    st.subheader(tr("variants.section_flow", lang))
    st.markdown(tr("variants.flow_explain", lang))
    vr.flows(entry, lang)

st.subheader(tr("variants.section_greff", lang))
st.markdown(tr("variants.greff", lang))
st.caption(tr("variants.method_note", lang))
