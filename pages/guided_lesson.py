"""The lesson: seven chapters through the article, each predict → reveal → try it → check.

Thin: chapters, examples and answer checks are `app_logic.lesson`, figures `viz.lesson`, texts
`assets/i18n/lesson.toml`. The chapter is in the URL (`?chapter=N`); the answers are kept in the
session (`_lesson_answers`), so going back shows what was answered.
"""

import streamlit as st

from app_logic import lesson
from app_logic.i18n import tr
from ui import a11y, session, widgets
from viz.lesson import create_lesson_figure

ANSWERS = "_lesson_answers"  # {chapter: {"predict": option, "check": option}}
CHAPTER = "_lesson_chapter"  # the chapter shown last (opened again when the URL names none)
BAD_LINK = "_lesson_bad_link"  # a bad ?chapter= value, reported until the chapter changes
EMPTY = "_lesson_empty"  # (chapter, kind) of a submit with no option picked
SCROLL = "_lesson_scroll"  # a new chapter: scroll to the top once
N = lesson.N_CHAPTERS
TITLES = {file: key for file, _, key, _ in session.PAGES}
MARKS = {True: ":green[:material/check_circle:]", False: ":red[:material/cancel:]",
         None: ":gray[:material/radio_button_unchecked:]"}  # fmt: skip


def _answers() -> dict:
    return st.session_state.setdefault(ANSWERS, {})


def _go(n: int) -> None:
    """Previous / Next: the chapter, in the URL (one history entry), opened at the top."""
    st.session_state[CHAPTER] = n
    st.session_state.pop(BAD_LINK, None)
    st.session_state[SCROLL] = True
    session.write_query({"chapter"}, {"chapter": str(n)})


def _read_chapter() -> int:
    """The URL's chapter (a bad one → chapter 1 and a message), else the one seen last."""
    raw = st.query_params.get("chapter")
    n = st.session_state.get(CHAPTER, 1)
    if raw is not None:
        try:
            n = lesson.parse_chapter(raw)
        except ValueError:
            st.session_state[BAD_LINK] = str(raw)[:40]
            n = 1
    st.session_state[CHAPTER] = n
    session.write_query({"chapter"}, {"chapter": str(n)})
    return n


def _commit(n: int, kind: str) -> None:
    """A submit: keep the picked option as this chapter's answer (none picked: say so)."""
    choice = st.session_state.get(f"lesson_{kind}_{n}")
    st.session_state[EMPTY] = (n, kind) if choice is None else None
    if choice is not None:
        _answers().setdefault(n, {})[kind] = choice


def _ask(ch: lesson.Chapter, kind: str, nums: dict, lang: str) -> None:
    """The question as a form: a radio (arrow keys pick) and a submit button (Enter)."""
    q, key = ch.question(kind), f"lesson_{kind}_{ch.n}"
    session.seed_widget(key, _answers().get(ch.n, {}).get(kind))  # kept across chapters
    with st.form(f"lesson_form_{kind}_{ch.n}", border=True):
        question = tr(ch.key(kind), lang, **nums)
        st.markdown(f"**{question}**")
        st.radio(
            question, q.options, index=None, key=key, label_visibility="collapsed",
            format_func=lambda o: tr(lesson.option_key(ch.n, kind, o), lang, **nums),
        )  # fmt: skip
        label = "lesson.predict_button" if kind == "predict" else "lesson.check_button"
        st.form_submit_button(
            tr(label, lang), on_click=_commit, args=(ch.n, kind), type="primary",
            key=f"lesson_submit_{kind}_{ch.n}",
        )  # fmt: skip
    if st.session_state.get(EMPTY) == (ch.n, kind):
        st.warning(tr("lesson.pick_first", lang))


def _feedback(ch: lesson.Chapter, kind: str, nums: dict, lang: str) -> None:
    choice = _answers()[ch.n][kind]
    fb = lesson.check(ch.n, kind, choice)
    why = tr(fb.why_key, lang, **nums)
    if kind == "predict":
        answer = tr(lesson.option_key(ch.n, kind, choice), lang, **nums)
        st.markdown(tr("lesson.your_prediction", lang, answer=f"**{answer}**"))
        if fb.right:  # the explanation of the right option starts with "Right:"
            st.success(why, icon=":material/check_circle:")
        else:
            st.info(f"{tr('lesson.predict_wrong', lang)} {why}", icon=":material/lightbulb:")
    elif fb.right:
        st.success(why, icon=":material/check_circle:")
    else:
        st.error(f"**{tr('lesson.check_wrong', lang)}** {why}", icon=":material/cancel:")


