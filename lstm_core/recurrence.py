"""The LSTM recurrence for one layer and one direction, every intermediate value kept.

The equations (torch's, gate order i, f, g, o):

    i_t = σ(W_ii x_t + b_ii + W_hi h_{t-1} + b_hi)        input gate
    f_t = σ(W_if x_t + b_if + W_hf h_{t-1} + b_hf)        forget gate
    g_t = tanh(W_ig x_t + b_ig + W_hg h_{t-1} + b_hg)     candidate
    o_t = σ(W_io x_t + b_io + W_ho h_{t-1} + b_ho)        output gate
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                       long-term memory (cell state)
    h_t = o_t ⊙ tanh(c_t)                                 short-term memory (hidden state)
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^(-z)), written as ½·tanh(z/2) + ½, which never overflows."""
    return 0.5 * np.tanh(0.5 * z) + 0.5


@functools.lru_cache(maxsize=64)
def gate_scale(H: int, dtype: np.dtype) -> np.ndarray:
    """(4H,) ½ for the σ gates i, f, o and 1 for the tanh candidate g.

    With s this vector, all four activations are one expression: s·tanh(s·z) + (1 − s),
    because σ(z) = ½·tanh(z/2) + ½ and tanh(z) = 1·tanh(1·z) + 0.
    """
    s = np.full(4 * H, 0.5, dtype=dtype)
    s[2 * H : 3 * H] = 1.0
    s.flags.writeable = False  # shared by every call (cached)
    return s


