"""Backpropagation through time for `LSTM`: every gradient torch's autograd gives, from a `Trace`.

The forward equations (torch's, gate order i, f, g, o) and, read right to left, their derivatives:

    z_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh     dz_t = [dz_i, dz_f, dz_g, dz_o]
    i_t, f_t, g_t, o_t = σ(z_i), σ(z_f), tanh(z_g), σ(z_o)
    c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t                 dc_t = dc_{t+1} ⊙ f_{t+1} + dh_cell_t ⊙ o_t ⊙ τ'
    h_cell_t = o_t ⊙ tanh(c_t)                       dh_cell_t = dh_t (· W_hr when projecting)
    h_t = h_cell_t (or W_hr h_cell_t)                dh_t = dh_above_t + dz_{t+1} W_hh

  where τ' = 1 − tanh²(c_t), and

    dz_i = dc_t ⊙ g_t ⊙ i_t(1 − i_t)      dz_f = dc_t ⊙ c_{t-1} ⊙ f_t(1 − f_t)
    dz_g = dc_t ⊙ i_t ⊙ (1 − g_t²)        dz_o = dh_cell_t ⊙ tanh(c_t) ⊙ o_t(1 − o_t)

Only dh and dc travel through time, so the loop over timesteps carries just those two; everything
that does not depend on them (the local derivatives before the loop, the weight and input gradients
after it) is one array operation over all timesteps at once.

This is the LSTM's part, one layer and one direction; the loop over layers and directions
(dropout masks, lengths, the weight and input gradients) is `Recurrent._bptt` in `skeleton`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .skeleton import Gradients, LayerGradients
from .trace import LayerTrace, Trace

if TYPE_CHECKING:
    from .lstm import LSTM

__all__ = ["Gradients", "LayerGradients", "cell_bptt", "lstm_backward", "lstm_direction_backward"]


def lstm_direction_backward(
    lt: LayerTrace, dh_above: np.ndarray, dh_last: np.ndarray, dc_last: np.ndarray
) -> dict[str, np.ndarray]:
    """BPTT through one layer and direction.

    dh_above (T, B, H_out): ∂L/∂h_t from above (the loss or the next layer), zero at padding.
    dh_last (B, H_out), dc_last (B, H): ∂L/∂h_n, ∂L/∂c_n, the gradients of the final states.
    Returns dz (T, B, 4H), dh (T, B, H_out), dc (T, B, H), dh0 (B, H_out), dc0 (B, H).
    """
    T, B, H = lt.c.shape
    i, f, g, o = lt.i, lt.f, lt.g, lt.o  # (T, B, H) each
    tanh_c, c_prev = lt.tanh_c, lt.c_prev  # (T, B, H)

    # Local derivatives, every timestep at once: none of them depends on what flows back.
    dc_dh_cell = o * (1 - tanh_c * tanh_c)  # ∂c-path of h_cell = o ⊙ tanh(c): o ⊙ (1 − tanh² c)
    dz_dc = np.empty((T, B, 3, H), lt.c.dtype)  # ∂z_{i,f,g} per unit of dc_t
    dz_dc[:, :, 0] = g * i * (1 - i)  # dz_i = dc ⊙ g ⊙ σ'(z_i)
    dz_dc[:, :, 1] = c_prev * f * (1 - f)  # dz_f = dc ⊙ c_{t-1} ⊙ σ'(z_f)
    dz_dc[:, :, 2] = i * (1 - g * g)  # dz_g = dc ⊙ i ⊙ tanh'(z_g)
    dz_o_dh_cell = tanh_c * o * (1 - o)  # dz_o = dh_cell ⊙ tanh(c) ⊙ σ'(z_o)
    return cell_bptt(lt, dh_above, dh_last, dc_last, dc_dh_cell, dz_dc, dz_o_dh_cell)


def cell_bptt(
    lt: LayerTrace,
    dh_above: np.ndarray,
    dh_last: np.ndarray,
    dc_last: np.ndarray,
    dc_dh_cell: np.ndarray,
    dz_dc: np.ndarray,
    dz_o_dh_cell: np.ndarray,
    peepholes: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> dict[str, np.ndarray]:
    """The loop over time of an LSTM cell's BPTT, given its local derivatives (every t at once;
    changed in place at padding): dc_dh_cell (T, B, H) ∂c_t per unit of ∂L/∂h_cell_t, dz_dc
    (T, B, 3, H) ∂z_{i,f,g} per unit of dc_t, dz_o_dh_cell (T, B, H) ∂z_o per unit of dh_cell_t.
    peepholes (w_ci, w_cf, w_co), each (H,): z_i, z_f also see c_{t-1}, z_o sees c_t.
    Returns dz (T, B, 4H), dh (T, B, H_out), dc (T, B, H), dh0 (B, H_out), dc0 (B, H).
    """
    T, B, H = lt.c.shape
    H_out = lt.h.shape[-1]
    f = lt.f  # (T, B, H): ∂c_t/∂c_{t-1}
    W_hh = lt.weight_hh  # (4H, H_out)
    W_hr = lt.weight_hr  # (H_out, H) or None
    w_ci, w_cf, w_co = (None, None, None) if peepholes is None else peepholes

    idle = None
    if not lt.mask.all():  # lengths: padded steps pass the gradients through unchanged
        idle = ~lt.mask[:, :, None]  # (T, B, 1)
        for a in (dc_dh_cell, dz_o_dh_cell, dz_dc):
            a[~lt.mask] = 0

    dz = np.empty((T, B, 4 * H), lt.c.dtype)  # ∂L/∂z_t
    dz_ifg_o = dz.reshape(T, B, 4, H)  # the same memory, one row per gate
    dh = np.empty((T, B, H_out), lt.c.dtype)  # ∂L/∂h_t
    dc = np.empty((T, B, H), lt.c.dtype)  # ∂L/∂c_t

    # The reverse direction ran from the last position to the first, so its backward pass runs
    # from the first position to the last; the forward direction the other way round.
    order = range(T) if lt.direction == 1 else range(T - 1, -1, -1)
    dh_next, dc_next = dh_last, dc_last  # ∂L/∂h_t, ∂L/∂c_t arriving from the step after t
    for t in order:
        dh_t = np.add(dh_above[t], dh_next, out=dh[t])  # ∂L/∂h_t, (B, H_out)
        dh_cell_t = dh_t if W_hr is None else dh_t @ W_hr  # ∂L/∂(o_t ⊙ tanh c_t), (B, H)
        dz_o = np.multiply(dh_cell_t, dz_o_dh_cell[t], out=dz_ifg_o[t, :, 3])  # dz_o
        dc_t = np.multiply(dh_cell_t, dc_dh_cell[t], out=dc[t])
        dc_t += dc_next  # ∂L/∂c_t = dc_{t+1} ⊙ f_{t+1} + dh_cell_t ⊙ o_t ⊙ (1 − tanh² c_t)
        if w_co is not None:
            dc_t += dz_o * w_co  # o_t sees c_t through its peephole
        np.multiply(dc_t[:, None, :], dz_dc[t], out=dz_ifg_o[t, :, :3])  # dz_i, dz_f, dz_g
        dh_prev = dz[t] @ W_hh  # ∂L/∂h_{t-1} = dz_t W_hh, (B, H_out)
        dc_prev = dc_t * f[t]  # ∂L/∂c_{t-1} = dc_t ⊙ f_t, (B, H)
        if w_ci is not None:  # i_t and f_t see c_{t-1} through theirs
            dc_prev += dz_ifg_o[t, :, 0] * w_ci + dz_ifg_o[t, :, 1] * w_cf
        if idle is not None:  # a sequence past its end: its state was carried, so is its gradient
            np.copyto(dh_prev, dh_next, where=idle[t])
            np.copyto(dc_prev, dc_next, where=idle[t])
        dh_next, dc_next = dh_prev, dc_prev

    if idle is not None:  # padded positions hold zeros, like the trace
        dh[~lt.mask] = 0
        dc[~lt.mask] = 0
    return {"dz": dz, "dh": dh, "dc": dc, "dh0": dh_next, "dc0": dc_next}


def lstm_backward(
    model: LSTM, trace: Trace, grad_output, grad_h_n=None, grad_c_n=None
) -> Gradients:
    """∂L/∂(parameters, input, h_0, c_0) given ∂L/∂(output, h_n, c_n), through the whole trace.

    grad_output has the shape of trace.output; grad_h_n, grad_c_n the shapes of trace.h_n,
    trace.c_n (None: zero). Train-mode dropout uses the masks the forward pass drew.
    """
    return model._bptt(trace, grad_output, (grad_h_n, grad_c_n))
