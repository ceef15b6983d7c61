"""One recurrent skeleton: what every torch-style recurrent network does around its cell.

Written once here, for every cell kind: torch's options and parameter names, the input's layout
(batch_first, unbatched), lengths (pack/pad semantics: each sequence stops at its own length, the
reverse direction starts from its own last step, padding holds zeros), the layer × direction loop,
dropout between layers (train mode; the masks are kept in the trace), the whole-run trace, and
backpropagation through the layers and directions (dropout masks and lengths included).

A new cell kind (a subclass of `Recurrent`, like `LSTM`, `RNN` and `GRU`) supplies:

    __init__(torch's arguments)     only if it has more than nn.GRU's (the default here): keeps
                                    each as the attribute of the same name (config() reads them),
                                    then calls _init_options(...) and _init_params()
    num_gates                       rows of weight_ih per hidden unit (LSTM 4, GRU 3, RNN 1)
    trace_type                      its whole-run record: a `RunTrace`, one field `{s}_n` a state
    state_sizes()                   its states in torch's hx order, {"h": H_out, "c": H} or {"h": H}
    _run_direction(x, state0, p, steps)
                                    one layer and direction forward over time, in processing
                                    order: a dict of (T, B, ·) arrays holding at least each state's
                                    sequence under its name ("h" is the output)
    _layer_trace(k, d, p, r, mask)  that direction's frozen record (e.g. `LayerTrace`) from r
    _direction_backward(lt, dh_above, *d_last)
                                    BPTT through one layer and direction: "dz" (T, B, G) = ∂L/∂ of
                                    the input side W_ih x_t + b_ih, "d{s}" (T, B, ·) and "d{s}0"
                                    (B, ·) per state s
    backward(trace, grad_output, grad_h_n=None, ...)
                                    torch's names for the states' gradients; calls _bptt
and may change:
    _direction_param_shapes(k)      one layer-direction's parameters {name: shape} (default
                                    weight_ih, weight_hh, bias_ih, bias_hh with num_gates·H rows);
                                    `p` above (read-only) holds them, without the suffix
                                    _l{k} or _l{k}_reverse
    _param_grads(lt, r)             their gradients (default `weight_grads`)
    output_hidden_size              the size of h (default hidden_size)

For example a GRU (gates r, z, n; state h) sets num_gates = 3 and changes _param_grads (its
n-gate's hidden part is multiplied by r, so ∂b_hh is not ∂b_ih); an LSTM with peepholes adds its
(H,) weights in _direction_param_shapes and their gradients in _param_grads.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Self

import numpy as np

from .arguments import as_array, check_dtype, check_positive_int, load_strict, uniform_init
from .trace import RunTrace, freeze


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


def suffix(k: int, d: int) -> str:
    """torch's parameter-name suffix for layer k, direction d: _l0, _l0_reverse, ..."""
    return f"_l{k}" + ("_reverse" if d else "")


