"""The Train page's views: the task before training, the live progress, and what training did.

Streamlit only: the numbers come from `lstm_core` (memory, training) and `app_logic.train_preview`,
the figures from `viz.training`.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_logic import train_preview
from app_logic import train_settings as ts
from app_logic.i18n import tr
from lstm_core.memory import delay_memory, gates_of, sequence, true_class_probability
from lstm_core.training import predict
from ui import a11y, session
from ui import training_runner as runner
from viz.training import (
    forget_over_time,
    gates_before_after,
    loss_curve,
    next_char_probability,
    prediction_over_time,
    prediction_scatter,
    task_example,
)

CHART = {"displayModeBar": False}
IN_PAGE = "_train_in_page"  # True while the page's full run draws the live fragment


def fmt_loss(v: float | None) -> str:
    return "—" if v is None else f"{v:.4g}"


# ----- before the first click -------------------------------------------------------------------


@st.cache_data(max_entries=32, show_spinner=False)
def cached_preview(task: str, text: str | None, changes: tuple) -> train_preview.Preview:
    return train_preview.untrained_preview(task, text, runner.page_config(task, **dict(changes)))


def task_preview(values: dict, text: str | None, lang: str) -> None:
    """One example of the chosen task, its target and the answer of the model the settings build,
    untrained; with the line saying what must be learnt and how wrong that answer is."""
    changes = tuple(sorted(ts.config_changes(values).items()))
    try:
        p = cached_preview(values[ts.TASK], text, changes)
    except ValueError:  # a setting the core refuses: Train says why
        return
    st.subheader(tr("train.section_task", lang))
    key, fields = train_preview.sentence(p)
    st.markdown(tr(f"train.{key}", lang, **fields))
    fig = task_example(p, lang)
    a11y.chart(fig, "words.train_example", lang, config=CHART, key="train_preview")


# ----- while training ---------------------------------------------------------------------------


def draw_progress(job: runner.TrainJob, lang: str) -> None:
    """Progress bar, the numbers of the latest step, and the loss curve."""
    total = job.config.steps
    st.progress(
        min(job.step / total, 1.0),
        text=tr("train.progress", lang, step=job.step, total=total, s=f"{job.elapsed:.1f}"),
    )
    m = st.columns(4)
    m[0].metric(tr("train.metric_step", lang), f"{job.step} / {total}")
    m[1].metric(tr("train.metric_loss", lang), fmt_loss(job.losses[-1] if job.losses else None))
    last_eval = job.eval_losses[-1] if job.eval_losses else None
    m[2].metric(tr("train.metric_eval", lang), fmt_loss(last_eval))
    m[3].metric(tr("train.metric_time", lang), f"{job.elapsed:.1f} s")
    a11y.chart(
        loss_curve(
            job.steps,
            job.losses,
            job.eval_steps,
            job.eval_losses,
            target=job.target,
            total_steps=total,
            lang=lang,
        ),  # fmt: skip
        "words.train_loss",
        lang,
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


def live_fragment(job: runner.TrainJob, lang: str) -> None:
    """The live view; while training it re-runs itself every RUN_EVERY s, one chunk each run."""
    st.session_state[IN_PAGE] = True
    try:
        st.fragment(run_every=runner.RUN_EVERY if job.running else None)(live)(lang)
    finally:
        st.session_state[IN_PAGE] = False


# ----- after training ---------------------------------------------------------------------------


def outcome(job: runner.TrainJob, lang: str) -> None:
    """Done (target reached or missed), stopped, or diverged: one message with the numbers."""
    if job.status == runner.DONE:
        reached = bool(job.eval_losses) and job.eval_losses[-1] < job.target
        st.success(
            tr(
                "train.done_reached" if reached else "train.done_missed", lang, steps=job.step,
                s=f"{job.elapsed:.1f}", loss=fmt_loss(job.eval_losses[-1]),
                target=f"{job.target:g}",
            )
        )  # fmt: skip
    elif job.status == runner.STOPPED:
        st.info(
            tr("train.stopped", lang, step=job.step, total=job.config.steps),
            icon=":material/stop_circle:",
        )
    else:
        st.error(tr("train.diverged", lang, reason=job.error or ""))


def predictions(job: runner.TrainJob, lang: str) -> None:
    """The held-out examples: the model's answers against the targets, before and after."""
    task, held = job.task, job.held_out()
    (m0, r0), (m1, r1) = job.initial(), job.trained()
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
        a11y.chart(next_char_probability(chars, p0, p1, lang), "words.train_next_char", lang)
    elif task.where == "every":
        _, y0 = predict(m0, r0, task, held.x[:, :1])
        _, y1 = predict(m1, r1, task, held.x[:, :1])
        st.markdown(tr("train.prediction_every_explain", lang))
        fig = prediction_over_time(held.x[:, 0, 0], held.y[:, 0, 0], y0[:, 0, 0], y1[:, 0, 0], lang)
        a11y.chart(fig, "words.train_pred_time", lang, config=CHART)
    else:
        _, y0 = predict(m0, r0, task, held.x)
        _, y1 = predict(m1, r1, task, held.x)
        st.markdown(tr(f"train.prediction_last_explain_{task.name}", lang, B=held.y.shape[0]))
        fig = prediction_scatter(held.y[:, 0], y0[:, 0], y1[:, 0], lang)
        a11y.chart(fig, "words.train_pred_scatter", lang, config=CHART)


def _remember_metrics(f0: np.ndarray, f1: np.ndarray, x1: np.ndarray, lang: str) -> None:
    """Remember task: the memory unit j's forget gate and the share of c₀ it keeps, before/after."""
    d1 = delay_memory(f1)  # the memory unit j: the one that keeps most of c_0 after training
    d0 = delay_memory(f0, unit=d1.best_unit)  # the same unit before training
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
    fig = forget_over_time(f0, f1, unit=j, lang=lang)
    a11y.chart(fig, "words.train_forget", lang, config=CHART)


def gates_change(job: runner.TrainJob, lang: str) -> None:
    """The gates on one held-out sequence, before and after training."""
    st.subheader(tr("train.section_gates", lang))
    x1 = sequence(job.held_out().x)  # the held-out batch's first sequence, (T, D)
    g0, g1 = gates_of(job.initial()[0], x1), gates_of(job.trained()[0], x1)
    labels = None
    if job.task.name == "text":
        labels = [f"{t} {ch}" for t, ch in enumerate(job.text[:-1])]
    st.markdown(tr("train.gates_explain", lang))
    if job.task.name == "remember":
        _remember_metrics(g0["f"], g1["f"], x1, lang)
    a11y.chart(gates_before_after(g0, g1, labels, lang), "words.train_gates", lang, config=CHART)


def hand_off(job: runner.TrainJob, lang: str) -> None:
    """Use the trained model on every page, or open it in the step-through."""
    st.subheader(tr("train.section_use", lang))
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
    if session.settings().weights == "trained":
        st.caption(tr("train.using_now", lang))
