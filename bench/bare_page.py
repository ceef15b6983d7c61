"""A bare Streamlit page: the floor that bench_first_render.py measures every page against."""

import streamlit as st

st.title("A bare Streamlit page")
st.write("A title and one line of text: what any Streamlit page costs to render.")
