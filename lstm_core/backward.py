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
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from .trace import LayerTrace, Trace

if TYPE_CHECKING:
    from .lstm import LSTM


@dataclass(frozen=True, eq=False)
class LayerGradients:
    """∂L/∂· for one layer and direction, time-major (T, B, ·), indexed by input position.

    Padded positions (when lengths were given) hold zeros. `c` is None for a vanilla RNN.
    """

    layer: int  # k
    direction: int  # 0 forward, 1 reverse
    h: np.ndarray  # (T, B, H_out) ∂L/∂h_t: from the layer above (or the loss) plus from step t+1
    c: np.ndarray | None  # (T, B, H) ∂L/∂c_t: through h_t and through c_{t+1}
    z: np.ndarray  # (T, B, 4H) ∂L/∂z_t, the pre-activations (T, B, H for a vanilla RNN)


@dataclass(frozen=True, eq=False)
class Gradients:
    """Everything `backward` returns; shapes follow the forward call's arguments."""

    params: dict[str, np.ndarray]  # keyed and shaped exactly like state_dict()
    input: np.ndarray  # shape of x as passed (batch_first / unbatched respected)
    h0: np.ndarray  # shape of h_0: (L * dirs, B, H_out), or (L * dirs, H_out) unbatched
    c0: np.ndarray | None  # shape of c_0 (None for a vanilla RNN)
    layers: tuple[tuple[LayerGradients, ...], ...]  # layers[k][d]


def check_trace_fits(model, trace) -> tuple[int, int]:
    """(L, ND) of a trace made by a model of this shape; a ValueError if it is another's."""
    L, ND = trace.num_layers, trace.num_directions
    if (L, ND) != (model.num_layers, model.num_directions):
        raise ValueError(
            f"the trace has {L} layers × {ND} directions, the model "
            f"{model.num_layers} × {model.num_directions}"
        )
    return L, ND


def time_major_grad(trace: Trace, grad_output, dtype: np.dtype) -> np.ndarray:
    """grad_output (shape of trace.output) → (T, B, ·), zero at padded positions and beyond."""
    g = np.asarray(grad_output, dtype=dtype)
    if g.shape != trace.output.shape:
        raise ValueError(
            f"grad_output must have the shape of trace.output {trace.output.shape}, got {g.shape}"
        )
    if not np.all(np.isfinite(g)):
        raise ValueError("grad_output must be finite, got NaN or infinity")
    if trace.unbatched:
        g = g[:, None]
    elif trace.batch_first:
        g = g.transpose(1, 0, 2)
    mask = trace.layers[0][0].mask  # (T, B)
    T = mask.shape[0]
    out = np.zeros((T,) + g.shape[1:], dtype)
    out[: g.shape[0]] = g  # with lengths, output has only max(lengths) steps
    if trace.lengths is not None:
        out[~mask] = 0  # the output at padding is not a function of anything
    return out


