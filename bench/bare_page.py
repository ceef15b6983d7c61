"""A bare two-page Streamlit app: the floor that bench_first_render.py measures every page against.

Each page is a title and one line of text; the sidebar holds the navigation and one number input
(a sidebar change that reruns the page and lands in the URL), as the app's sidebar does.
"""

import streamlit as st


def first() -> None:
    st.title("A bare Streamlit page")
    st.write("A title and one line of text: what any Streamlit page costs to render.")


def second() -> None:
    st.title("A second bare page")
    st.write("The same, to switch to.")


nav = st.navigation(
    [
        st.Page(first, title="Bare one", default=True),
        st.Page(second, title="Bare two", url_path="two"),
    ]
)
seed = st.sidebar.number_input("Seed", 0, 10_000, 0, step=1, key="bare_seed")
st.query_params["seed"] = str(seed)  # as the app writes its settings into the URL
nav.run()
