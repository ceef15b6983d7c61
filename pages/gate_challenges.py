"""Challenges: set the one-unit cell's 12 numbers so that it does a job, and have it checked;
then the unit detective: which unit of a trained model counts the brackets?

The challenge is in the URL (`?challenge=<id>`); each challenge's numbers and tries are kept in
the session (ui.challenge_state). The checks are pure code (app_logic.challenges, .detective).
"""

import streamlit as st

from app_logic import challenges as ch
from app_logic import detective as det_logic
from app_logic import hand_cell
from app_logic.i18n import tr
from ui import a11y, session
from ui import challenge_state as state
from viz.challenges import (
    create_challenge_figure,
    create_correlation_figure,
    create_detective_figure,
)

NUMBER_GROUPS = (
    ("common.hand_x_weights", range(0, 4)),
    ("common.hand_h_weights", range(4, 8)),
    ("common.hand_biases", range(8, 12)),
)
CHART = {"width": "stretch", "config": {"displayModeBar": False}}


def title(cid: str, lang: str, mark: bool = False) -> str:
    """ "3 · Write only when the input is positive", with " ✓" once solved if `mark`. (The
    picker's labels stay unmarked: a widget whose labels change loses its state.)"""
    solved = " ✓" if mark and state.tries(cid).solved else ""
    return f"{state.IDS.index(cid) + 1} · {tr(f'challenges.{cid}_title', lang)}{solved}"


def hint_and_reveal(cid: str, lang: str, solution_text: str, on_use, args=()) -> None:
    """The hint after a failed try; a solution behind a reveal after two."""
    tries = state.tries(cid)
    if tries.n:
        st.caption(tr("challenges.tries", lang, n=tries.n, fails=tries.fails))
    if tries.fails >= 1:
        st.info(f"**{tr('challenges.hint_title', lang)}** — {tr(f'challenges.{cid}_hint', lang)}")
    if tries.fails < 2:
        if tries.fails == 1:
            st.caption(tr("challenges.locked", lang, fails=tries.fails))
        return
    with st.expander(tr("challenges.reveal", lang)):
        st.markdown(solution_text)
        st.markdown(tr(f"challenges.{cid}_why", lang))
        st.button(tr("challenges.use_solution", lang), key=f"use_{cid}", on_click=on_use, args=args)


def show_verdict(passed: bool, text: str) -> None:
    (st.success if passed else st.error)(text)


def numbers_text(values) -> str:
    return " · ".join(f"`{n} = {v:g}`" for n, v in zip(hand_cell.NAMES, values, strict=True))


def cell_challenge(cid: str, lang: str) -> None:
    challenge = ch.get(cid)
    values = state.hand(cid)
    result = ch.check(challenge, values)
    a11y.chart(create_challenge_figure(result, lang), "words.challenge", lang, key=f"chart_{cid}")

    st.markdown(f"**{tr('challenges.numbers_title', lang)}**")
    st.caption(tr("challenges.numbers_help", lang))
    lo, hi = hand_cell.RANGE
    for col, (group, idx) in zip(st.columns(3), NUMBER_GROUPS, strict=True):
        with col:
            st.markdown(tr(group, lang))
            for n in idx:
                st.slider(hand_cell.NAMES[n], lo, hi, step=hand_cell.STEP,
                          **state.slider_args(cid, n))  # fmt: skip

    left, right = st.columns([1, 1])
    left.button(tr("challenges.check", lang), key=f"check_{cid}", type="primary",
                on_click=state.check_hand, args=(cid,), width="stretch")  # fmt: skip
    right.button(tr("challenges.start_values", lang), key=f"start_{cid}", width="stretch",
                 on_click=state.set_hand, args=(cid, hand_cell.DEFAULT))  # fmt: skip

    tries = state.tries(cid)
    if tries.checked == values:
        show_verdict(result.passed, ch.verdict(result, lang))
    elif tries.n:
        st.caption(tr("challenges.changed", lang))
    solution = ch.get(cid).solution
    hint_and_reveal(cid, lang, numbers_text(solution), state.use_solution, (cid,))


def detective_challenge(lang: str) -> None:
    cid = state.DETECTIVE
    with st.spinner(tr("challenges.det_training", lang)):
        det = state.detective()
    picks = state.picks()
    a11y.chart(
        create_detective_figure(det, lang, picks), "words.detective", lang, key="chart_detective"
    )
    st.caption(tr("challenges.det_heat_caption", lang))
    H = det.r.shape[1]
    for q in det_logic.QUANTITIES:
        st.radio(tr(f"challenges.det_pick_{q}", lang), list(range(H)), horizontal=True,
                  format_func=lambda j: tr("challenges.det_unit", lang, j=j),
                  **state.pick_args(q))  # fmt: skip
    st.button(tr("challenges.check", lang), key="check_detective", type="primary",
              on_click=state.check_picks)  # fmt: skip

    tries = state.tries(cid)
    if tries.checked == picks:
        results = det_logic.check(det, picks)
        passed = all(r.passed for r in results)
        lines = [tr(f"challenges.det_verdict_{'pass' if passed else 'fail'}", lang)]
        for r in results:
            lines.append(
                tr(f"challenges.det_line_{'pass' if r.passed else 'fail'}", lang,
                   name=tr(f"challenges.det_{r.quantity}", lang), unit=r.unit,
                   r=ch.num(r.r), best=r.best, r_best=ch.num(r.r_best))
            )  # fmt: skip
        show_verdict(passed, "\n\n".join(lines))
    elif tries.n:
        st.caption(tr("challenges.changed_picks", lang))
    best = det_logic.solution(det)
    solution = " · ".join(
        f"{tr(f'challenges.det_{q}', lang)}: **{tr('challenges.det_unit', lang, j=j)}**"
        for q, j in best.items()
    )
    hint_and_reveal(cid, lang, solution, state.use_detective_solution)
    if tries.solved:
        a11y.chart(create_correlation_figure(det, lang), "words.detective_r", lang, key="chart_r")
        st.caption(tr("challenges.det_r_caption", lang, tol=det_logic.TOLERANCE))


lang = session.lang()
st.title(tr("challenges.title", lang))
st.markdown(tr("challenges.intro", lang))

cid = state.current_id()
bad = state.link_problem()
if bad is not None:
    st.warning(tr("challenges.bad_id", lang, value=bad, first=title(state.IDS[0], lang)))
st.selectbox(tr("challenges.pick", lang), state.IDS, format_func=lambda c: title(c, lang),
             **state.picker_args())  # fmt: skip
cid = state.current_id()
state.write_url(cid)

solved = [c for c in state.IDS if state.tries(c).solved]
if solved:
    st.caption(tr("challenges.solved", lang, n=len(solved), of=len(state.IDS)))
st.subheader(title(cid, lang, mark=True))
st.markdown(tr(f"challenges.{cid}_goal", lang))
st.caption(f"{tr('challenges.input_label', lang)} {tr(f'challenges.{cid}_input', lang)}")
if cid == state.DETECTIVE:
    detective_challenge(lang)
else:
    cell_challenge(cid, lang)
