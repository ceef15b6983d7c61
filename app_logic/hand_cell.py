"""The hand-set one-unit cell: 12 numbers → a `torch.nn.LSTM`-style state_dict and a run.

The 12 numbers are the x-weights w_i w_f w_g w_o (each applied to every input feature), the
h-weights u_i u_f u_g u_o and the biases b_i b_f b_g b_o (in `bias_ih`; `bias_hh` is zero), each
group in torch's gate order i, f, g, o. One builder for every page that runs this cell.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from app_logic.limits import HAND_RANGE
from lstm_core import LSTM, LayerTrace

# x-weights, h-weights, biases, each in torch's gate order i, f, g, o.
NAMES = ("w_i", "w_f", "w_g", "w_o", "u_i", "u_f", "u_g", "u_o", "b_i", "b_f", "b_g", "b_o")
# A readable first cell: f = σ(2) ≈ 0.88 keeps most of c, o = σ(1) ≈ 0.73, i and g follow x.
DEFAULT = (2.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 2.0, 0.0, 1.0)
RANGE = HAND_RANGE  # the sliders' range
STEP = 0.1  # the sliders' step


def check_hand(hand: Sequence[float]) -> tuple[float, ...]:
    """The 12 numbers as floats in RANGE, or ValueError saying what is wrong."""
    vals = tuple(float(v) for v in hand)
    if len(vals) != len(NAMES):
        raise ValueError(f"the hand-set cell needs {len(NAMES)} numbers, got {len(vals)}")
    lo, hi = RANGE
    bad = [f"{n}={v}" for n, v in zip(NAMES, vals, strict=True) if not lo <= v <= hi]
    if bad:
        raise ValueError(f"each number must lie in [{lo}, {hi}], got {', '.join(bad)}")
    return vals


def state_dict(hand: Sequence[float], D: int, dtype="float64") -> dict[str, np.ndarray]:
    """The 1-unit cell's state_dict: each x-weight applies to every one of the D features."""
    w, u, b = np.array(hand[0:4]), np.array(hand[4:8]), np.array(hand[8:12])
    return {
        "weight_ih_l0": np.repeat(w[:, None], D, axis=1).astype(dtype),  # (4, D)
        "weight_hh_l0": u[:, None].astype(dtype),  # (4, 1)
        "bias_ih_l0": b.astype(dtype),  # (4,)
        "bias_hh_l0": np.zeros(4, dtype),  # (4,)
    }


def model(hand: Sequence[float], D: int = 1, dtype="float64") -> LSTM:
    """An eval-mode `LSTM(D, 1)` holding the 12 numbers."""
    m = LSTM(D, 1, dtype=dtype)
    m.load_state_dict(state_dict(check_hand(hand), D, dtype))
    return m.eval()


def run(hand: Sequence[float], x: np.ndarray) -> LayerTrace:
    """The cell's trace on a batch of sequences x (T, B, D) from h₀ = c₀ = 0."""
    x = np.asarray(x, dtype=np.float64)
    return model(hand, x.shape[-1]).trace(x).layers[0][0]
