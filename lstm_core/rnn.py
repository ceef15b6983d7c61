"""`RNN`: a NumPy twin of `torch.nn.RNN` (the vanilla recurrent network), with trace and backward.

    h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)      (or relu instead of tanh)

Everything mirrors `LSTM`: torch's arguments and state_dict names, `trace` keeps every value,
`backward` gives every gradient. Beside the LSTM it shows why gradients vanish: ∂L/∂h_{t-1} is
∂L/∂h_t multiplied by W_hh and by tanh' ≤ 1 at every step, with no additive path like c_t.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backward import (
    Gradients,
    LayerGradients,
    check_trace_fits,
    input_layout,
    state_grad,
    time_major_grad,
)
from .backward import weight_grads as _weight_grads
from .lstm import Recurrent, _as_array, _uniform_init
from .trace import freeze

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
class RNNTrace:
    """A whole RNN run: the call's results plus `layers[k][d]`."""

    output: np.ndarray  # exactly what model(x) returns as output
    h_n: np.ndarray  # (L * dirs, B, H), or (L * dirs, H) for unbatched input
    layers: tuple[tuple[RNNLayerTrace, ...], ...]
    dropout_masks: tuple[np.ndarray | None, ...]  # per layer k: mask applied to its output
    lengths: np.ndarray | None  # (B,) when lengths were given
    batch_first: bool
    unbatched: bool

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def num_directions(self) -> int:
        return len(self.layers[0])


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


