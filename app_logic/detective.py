"""The unit detective: a small LSTM trained on two bracket depths — which unit tracks which?

The task: a string of round and square brackets, one per step (one-hot over `( ) [ ]`, so
x (T, B, 4)); the targets at every step are the depth of the open round brackets and of the open
square ones (each between 0 and DEEPEST), so y (T, B, 2). A 6-unit LSTM learns it with the
core's own trainer (`lstm_core.training.train`, fixed seed); trained, one unit's c follows each
depth closely. The check: the correlation r of each unit's cₜ with the depth over a fixed set of
test strings; a picked unit passes when its |r| is within TOLERANCE of the best unit's.
Training takes about 0.5 s on this project's 2-core machine (tests/test_detective.py bounds it).
Pure: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_core import LSTM, LayerTrace
from lstm_core.tasks import Batch, Task
from lstm_core.training import TrainConfig, train

SYMBOLS = ("(", ")", "[", "]")  # the one-hot features, in this order
QUANTITIES = ("round", "square")  # the depths of ( ) and [ ]
DEEPEST = 3  # a string never nests one kind deeper than this
T = 24  # steps per string
CONFIG = TrainConfig(hidden_size=6, lr=3e-2, steps=200, seed=0, eval_every=200)
TEST_SEED, TEST_STRINGS = 123, 8  # the strings the check measures on (fixed)
EXAMPLE = 0  # which test string the page draws
TOLERANCE = 0.05  # a pick passes with |r| ≥ best |r| − TOLERANCE


def depth_batch(seed: int, batch_size: int = 32, T: int = T) -> Batch:
    """Random bracket strings and their depths: x (T, B, 4) one-hot, y (T, B, 2) depths.

    Each step picks a kind (round or square) at random, then opens or closes one of that kind
    at random — it must open at depth 0 and close at DEEPEST, so every depth stays in range.
    """
    rng = np.random.default_rng(seed)
    x = np.zeros((T, batch_size, 4))
    y = np.zeros((T, batch_size, 2))
    depth = np.zeros((batch_size, 2), dtype=int)
    b = np.arange(batch_size)
    for t in range(T):
        kind = rng.integers(0, 2, batch_size)  # 0 round, 1 square
        d = depth[b, kind]
        opens = rng.random(batch_size) < 0.5
        opens = np.where(d == 0, True, np.where(d == DEEPEST, False, opens))
        depth[b, kind] += np.where(opens, 1, -1)
        x[t, b, 2 * kind + np.where(opens, 0, 1)] = 1.0
        y[t] = depth
    return Batch(x=x, y=y)


TASK = Task("depth", 4, 2, "mse", "every", depth_batch, "depths of round and square brackets")


@dataclass(frozen=True, eq=False)
class Detective:
    """The trained model, its trace on the test strings, and each unit's r with each depth."""

    model: LSTM
    x: np.ndarray  # (T, B, 4) the test strings
    depth: np.ndarray  # (T, B, 2)
    trace: LayerTrace  # of the test strings
    r: np.ndarray  # (2, H): corr(c of unit j, depth q) over every step of every test string
    loss: float  # held-out MSE after training

    def string(self, b: int = EXAMPLE) -> str:
        """Test string b as text, e.g. "([)]…"."""
        return "".join(SYMBOLS[int(k)] for k in self.x[:, b].argmax(axis=1))

    def best(self, q: int) -> int:
        return int(np.argmax(np.abs(self.r[q])))


def correlations(c: np.ndarray, depth: np.ndarray) -> np.ndarray:
    """(2, H): Pearson r of each unit's c (T, B, H) with each depth (T, B, 2), over all steps."""
    cs = c.reshape(-1, c.shape[-1])  # (T·B, H)
    ds = depth.reshape(-1, depth.shape[-1])  # (T·B, 2)
    cs, ds = cs - cs.mean(axis=0), ds - ds.mean(axis=0)
    norm = np.outer(np.linalg.norm(ds, axis=0), np.linalg.norm(cs, axis=0))
    with np.errstate(invalid="ignore", divide="ignore"):
        r = (ds.T @ cs) / norm
    return np.nan_to_num(r)  # a constant unit follows nothing: r = 0


def train_detective(config: TrainConfig = CONFIG) -> Detective:
    """Train the model (deterministic: fixed seed) and measure every unit on the test strings."""
    params, loss = None, float("nan")
    for progress in train(TASK, config):
        if progress.params is not None:
            params = progress.params
        if progress.eval_loss is not None:
            loss = progress.eval_loss
    model = LSTM(TASK.input_size, config.hidden_size, config.num_layers)
    model.load_state_dict(params)
    model.eval()
    test = depth_batch(TEST_SEED, TEST_STRINGS)
    lt = model.trace(test.x).layers[0][0]
    return Detective(model, test.x, test.y, lt, correlations(lt.c, test.y), loss)


@dataclass(frozen=True)
class Pick:
    """The check of one pick: the unit, its r, the best unit and its r, pass or not."""

    quantity: str
    unit: int
    r: float
    best: int
    r_best: float

    @property
    def passed(self) -> bool:
        return abs(self.r) >= abs(self.r_best) - TOLERANCE


def check(det: Detective, picks: dict[str, int]) -> tuple[Pick, ...]:
    """One Pick per quantity picked (ValueError for an unknown quantity or unit)."""
    H = det.r.shape[1]
    out = []
    for name, unit in picks.items():
        if name not in QUANTITIES or not (isinstance(unit, int) and 0 <= unit < H):
            raise ValueError(f"a pick is a depth of {QUANTITIES} and a unit 0..{H - 1}")
        q = QUANTITIES.index(name)
        best = det.best(q)
        out.append(Pick(name, unit, float(det.r[q, unit]), best, float(det.r[q, best])))
    return tuple(out)


def solution(det: Detective) -> dict[str, int]:
    return {name: det.best(q) for q, name in enumerate(QUANTITIES)}
