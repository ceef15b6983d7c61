"""A training run that advances in short chunks, so a page can stream it and a Stop click gets in.

Why chunks: Streamlit handles a click only between script runs (a click inside a fragment never
interrupts the fragment's run; it is queued). A 30-second loop would make the Stop button dead for
30 seconds. So the `lstm_core.training.train` generator lives in `st.session_state` inside a
`TrainJob`, and each run of the page's live fragment advances it by about `CHUNK_S` seconds of
steps, redraws the progress bar and the loss curve once, and returns. The fragment is re-run every
`RUN_EVERY` seconds while the job is running (`st.fragment(run_every=...)`); a Stop click is
handled at the start of the next fragment run, at most one chunk later.

`TrainJob` itself does not touch Streamlit (tested without it); the functions below it do.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np

from lstm_core import LSTM
from lstm_core.optim import Readout
from lstm_core.tasks import DEFAULT_TEXT, Task, get_task
from lstm_core.training import (
    DEFAULT_CONFIGS,
    HELD_OUT,
    TrainConfig,
    TrainingDiverged,
    build_model,
    derive_seed,
    train,
)

CHUNK_S = 0.8  # seconds of training per fragment run: the loss curve is redrawn once per chunk
RUN_EVERY = 0.1  # seconds between fragment runs while training
JOB = "_train_job"  # session-state key of the current TrainJob

RUNNING, DONE, STOPPED, DIVERGED = "running", "done", "stopped", "diverged"


def page_config(task: str, **changes) -> TrainConfig:
    """The core's default configuration for `task`, with the page's changes.

    snapshot_every=1 so that the parameters of the last step are at hand when Stop is clicked.
    """
    base = DEFAULT_CONFIGS[task]
    return dataclasses.replace(base, snapshot_every=1, **changes)


@dataclass(eq=False)
class TrainJob:
    """One training run: the generator, its history, and the latest parameters."""

    task_name: str
    text: str | None
    config: TrainConfig
    task: Task = field(init=False)
    status: str = field(default=RUNNING, init=False)
    error: str | None = field(default=None, init=False)
    steps: list[int] = field(default_factory=list, init=False)  # step of each training loss
    losses: list[float] = field(default_factory=list, init=False)  # training batch loss
    eval_steps: list[int] = field(default_factory=list, init=False)
    eval_losses: list[float] = field(default_factory=list, init=False)  # held-out loss
    grad_norms: list[float] = field(default_factory=list, init=False)
    elapsed: float = field(default=0.0, init=False)  # seconds spent training
    chunks: int = field(default=0, init=False)  # how many chunks ran (= redraws)
    params: dict[str, np.ndarray] | None = field(default=None, init=False)
    readout_params: dict[str, np.ndarray] | None = field(default=None, init=False)
    offered: bool = field(default=False, init=False)  # the trained model went to session state

    def __post_init__(self) -> None:
        if self.task_name == "text" and self.text is None:
            self.text = DEFAULT_TEXT
        kwargs = {"text": self.text} if self.task_name == "text" else {}
        self.task = get_task(self.task_name, **kwargs)  # ValueError for a bad text
        self._gen = train(self.task, self.config)

    @property
    def step(self) -> int:
        return self.steps[-1] if self.steps else 0

    @property
    def running(self) -> bool:
        return self.status == RUNNING

    def advance(self, budget_s: float = CHUNK_S) -> int:
        """Run training steps for about `budget_s` seconds (at least one); returns how many ran."""
        if not self.running:
            return 0
        start, n = time.perf_counter(), 0
        try:
            while True:
                p = next(self._gen)
                n += 1
                self.steps.append(p.step)
                self.losses.append(p.loss)
                self.grad_norms.append(p.grad_norm)
                if p.eval_loss is not None:
                    self.eval_steps.append(p.step)
                    self.eval_losses.append(p.eval_loss)
                if p.params is not None:
                    self.params, self.readout_params = p.params, p.readout
                self.elapsed = p.elapsed
                if time.perf_counter() - start >= budget_s:
                    break
        except StopIteration:
            self.status = DONE
        except TrainingDiverged as e:
            self.status, self.error = DIVERGED, str(e)
        self.chunks += 1
        return n

    def stop(self) -> None:
        """Stop after the current step (the model keeps the weights it has reached)."""
        if self.running:
            self._gen.close()
            self.status = STOPPED

    @property
    def has_model(self) -> bool:
        return self.params is not None

    def initial(self) -> tuple[LSTM, Readout]:
        """The model and readout before the first update (the same init as the run's)."""
        model, readout = build_model(self.task, self.config)
        return model.eval(), readout

    def trained(self) -> tuple[LSTM, Readout]:
        """The model and readout with the latest parameters (ValueError before the first step)."""
        if self.params is None:
            raise ValueError("no training step has run yet")
        model, readout = build_model(self.task, self.config)
        model.load_state_dict(self.params)
        readout.load_state_dict(self.readout_params)
        return model.eval(), readout

    def held_out(self):
        """The run's held-out batch (the same one its eval loss is measured on)."""
        return self.task.sample(derive_seed(self.config.seed, HELD_OUT))

    @property
    def target(self) -> float | None:
        """The stated held-out loss of the default run for this task."""
        from lstm_core.training import TARGETS

        return TARGETS.get(self.task_name, (None, None))[0]


def sample_as_typed(x: np.ndarray) -> str:
    """A sequence x (T, D) as the sidebar's typed numbers: `a, b, c` or rows `a b; c d`."""
    if x.shape[1] == 1:
        return ", ".join(f"{v:.6g}" for v in x[:, 0])
    return "; ".join(" ".join(f"{v:.6g}" for v in row) for row in x)


# ----- the Streamlit side --------------------------------------------------------------------


def get_job() -> TrainJob | None:
    import streamlit as st

    job = st.session_state.get(JOB)
    return job if isinstance(job, TrainJob) else None


def set_job(job: TrainJob | None) -> None:
    import streamlit as st

    if job is None:
        st.session_state.pop(JOB, None)
    else:
        st.session_state[JOB] = job


def offer_model(job: TrainJob) -> bool:
    """Put the job's trained LSTM where every page finds it (weights = "trained")."""
    import streamlit as st

    from ui import session

    if not job.has_model:
        return False
    model, _ = job.trained()
    st.session_state[session.TRAINED_MODEL] = model
    job.offered = True
    return True


def use_everywhere(job: TrainJob) -> None:
    """Switch every page to the trained weights, with a sample of the task as the input."""
    from lstm_core.memory import sequence
    from ui import session

    if not offer_model(job):
        return
    if job.task_name == "text":
        session.set_settings(weights="trained", input_kind="text", input_text=job.text)
    else:
        x = sequence(job.held_out().x)  # (T, D)
        session.set_settings(weights="trained", input_kind="typed", input_text=sample_as_typed(x))


def text_problem(text: str, max_chars: int) -> tuple[str, dict] | None:
    """What is wrong with a text for the next-character task, as (train.toml key, fields), or None.

    `max_chars` also keeps the text usable as the sidebar's text input (≤ inputs.MAX_T steps).
    """
    from lstm_core.tasks import MAX_VOCAB

    text = text.strip() if isinstance(text, str) else ""
    if not text:
        return ("text_empty", {})
    if len(text) > max_chars:
        return ("text_too_long", {"n": len(text), "max": max_chars})
    distinct = len(set(text))
    if distinct < 2:
        return ("text_one_char", {"ch": text[0]})
    if distinct > MAX_VOCAB:
        return ("text_too_many", {"n": distinct, "max": MAX_VOCAB})
    return None
