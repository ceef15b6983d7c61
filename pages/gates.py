"""Placeholder until its owner writes this page: the title and the current run's shapes."""

import streamlit as st

from ui import session
from ui.i18n import tr

lang = session.lang()
run = session.current_run()
st.title(tr("common.nav_time", lang))
st.info(tr("common.placeholder", lang))
st.caption(tr("common.input_summary", lang, T=run.T, D=run.D))
