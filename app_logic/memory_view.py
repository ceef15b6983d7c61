"""What the Gates-over-time page reports about one layer/direction's memory: pure, no Streamlit.

The math is `lstm_core.analysis`; this module only gathers what the page shows for a timestep t
and a unit j: c_t, the sum of its exact split (it equals c_t), and three half-lives.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_core.analysis import (
    Contributions,
    contributions,
    half_life_steps,
    implied_half_life,
    lookback_half_life,
)
from lstm_core.trace import LayerTrace


@dataclass(frozen=True)
class MemorySplit:
    """The whole-sequence analysis of one layer/direction (computed once per run and view)."""

    split: Contributions  # c_t split into per-input terms and the initial-state term
    lookback: np.ndarray  # (T, B, H) look-back half-life from c_t, in steps
    ahead: np.ndarray  # (T, B, H) how long what is written at t lasts, in steps


@dataclass(frozen=True)
class MemoryAt:
    """The numbers the page shows for timestep t and unit j."""

    c_t: float
    total: float  # Σ of the split's terms: equals c_t (the split is exact)
    lookback: float  # NaN: longer than the sequence
    ahead: float  # NaN: longer than the sequence
    implied: float  # half-life of a constant forget gate with the same mean decay; inf: never


def memory_split(lt: LayerTrace) -> MemorySplit:
    return MemorySplit(contributions(lt), lookback_half_life(lt), half_life_steps(lt))


def memory_at(ms: MemorySplit, lt: LayerTrace, t: int, j: int) -> MemoryAt:
    """The page's numbers at (t, j) of the unbatched run (B = 1)."""
    return MemoryAt(
        c_t=float(lt.c[t, 0, j]),
        total=float(ms.split.inputs[t, :, 0, j].sum() + ms.split.initial[t, 0, j]),
        lookback=float(ms.lookback[t, 0, j]),
        ahead=float(ms.ahead[t, 0, j]),
        implied=float(implied_half_life(lt.f[:, 0, j], lt.mask[:, 0])),
    )
