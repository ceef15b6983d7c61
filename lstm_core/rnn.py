"""`RNN`: a NumPy twin of `torch.nn.RNN` (the vanilla recurrent network), with trace and backward.

    h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)      (or relu instead of tanh)

Everything mirrors `LSTM`: torch's arguments and state_dict names, `trace` keeps every value,
`backward` gives every gradient. Beside the LSTM it shows why gradients vanish: ∂L/∂h_{t-1} is
∂L/∂h_t multiplied by W_hh and by tanh' ≤ 1 at every step, with no additive path like c_t.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .skeleton import Gradients, Recurrent
from .trace import RunTrace

NONLINEARITIES = ("tanh", "relu")


@dataclass(frozen=True, eq=False)
class RNNLayerTrace:
    """One layer, one direction of an RNN run; time-major (T, B, ·), indexed by input position.

    As for the LSTM: the reverse direction's h_prev[t] came from position t+1; padding holds zeros.
    """

    layer: int  # k
    direction: int  # 0 forward, 1 reverse
    x: np.ndarray  # (T, B, D_k) this layer's input (after dropout of the layer below)
    mask: np.ndarray  # (T, B) bool: the step ran
    z: np.ndarray  # (T, B, H) pre-activation W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
    h_prev: np.ndarray  # (T, B, H) hidden state coming in
    h: np.ndarray  # (T, B, H) h_t = tanh(z_t) or relu(z_t)
    weight_ih: np.ndarray  # (H, D_k)
    weight_hh: np.ndarray  # (H, H)
    bias_ih: np.ndarray  # (H,) zeros when bias=False
    bias_hh: np.ndarray  # (H,) zeros when bias=False
    nonlinearity: str  # "tanh" or "relu"


@dataclass(frozen=True, eq=False)
class RNNTrace(RunTrace):
    """A whole RNN run: the call's results plus `layers[k][d]` (an `RNNLayerTrace` per layer k,
    direction d); the other fields are `RunTrace`'s."""

    h_n: np.ndarray  # (L * dirs, B, H), or (L * dirs, H) for unbatched input


def rnn_direction(
    x: np.ndarray,
    h0: np.ndarray,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias: np.ndarray | None,
    nonlinearity: str,
    steps: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Run one direction over x (T, B, D) in processing order; h0 (B, H); z, h_prev, h (T, B, H)."""
    T, B, _ = x.shape
    H = h0.shape[-1]
    z = (x.reshape(T * B, -1) @ weight_ih.T).reshape(T, B, H)  # W_ih x_t for every t at once
    if bias is not None:
        z += bias  # b_ih + b_hh
    W_hh_T = np.ascontiguousarray(weight_hh.T)  # (H, H)
    h_all = np.empty((T + 1, B, H), x.dtype)  # h_0, h_1, ..., h_T: h_prev is a shifted view
    h_all[0] = h0
    h = h_all[1:]
    idle = None if steps is None else ~steps[:, :, None]  # (T, B, 1)
    for t in range(T):
        z[t] += h_all[t] @ W_hh_T  # z_t = W_ih x_t + b + W_hh h_{t-1}
        if nonlinearity == "tanh":
            np.tanh(z[t], out=h[t])  # h_t = tanh(z_t)
        else:
            np.maximum(z[t], 0, out=h[t])  # h_t = relu(z_t)
        if idle is not None:  # sequences past their end keep their state
            np.copyto(h[t], h_all[t], where=idle[t])
    return {"z": z, "h_prev": h_all[:-1], "h": h}


def rnn_direction_backward(
    lt: RNNLayerTrace, dh_above: np.ndarray, dh_last: np.ndarray
) -> dict[str, np.ndarray]:
    """BPTT through one RNN layer and direction.

    dh_above (T, B, H): ∂L/∂h_t from above, zero at padding; dh_last (B, H): ∂L/∂h_n.
    Returns dz, dh (T, B, H) and dh0 (B, H).
    """
    T, B, H = lt.h.shape
    W_hh = lt.weight_hh  # (H, H)
    # The local derivative ∂h_t/∂z_t, every timestep at once: tanh' = 1 − h_t², relu' = [h_t > 0]
    tanh = lt.nonlinearity == "tanh"
    dh_dz = 1 - lt.h * lt.h if tanh else (lt.h > 0).astype(lt.h.dtype)
    idle = None
    if not lt.mask.all():
        idle = ~lt.mask[:, :, None]  # (T, B, 1)
        dh_dz[~lt.mask] = 0

    dz = np.empty((T, B, H), lt.h.dtype)  # ∂L/∂z_t
    dh = np.empty((T, B, H), lt.h.dtype)  # ∂L/∂h_t
    order = range(T) if lt.direction == 1 else range(T - 1, -1, -1)
    dh_next = dh_last  # ∂L/∂h_t arriving from the step after t
    for t in order:
        dh_t = np.add(dh_above[t], dh_next, out=dh[t])  # ∂L/∂h_t
        dz_t = np.multiply(dh_t, dh_dz[t], out=dz[t])  # ∂L/∂z_t = dh_t ⊙ tanh'(z_t)
        dh_prev = dz_t @ W_hh  # ∂L/∂h_{t-1} = dz_t W_hh: shrinks when |W_hh|·tanh' < 1
        if idle is not None:
            np.copyto(dh_prev, dh_next, where=idle[t])
        dh_next = dh_prev
    if idle is not None:
        dh[~lt.mask] = 0
    return {"dz": dz, "dh": dh, "dh0": dh_next}


class RNN(Recurrent):
    """A multi-layer Elman RNN with torch.nn.RNN's arguments, parameters, semantics and results.

    The cell on `Recurrent`'s skeleton: one state (h), H rows, tanh or relu.
    """

    num_gates = 1
    trace_type = RNNTrace

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype=np.float64,
        seed: int | None = None,
    ) -> None:
        if nonlinearity not in NONLINEARITIES:  # checked first, as torch does
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        self._init_options(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype,
            seed,
        )  # fmt: skip
        self._init_params()

    def state_sizes(self) -> dict[str, int]:
        """h (B, H)."""
        return {"h": self.hidden_size}

    # ----- the cell on the skeleton -----------------------------------------------------------

    def _run_direction(self, x, state0, p, steps) -> dict[str, np.ndarray]:
        (h0,) = state0
        bias = p["bias_ih"] + p["bias_hh"] if self.bias else None
        return rnn_direction(x, h0, p["weight_ih"], p["weight_hh"], bias, self.nonlinearity, steps)

    def _layer_trace(self, k, d, p, r, mask) -> RNNLayerTrace:
        return RNNLayerTrace(
            layer=k, direction=d, mask=mask, nonlinearity=self.nonlinearity, **p, **r
        )

    _direction_backward = staticmethod(rnn_direction_backward)

    # ----- running ------------------------------------------------------------------------------

    def backward(self, trace: RNNTrace, grad_output, grad_h_n=None) -> Gradients:
        """BPTT through `trace`: ∂L/∂(parameters, input, h_0) given ∂L/∂(output, h_n)."""
        return rnn_backward(self, trace, grad_output, grad_h_n)


def rnn_backward(model: RNN, trace: RNNTrace, grad_output, grad_h_n=None) -> Gradients:
    """∂L/∂(parameters, input, h_0) given ∂L/∂(output, h_n); dropout uses the trace's masks."""
    return model._bptt(trace, grad_output, (grad_h_n,))