class RNN(Recurrent):
    """A multi-layer Elman RNN with torch.nn.RNN's arguments, parameters, semantics and results."""

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
        self._init_options(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype,
            seed,
        )  # fmt: skip
        if nonlinearity not in NONLINEARITIES:
            raise ValueError(f"nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
        self.nonlinearity = nonlinearity
        self._params = _uniform_init(self._rng, self.param_shapes(), self.hidden_size, self.dtype)

    # ----- sizes and parameters ---------------------------------------------------------------

    @property
    def output_hidden_size(self) -> int:
        return self.hidden_size

    def layer_input_size(self, k: int) -> int:
        return self.input_size if k == 0 else self.hidden_size * self.num_directions

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """torch's parameter names and shapes, in torch's order."""
        H = self.hidden_size
        shapes = {}
        for k in range(self.num_layers):
            for d in range(self.num_directions):
                sfx = f"l{k}" + ("_reverse" if d else "")
                shapes[f"weight_ih_{sfx}"] = (H, self.layer_input_size(k))
                shapes[f"weight_hh_{sfx}"] = (H, H)
                if self.bias:
                    shapes[f"bias_ih_{sfx}"] = (H,)
                    shapes[f"bias_hh_{sfx}"] = (H,)
        return shapes

    def config(self) -> dict:
        """The constructor arguments (without seed and dtype), e.g. to build the torch twin."""
        return {
            "input_size": self.input_size,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "nonlinearity": self.nonlinearity,
            "bias": self.bias,
            "batch_first": self.batch_first,
            "dropout": self.dropout,
            "bidirectional": self.bidirectional,
        }

    # ----- running --------------------------------------------------------------------------

    def __call__(self, x, hx=None, lengths=None):
        """output, h_n exactly as torch.nn.RNN returns them."""
        tr = self.trace(x, hx, lengths)
        return tr.output, tr.h_n

    forward = __call__

    def _check_input(self, x, hx, lengths):
        """Validate and bring everything to time-major batched form: x (T, B, D), h0 (LD, B, H)."""
        x, lengths, unbatched = self._time_major(x, lengths)
        T, B, _ = x.shape
        LD, H = self.num_layers * self.num_directions, self.hidden_size
        if hx is None:
            h0 = np.zeros((LD, B, H), self.dtype)
        else:
            h0 = _as_array("h_0", hx, self.dtype)
            want = (LD, H) if unbatched else (LD, B, H)
            if h0.shape != want:
                raise ValueError(f"h_0 must have shape {want}, got {h0.shape}")
            if unbatched:
                h0 = h0[:, None, :]
        return x, h0, lengths, unbatched

    def trace(self, x, hx=None, lengths=None) -> RNNTrace:
        """Run the model and keep every intermediate value (see `RNNTrace`)."""
        x, h0, lengths, unbatched = self._check_input(x, hx, lengths)
        T, B, _ = x.shape
        L, ND = self.num_layers, self.num_directions
        steps, rev, b_idx, mask = self._schedule(T, B, lengths)

        layers, drop_masks, h_n = [], [], []
        layer_in = x
        for k in range(L):
            outs, layer_traces = [], []
            for d in range(ND):
                sfx = f"_l{k}" + ("_reverse" if d else "")
                p = self._params
                bias = p["bias_ih" + sfx] + p["bias_hh" + sfx] if self.bias else None
                x_dir = layer_in if d == 0 else layer_in[rev, b_idx]
                r = rnn_direction(
                    x_dir, h0[k * ND + d], p["weight_ih" + sfx], p["weight_hh" + sfx], bias,
                    self.nonlinearity, steps,
                )  # fmt: skip
                h_n.append(r["h"][-1].copy())
                r["x"] = x_dir
                if d == 1:  # back to input positions (a copy)
                    r = {name: a[rev, b_idx] for name, a in r.items()}
                elif steps is not None:  # h_prev and h share memory: zero each one separately
                    r = {name: a.copy() for name, a in r.items()}
                if steps is not None:
                    for a in r.values():
                        a[~steps] = 0
                outs.append(r["h"])
                zeros = freeze(np.zeros(self.hidden_size, self.dtype))
                layer_traces.append(
                    RNNLayerTrace(
                        layer=k, direction=d, mask=mask,
                        weight_ih=p["weight_ih" + sfx], weight_hh=p["weight_hh" + sfx],
                        bias_ih=p.get("bias_ih" + sfx, zeros),
                        bias_hh=p.get("bias_hh" + sfx, zeros),
                        nonlinearity=self.nonlinearity,
                        **{name: freeze(a) for name, a in r.items()},
                    )
                )  # fmt: skip
            layers.append(tuple(layer_traces))
            layer_out = outs[0] if ND == 1 else np.concatenate(outs, axis=-1)
            drop = self._dropout_mask(layer_out.shape) if k < L - 1 else None
            drop_masks.append(None if drop is None else freeze(drop))
            layer_in = layer_out if drop is None else layer_out * drop

        output = layer_out
        if lengths is not None:
            output = output[: int(lengths.max())]
        h_n = np.stack(h_n)
        if unbatched:
            output, h_n = output[:, 0], h_n[:, 0]
        elif self.batch_first:
            output = output.transpose(1, 0, 2)
        return RNNTrace(
            output=freeze(np.ascontiguousarray(output)),
            h_n=freeze(h_n),
            layers=tuple(layers),
            dropout_masks=tuple(drop_masks),
            lengths=None if lengths is None else freeze(lengths),
            batch_first=self.batch_first,
            unbatched=unbatched,
        )

    def _dropout_mask(self, shape) -> np.ndarray | None:
        """torch's dropout between layers: zero with probability p, scale the rest by 1/(1-p)."""
        if not self.training or self.dropout == 0.0:
            return None
        if self.dropout == 1.0:
            return np.zeros(shape, self.dtype)
        keep = self._rng.random(shape) >= self.dropout
        return keep.astype(self.dtype) / self.dtype.type(1.0 - self.dropout)

    def backward(self, trace: RNNTrace, grad_output, grad_h_n=None) -> Gradients:
        """BPTT through `trace`: ∂L/∂(parameters, input, h_0) given ∂L/∂(output, h_n)."""
        return rnn_backward(self, trace, grad_output, grad_h_n)


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


def rnn_backward(model: RNN, trace: RNNTrace, grad_output, grad_h_n=None) -> Gradients:
    """∂L/∂(parameters, input, h_0) given ∂L/∂(output, h_n); dropout uses the trace's masks."""
    dtype = model.dtype
    L, ND = check_trace_fits(model, trace)
    H = model.hidden_size
    d_above = time_major_grad(trace, grad_output, dtype)  # (T, B, ND·H)
    dh_n = state_grad(trace, "grad_h_n", grad_h_n, trace.h_n, dtype)  # (L·ND, B, H)
    params: dict[str, np.ndarray] = {}
    dh0 = np.empty_like(dh_n)
    layers: list[tuple[LayerGradients, ...]] = [()] * L
    for k in reversed(range(L)):
        d_below, per_dir = None, []
        for d in range(ND):
            lt = trace.layers[k][d]
            r = rnn_direction_backward(lt, d_above[..., d * H : (d + 1) * H], dh_n[k * ND + d])
            dh0[k * ND + d] = r["dh0"]
            sfx = f"_l{k}" + ("_reverse" if d else "")
            for name, grad in _weight_grads(lt, r["dz"], r["dh"], model.bias).items():
                params[name + sfx] = grad
            T, B, _ = r["dz"].shape
            dx = (r["dz"].reshape(T * B, H) @ lt.weight_ih).reshape(T, B, -1)  # dz_t W_ih
            d_below = dx if d_below is None else d_below + dx
            per_dir.append(LayerGradients(k, d, h=r["dh"], c=None, z=r["dz"]))
        layers[k] = tuple(per_dir)
        if k > 0 and trace.dropout_masks[k - 1] is not None:
            d_below = d_below * trace.dropout_masks[k - 1]
        d_above = d_below
    return Gradients(
        params={name: params[name] for name in model.param_shapes()},
        input=input_layout(trace, d_above),
        h0=dh0[:, 0] if trace.unbatched else dh0,
        c0=None,
        layers=tuple(layers),
    )
