"""The Train page's form: its settings (kept across page switches, read from and written to the
URL) and the Train button, which starts a `TrainJob` from them.

Each setting is kept in session state under `_<key>` (`ui.widgets.kept`); its values, defaults and
URL form are `app_logic.train_settings`'.
"""

from __future__ import annotations

import streamlit as st

from app_logic import inputs
from app_logic import train_settings as ts
from app_logic.i18n import tr
from app_logic.limits import MAX_TRAIN_STEPS, MAX_TRAIN_TEXT
from lstm_core.tasks import TASK_NAMES
from lstm_core.training import TARGETS
from ui import session, widgets
from ui import training_runner as runner

ERROR = "_train_start_error"  # (train.toml key, fields) of the last refused start
LINK_READ = "_train_link_read"  # the page has read its settings from the URL in this session
LINK_PROBLEMS = "_train_link_problems"  # bad values that link had, as (i18n key, fields)


def current() -> dict:
    """Every setting's kept value (the current task's default where none is kept)."""
    base = ts.defaults(widgets.kept_value(ts.TASK, ts.DEFAULT_TASK))
    return {key: widgets.kept_value(key, base[key]) for key in ts.KEYS}


def _set_all(values: dict) -> None:
    for key, value in values.items():
        st.session_state["_" + key] = value


def _answered() -> None:
    """A setting changed: the link's complaints are answered."""
    st.session_state.pop(LINK_PROBLEMS, None)


def _new_task() -> None:
    """A new task: every setting jumps to the core's defaults for it."""
    _answered()
    _set_all(ts.task_defaults(current()[ts.TASK]))


def _reset() -> None:
    _set_all(ts.task_defaults(current()[ts.TASK]))


def _w(key: str, values: dict) -> dict:
    return widgets.kept(key, values[key], then=_answered)


def read_link() -> None:
    """The settings in the URL, on the page's first run in a session and after Back / Forward
    (the link's task with its defaults, then the link's values; bad ones with a message)."""
    ss, back_forward = st.session_state, session.history_navigation()
    if ss.get(LINK_READ) and not back_forward:
        return
    ss[LINK_READ] = True
    values, problems = ts.from_query(st.query_params.to_dict())
    if values or back_forward:
        _set_all(ts.defaults(values.get(ts.TASK, ts.DEFAULT_TASK)) | values)
    ss[LINK_PROBLEMS] = problems


def link_problems() -> list[tuple[str, dict]]:
    return st.session_state.get(LINK_PROBLEMS, [])


def write_link() -> None:
    """The settings that differ from their task's defaults, in the URL (one write, if any)."""
    session.write_query(ts.KEYS, ts.to_query(current()))


def task_text(values: dict) -> tuple[str | None, tuple[str, dict] | None]:
    """(text, problem): the text to train on (None but for the text task), what is wrong with it."""
    if values[ts.TASK] != "text":
        return None, None
    text = str(values[ts.TEXT]).strip()
    return text, runner.text_problem(text, MAX_TRAIN_TEXT)


def _start() -> None:
    """on_click of Train: a new TrainJob from the settings, or a message saying what is wrong."""
    ss = st.session_state
    ss.pop(ERROR, None)
    values = current()
    text, problem = task_text(values)
    if problem is not None:
        ss[ERROR] = problem
        return
    task = values[ts.TASK]
    try:
        config = runner.page_config(task, **ts.config_changes(values))
        runner.set_job(runner.TrainJob(task, text, config))
    except ValueError as e:
        ss[ERROR] = ("start_failed", {"reason": str(e)[:300]})


def start_error() -> tuple[str, dict] | None:
    return st.session_state.get(ERROR)


def _discard() -> None:
    runner.set_job(None)


def settings_form(lang: str, job: runner.TrainJob | None) -> dict:
    """The form (disabled while training runs); returns every setting's current value."""
    running = job is not None and job.running
    values = current()
    c = st.columns([3, 2, 2, 2])
    c[0].selectbox(
        tr("train.task", lang), TASK_NAMES, format_func=lambda k: tr(f"train.task_{k}", lang),
        disabled=running, **widgets.kept(ts.TASK, values[ts.TASK], then=_new_task),
    )  # fmt: skip
    task_name = st.session_state[ts.TASK]
    target, budget = TARGETS[task_name]
    c[1].slider(tr("train.H", lang), 1, ts.MAX_H, disabled=running, **_w("train_H", values))
    c[2].selectbox(tr("train.layers", lang), (1, 2), disabled=running, **_w("train_layers", values))
    c[3].radio(
        tr("train.optimizer", lang), ("adam", "sgd"),
        format_func=lambda o: tr(f"train.opt_{o}", lang), horizontal=True, disabled=running,
        **_w("train_opt", values),
    )  # fmt: skip
    st.caption(tr(f"train.task_{task_name}_explain", lang))
    if task_name == "text":
        st.text_area(
            tr("train.text", lang, max=MAX_TRAIN_TEXT), height=80,
            max_chars=inputs.MAX_TYPED_CHARS, disabled=running, **_w(ts.TEXT, values),
        )  # fmt: skip
    c = st.columns([3, 2, 2, 2])
    lrs = tuple(sorted({*ts.LRS, float(values["train_lr"])}))
    c[0].select_slider(
        tr("train.lr", lang), lrs, format_func=lambda v: f"{v:g}", disabled=running,
        **_w("train_lr", values),
    )  # fmt: skip
    c[1].number_input(
        tr("train.steps", lang, max=MAX_TRAIN_STEPS), 1, MAX_TRAIN_STEPS, step=50,
        disabled=running, **_w("train_steps", values),
    )  # fmt: skip
    c[2].number_input(
        tr("train.seed", lang), 0, ts.MAX_SEED, step=1, disabled=running,
        **_w("train_seed", values),
    )  # fmt: skip
    c[3].slider(
        tr("train.forget_bias", lang), 0.0, ts.MAX_FB, step=0.5, disabled=running,
        help=tr("train.forget_bias_help", lang), **_w("train_fb", values),
    )  # fmt: skip
    st.caption(
        tr("train.target_note", lang, target=f"{target:g}", budget=f"{budget:g}",
           loss=tr(f"train.loss_{'ce' if task_name == 'text' else 'mse'}", lang))
    )  # fmt: skip
    b = st.container(horizontal=True)  # each button as wide as its label: none is cut
    b.button(
        tr("train.start", lang), type="primary", icon=":material/play_arrow:", on_click=_start,
        disabled=running, key="train_start",
    )  # fmt: skip
    b.button(
        tr("train.reset", lang), on_click=_reset, disabled=running, key="train_reset",
        icon=":material/restart_alt:",
    )  # fmt: skip
    if job is not None and not running:
        b.button(tr("train.discard", lang), on_click=_discard, key="train_discard")
    return current()