def _progress(n: int, title: str, lang: str) -> None:
    marks = lesson.progress(_answers())
    st.progress(n / N, text=tr("lesson.progress", lang, n=n, N=N, title=title))
    row = " ".join(f"{MARKS[m]} **{k}**" if k == n else f"{MARKS[m]} {k}"
                   for k, m in enumerate(marks, start=1))  # fmt: skip
    counts = {"right": marks.count(True), "wrong": marks.count(False), "open": marks.count(None)}
    st.markdown(f"{row} &nbsp; <small>{tr('lesson.progress_legend', lang, **counts)}</small>",
                unsafe_allow_html=True)  # fmt: skip


@st.cache_data(show_spinner=False)
def _torch_differences() -> dict | None:
    """Chapter 7 against torch (imports torch: only this chapter pays for it)."""
    try:
        return lesson.torch_differences()
    except ImportError:
        return None


def _numbers(ch: lesson.Chapter, ex, lang: str) -> None:
    st.markdown(tr(ch.key("numbers"), lang, **lesson.numbers(ex)))
    if ch.n == 7:
        diffs = _torch_differences()
        if diffs is None:
            st.info(tr("lesson.torch_missing", lang))
        else:
            shown = {k: f"{v:.1e}" for k, v in diffs.items()}
            st.success(tr("lesson.torch_line", lang, **shown), icon=":material/fact_check:")


def _try_it(ch: lesson.Chapter, lang: str) -> float:
    t = ch.try_it
    st.select_slider(
        f"{tr('lesson.try_heading', lang)}: {tr(ch.key('try'), lang)}", options=list(t.values),
        format_func=lambda v: f"{v:g}", help=tr("lesson.try_help", lang),
        **widgets.kept(f"lesson_try_{ch.n}", t.default),
    )  # fmt: skip
    return widgets.kept_value(f"lesson_try_{ch.n}", t.default)


lang = session.lang()
n = _read_chapter()
ch = lesson.chapter(n)
nums = lesson.question_numbers(n)
st.title(tr("lesson.title", lang), anchor=False)  # no "link to heading" tab stops
if BAD_LINK in st.session_state:
    bad = st.session_state[BAD_LINK]
    st.warning(tr("common.msg_bad_url", lang, param="chapter", value=bad, default="1"),
               icon=":material/link_off:")  # fmt: skip
st.caption(f"{tr('lesson.intro', lang)} {tr('lesson.own_examples', lang)}")
title = tr(ch.key("title"), lang)
_progress(n, title, lang)
st.header(f"{n}. {title}", anchor=False)

revealed = "predict" in _answers().get(n, {})
left, right = st.columns([5, 6], gap="large")  # a phone stacks them: text, figure, questions
left.markdown(tr(ch.key("body"), lang, **nums))
with right:
    figure_box = st.container()  # above the try-it control, drawn once its value is known
    value = _try_it(ch, lang) if revealed else ch.try_it.default
    ex = lesson.example(n, value)
    with figure_box:
        a11y.chart(
            create_lesson_figure(ex, lang, reveal=revealed), "words.lesson", lang,
            key=f"lesson_figure_{n}",
        )  # fmt: skip
    if revealed:
        _numbers(ch, ex, lang)
    else:
        st.caption(tr("lesson.answer_hidden", lang))

predict_col, check_col = st.columns(2, gap="large")
with predict_col:
    st.subheader(tr("lesson.predict_heading", lang), anchor=False)
    if revealed:
        _feedback(ch, "predict", nums, lang)
    else:
        _ask(ch, "predict", nums, lang)
if revealed:
    with check_col:
        st.subheader(tr("lesson.check_heading", lang), anchor=False)
        _ask(ch, "check", nums, lang)
        if "check" in _answers()[n]:
            _feedback(ch, "check", nums, lang)

if n == N and "check" in _answers().get(n, {}):
    right_count = lesson.progress(_answers()).count(True)
    st.info(tr("lesson.finished", lang, right=right_count, N=N), icon=":material/flag:")
st.divider()
session.page_link(
    ch.page, label=tr("lesson.see_page", lang, page=tr(TITLES[ch.page], lang)),
    icon=":material/arrow_forward:",
)  # fmt: skip
prev_col, next_col = st.columns(2)
prev_col.button(tr("lesson.prev", lang), on_click=_go, args=(n - 1,), disabled=n == 1,
                key="lesson_prev", icon=":material/arrow_back:")  # fmt: skip
next_col.button(tr("lesson.next", lang), on_click=_go, args=(n + 1,), disabled=n == N,
                key="lesson_next", type="primary", icon=":material/arrow_forward:")  # fmt: skip
if st.session_state.pop(SCROLL, False):  # Previous / Next: open the new chapter at its top
    st.html(
        "<script>parent.document.querySelector('[data-testid=stMain]')?.scrollTo(0, 0)</script>",
        unsafe_allow_javascript=True,
    )