def state_grad(trace: Trace, name: str, grad, like: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """grad_h_n / grad_c_n (shape of trace.h_n / c_n, or None for zeros) → (L * dirs, B, ·)."""
    if grad is None:
        g = np.zeros(like.shape, dtype)
    else:
        g = np.asarray(grad, dtype=dtype)
        if g.shape != like.shape:
            raise ValueError(f"{name} must have shape {like.shape}, got {g.shape}")
        if not np.all(np.isfinite(g)):
            raise ValueError(f"{name} must be finite, got NaN or infinity")
    return g[:, None] if trace.unbatched else g


def input_layout(trace: Trace, grad_x: np.ndarray) -> np.ndarray:
    """(T, B, D) time-major → the layout x was passed in."""
    if trace.unbatched:
        return grad_x[:, 0]
    if trace.batch_first:
        return np.ascontiguousarray(grad_x.transpose(1, 0, 2))
    return grad_x


def lstm_direction_backward(
    lt: LayerTrace, dh_above: np.ndarray, dh_last: np.ndarray, dc_last: np.ndarray
) -> dict[str, np.ndarray]:
    """BPTT through one layer and direction.

    dh_above (T, B, H_out): ∂L/∂h_t from above (the loss or the next layer), zero at padding.
    dh_last (B, H_out), dc_last (B, H): ∂L/∂h_n, ∂L/∂c_n, the gradients of the final states.
    Returns dz (T, B, 4H), dh (T, B, H_out), dc (T, B, H), dh0 (B, H_out), dc0 (B, H).
    """
    T, B, H = lt.c.shape
    H_out = lt.h.shape[-1]
    i, f, g, o = lt.i, lt.f, lt.g, lt.o  # (T, B, H) each
    tanh_c, c_prev = lt.tanh_c, lt.c_prev  # (T, B, H)
    W_hh = lt.weight_hh  # (4H, H_out)
    W_hr = lt.weight_hr  # (H_out, H) or None

    # Local derivatives, every timestep at once: none of them depends on what flows back.
    dc_dh_cell = o * (1 - tanh_c * tanh_c)  # ∂c-path of h_cell = o ⊙ tanh(c): o ⊙ (1 − tanh² c)
    dz_dc = np.empty((T, B, 3, H), lt.c.dtype)  # ∂z_{i,f,g} per unit of dc_t
    dz_dc[:, :, 0] = g * i * (1 - i)  # dz_i = dc ⊙ g ⊙ σ'(z_i)
    dz_dc[:, :, 1] = c_prev * f * (1 - f)  # dz_f = dc ⊙ c_{t-1} ⊙ σ'(z_f)
    dz_dc[:, :, 2] = i * (1 - g * g)  # dz_g = dc ⊙ i ⊙ tanh'(z_g)
    dz_o_dh_cell = tanh_c * o * (1 - o)  # dz_o = dh_cell ⊙ tanh(c) ⊙ σ'(z_o)

    idle = None
    if not lt.mask.all():  # lengths: padded steps pass the gradients through unchanged
        idle = ~lt.mask[:, :, None]  # (T, B, 1)
        for a in (dc_dh_cell, dz_o_dh_cell):
            a[~lt.mask] = 0
        dz_dc[~lt.mask] = 0

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
        dc_t = np.multiply(dh_cell_t, dc_dh_cell[t], out=dc[t])
        dc_t += dc_next  # ∂L/∂c_t = dc_{t+1} ⊙ f_{t+1} + dh_cell_t ⊙ o_t ⊙ (1 − tanh² c_t)
        np.multiply(dc_t[:, None, :], dz_dc[t], out=dz_ifg_o[t, :, :3])  # dz_i, dz_f, dz_g
        np.multiply(dh_cell_t, dz_o_dh_cell[t], out=dz_ifg_o[t, :, 3])  # dz_o
        dh_prev = dz[t] @ W_hh  # ∂L/∂h_{t-1} = dz_t W_hh, (B, H_out)
        dc_prev = dc_t * f[t]  # ∂L/∂c_{t-1} = dc_t ⊙ f_t, (B, H)
        if idle is not None:  # a sequence past its end: its state was carried, so is its gradient
            np.copyto(dh_prev, dh_next, where=idle[t])
            np.copyto(dc_prev, dc_next, where=idle[t])
        dh_next, dc_next = dh_prev, dc_prev

    if idle is not None:  # padded positions hold zeros, like the trace
        dh[~lt.mask] = 0
        dc[~lt.mask] = 0
    return {"dz": dz, "dh": dh, "dc": dc, "dh0": dh_next, "dc0": dc_next}


def weight_grads(lt, dz: np.ndarray, dh: np.ndarray, bias: bool) -> dict[str, np.ndarray]:
    """Weight gradients summed over every timestep, each one matrix product.

    dz (T, B, G) with G = 4H (LSTM) or H (RNN); dh (T, B, H_out) for the projection weight.
    """
    T, B, G = dz.shape
    dz2 = dz.reshape(T * B, G)  # one row per (timestep, sequence)
    grads = {
        "weight_ih": dz2.T @ lt.x.reshape(T * B, -1),  # Σ_t dz_t^T x_t, (G, D_k)
        "weight_hh": dz2.T @ lt.h_prev.reshape(T * B, -1),  # Σ_t dz_t^T h_{t-1}, (G, H_out)
    }
    if bias:
        grads["bias_ih"] = dz2.sum(axis=0)  # Σ_t dz_t, (G,)
        grads["bias_hh"] = grads["bias_ih"].copy()  # the two biases enter z identically
    if getattr(lt, "weight_hr", None) is not None:
        H = lt.h_cell.shape[-1]
        grads["weight_hr"] = dh.reshape(T * B, -1).T @ lt.h_cell.reshape(T * B, H)  # (H_out, H)
    return grads


def lstm_backward(
    model: LSTM, trace: Trace, grad_output, grad_h_n=None, grad_c_n=None
) -> Gradients:
    """∂L/∂(parameters, input, h_0, c_0) given ∂L/∂(output, h_n, c_n), through the whole trace.

    grad_output has the shape of trace.output; grad_h_n, grad_c_n the shapes of trace.h_n,
    trace.c_n (None: zero). Train-mode dropout uses the masks the forward pass drew.
    """
    dtype = model.dtype
    L, ND = check_trace_fits(model, trace)
    H_out = model.output_hidden_size
    d_above = time_major_grad(trace, grad_output, dtype)  # (T, B, ND·H_out)
    dh_n = state_grad(trace, "grad_h_n", grad_h_n, trace.h_n, dtype)  # (L·ND, B, H_out)
    dc_n = state_grad(trace, "grad_c_n", grad_c_n, trace.c_n, dtype)  # (L·ND, B, H)

    params: dict[str, np.ndarray] = {}
    dh0, dc0 = np.empty_like(dh_n), np.empty_like(dc_n)
    layers: list[tuple[LayerGradients, ...]] = [()] * L
    for k in reversed(range(L)):
        d_below = None  # ∂L/∂(this layer's input), summed over directions
        per_dir = []
        for d in range(ND):
            lt = trace.layers[k][d]
            r = lstm_direction_backward(
                lt, d_above[..., d * H_out : (d + 1) * H_out], dh_n[k * ND + d], dc_n[k * ND + d]
            )
            dh0[k * ND + d], dc0[k * ND + d] = r["dh0"], r["dc0"]
            sfx = f"_l{k}" + ("_reverse" if d else "")
            for name, grad in weight_grads(lt, r["dz"], r["dh"], model.bias).items():
                params[name + sfx] = grad
            T, B, G = r["dz"].shape
            dx = (r["dz"].reshape(T * B, G) @ lt.weight_ih).reshape(T, B, -1)  # dz_t W_ih
            d_below = dx if d_below is None else d_below + dx
            per_dir.append(LayerGradients(k, d, h=r["dh"], c=r["dc"], z=r["dz"]))
        layers[k] = tuple(per_dir)
        if k > 0 and trace.dropout_masks[k - 1] is not None:
            d_below = d_below * trace.dropout_masks[k - 1]  # dropout: y = x ⊙ m, so dx = dy ⊙ m
        d_above = d_below

    return Gradients(
        params={name: params[name] for name in model.param_shapes()},  # state_dict order
        input=input_layout(trace, d_above),
        h0=dh0[:, 0] if trace.unbatched else dh0,
        c0=dc0[:, 0] if trace.unbatched else dc0,
        layers=tuple(layers),
    )
