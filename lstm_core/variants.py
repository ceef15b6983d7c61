"""`VariantLSTM`: the eight LSTM variants of Greff et al., "LSTM: A Search Space Odyssey" (2017).

Each changes one thing in the LSTM's equations (lstm_core.recurrence):

    vanilla   exactly `LSTM` (the same code: the same weights give the same bits)
    peephole  i and f see c_{t-1}, o sees c_t:  z_i += w_ci ⊙ c_{t-1},  z_f += w_cf ⊙ c_{t-1},
              z_o += w_co ⊙ c_t, through diagonal weights weight_c{i,f,o}_l{k} (H,)
    NIG       no input gate:          i_t ≡ 1
    NFG       no forget gate:         f_t ≡ 1  (the LSTM of 1997: c only ever adds)
    NOG       no output gate:         o_t ≡ 1
    NIAF      no input activation:    g_t = z_g  (no tanh)
    NOAF      no output activation:   h_t = o_t ⊙ c_t  (no tanh)
    CIFG      coupled gates:          i_t = 1 − f_t  (what is forgotten is what is written)

The parameters are nn.LSTM's (names, (4H, ·) shapes, gate order i, f, g, o) for every variant, so
a learner can move weights between them; rows a variant does not use stay, their gradient is zero.
Only "peephole" adds weights: weight_ci, weight_cf, weight_co (H,) per layer and direction, after
that direction's biases, `_reverse` for the reverse direction. (The other variants have none:
zero peepholes are exactly the vanilla LSTM, which the test checks.)

The trace is the LSTM's (`LayerTrace`: i f g o c h, z_i … z_o, …) plus the variant and the
peephole weights. In it z is always what the gate is computed from (peephole terms included);
a removed gate (NIG, NFG, NOG) has no pre-activation, and its rows of z hold 0; CIFG's z_i is
−z_f (σ(−z_f) = 1 − σ(z_f)). For NOAF, `tanh_c` holds the output activation, which is c_t itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backward import cell_bptt, lstm_direction_backward
from .recurrence import records, run_direction, sigmoid
from .skeleton import Gradients, Recurrent
from .trace import LayerTrace, Trace

VARIANTS = ("vanilla", "peephole", "NIG", "NFG", "NOG", "NIAF", "NOAF", "CIFG")
PEEPHOLES = ("weight_ci", "weight_cf", "weight_co")


@dataclass(frozen=True, eq=False)
class VariantLayerTrace(LayerTrace):
    """An LSTM variant's layer record: the LSTM's, plus which variant and its peephole weights."""

    variant: str  # one of VARIANTS
    weight_ci: np.ndarray | None  # (H,) peephole c_{t-1} → i ("peephole" only)
    weight_cf: np.ndarray | None  # (H,) peephole c_{t-1} → f
    weight_co: np.ndarray | None  # (H,) peephole c_t → o


def variant_direction(
    x: np.ndarray,
    h0: np.ndarray,
    c0: np.ndarray,
    p: dict[str, np.ndarray],
    variant: str,
    steps: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Run one direction of a variant (not "vanilla": that is `run_direction`) over x (T, B, D)
    in processing order, written as plainly as the equations; h0, c0 (B, H); p the direction's
    parameters. Returns the records `run_direction` returns."""
    T, B, D = x.shape
    H = c0.shape[-1]
    z = (x.reshape(T * B, D) @ p["weight_ih"].T).reshape(T, B, 4 * H)  # W_ih x_t for every t
    z += p["bias_ih"] + p["bias_hh"]
    W_hh_T = p["weight_hh"].T  # (H, 4H)
    peephole = variant == "peephole"

    gates = np.empty((T, B, 4 * H), x.dtype)
    kept, written, act_c = (np.empty((T, B, H), x.dtype) for _ in range(3))
    c_all, h_all = np.empty((T + 1, B, H), x.dtype), np.empty((T + 1, B, H), x.dtype)
    c_all[0], h_all[0] = c0, h0
    z_i, z_f, z_g, z_o = (z[..., n * H : (n + 1) * H] for n in range(4))  # (T, B, H) views
    i, f, g, o = (gates[..., n * H : (n + 1) * H] for n in range(4))
    c, h = c_all[1:], h_all[1:]
    idle = None if steps is None else ~steps[:, :, None]  # (T, B, 1)

    for t in range(T):
        h_prev, c_prev = h_all[t], c_all[t]
        z[t] += h_prev @ W_hh_T  # z_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
        if peephole:
            z_i[t] += p["weight_ci"] * c_prev  # the input gate sees c_{t-1}
            z_f[t] += p["weight_cf"] * c_prev  # the forget gate sees c_{t-1}
        f[t] = 1.0 if variant == "NFG" else sigmoid(z_f[t])  # forget gate
        if variant == "NIG":
            i[t] = 1.0  # no input gate
        elif variant == "CIFG":
            i[t] = 1.0 - f[t]  # coupled: write exactly what is forgotten
        else:
            i[t] = sigmoid(z_i[t])  # input gate
        g[t] = z_g[t] if variant == "NIAF" else np.tanh(z_g[t])  # candidate
        kept[t] = f[t] * c_prev  # f_t ⊙ c_{t-1}
        written[t] = i[t] * g[t]  # i_t ⊙ g_t
        c[t] = kept[t] + written[t]  # c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t
        if peephole:
            z_o[t] += p["weight_co"] * c[t]  # the output gate sees c_t
        o[t] = 1.0 if variant == "NOG" else sigmoid(z_o[t])  # output gate
        act_c[t] = c[t] if variant == "NOAF" else np.tanh(c[t])  # output activation
        h[t] = o[t] * act_c[t]  # h_t = o_t ⊙ tanh(c_t)
        if idle is not None:  # sequences past their end keep their state
            np.copyto(c[t], c_prev, where=idle[t])
            np.copyto(h[t], h_prev, where=idle[t])

    removed = {"NIG": z_i, "NFG": z_f, "NOG": z_o}.get(variant)
    if removed is not None:
        removed[...] = 0.0  # a removed gate has no pre-activation
    if variant == "CIFG":
        np.negative(z_f, out=z_i)  # σ(−z_f) = 1 − f_t
    return records(z, gates, kept, written, c_all, act_c, h, h_all)