class Recurrent:
    """What every recurrent model shares: torch's options, the parameters, train/eval, the input's
    layout, the layer × direction loop, dropout between layers, and the backward through them."""

    num_gates: int  # rows of weight_ih per hidden unit
    trace_type: type[RunTrace]

    def __init__(
        self, input_size: int, hidden_size: int, num_layers: int = 1, bias: bool = True,
        batch_first: bool = False, dropout: float = 0.0, bidirectional: bool = False,
        dtype=np.float64, seed: int | None = None,
    ) -> None:  # fmt: skip
        """torch's arguments common to nn.RNN, nn.LSTM and nn.GRU (a cell kind with more, like
        LSTM's proj_size, has its own __init__)."""
        self._init_options(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype,
            seed,
        )  # fmt: skip
        self._init_params()

    def _init_options(
        self, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype,
        seed,
    ) -> None:  # fmt: skip
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.num_layers = check_positive_int("num_layers", num_layers)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)):
            raise ValueError(f"dropout must be a number in [0, 1], got {dropout!r}")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"dropout must be in [0, 1], got {dropout}")
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        self.dtype = check_dtype(dtype)
        self.training = True  # as torch: a new module is in train mode
        self._rng = np.random.default_rng(seed)

    def _init_params(self) -> None:
        """torch's initialisation of every parameter (after the options are set)."""
        self._set_params(uniform_init(self._rng, self.param_shapes(), self.hidden_size, self.dtype))

    def _set_params(self, params: dict[str, np.ndarray]) -> None:
        """Keep the parameters, and, for the layer × direction loop, each direction's as
        `self._per_direction[k][d]` by their names without suffix."""
        self._params = params
        self._per_direction = [
            [self._direction_params(k, d) for d in range(self.num_directions)]
            for k in range(self.num_layers)
        ]

    # ----- sizes and parameters ---------------------------------------------------------------

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def output_hidden_size(self) -> int:
        """H_out: the size of h."""
        return self.hidden_size

    def layer_input_size(self, k: int) -> int:
        return self.input_size if k == 0 else self.output_hidden_size * self.num_directions

    def state_sizes(self) -> dict[str, int]:
        """The recurrent states in torch's hx order and the size of each."""
        raise NotImplementedError

    def _direction_param_shapes(self, k: int) -> dict[str, tuple[int, ...]]:
        """One direction of layer k: torch's parameter names (without suffix) and shapes."""
        G = self.num_gates * self.hidden_size
        shapes = {
            "weight_ih": (G, self.layer_input_size(k)),
            "weight_hh": (G, self.output_hidden_size),
        }
        if self.bias:
            shapes |= {"bias_ih": (G,), "bias_hh": (G,)}
        return shapes

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """torch's parameter names and shapes, in torch's order."""
        shapes = {}
        for k in range(self.num_layers):
            layer = self._direction_param_shapes(k)
            for d in range(self.num_directions):
                sfx = suffix(k, d)
                shapes |= {name + sfx: shape for name, shape in layer.items()}
        return shapes

    def _direction_params(self, k: int, d: int) -> dict[str, np.ndarray]:
        """Layer k, direction d's parameters by their names without suffix; zero biases without
        bias (the trace always has both bias vectors)."""
        sfx = suffix(k, d)
        p = {name: self._params[name + sfx] for name in self._direction_param_shapes(k)}
        if not self.bias:
            zeros = freeze(np.zeros(p["weight_ih"].shape[0], self.dtype))
            p |= {"bias_ih": zeros, "bias_hh": zeros}
        return p

    def config(self) -> dict:
        """The constructor arguments but dtype and seed, in torch's order, e.g. to build the torch
        twin (every argument is kept as the attribute of the same name)."""
        names = inspect.signature(type(self)).parameters
        return {name: getattr(self, name) for name in names if name not in ("dtype", "seed")}

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter, keyed and shaped exactly as torch's state_dict."""
        return {k: v.copy() for k, v in self._params.items()}

    def load_state_dict(self, sd: Mapping) -> None:
        """Replace every parameter (strict: keys and shapes must match exactly)."""
        self._set_params(load_strict(self.param_shapes(), sd, self.dtype))

    def train(self, mode: bool = True) -> Self:
        self.training = bool(mode)
        return self

    def eval(self) -> Self:
        return self.train(False)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args}, dtype={self.dtype.name})"

    # ----- the input --------------------------------------------------------------------------

    def _time_major(self, x, lengths) -> tuple[np.ndarray, np.ndarray | None, bool]:
        """Validate x and lengths; x time-major and batched (T, B, D), lengths, unbatched."""
        x = as_array("input", x, self.dtype)
        if x.ndim not in (2, 3):
            raise ValueError(
                f"input must be 2-D (T, {self.input_size}) unbatched or 3-D batched, "
                f"got {x.ndim}-D with shape {x.shape}"
            )
        unbatched = x.ndim == 2
        if unbatched:
            if lengths is not None:
                raise ValueError("lengths needs batched 3-D input, got unbatched 2-D input")
            x = x[:, None, :]
        elif self.batch_first:
            x = x.transpose(1, 0, 2)
        T, B, D = x.shape
        if D != self.input_size:
            raise ValueError(f"input must have {self.input_size} features, got {D}")
        if T == 0:
            raise ValueError("input sequence length must be at least 1, got 0")
        if lengths is not None:
            lengths = self._check_lengths(lengths, T, B)
        return x, lengths, unbatched

    @staticmethod
    def _check_lengths(lengths, T: int, B: int) -> np.ndarray:
        arr = np.asarray(lengths)
        if arr.ndim != 1 or arr.shape[0] != B:
            raise ValueError(
                f"lengths must be a 1-D sequence of {B} integers, got shape {arr.shape}"
            )
        if B and not (
            np.issubdtype(arr.dtype, np.integer)
            or (np.issubdtype(arr.dtype, np.floating) and np.all(arr == np.round(arr)))
        ):
            raise ValueError(f"lengths must be integers, got {arr.tolist()}")
        arr = arr.astype(np.int64)
        bad = [int(n) for n in arr if not 1 <= n <= T]
        if bad:
            raise ValueError(f"every length must be between 1 and T={T}, got {bad}")
        return arr

    def _initial_states(self, hx, B: int, unbatched: bool) -> tuple[np.ndarray, ...]:
        """hx checked against state_sizes(): each initial state (L·dirs, B, size), zeros if None.

        One state (h) comes as one array, several (h, c) as a tuple, as torch takes them.
        """
        LD = self.num_layers * self.num_directions
        sizes = self.state_sizes()
        if hx is None:
            return tuple(np.zeros((LD, B, n), self.dtype) for n in sizes.values())
        names = [f"{s}_0" for s in sizes]
        if len(names) == 1:
            hx = (hx,)
        elif not isinstance(hx, (tuple, list)) or len(hx) != len(names):
            kind = "a pair" if len(names) == 2 else f"a tuple of {len(names)}"
            raise ValueError(f"hx must be {kind} ({', '.join(names)})")
        states = [as_array(name, a, self.dtype) for name, a in zip(names, hx)]
        for name, a, n in zip(names, states, sizes.values()):
            want = (LD, n) if unbatched else (LD, B, n)
            if a.shape != want:
                raise ValueError(
                    f"{name} must have shape {want} (num_layers·directions, "
                    f"{'' if unbatched else 'batch, '}size), got {a.shape}"
                )
        return tuple(a[:, None, :] for a in states) if unbatched else tuple(states)

    def _schedule(self, T: int, B: int, lengths: np.ndarray | None):
        """Which sequence takes which step.

        steps (T, B) bool, or None when all take every step; rev[t, b], the input position the
        reverse direction reads at step t (each sequence backwards from its own last step; rev is
        its own inverse), with b_idx to index by it; mask: steps as a frozen array.
        """
        steps = None if lengths is None else np.arange(T)[:, None] < lengths[None, :]
        rev = b_idx = None
        if self.bidirectional:
            t_idx = np.arange(T)[:, None]
            if lengths is None:
                rev = np.broadcast_to(T - 1 - t_idx, (T, B))
            else:
                rev = np.where(steps, lengths[None, :] - 1 - t_idx, t_idx)
            b_idx = np.arange(B)[None, :]
        mask = freeze(np.ones((T, B), bool) if steps is None else steps.copy())
        return steps, rev, b_idx, mask

    def _dropout_mask(self, shape) -> np.ndarray | None:
        """torch's dropout between layers: zero with probability p, scale the rest by 1/(1-p)."""
        if not self.training or self.dropout == 0.0:
            return None
        if self.dropout == 1.0:
            return np.zeros(shape, self.dtype)
        keep = self._rng.random(shape) >= self.dropout
        return keep.astype(self.dtype) / self.dtype.type(1.0 - self.dropout)

    # ----- running ----------------------------------------------------------------------------

    def __call__(self, x, hx=None, lengths=None):
        """output and the final states exactly as torch returns them: output, (h_n, c_n) for an
        LSTM; output, h_n for a one-state network."""
        tr = self.trace(x, hx, lengths)
        finals = tuple(getattr(tr, f"{s}_n") for s in self.state_sizes())
        return tr.output, finals if len(finals) > 1 else finals[0]

    forward = __call__

    def trace(self, x, hx=None, lengths=None) -> RunTrace:
        """Run the model and keep every intermediate value (see `trace_type`, e.g. `Trace`)."""
        x, lengths, unbatched = self._time_major(x, lengths)
        T, B, _ = x.shape
        states0 = list(zip(*self._initial_states(hx, B, unbatched)))  # [k·ND + d]: (B, ·) each
        names = tuple(self.state_sizes())
        L, ND = self.num_layers, self.num_directions
        steps, rev, b_idx, mask = self._schedule(T, B, lengths)

        layers, drop_masks = [], []
        finals = [[] for _ in names]  # per state: (B, ·) per layer and direction
        layer_in = x
        for k in range(L):
            outs, layer_traces = [], []
            for d in range(ND):
                p = self._per_direction[k][d]  # read-only
                x_dir = layer_in if d == 0 else layer_in[rev, b_idx]
                r = self._run_direction(x_dir, states0[k * ND + d], p, steps)  # processing order
                for final, s in zip(finals, names):  # idle sequences carried their last state
                    final.append(r[s][-1].copy())
                r["x"] = x_dir
                if d == 1:  # back to input positions (a copy)
                    r = {name: a[rev, b_idx] for name, a in r.items()}
                elif steps is not None:  # records share memory (h_prev and h): zero each one
                    r = {name: a.copy() for name, a in r.items()}
                if steps is not None:  # padding holds zeros
                    for a in r.values():
                        a[~steps] = 0
                outs.append(r["h"])
                r = {name: freeze(a) for name, a in r.items()}
                layer_traces.append(self._layer_trace(k, d, p, r, mask))
            layers.append(tuple(layer_traces))
            layer_out = outs[0] if ND == 1 else np.concatenate(outs, axis=-1)
            drop = self._dropout_mask(layer_out.shape) if k < L - 1 else None
            drop_masks.append(None if drop is None else freeze(drop))
            layer_in = layer_out if drop is None else layer_out * drop

        output = layer_out
        if lengths is not None and B:
            output = output[: int(lengths.max())]
        finals = [np.stack(final) for final in finals]  # each (L·dirs, B, ·)
        if unbatched:
            output, finals = output[:, 0], [final[:, 0] for final in finals]
        elif self.batch_first:
            output = output.transpose(1, 0, 2)
        return self.trace_type(
            output=freeze(np.ascontiguousarray(output)),
            **{f"{s}_n": freeze(final) for s, final in zip(names, finals)},
            layers=tuple(layers),
            dropout_masks=tuple(drop_masks),
            lengths=None if lengths is None else freeze(lengths),
            batch_first=self.batch_first,
            unbatched=unbatched,
        )

    # ----- backward ---------------------------------------------------------------------------

    def _param_grads(self, lt, r: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """One layer-direction's parameter gradients, by their names without suffix."""
        return weight_grads(lt, r["dz"], r["dh"], self.bias)

    def _bptt(self, trace: RunTrace, grad_output, grad_finals: Sequence) -> Gradients:
        """∂L/∂(parameters, input, initial states) given ∂L/∂(output, final states).

        grad_output has the shape of trace.output; grad_finals one gradient per state, in
        state_sizes() order, each of the shape of its `{s}_n` (None: zero). Train-mode dropout
        uses the masks the forward pass drew.
        """
        dtype = self.dtype
        L, ND = check_trace_fits(self, trace)
        names = tuple(self.state_sizes())
        H_out = self.output_hidden_size
        d_above = time_major_grad(trace, grad_output, dtype)  # (T, B, ND·H_out)
        d_n = [
            state_grad(trace, f"grad_{s}_n", g, getattr(trace, f"{s}_n"), dtype)
            for s, g in zip(names, grad_finals)
        ]  # per state (L·ND, B, ·)
        d_last = list(zip(*d_n))  # [k·ND + d]: ∂L/∂ each final state, (B, ·) each
        d_0 = [np.empty_like(g) for g in d_n]

        params: dict[str, np.ndarray] = {}
        layers: list[tuple[LayerGradients, ...]] = [()] * L
        for k in reversed(range(L)):
            d_below, per_dir = None, []  # ∂L/∂(this layer's input), summed over directions
            for d in range(ND):
                lt = trace.layers[k][d]
                j = k * ND + d
                dh_above = d_above[..., d * H_out : (d + 1) * H_out]
                r = self._direction_backward(lt, dh_above, *d_last[j])
                for g0, s in zip(d_0, names):
                    g0[j] = r[f"d{s}0"]
                sfx = suffix(k, d)
                for name, grad in self._param_grads(lt, r).items():
                    params[name + sfx] = grad
                T, B, G = r["dz"].shape
                dx = (r["dz"].reshape(T * B, G) @ lt.weight_ih).reshape(T, B, -1)  # dz_t W_ih
                d_below = dx if d_below is None else d_below + dx
                per_dir.append(LayerGradients(k, d, h=r["dh"], c=r.get("dc"), z=r["dz"]))
            layers[k] = tuple(per_dir)
            if k > 0 and trace.dropout_masks[k - 1] is not None:
                d_below = d_below * trace.dropout_masks[k - 1]  # y = x ⊙ m, so dx = dy ⊙ m
            d_above = d_below

        d_0 = {s: g[:, 0] if trace.unbatched else g for s, g in zip(names, d_0)}
        return Gradients(
            params={name: params[name] for name in self._params},  # state_dict order
            input=input_layout(trace, d_above),
            h0=d_0["h"],
            c0=d_0.get("c"),
            layers=tuple(layers),
        )


# ----- what the backward loop needs -------------------------------------------------------------


def check_trace_fits(model, trace) -> tuple[int, int]:
    """(L, ND) of a trace made by a model of this shape; a ValueError if it is another's."""
    L, ND = trace.num_layers, trace.num_directions
    if (L, ND) != (model.num_layers, model.num_directions):
        raise ValueError(
            f"the trace has {L} layers × {ND} directions, the model "
            f"{model.num_layers} × {model.num_directions}"
        )
    return L, ND


def time_major_grad(trace: RunTrace, grad_output, dtype: np.dtype) -> np.ndarray:
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


def state_grad(trace: RunTrace, name: str, grad, like: np.ndarray, dtype: np.dtype) -> np.ndarray:
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


def input_layout(trace: RunTrace, grad_x: np.ndarray) -> np.ndarray:
    """(T, B, D) time-major → the layout x was passed in."""
    if trace.unbatched:
        return grad_x[:, 0]
    if trace.batch_first:
        return np.ascontiguousarray(grad_x.transpose(1, 0, 2))
    return grad_x


def weight_grads(
    lt, dz: np.ndarray, dh: np.ndarray, bias: bool, dz_hh: np.ndarray | None = None
) -> dict[str, np.ndarray]:
    """Weight gradients summed over every timestep, each one matrix product, for
    z_t = W_ih x_t + b_ih + W_hh h_{t-1} + b_hh (and h_t = W_hr h_cell_t when projecting).

    dz (T, B, G) with G = 4H (LSTM), 3H (GRU) or H (RNN); dh (T, B, H_out) for the projection
    weight. dz_hh: ∂L/∂(W_hh h_{t-1} + b_hh) where it is not dz (a GRU multiplies its n rows by r).
    """
    T, B, G = dz.shape
    dz2 = dz.reshape(T * B, G)  # one row per (timestep, sequence)
    dz2_hh = dz2 if dz_hh is None else dz_hh.reshape(T * B, G)
    grads = {
        "weight_ih": dz2.T @ lt.x.reshape(T * B, -1),  # Σ_t dz_t^T x_t, (G, D_k)
        "weight_hh": dz2_hh.T @ lt.h_prev.reshape(T * B, -1),  # Σ_t dz_t^T h_{t-1}, (G, H_out)
    }
    if bias:
        grads["bias_ih"] = dz2.sum(axis=0)  # Σ_t dz_t, (G,)
        if dz_hh is None:
            grads["bias_hh"] = grads["bias_ih"].copy()  # the two biases enter z identically
        else:
            grads["bias_hh"] = dz2_hh.sum(axis=0)
    if getattr(lt, "weight_hr", None) is not None:
        H = lt.h_cell.shape[-1]
        grads["weight_hr"] = dh.reshape(T * B, -1).T @ lt.h_cell.reshape(T * B, H)  # (H_out, H)
    return grads
