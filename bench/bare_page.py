"""A bare two-page Streamlit app: the floor that bench_first_render.py measures every page against.

Each page is a title and one line of text; the sidebar holds the navigation and one number input
(a sidebar change that reruns the page and lands in the URL), as the app's sidebar does. A third
page adds one small Plotly chart: the floor of any page with a chart in a fresh browser (Streamlit
fetches and evaluates its Plotly bundle, about 4.7 MB, the first time a chart is drawn).
"""

import streamlit as st


def first() -> None:
    st.title("A bare Streamlit page")
    st.write("A title and one line of text: what any Streamlit page costs to render.")


def second() -> None:
    st.title("A second bare page")
    st.write("The same, to switch to.")


def chart() -> None:
    import plotly.graph_objects as go

    st.title("A bare page with one chart")
    st.plotly_chart(go.Figure(go.Scatter(y=[1, 3, 2])))


nav = st.navigation(
    [
        st.Page(first, title="Bare one", default=True),
        st.Page(second, title="Bare two", url_path="two"),
        st.Page(chart, title="Bare chart", url_path="chart"),
    ]
)
seed = st.sidebar.number_input("Seed", 0, 10_000, 0, step=1, key="bare_seed")
st.query_params["seed"] = str(seed)  # as the app writes its settings into the URL
nav.run()
