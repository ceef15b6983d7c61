"""The math behind the "gates over time" views: who still speaks in c_t, how long memory lasts.

Unrolling c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t back to the start splits the long-term memory exactly
into one term per past input plus the initial state:

    c_t = Σ_{k≤t} (∏_{j=k+1..t} f_j) ⊙ i_k ⊙ g_k  +  (∏_{j=1..t} f_j) ⊙ c_0

"k ≤ t" and "j = k+1..t" are in *processing order*: for the reverse direction of a bidirectional
layer that is input position T-1 first, down to 0 (with `lengths`, each sequence from its own last
real position). Every array here is indexed by input position, like the trace; padded positions
(mask False) hold zeros. NumPy only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .trace import LayerTrace

LN2 = float(np.log(2.0))


def processing_order(lt: LayerTrace) -> np.ndarray:
    """(T, B) int: order[s, b] is the input position processed at step s of sequence b.

    Forward: order[s] = s. Reverse: the last real position first; padded positions (past a
    sequence's length) come last, in place, as the idle steps they are.
    """
    T, B = lt.mask.shape
    s = np.arange(T)[:, None]  # (T, 1)
    if lt.direction == 0:
        return np.broadcast_to(s, (T, B)).copy()
    lengths = lt.mask.sum(axis=0)[None, :]  # (1, B)
    return np.where(s < lengths, lengths - 1 - s, s)  # its own inverse


def _to_steps(a: np.ndarray, order: np.ndarray) -> np.ndarray:
    """Reorder a (T, B, ...) array from input positions to processing steps."""
    return a[order, np.arange(order.shape[1])[None, :]]


@dataclass(frozen=True, eq=False)
class Contributions:
    """The exact split of c_t, all arrays indexed by input position.

    retention[t, k] (T, T, B, H): ∏ of the forget gates applied after position k up to t
        (1 at k = t, 0 when k is processed after t or is padding).
    inputs[t, k]    (T, T, B, H): what input position k still contributes to c_t,
        retention[t, k] ⊙ i_k ⊙ g_k.
    initial[t]      (T, B, H):    what c_0 still contributes to c_t, retention0[t] ⊙ c_0.
    retention0[t]   (T, B, H):    ∏ of every forget gate applied up to t (c_0's weight).
    c0              (B, H):       the initial long-term memory of this layer and direction.
    """

    retention: np.ndarray
    inputs: np.ndarray
    initial: np.ndarray
    retention0: np.ndarray
    c0: np.ndarray

    def total(self) -> np.ndarray:
        """(T, B, H) Σ_k inputs[t, k] + initial[t]: equals trace.c to round-off."""
        return self.inputs.sum(axis=1) + self.initial


def contributions(lt: LayerTrace) -> Contributions:
    """Split every c_t of one layer/direction into per-input terms and the c_0 term; O(T²·B·H)."""
    T, B, H = lt.c.shape
    order = processing_order(lt)  # (T, B)
    steps = _to_steps(lt.mask, order)[..., None]  # (T, B, 1): the step ran
    f = np.where(steps, _to_steps(lt.f, order), 1.0)  # an idle step keeps c: f = 1
    c0 = _to_steps(lt.c_prev, order)[0]  # (B, H): the first processed step always ran

    # In processing order: R[s, r] = ∏_{j=r+1..s} f_j, built row by row (R[s] = f_s ⊙ R[s-1]).
    R = np.zeros((T, T, B, H), lt.c.dtype)
    keep0 = np.empty((T, B, H), lt.c.dtype)  # ∏_{j=0..s} f_j: what is left of c_0
    for s in range(T):
        if s:
            np.multiply(f[s], R[s - 1, :s], out=R[s, :s])
        R[s, s] = 1.0
        keep0[s] = f[s] if s == 0 else f[s] * keep0[s - 1]

    # Back to input positions: retention[t, k] = R[step(t), step(k)] (order is its own inverse
    # for both directions, as a map position ↔ step of each sequence).
    b = np.arange(B)
    retention = R[order[:, None, :], order[None, :, :], b[None, None, :]]  # (T, T, B, H)
    mask = lt.mask  # (T, B)
    retention = retention * (mask[:, None, :, None] & mask[None, :, :, None])
    inputs = retention * lt.written[None, :, :, :]
    retention0 = _to_steps(keep0, order) * mask[..., None]
    initial = retention0 * c0[None]
    return Contributions(
        retention=retention, inputs=inputs, initial=initial, retention0=retention0, c0=c0
    )


def _log_f_cumsum(lt: LayerTrace) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """order (T, B), steps (T, B) bool, cum (T+1, B, H) = [0, ln f_0, ln f_0 + ln f_1, …]
    in processing order (an idle step counts as f = 1)."""
    order = processing_order(lt)
    steps = _to_steps(lt.mask, order)
    with np.errstate(divide="ignore"):
        log_f = np.log(_to_steps(lt.f, order))
    log_f = np.where(steps[..., None], log_f, 0.0)
    cum = np.concatenate([np.zeros((1,) + log_f.shape[1:]), np.cumsum(log_f, axis=0)])
    return order, steps, cum


_TOL = 1e-9  # a product of forget gates that equals ½ up to round-off counts as ½


def half_life_steps(lt: LayerTrace) -> np.ndarray:
    """(T, B, H) float, looking forward: for what is written at position t, the number of later
    steps n until the forget gates it passes, ∏_{j=t+1..t+n} f_j, have shrunk it to ≤ ½.

    NaN if that never happens before the sequence ends (and at padding). Constant f = ½ gives 1,
    f = 2^(-1/10) gives 10.
    """
    order, steps, cum = _log_f_cumsum(lt)
    T, B, H = lt.c.shape
    out = np.full((T, B, H), np.nan)
    for r in range(T - 1):  # the last step has nothing after it: NaN
        log_keep = cum[r + 2 :] - cum[r + 1]  # (T-1-r, B, H): ln ∏_{j=r+1..s} f_j, s = r+1..T-1
        below = (log_keep <= -LN2 + _TOL) & steps[r + 1 :, :, None]
        n = below.argmax(axis=0) + 1.0
        out[r] = np.where(below.any(axis=0) & steps[r][:, None], n, np.nan)
    return _to_steps(out, order)  # order is its own inverse


def lookback_half_life(lt: LayerTrace) -> np.ndarray:
    """(T, B, H) float, looking back from c_t: the smallest n such that the input n steps
    earlier keeps a weight ∏ f (its `retention`) ≤ ½ in c_t; n = t+1 (in steps) stands for c_0.

    NaN if even c_0 keeps more than half (and at padding). Constant f = ½ gives 1,
    f = 2^(-1/10) gives 10 (once t is far enough from the start).
    """
    order, steps, cum = _log_f_cumsum(lt)
    T, B, H = lt.c.shape
    out = np.full((T, B, H), np.nan)
    for s in range(T):
        log_keep = cum[s + 1] - cum[s::-1]  # (s+1, B, H): n = 1..s+1 forget gates back from s
        below = log_keep <= -LN2 + _TOL
        n = below.argmax(axis=0) + 1.0
        out[s] = np.where(below.any(axis=0) & steps[s][:, None], n, np.nan)
    return _to_steps(out, order)


def implied_half_life(f: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """(…) −ln 2 / mean_t(ln f_t): the half-life of a constant gate with the same mean decay.

    f (T, ...) forget gates over time; mask (T, B) or None selects the steps that ran. inf when
    the forget gate is (numerically) always 1.
    """
    with np.errstate(divide="ignore"):
        log_f = np.log(f)
    if mask is None:
        mean_log = log_f.mean(axis=0)
    else:
        m = mask.reshape(mask.shape + (1,) * (f.ndim - mask.ndim))
        n = np.broadcast_to(m, f.shape).sum(axis=0)
        mean_log = np.where(m, log_f, 0.0).sum(axis=0) / np.maximum(n, 1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(mean_log < 0, -LN2 / mean_log, np.inf)


@dataclass(frozen=True)
class Saturation:
    """Fractions of values near the low end and the high end of a gate's range, and the rest."""

    near_low: float
    near_high: float
    count: int

    @property
    def middle(self) -> float:
        return 1.0 - self.near_low - self.near_high if self.count else 0.0


def saturation(
    values: np.ndarray,
    lo: float = 0.0,
    hi: float = 1.0,
    margin: float = 0.05,
    mask: np.ndarray | None = None,
) -> Saturation:
    """How often values sit within `margin` of either end of [lo, hi].

    values (T, B, H) or any shape; mask (T, B) or values' shape selects the entries that count.
    σ gates: near 0 means < 0.05, near 1 means > 0.95; for g (tanh) pass lo=-1: < -0.95, > 0.95.
    """
    v = np.asarray(values)
    if mask is not None:
        m = np.asarray(mask, bool)
        m = np.broadcast_to(m.reshape(m.shape + (1,) * (v.ndim - m.ndim)), v.shape)
        v = v[m]
    v = v.ravel()
    n = int(v.size)
    if n == 0:
        return Saturation(0.0, 0.0, 0)
    return Saturation(
        near_low=float(np.count_nonzero(v < lo + margin)) / n,
        near_high=float(np.count_nonzero(v > hi - margin)) / n,
        count=n,
    )
