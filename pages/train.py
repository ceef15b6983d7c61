"""Train & watch: train a small LSTM live on a toy task, then see what training did to its gates.

Thin: the training loop is `lstm_core.training.train` (a generator), advanced in chunks by
`ui.training_runner.TrainJob` (why chunks: see that module's docstring); the before/after numbers
come from `lstm_core.memory`, the figures from `viz.training`. When training ends (or is stopped)
the trained `LSTM` goes to `st.session_state["trained_model"]`, the weights source "trained" of
every other page.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_logic import inputs
from app_logic import train_settings as ts
from app_logic.i18n import tr
from app_logic.limits import MAX_TRAIN_STEPS, MAX_TRAIN_TEXT
from lstm_core.memory import delay_memory, gates_of, sequence, true_class_probability
from lstm_core.tasks import TASK_NAMES
from lstm_core.training import TARGETS, predict
from ui import session
from ui import training_runner as runner
from viz.training import (
    forget_over_time,
    gates_before_after,
    loss_curve,
    next_char_probability,
    prediction_over_time,
    prediction_scatter,
)

ERROR = "_train_start_error"  # (train.toml key, fields) of the last refused start
LINK_READ = "_train_link_read"  # the page has read its settings from the URL in this session
LINK_PROBLEMS = "_train_link_problems"  # bad values that link had, as (i18n key, fields)
CHART = {"displayModeBar": False}
IN_PAGE = "_train_in_page"  # True while the page's full run draws the live fragment


def _current() -> dict:
    """Every setting's kept value (the current task's default where none is kept)."""
    ss = st.session_state
    base = ts.defaults(ss.get("_" + ts.TASK, ts.DEFAULT_TASK))
    return {key: ss.get("_" + key, base[key]) for key in ts.KEYS}


def _value(key: str):
    return _current()[key]


def _keep(key: str) -> None:
    """on_change of a setting: keep its new value; the link's complaints are answered."""
    runner.keep(key)
    st.session_state.pop(LINK_PROBLEMS, None)


def _w(key: str) -> dict:
    """Widget arguments: the key re-seeded from the kept value, on_change keeping the new one."""
    return {"key": runner.kept(key, _value(key)), "on_change": _keep, "args": (key,)}


def _set_all(values: dict) -> None:
    for key, value in values.items():
        st.session_state["_" + key] = value


def _on_task() -> None:
    """A new task: every setting jumps to the core's defaults for it."""
    _keep(ts.TASK)
    _set_all(ts.task_defaults(st.session_state[ts.TASK]))


def _on_reset() -> None:
    _set_all(ts.task_defaults(_value(ts.TASK)))


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


def write_link() -> None:
    """The settings that differ from their task's defaults, in the URL (one write, if any)."""
    session.write_query(ts.KEYS, ts.to_query(_current()))


def _start() -> None:
    """on_click of Train: a new TrainJob from the settings, or a message saying what is wrong."""
    ss = st.session_state
    st.session_state.pop(ERROR, None)
    task = _value(ts.TASK)
    text = None
    if task == "text":
        text = str(_value(ts.TEXT)).strip()
        problem = runner.text_problem(text, MAX_TRAIN_TEXT)
        if problem is not None:
            ss[ERROR] = problem
            return
    changes = {
        "hidden_size": int(_value("train_H")),
        "num_layers": int(_value("train_layers")),
        "optimizer": str(_value("train_opt")),
        "lr": float(_value("train_lr")),
        "steps": int(min(max(int(_value("train_steps")), 1), MAX_TRAIN_STEPS)),
        "seed": int(_value("train_seed")),
        "forget_bias": float(_value("train_fb")),
    }
    try:
        runner.set_job(runner.TrainJob(task, text, runner.page_config(task, **changes)))
    except ValueError as e:
        ss[ERROR] = ("start_failed", {"reason": str(e)[:300]})


def _discard() -> None:
    runner.set_job(None)


def _fmt_loss(v: float | None) -> str:
    return "—" if v is None else f"{v:.4g}"


def draw_progress(job: runner.TrainJob, lang: str) -> None:
    """Progress bar, the numbers of the latest step, and the loss curve."""
    total = job.config.steps
    st.progress(
        min(job.step / total, 1.0),
        text=tr("train.progress", lang, step=job.step, total=total, s=f"{job.elapsed:.1f}"),
    )
    m = st.columns(4)
    m[0].metric(tr("train.metric_step", lang), f"{job.step} / {total}")
    m[1].metric(tr("train.metric_loss", lang), _fmt_loss(job.losses[-1] if job.losses else None))
    last_eval = job.eval_losses[-1] if job.eval_losses else None
    m[2].metric(tr("train.metric_eval", lang), _fmt_loss(last_eval))
    m[3].metric(tr("train.metric_time", lang), f"{job.elapsed:.1f} s")
    st.plotly_chart(
        loss_curve(
            job.steps,
            job.losses,
            job.eval_steps,
            job.eval_losses,
            target=job.target,
            total_steps=total,
            lang=lang,
        ),  # fmt: skip
        width="stretch",
        config=CHART,
        key="train_loss_chart",
    )


