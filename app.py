"""LSTM explainer, the app shell: navigation, the shared sidebar (drawn once, here), the landing.

Run with `streamlit run app.py`. Every page reads the settings through `ui.session`.
"""

from __future__ import annotations

import re
from pathlib import Path

import streamlit as st

from app_logic import pages as app_pages
from app_logic.i18n import tr
from ui import a11y, session, sidebar, warmup
from viz import palette as pal
from viz.contrast import text_on

ICON = str(Path(__file__).with_name("assets") / "favicon.png")  # a material icon is fetched
session.begin_run()  # before anything reads the settings: Back / Forward restore the URL's
warmup.touch()  # torch is imported in the background once the process is quiet (Compare page)
st.set_page_config(page_title=tr("common.app_title", session.lang()), page_icon=ICON, layout="wide")


def _bold(md: str) -> str:
    """**x** → <b>x</b>, for texts placed inside HTML."""
    return re.sub(r"\*\*(.+?)\*\*", r"<b>\1</b>", md)


POINT_COLORS = (
    pal.STAGE_EDGE["forget"],
    pal.STAGE_EDGE["input"],
    pal.STAGE_EDGE["output"],
    pal.SIGMA_BOX,
    pal.TANH_BOX,
)


def _equations() -> str:
    """torch's equations, each symbol in its article colour (KaTeX \\textcolor)."""
    col = pal.latex
    x, h1 = col("x", "x_t"), col("h", "h_{t-1}")

    def gate(act: str, g: str) -> str:
        return rf"{act}(W_{{i{g}}} {x} + b_{{i{g}}} + W_{{h{g}}} {h1} + b_{{h{g}}})"

    i_t, f_t, g_t, o_t = (col(g, f"{g}_t") for g in "ifgo")
    c_t, h_t = col("c", "c_t"), col("h", "h_t")
    sig, tanh = r"\sigma", r"\tanh"
    return "\n".join(
        [
            r"\begin{aligned}",
            rf"{f_t} &= {gate(sig, 'f')}\\",
            rf"{i_t} &= {gate(sig, 'i')}\\",
            rf"{g_t} &= {gate(tanh, 'g')}\\",
            rf"{c_t} &= {f_t} \odot {col('c', 'c_{t-1}')} + {i_t} \odot {g_t}\\",
            rf"{o_t} &= {gate(sig, 'o')}\\",
            rf"{h_t} &= {o_t} \odot \tanh({c_t})",
            r"\end{aligned}",
        ]
    )


