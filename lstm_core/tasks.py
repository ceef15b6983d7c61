"""Toy sequence tasks: each a pure function of a seed returning inputs and targets.

Inputs are time-major `x` (T, B, D). Targets `y` depend on the task's `where` and `loss`:
- where "every", loss "mse": y (T, B, O), one target per timestep;
- where "last",  loss "mse": y (B, O), one target read from the last timestep's output;
- where "every", loss "cross_entropy": y (T, B) integer class indices (next character).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import numpy as np

MAX_TEXT_CHARS = 400  # the text task trains on the whole text at every step: keep it short
MAX_VOCAB = 120


@dataclass(frozen=True, eq=False)
class Batch:
    """One batch: inputs x (T, B, D) and targets y (see the module docstring for y's shape)."""

    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True, eq=False)
class Task:
    """A task: sizes, loss, where the loss reads the output, and `sample(seed) -> Batch`."""

    name: str
    input_size: int  # D
    output_size: int  # O: regression outputs, or the number of classes
    loss: str  # "mse" or "cross_entropy"
    where: str  # "every" timestep or only the "last"
    sample: Callable[[int], Batch]
    description: str
    vocab: tuple[str, ...] | None = None  # the text task's characters, in order of appearance


# ----- the four tasks -------------------------------------------------------------------------


def noisy_sine(seed: int, batch_size: int = 16, T: int = 40, noise: float = 0.05) -> Batch:
    """Predict the next clean value of a noisy sine wave. x (T, B, 1), y (T, B, 1).

    Each sequence has its own frequency ω ∈ [0.15, 0.45] rad/step and phase φ:
    x_t = sin(ω t + φ) + noise·ε_t, y_t = sin(ω (t + 1) + φ).
    """
    rng = np.random.default_rng(seed)
    omega = rng.uniform(0.15, 0.45, size=(1, batch_size, 1))  # rad per step
    phi = rng.uniform(0, 2 * math.pi, size=(1, batch_size, 1))
    t = np.arange(T + 1, dtype=np.float64)[:, None, None]  # (T + 1, 1, 1)
    clean = np.sin(omega * t + phi)  # (T + 1, B, 1)
    x = clean[:-1] + noise * rng.standard_normal((T, batch_size, 1))
    return Batch(x=x, y=clean[1:])


def adding_problem(seed: int, batch_size: int = 32, T: int = 20) -> Batch:
    """Hochreiter & Schmidhuber's adding problem. x (T, B, 2), y (B, 1).

    Channel 0: random values in [0, 1); channel 1: a marker, 1 at exactly two positions (one in
    each half). The target is the sum of the two marked values (predicting 1 always: MSE ≈ 0.167).
    """
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 1, size=(T, batch_size))
    markers = np.zeros((T, batch_size))
    b = np.arange(batch_size)
    first = rng.integers(0, T // 2, size=batch_size)
    second = rng.integers(T // 2, T, size=batch_size)
    markers[first, b] = 1.0
    markers[second, b] = 1.0
    x = np.stack([values, markers], axis=-1)  # (T, B, 2)
    y = (values[first, b] + values[second, b])[:, None]  # (B, 1)
    return Batch(x=x, y=y)


def remember_first(seed: int, batch_size: int = 32, delay: int = 20, noise: float = 0.2) -> Batch:
    """Remember the first input over a delay. x (delay + 1, B, 1), y (B, 1).

    x_0 ~ U(−1, 1), then `delay` steps of distracting noise N(0, noise²); the target is x_0,
    read at the last step. A continuous value cannot be held by a few stable patterns of h: the
    cell state carries it, which works only if the forget gate stays near 1 (and the input gate
    keeps the noise out). Predicting 0 always gives MSE 1/3.
    """
    rng = np.random.default_rng(seed)
    first = rng.uniform(-1.0, 1.0, size=batch_size)
    x = noise * rng.standard_normal((delay + 1, batch_size, 1))
    x[0, :, 0] = first
    return Batch(x=x, y=first[:, None])


def check_text(text) -> str:
    """The text for the next-character task, or ValueError saying what is wrong with it."""
    if not isinstance(text, str):
        raise ValueError(f"the text must be a string, got {type(text).__name__}")
    if not text.strip():
        raise ValueError("the text is empty: type a sentence (English or 中文)")
    if len(text) > MAX_TEXT_CHARS:
        raise ValueError(f"the text is too long: {len(text)} characters, at most {MAX_TEXT_CHARS}")
    distinct = len(set(text))
    if distinct < 2:
        raise ValueError(
            f"the text needs at least 2 different characters to predict, got only {text[0]!r}"
        )
    if distinct > MAX_VOCAB:
        raise ValueError(f"the text has {distinct} different characters, at most {MAX_VOCAB}")
    return text


def text_vocab(text: str) -> tuple[str, ...]:
    """The distinct characters of the text, in order of first appearance."""
    return tuple(dict.fromkeys(check_text(text)))


def next_char(text: str, seed: int = 0) -> Batch:
    """Predict the next character of a short text. x (T, 1, V) one-hot, y (T, 1) class indices.

    T = len(text) − 1 and V = the number of distinct characters. The whole text is one sequence,
    so the batch does not depend on the seed (kept for the common signature).
    """
    vocab = text_vocab(text)
    index = {ch: j for j, ch in enumerate(vocab)}
    ids = np.array([index[ch] for ch in text])  # (len,)
    x = np.eye(len(vocab))[ids[:-1]][:, None, :]  # (T, 1, V)
    y = ids[1:, None]  # (T, 1)
    return Batch(x=x, y=y)


# ----- tasks by name ------------------------------------------------------------------------

DEFAULT_TEXT = "hello world, hello lstm. 你好，世界！"


def sine_task(batch_size: int = 16, T: int = 40, noise: float = 0.05) -> Task:
    return Task(
        "sine", 1, 1, "mse", "every", partial(noisy_sine, batch_size=batch_size, T=T, noise=noise),
        "next value of a noisy sine wave",
    )  # fmt: skip


def adding_task(batch_size: int = 32, T: int = 20) -> Task:
    return Task(
        "adding", 2, 1, "mse", "last", partial(adding_problem, batch_size=batch_size, T=T),
        "the adding problem: sum of the two marked values",
    )  # fmt: skip


def remember_task(batch_size: int = 32, delay: int = 20, noise: float = 0.2) -> Task:
    return Task(
        "remember", 1, 1, "mse", "last",
        partial(remember_first, batch_size=batch_size, delay=delay, noise=noise),
        "remember the first input over a delay",
    )  # fmt: skip


def text_task(text: str = DEFAULT_TEXT) -> Task:
    """The next-character task for `text` (ValueError with a message if the text is unusable)."""
    vocab = text_vocab(text)
    return Task(
        "text", len(vocab), len(vocab), "cross_entropy", "every", partial(next_char, text),
        "next character of a short text", vocab=vocab,
    )  # fmt: skip


TASK_NAMES = ("sine", "adding", "remember", "text")


def get_task(name: str, **kwargs) -> Task:
    """A task by name, with its default sizes unless given (text: `text=...`)."""
    makers = {"sine": sine_task, "adding": adding_task, "remember": remember_task}
    makers["text"] = text_task
    if name not in makers:
        raise ValueError(f"unknown task {name!r}; expected one of {list(TASK_NAMES)}")
    return makers[name](**kwargs)