def live(lang: str) -> None:
    """One chunk of training (if running) and its redraw. Runs as a fragment while training."""
    job = runner.get_job()
    if job is None:
        return
    was_running = job.running
    if not was_running and not st.session_state.get(IN_PAGE):
        # A late timer tick of the browser (sent before it learnt that training had ended) ran
        # the fragment alone, right after the page's full run: such a run can leave the page
        # half drawn (a Streamlit race), so the whole page is drawn once more.
        st.rerun()
    if was_running:
        # A click here never interrupts a chunk: Streamlit queues it, and the next fragment
        # run (≤ RUN_EVERY s later) sees the button pressed before it trains any further.
        if st.button(tr("train.stop", lang), key="train_stop", icon=":material/stop_circle:"):
            job.stop()
        else:
            job.advance(runner.CHUNK_S)
    draw_progress(job, lang)
    if was_running and not job.running:
        runner.offer_model(job)
        st.rerun()  # the whole page: results appear, and the fragment stops re-running


# ----- the page ---------------------------------------------------------------------------------

lang = session.lang()
job = runner.get_job()
running = job is not None and job.running
read_link()

st.title(tr("train.title", lang))
st.markdown(tr("train.intro", lang))
for key, fields in st.session_state.get(LINK_PROBLEMS, []):
    st.warning(tr(key, lang, **fields), icon=":material/link_off:")

with st.container(border=True):
    c = st.columns([3, 2, 2, 2])
    c[0].selectbox(
        tr("train.task", lang),
        TASK_NAMES,
        format_func=lambda k: tr(f"train.task_{k}", lang),
        key=runner.kept(ts.TASK, _value(ts.TASK)),
        on_change=_on_task,
        disabled=running,
    )
    task_name = st.session_state[ts.TASK]
    target, budget = TARGETS[task_name]
    c[1].slider(tr("train.H", lang), 1, ts.MAX_H, disabled=running, **_w("train_H"))
    c[2].selectbox(tr("train.layers", lang), (1, 2), disabled=running, **_w("train_layers"))
    c[3].radio(
        tr("train.optimizer", lang),
        ("adam", "sgd"),
        format_func=lambda o: tr(f"train.opt_{o}", lang),
        horizontal=True,
        disabled=running,
        **_w("train_opt"),
    )
    st.caption(tr(f"train.task_{task_name}_explain", lang))
    if task_name == "text":
        st.text_area(
            tr("train.text", lang, max=MAX_TRAIN_TEXT),
            height=80,
            max_chars=inputs.MAX_TYPED_CHARS,
            disabled=running,
            **_w(ts.TEXT),
        )
    c = st.columns([3, 2, 2, 2])
    lrs = tuple(sorted({*ts.LRS, float(_value("train_lr"))}))
    c[0].select_slider(
        tr("train.lr", lang), lrs, format_func=lambda v: f"{v:g}", disabled=running,
        **_w("train_lr"),
    )  # fmt: skip
    c[1].number_input(
        tr("train.steps", lang, max=MAX_TRAIN_STEPS), 1, MAX_TRAIN_STEPS, step=50,
        disabled=running, **_w("train_steps"),
    )  # fmt: skip
    c[2].number_input(
        tr("train.seed", lang), 0, ts.MAX_SEED, step=1, disabled=running, **_w("train_seed")
    )
    c[3].slider(
        tr("train.forget_bias", lang), 0.0, ts.MAX_FB, step=0.5, disabled=running,
        help=tr("train.forget_bias_help", lang), **_w("train_fb"),
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
        tr("train.reset", lang), on_click=_on_reset, disabled=running, key="train_reset",
        icon=":material/restart_alt:",
    )  # fmt: skip
    if job is not None and not running:
        b.button(tr("train.discard", lang), on_click=_discard, key="train_discard")
write_link()

problem = st.session_state.get(ERROR)
if problem is not None:
    st.error(tr(f"train.{problem[0]}", lang, **problem[1]))

if job is None:
    st.info(tr("train.how_to_start", lang), icon=":material/model_training:")
    st.stop()

st.subheader(tr("train.section_live", lang))
# While training, the fragment re-runs itself every RUN_EVERY s: each run trains one chunk.
st.session_state[IN_PAGE] = True
try:
    st.fragment(run_every=runner.RUN_EVERY if running else None)(live)(lang)
finally:
    st.session_state[IN_PAGE] = False
if job.running:
    st.stop()

# ----- after training -----------------------------------------------------------------------------
if not job.offered:
    runner.offer_model(job)
if job.status == runner.DONE:
    reached = bool(job.eval_losses) and job.eval_losses[-1] < job.target
    st.success(
        tr(
            "train.done_reached" if reached else "train.done_missed",
            lang,
            steps=job.step,
            s=f"{job.elapsed:.1f}",
            loss=_fmt_loss(job.eval_losses[-1]),
            target=f"{job.target:g}",
        )  # fmt: skip
    )
elif job.status == runner.STOPPED:
    st.info(
        tr("train.stopped", lang, step=job.step, total=job.config.steps),
        icon=":material/stop_circle:",
    )