def variant_direction_backward(
    lt: VariantLayerTrace, dh_above: np.ndarray, dh_last: np.ndarray, dc_last: np.ndarray
) -> dict[str, np.ndarray]:
    """BPTT through one layer and direction of a variant: its local derivatives, every timestep
    at once, then the LSTM's loop over time (`cell_bptt`). Arguments and results as
    `lstm_direction_backward`'s; the rows of dz of a gate the variant does not compute are 0."""
    v = lt.variant
    if v == "vanilla":
        return lstm_direction_backward(lt, dh_above, dh_last, dc_last)
    T, B, H = lt.c.shape
    i, f, g, o = lt.i, lt.f, lt.g, lt.o  # (T, B, H) each
    act_c, c_prev = lt.tanh_c, lt.c_prev  # act_c: tanh(c_t), or c_t for NOAF
    zero = np.zeros_like(i)

    act_grad = 1.0 if v == "NOAF" else 1 - act_c * act_c  # ∂act(c)/∂c: tanh' or 1
    dc_dh_cell = o * act_grad  # dc_t gets dh_t ⊙ o_t ⊙ act'(c_t)
    dz_o_dh_cell = zero if v == "NOG" else act_c * o * (1 - o)  # dz_o = dh ⊙ act(c) ⊙ σ'(z_o)
    dz_dc = np.empty((T, B, 3, H), lt.c.dtype)  # ∂z_{i,f,g} per unit of dc_t
    dz_dc[:, :, 0] = zero if v in ("NIG", "CIFG") else g * i * (1 - i)  # dz_i = dc ⊙ g ⊙ σ'
    if v == "NFG":
        dz_dc[:, :, 1] = 0.0  # f ≡ 1: nothing to learn
    elif v == "CIFG":
        dz_dc[:, :, 1] = (c_prev - g) * f * (1 - f)  # c = f ⊙ c_{t-1} + (1 − f) ⊙ g
    else:
        dz_dc[:, :, 1] = c_prev * f * (1 - f)  # dz_f = dc ⊙ c_{t-1} ⊙ σ'(z_f)
    dz_dc[:, :, 2] = i if v == "NIAF" else i * (1 - g * g)  # dz_g = dc ⊙ i ⊙ tanh'(z_g), or ⊙ 1
    peepholes = (lt.weight_ci, lt.weight_cf, lt.weight_co) if v == "peephole" else None
    return cell_bptt(lt, dh_above, dh_last, dc_last, dc_dh_cell, dz_dc, dz_o_dh_cell, peepholes)