@functools.lru_cache(maxsize=64)
def gate_affine(B: int, H: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """s and 1 − s (see gate_scale) as (B, 4H), one row per sequence: s·tanh(s·z) + (1 − s) is
    then two same-shape operations per step, which NumPy runs faster than a (4H,) broadcast.

    For large steps (B·H > 4096) broadcasting costs nothing extra: (4H,) keeps the cache small.
    """
    s = gate_scale(H, dtype)
    if B * H <= 4096:
        s = np.broadcast_to(s, (B, 4 * H)).copy()
    shift = 1.0 - s
    s.flags.writeable = shift.flags.writeable = False  # shared by every call (cached)
    return s, shift


def carve(dtype: np.dtype, *shapes: tuple[int, ...]) -> list[np.ndarray]:
    """Uninitialised arrays of the given shapes, all views into one contiguous buffer."""
    sizes = [math.prod(shape) for shape in shapes]
    buf = np.empty(sum(sizes), dtype)
    ends = itertools.accumulate(sizes)
    return [buf[e - n : e].reshape(shape) for e, n, shape in zip(ends, sizes, shapes)]


def run_direction(
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias: np.ndarray | None,
    weight_hr: np.ndarray | None,
    steps: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Run one direction over x (T, B, D) in processing order; return every intermediate.

    h0 (B, H_out), c0 (B, H); bias (4H,) is b_ih + b_hh, or None; weight_hr (H_out, H) or None.
    steps (T, B) bool marks which sequences take step t (None: all of them); a sequence that
    does not take a step carries its state unchanged.
    """
    T, B, D = x.shape
    H = c0.shape[-1]
    H_out = h0.shape[-1]
    dtype = x.dtype

    # Every timestep's input projection in one matrix product. The σ rows of the weights are
    # pre-scaled by ½ (exact: a power of two), so one tanh serves all four gates:
    # σ(z) = ½·tanh(z/2) + ½ for i, f, o, and tanh(z) for g (see gate_scale).
    s = gate_scale(H, dtype)  # (4H,)
    s_B, shift_B = gate_affine(B, H, dtype)  # (B, 4H) each, or (4H,) for large steps
    z = (x.reshape(T * B, D) @ (weight_ih.T * s)).reshape(T, B, 4 * H)  # s ⊙ W_ih x_t, (T, B, 4H)
    if bias is not None:
        z += s * bias  # s ⊙ (b_ih + b_hh)
    W_hh_T = weight_hh.T * s  # (H_out, 4H), contiguous
    W_hr_T = None if weight_hr is None else np.ascontiguousarray(weight_hr.T)  # (H, H_out)
    zh = np.empty((B, 4 * H), dtype)  # s ⊙ W_hh h_{t-1}, one step's worth

    # The records, carved from one allocation: one large block is backed by huge pages, which
    # spares a page fault every few steps. c and h get a row 0 for c_0 and h_0, so that
    # c_prev and h_prev are views, shifted by one step.
    gates, kept, written, c_all, tanh_c, h_cell, h_all = carve(
        dtype,
        (T, B, 4 * H),  # i, f, g, o
        (T, B, H),  # f ⊙ c_{t-1}
        (T, B, H),  # i ⊙ g
        (T + 1, B, H),  # c_0, c_1, ..., c_T
        (T, B, H),  # tanh(c_t)
        (T, B, H) if weight_hr is not None else (0,),  # o ⊙ tanh(c_t), before the projection
        (T + 1, B, H_out),  # h_0, h_1, ..., h_T
    )
    c_all[0], h_all[0] = c0, h0
    c, h = c_all[1:], h_all[1:]
    if weight_hr is None:
        h_cell = h
    i, f, g, o = (gates[..., n * H : (n + 1) * H] for n in range(4))  # (T, B, H) views
    idle = None if steps is None else ~steps[:, :, None]  # (T, B, 1)

    h_prev, c_prev = h0, c0
    for t in range(T):
        np.matmul(h_prev, W_hh_T, out=zh)
        z_t = z[t]
        z_t += zh  # s ⊙ z_t, where z_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
        a = np.tanh(z_t, out=gates[t])
        a *= s_B
        a += shift_B  # i_t, f_t, g_t, o_t side by side
        kept_t = np.multiply(f[t], c_prev, out=kept[t])  # f_t ⊙ c_{t-1}: what the forget gate keeps
        written_t = np.multiply(i[t], g[t], out=written[t])  # i_t ⊙ g_t: what the input gate writes
        c_t = np.add(kept_t, written_t, out=c[t])  # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
        h_t = np.multiply(o[t], np.tanh(c_t, out=tanh_c[t]), out=h_cell[t])  # o_t ⊙ tanh(c_t)
        if W_hr_T is not None:
            h_t = np.matmul(h_t, W_hr_T, out=h[t])  # projection: h_t = W_hr (o_t ⊙ tanh(c_t))
        if idle is not None:  # sequences already past their end keep their state
            np.copyto(c_t, c_prev, where=idle[t])
            np.copyto(h_t, h_prev, where=idle[t])
        h_prev, c_prev = h_t, c_t
    z /= s  # undo the ½ scaling (exact): the true pre-activations
    return records(z, gates, kept, written, c_all, tanh_c, h_cell, h_all)


def records(z, gates, kept, written, c_all, tanh_c, h_cell, h_all) -> dict[str, np.ndarray]:
    """One direction's records under the names `LayerTrace` gives them; c_all and h_all
    (T + 1, B, ·) hold c_0 and h_0 in row 0, so c_prev and h_prev are views shifted by one."""
    return {
        "z": z,
        "gates": gates,
        "c_prev": c_all[:-1],
        "kept": kept,
        "written": written,
        "c": c_all[1:],
        "tanh_c": tanh_c,
        "h_prev": h_all[:-1],
        "h_cell": h_cell,
        "h": h_all[1:],
    }


def cell_step(
    x: np.ndarray,
    h_prev: np.ndarray,
    c_prev: np.ndarray,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray | None,
    bias_hh: np.ndarray | None,
) -> tuple[np.ndarray, np.ndarray]:
    """One LSTM step, written as plainly as the equations. x (B, D), h_prev and c_prev (B, H)."""
    H = c_prev.shape[-1]
    z = x @ weight_ih.T + h_prev @ weight_hh.T  # (B, 4H) gate order i, f, g, o
    if bias_ih is not None:
        z = z + bias_ih + bias_hh
    i_t = sigmoid(z[:, 0 * H : 1 * H])  # input gate
    f_t = sigmoid(z[:, 1 * H : 2 * H])  # forget gate
    g_t = np.tanh(z[:, 2 * H : 3 * H])  # candidate
    o_t = sigmoid(z[:, 3 * H : 4 * H])  # output gate
    c_t = f_t * c_prev + i_t * g_t  # long-term memory
    h_t = o_t * np.tanh(c_t)  # short-term memory
    return h_t, c_t