else:
    st.error(tr("train.diverged", lang, reason=job.error or ""))
if not job.has_model:
    st.stop()

task = job.task
held = job.held_out()
m0, r0 = job.initial()
m1, r1 = job.trained()

st.subheader(tr("train.section_prediction", lang))
if task.loss == "cross_entropy":
    _, logits0 = predict(m0, r0, task, held.x)
    _, logits1 = predict(m1, r1, task, held.x)
    y = held.y[:, 0]
    p0 = true_class_probability(logits0[:, 0], y)
    p1 = true_class_probability(logits1[:, 0], y)
    chars = [{" ": "␣", "\n": "⏎"}.get(ch, ch) for ch in job.text[:-1]]  # visible blanks
    guess = "".join(task.vocab[k] for k in logits1[:, 0].argmax(axis=-1))
    acc0 = float(np.mean(logits0[:, 0].argmax(axis=-1) == y))
    acc1 = float(np.mean(logits1[:, 0].argmax(axis=-1) == y))
    st.markdown(tr("train.prediction_text_explain", lang))
    m = st.columns(2)
    m[0].metric(tr("train.metric_acc_before", lang), f"{acc0:.0%}")
    m[1].metric(tr("train.metric_acc_after", lang), f"{acc1:.0%}", delta=f"{acc1 - acc0:+.0%}")
    st.code(f"{job.text[1:]}\n{guess}", language=None)
    st.caption(tr("train.guess_caption", lang))
    st.plotly_chart(next_char_probability(chars, p0, p1, lang), width="stretch", config=CHART)
elif task.where == "every":
    _, y0 = predict(m0, r0, task, held.x[:, :1])
    _, y1 = predict(m1, r1, task, held.x[:, :1])
    st.markdown(tr("train.prediction_every_explain", lang))
    st.plotly_chart(
        prediction_over_time(held.x[:, 0, 0], held.y[:, 0, 0], y0[:, 0, 0], y1[:, 0, 0], lang),
        width="stretch",
        config=CHART,
    )
else:
    _, y0 = predict(m0, r0, task, held.x)
    _, y1 = predict(m1, r1, task, held.x)
    st.markdown(tr(f"train.prediction_last_explain_{task.name}", lang, B=held.y.shape[0]))
    st.plotly_chart(
        prediction_scatter(held.y[:, 0], y0[:, 0], y1[:, 0], lang), width="stretch", config=CHART
    )

st.subheader(tr("train.section_gates", lang))
x1 = sequence(held.x)  # the held-out batch's first sequence, (T, D)
g0, g1 = gates_of(m0, x1), gates_of(m1, x1)
labels = [f"{t} {ch}" for t, ch in enumerate(job.text[:-1])] if task.name == "text" else None
st.markdown(tr("train.gates_explain", lang))
if task.name == "remember":
    d1 = delay_memory(g1["f"])  # the memory unit j: the one that keeps most of c_0 after training
    d0 = delay_memory(g0["f"], unit=d1.best_unit)  # the same unit before training
    j = d1.best_unit
    st.markdown(tr("train.remember_explain", lang, x0=f"{x1[0, 0]:.3f}", delay=x1.shape[0] - 1))
    m = st.columns(3)
    m[0].metric(
        tr("train.metric_f_best", lang, j=j), f"{d1.best_mean_f:.3f}",
        delta=f"{d1.best_mean_f - d0.best_mean_f:+.3f}",
        help=tr("train.metric_f_best_help", lang, before=f"{d0.best_mean_f:.3f}"),
    )  # fmt: skip
    m[1].metric(
        tr("train.metric_kept", lang, j=j), f"{d1.best_kept:.3f}",
        delta=f"{d1.best_kept - d0.best_kept:+.3f}",
        help=tr("train.metric_kept_help", lang, before=f"{d0.best_kept:.3f}"),
    )  # fmt: skip
    m[2].metric(
        tr("train.metric_f_delay", lang), f"{d1.mean_f:.3f}", delta=f"{d1.mean_f - d0.mean_f:+.3f}",
        help=tr("train.metric_f_delay_help", lang, before=f"{d0.mean_f:.3f}"),
    )  # fmt: skip
    st.caption(tr("train.forget_plot_explain", lang, j=j))
    st.plotly_chart(
        forget_over_time(g0["f"], g1["f"], unit=j, lang=lang),
        width="stretch",
        config=CHART,
    )
st.plotly_chart(gates_before_after(g0, g1, labels, lang), width="stretch", config=CHART)

st.subheader(tr("train.section_use", lang))
using = session.settings().weights == "trained"
st.markdown(tr("train.use_explain", lang))
b = st.columns([3, 3, 6])
b[0].button(
    tr("train.use_everywhere", lang), on_click=runner.use_everywhere, args=(job,),
    key="train_use", icon=":material/share:",
)  # fmt: skip
if b[1].button(
    tr("train.open_step", lang), on_click=runner.use_everywhere, args=(job,),
    key="train_open_step", type="primary", icon=":material/memory:",
):  # fmt: skip
    session.switch_page("pages/cell.py")
if using:
    st.caption(tr("train.using_now", lang))