class VariantLSTM(Recurrent):
    """An LSTM variant (one of VARIANTS) with nn.LSTM's arguments (no dropout, no projection),
    parameters (plus peepholes), trace and backward; "vanilla" is `LSTM` exactly."""

    num_gates = 4  # i, f, g, o (all kept, used or not)
    trace_type = Trace

    def __init__(
        self, input_size: int, hidden_size: int, variant: str, num_layers: int = 1,
        bias: bool = True, batch_first: bool = False, bidirectional: bool = False,
        dtype=np.float64, seed: int | None = None,
    ) -> None:  # fmt: skip
        if variant not in VARIANTS:
            raise ValueError(f"variant must be one of {', '.join(VARIANTS)}; got {variant!r}")
        self.variant = variant
        self._init_options(
            input_size, hidden_size, num_layers, bias, batch_first, 0.0, bidirectional, dtype, seed
        )
        self._init_params()

    def state_sizes(self) -> dict[str, int]:
        """h (B, H) and c (B, H), in torch's hx order."""
        return {"h": self.hidden_size, "c": self.hidden_size}

    def _direction_param_shapes(self, k: int) -> dict[str, tuple[int, ...]]:
        """nn.LSTM's (4H rows, gate order i, f, g, o), then the peepholes (H,) for "peephole"."""
        shapes = super()._direction_param_shapes(k)
        if self.variant == "peephole":
            shapes |= {name: (self.hidden_size,) for name in PEEPHOLES}
        return shapes

    # ----- the cell on the skeleton -----------------------------------------------------------

    def _run_direction(self, x, state0, p, steps) -> dict[str, np.ndarray]:
        h0, c0 = state0
        if self.variant == "vanilla":  # the LSTM's own code
            bias = p["bias_ih"] + p["bias_hh"] if self.bias else None
            return run_direction(x, h0, c0, p["weight_ih"], p["weight_hh"], bias, None, steps)
        return variant_direction(x, h0, c0, p, self.variant, steps)

    def _layer_trace(self, k, d, p, r, mask) -> VariantLayerTrace:
        peepholes = {name: p.get(name) for name in PEEPHOLES}
        return VariantLayerTrace(
            layer=k, direction=d, mask=mask, variant=self.variant, weight_hr=None,
            **(p | peepholes), **r,
        )  # fmt: skip

    _direction_backward = staticmethod(variant_direction_backward)

    def _param_grads(self, lt, r) -> dict[str, np.ndarray]:
        """nn.LSTM's weight gradients, and the peepholes': Σ_t dz_i ⊙ c_{t-1}, dz_f ⊙ c_{t-1},
        dz_o ⊙ c_t over every timestep and sequence."""
        grads = super()._param_grads(lt, r)
        if self.variant == "peephole":
            H = self.hidden_size
            dz_i, dz_f, dz_o = (r["dz"][..., n * H : (n + 1) * H] for n in (0, 1, 3))
            grads["weight_ci"] = (dz_i * lt.c_prev).sum(axis=(0, 1))
            grads["weight_cf"] = (dz_f * lt.c_prev).sum(axis=(0, 1))
            grads["weight_co"] = (dz_o * lt.c).sum(axis=(0, 1))
        return grads

    # ----- running ------------------------------------------------------------------------------

    def backward(self, trace: Trace, grad_output, grad_h_n=None, grad_c_n=None) -> Gradients:
        """BPTT through `trace`: ∂L/∂(parameters, input, h_0, c_0) given ∂L/∂(output, h_n, c_n)."""
        return self._bptt(trace, grad_output, (grad_h_n, grad_c_n))