def home() -> None:
    """The landing page: what an LSTM is, the colour code, the way around."""
    from viz.legend import cell_svg, legend_html

    lang = session.lang()
    st.title(tr("home.title", lang))
    st.markdown(f"##### {tr('home.tagline', lang)}")
    _lesson_call(lang)

    left, right = st.columns([8, 12], gap="large")
    with left:
        st.subheader(tr("home.what_title", lang))
        st.markdown(tr("home.what_body", lang))
        labels = {k: tr(f"home.legend_{k}", lang) for k in _LEGEND_KEYS}
        st.html(legend_html(labels))
    with right:
        st.subheader(tr("home.diagram_title", lang))
        # st.html strips SVG; markdown with HTML keeps it (the SVG is ours, no user text in it).
        label = tr("home.diagram_words", lang)
        svg = f'<div role="img" aria-label="{label}">{cell_svg()}</div>'
        st.markdown(svg, unsafe_allow_html=True)
        st.caption(tr("home.diagram_caption", lang))

    left, right = st.columns([11, 9], gap="large")
    with left:
        st.subheader(tr("home.points_title", lang))
        cards = []
        for n, color in enumerate(POINT_COLORS, start=1):
            text = _bold(tr(f"home.point{n}", lang))
            cards.append(
                f'<div style="display:flex;gap:12px;align-items:flex-start;margin:0 0 10px 0;'
                f"padding:10px 14px;border-left:5px solid {color};background:#f8f9fa;"
                f'border-radius:6px">'
                f'<div style="flex:none;width:28px;height:28px;border-radius:14px;'
                f"background:{color};color:{text_on(color)};"
                f'font-weight:700;text-align:center;line-height:28px">{n}</div>'
                f'<div style="line-height:1.5">{text}</div></div>'
            )
        st.html("".join(cards))
    with right:
        st.subheader(tr("home.equations_title", lang))
        st.latex(_equations())
        st.caption(tr("home.equations_caption", lang))

    st.divider()
    st.subheader(tr("home.around_title", lang))
    st.caption(tr("home.start_hint", lang))
    pages = {file: (title_key, icon) for file, _url, title_key, icon in session.PAGES}
    files = list(app_pages.CARDS)
    for row in range(0, len(files), 3):  # one st.columns per row: its cards line up
        cols = st.columns(3)
        for col, file in zip(cols, files[row : row + 3]):
            title_key, icon = pages[file]
            with col, st.container(border=True, height="stretch"):
                session.page_link(_PAGE_OBJECTS[file], label=tr(title_key, lang), icon=icon)
                st.caption(tr(app_pages.CARDS[file], lang))

    st.divider()
    c1, c2 = st.columns(2, gap="large")
    with c1:
        st.subheader(tr("home.current_title", lang))
        run = session.current_run()
        st.markdown(
            tr(
                "home.current_body",
                lang,
                T=run.T,
                D=run.D,
                H=run.H,
                L=run.trace.num_layers,
                dirs=run.trace.num_directions,
                source=tr(f"common.weights_{run.source}", lang),
            )
        )
    with c2:
        st.subheader(tr("home.torch_title", lang))
        a11y.code(
            "rnn = nn.LSTM(input_size=10, hidden_size=20,\n"
            "              num_layers=2)\n"
            "input = torch.randn(5, 3, 10)  # (T, B, D)\n"
            "h0 = torch.randn(2, 3, 20)     # h: short-term\n"
            "c0 = torch.randn(2, 3, 20)     # c: long-term\n"
            "output, (hn, cn) = rnn(input, (h0, c0))\n"
            "output.shape  # torch.Size([5, 3, 20])",
            tr("words.code_region", lang),
        )
        st.caption(tr("home.torch_body", lang))


def _lesson_call(lang: str) -> None:
    """The first call to action: the guided lesson, where a beginner starts."""
    with st.container(border=True):
        session.page_link(
            _PAGE_OBJECTS["pages/guided_lesson.py"], label=f"**{tr('lesson.cta', lang)}**",
            icon=":material/school:",
        )  # fmt: skip
        st.caption(tr("lesson.cta_body", lang))


_LEGEND_KEYS = ("c", "h", "x", "sigma", "tanh", "forget", "input", "candidate", "output", "hidden")

lang = session.lang()
_PAGE_OBJECTS = {
    file: st.Page(file, title=tr(title_key, lang), icon=icon, url_path=url)
    for file, url, title_key, icon in session.PAGES
}
_home = st.Page(home, title=tr("common.nav_home", lang), icon=":material/home:", default=True)
nav = st.navigation(  # the landing page heads the first section
    {
        tr(title_key, lang): [_home] * (n == 0) + [_PAGE_OBJECTS[file] for file in files]
        for n, (title_key, files) in enumerate(app_pages.SECTIONS)
    }
)
session.note_page(nav.url_path)  # the first run on a page re-sends the kept widget values
sidebar.draw()
with st.sidebar:  # not in the main area: its first element stays the page's own
    a11y.setup(lang)  # contrast and focus CSS; what makes scrollers and figure buttons reachable
    warmup.plotly_in_browser()  # Plotly's code loaded while idle, before the first chart
sidebar.show_messages()
session.selection()  # clamped to the current run before any page reads it
session.sync_query_params()
nav.run()
