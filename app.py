"""LSTM explainer: the landing page (the full app shell is built on top of this)."""

import streamlit as st

st.set_page_config(page_title="LSTM explainer", layout="wide")
st.title("LSTM explainer")
st.write("Step through an LSTM cell gate by gate, and check every number against torch.nn.LSTM.")
