"""The Challenges page's own state: which challenge (in the URL as `?challenge=<id>`), each
challenge's 12 numbers, its tries, and the unit detective's trained model (cached).

Everything lives in session-state keys no widget owns (`ui.widgets.kept`): switching challenge or
page keeps each challenge's numbers and tries for the session.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from app_logic import challenges as ch
from app_logic import detective as det_logic
from app_logic import hand_cell
from ui import session, widgets

URL_KEY = "challenge"
DETECTIVE = "detective"
IDS = (*ch.IDS, DETECTIVE)
_ID = "challenge_id"  # kept under "_challenge_id"
_LINK_READ = "_challenge_link_read"
_LINK_PROBLEM = "_challenge_link_problem"


def current_id() -> str:
    """The open challenge: from the URL on the page's first run in a session and after Back /
    Forward (a bad id → the first challenge, and `link_problem()` says so), else the kept one."""
    ss = st.session_state
    if not ss.get(_LINK_READ) or session.history_navigation():
        ss[_LINK_READ] = True
        raw = st.query_params.get(URL_KEY)
        ss[_LINK_PROBLEM] = None
        if not raw or raw in IDS:  # none (or empty): the first one
            ss["_" + _ID] = raw or IDS[0]
        else:
            ss[_LINK_PROBLEM] = str(raw)[:40]
            ss["_" + _ID] = IDS[0]
    return widgets.kept_value(_ID, IDS[0])


def link_problem() -> str | None:
    """The bad `?challenge=` value this session was opened with, if any."""
    return st.session_state.get(_LINK_PROBLEM)


def _picked(cid: str) -> None:
    st.session_state["_" + _ID] = cid
    st.session_state[_LINK_PROBLEM] = None  # the link's bad value is no longer on screen


def picker_args() -> dict:
    """Widget arguments of the challenge picker (kept; a change drops the link's message)."""
    return widgets.bound(_ID, current_id(), _picked)


def write_url(cid: str) -> None:
    """`?challenge=<id>` when it is not the first one (only values that differ from the
    default are in the URL, as everywhere in the app): one write, none if already there."""
    session.write_query({URL_KEY}, {} if cid == IDS[0] else {URL_KEY: cid})


# ----- the 12 numbers of a challenge's cell -----------------------------------------------------


def _num_key(cid: str, n: int) -> str:
    return f"ch_{cid}_{n}"


def hand(cid: str) -> tuple[float, ...]:
    """The challenge's 12 numbers (start: the default cell)."""
    return tuple(
        float(widgets.kept_value(_num_key(cid, n), v)) for n, v in enumerate(hand_cell.DEFAULT)
    )


def slider_args(cid: str, n: int) -> dict:
    return widgets.kept(_num_key(cid, n), hand(cid)[n])


def set_hand(cid: str, values) -> None:
    for n, v in enumerate(values):
        st.session_state["_" + _num_key(cid, n)] = float(v)


# ----- tries --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tries:
    n: int = 0  # checks pressed
    fails: int = 0  # of which failed
    solved: bool = False
    checked: object = None  # what was checked last (the numbers, or the picks)


def tries(cid: str) -> Tries:
    return st.session_state.get(f"_tries_{cid}", Tries())


def record(cid: str, checked, passed: bool) -> None:
    t = tries(cid)
    st.session_state[f"_tries_{cid}"] = Tries(
        t.n + 1, t.fails + (not passed), t.solved or passed, checked
    )


def check_hand(cid: str) -> None:
    """on_click of Check: run the challenge's check on the current numbers and count the try."""
    h = hand(cid)
    record(cid, h, ch.check(ch.get(cid), h).passed)


def use_solution(cid: str) -> None:
    """on_click of "use the solution": the sliders take the known solution, checked (a pass)."""
    solution = ch.get(cid).solution
    set_hand(cid, solution)
    record(cid, tuple(float(v) for v in solution), True)


# ----- the unit detective ----------------------------------------------------------------------


@st.cache_resource(show_spinner=False)
def detective() -> det_logic.Detective:
    """The detective's model, trained once per server (fixed seed: always the same model)."""
    return det_logic.train_detective()


def picks() -> dict[str, int]:
    return {q: int(widgets.kept_value(f"det_{q}", 0)) for q in det_logic.QUANTITIES}


def pick_args(q: str) -> dict:
    return widgets.kept(f"det_{q}", picks()[q])


def check_picks() -> None:
    p = picks()
    record(DETECTIVE, p, all(r.passed for r in det_logic.check(detective(), p)))


def use_detective_solution() -> None:
    best = det_logic.solution(detective())
    for q, unit in best.items():
        st.session_state[f"_det_{q}"] = unit
    record(DETECTIVE, best, True)
