"""`LSTM` and `LSTMCell`: NumPy twins of `torch.nn.LSTM` and `torch.nn.LSTMCell`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Self

import numpy as np

from .recurrence import cell_step, run_direction
from .trace import LayerTrace, Trace, freeze

DTYPES = (np.float32, np.float64)


def _check_dtype(dtype) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in [np.dtype(d) for d in DTYPES]:
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    return dt


def _check_positive_int(name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


def _float_copy(a, dtype: np.dtype) -> np.ndarray:
    """A new float array from numbers, arrays or tensors (asarray first: torch tensors do not take
    NumPy 2's copy keyword). Complex values are refused, not silently cut to their real part."""
    arr = np.asarray(a)
    if arr.dtype.kind == "c":
        raise TypeError("complex values")
    return arr.astype(dtype)


def _as_array(name: str, a, dtype: np.dtype) -> np.ndarray:
    try:
        arr = _float_copy(a, dtype)  # a copy: the trace freezes what it keeps
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name} must be an array of numbers ({e})") from None
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite, got NaN or infinity")
    return arr


def _uniform_init(rng: np.random.Generator, shapes: dict[str, tuple], H: int, dtype) -> dict:
    """torch's default: every parameter from U(-1/√H, 1/√H)."""
    k = 1.0 / np.sqrt(H)
    return {
        name: freeze(rng.uniform(-k, k, size=shape).astype(dtype)) for name, shape in shapes.items()
    }


def _load_strict(shapes: dict[str, tuple], sd: Mapping, dtype: np.dtype) -> dict[str, np.ndarray]:
    """Check a state_dict against the expected keys and shapes; every problem in one ValueError."""
    problems = [f"missing key {k!r} (expected shape {shapes[k]})" for k in shapes if k not in sd]
    problems += [f"unexpected key {k!r}" for k in sd if k not in shapes]
    loaded = {}
    for k, shape in shapes.items():
        if k not in sd:
            continue
        try:
            a = _float_copy(sd[k], dtype)
        except (TypeError, ValueError, RuntimeError):
            problems.append(f"{k!r} is not an array of numbers")
            continue
        if a.shape != shape:
            problems.append(f"{k!r} must have shape {shape}, got {a.shape}")
        elif not np.all(np.isfinite(a)):
            problems.append(f"{k!r} contains NaN or infinity")
        else:
            loaded[k] = freeze(a)  # never changed in place, so traces can share it
    if problems:
        raise ValueError("state_dict does not fit this model: " + "; ".join(problems))
    return loaded


class Recurrent:
    """What LSTM and RNN share: torch's options, the parameters, train/eval, the input's layout."""

    def _init_options(
        self, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype,
        seed,
    ) -> None:  # fmt: skip
        self.input_size = _check_positive_int("input_size", input_size)
        self.hidden_size = _check_positive_int("hidden_size", hidden_size)
        self.num_layers = _check_positive_int("num_layers", num_layers)
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float)):
            raise ValueError(f"dropout must be a number in [0, 1], got {dropout!r}")
        if not 0.0 <= dropout <= 1.0:
            raise ValueError(f"dropout must be in [0, 1], got {dropout}")
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        self.dtype = _check_dtype(dtype)
        self.training = True  # as torch: a new module is in train mode
        self._rng = np.random.default_rng(seed)

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        raise NotImplementedError

    def config(self) -> dict:
        raise NotImplementedError

    def state_dict(self) -> dict[str, np.ndarray]:
        """A copy of every parameter, keyed and shaped exactly as torch's state_dict."""
        return {k: v.copy() for k, v in self._params.items()}

    def load_state_dict(self, sd: Mapping) -> None:
        """Replace every parameter (strict: keys and shapes must match exactly)."""
        self._params = _load_strict(self.param_shapes(), sd, self.dtype)

    def train(self, mode: bool = True) -> Self:
        self.training = bool(mode)
        return self

    def eval(self) -> Self:
        return self.train(False)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.config().items())
        return f"{type(self).__name__}({args}, dtype={self.dtype.name})"

    def _time_major(self, x, lengths) -> tuple[np.ndarray, np.ndarray | None, bool]:
        """Validate x and lengths; x time-major and batched (T, B, D), lengths, unbatched."""
        x = _as_array("input", x, self.dtype)
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


class LSTM(Recurrent):
    """A multi-layer LSTM with torch.nn.LSTM's arguments, parameters, semantics and results."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        dtype=np.float64,
        seed: int | None = None,
    ) -> None:
        self._init_options(
            input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype,
            seed,
        )  # fmt: skip
        self.proj_size = _check_positive_int("proj_size", proj_size, minimum=0)
        if self.proj_size >= self.hidden_size:
            raise ValueError(
                f"proj_size must be smaller than hidden_size ({hidden_size}), got {proj_size}"
            )
        self._params = _uniform_init(self._rng, self.param_shapes(), self.hidden_size, self.dtype)

    # ----- sizes and parameters ---------------------------------------------------------------

    @property
    def output_hidden_size(self) -> int:
        """H_out: the size of h (proj_size when projecting, else hidden_size)."""
        return self.proj_size or self.hidden_size

    def layer_input_size(self, k: int) -> int:
        return self.input_size if k == 0 else self.output_hidden_size * self.num_directions

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        """torch's parameter names and shapes, in torch's order."""
        H, H_out = self.hidden_size, self.output_hidden_size
        shapes = {}
        for k in range(self.num_layers):
            for d in range(self.num_directions):
                sfx = f"l{k}" + ("_reverse" if d else "")
                shapes[f"weight_ih_{sfx}"] = (4 * H, self.layer_input_size(k))
                shapes[f"weight_hh_{sfx}"] = (4 * H, H_out)
                if self.bias:
                    shapes[f"bias_ih_{sfx}"] = (4 * H,)
                    shapes[f"bias_hh_{sfx}"] = (4 * H,)
                if self.proj_size:
                    shapes[f"weight_hr_{sfx}"] = (H_out, H)
        return shapes

    def config(self) -> dict:
        """The constructor arguments (without seed), e.g. to build the torch twin."""
        return {
            "input_size": self.input_size,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "bias": self.bias,
            "batch_first": self.batch_first,
            "dropout": self.dropout,
            "bidirectional": self.bidirectional,
            "proj_size": self.proj_size,
        }

    # ----- running --------------------------------------------------------------------------

    def __call__(self, x, hx=None, lengths=None):
        """output, (h_n, c_n) exactly as torch.nn.LSTM returns them."""
        tr = self.trace(x, hx, lengths)
        return tr.output, (tr.h_n, tr.c_n)

    forward = __call__

    def backward(self, trace: Trace, grad_output, grad_h_n=None, grad_c_n=None):
        """BPTT through `trace`: a `Gradients` (see lstm_core.backward.lstm_backward)."""
        from .backward import lstm_backward

        return lstm_backward(self, trace, grad_output, grad_h_n, grad_c_n)

    def _check_input(self, x, hx, lengths):
        """Validate and bring everything to time-major batched form: x (T, B, D)."""
        x, lengths, unbatched = self._time_major(x, lengths)
        T, B, _ = x.shape
        LD, H, H_out = (
            self.num_layers * self.num_directions,
            self.hidden_size,
            self.output_hidden_size,
        )
        if hx is None:
            h0 = np.zeros((LD, B, H_out), self.dtype)
            c0 = np.zeros((LD, B, H), self.dtype)
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise ValueError("hx must be a pair (h_0, c_0)")
            h0 = _as_array("h_0", hx[0], self.dtype)
            c0 = _as_array("c_0", hx[1], self.dtype)
            want_h = (LD, H_out) if unbatched else (LD, B, H_out)
            want_c = (LD, H) if unbatched else (LD, B, H)
            for name, a, want in (("h_0", h0, want_h), ("c_0", c0, want_c)):
                if a.shape != want:
                    raise ValueError(
                        f"{name} must have shape {want} (num_layers·directions, "
                        f"{'' if unbatched else 'batch, '}size), got {a.shape}"
                    )
            if unbatched:
                h0, c0 = h0[:, None, :], c0[:, None, :]
        return x, h0, c0, lengths, unbatched

    def trace(self, x, hx=None, lengths=None) -> Trace:
        """Run the model and keep every intermediate value (see `Trace` and `LayerTrace`)."""
        x, h0, c0, lengths, unbatched = self._check_input(x, hx, lengths)
        T, B, _ = x.shape
        L, ND = self.num_layers, self.num_directions
        steps, rev, b_idx, mask = self._schedule(T, B, lengths)

        layers, drop_masks = [], []
        h_n, c_n = [], []
        layer_in = x
        for k in range(L):
            outs = []
            layer_traces = []
            for d in range(ND):
                p = self._layer_params(k, d)
                x_dir = layer_in if d == 0 else layer_in[rev, b_idx]
                bias = p["bias_ih"] + p["bias_hh"] if self.bias else None
                r = run_direction(
                    x_dir, h0[k * ND + d], c0[k * ND + d],
                    p["weight_ih"], p["weight_hh"], bias, p.get("weight_hr"), steps,
                )  # fmt: skip
                h_n.append(r["h"][-1].copy())  # idle sequences carried their last real state here
                c_n.append(r["c"][-1].copy())
                r["x"] = x_dir
                if d == 1:  # back to input positions (a copy)
                    r = {name: a[rev, b_idx] for name, a in r.items()}
                elif steps is not None:  # c_prev and c share memory: zero each one separately
                    r = {name: a.copy() for name, a in r.items()}
                if steps is not None:  # padding holds zeros
                    for a in r.values():
                        a[~steps] = 0
                outs.append(r["h"])
                layer_traces.append(self._layer_trace(k, d, r, mask, p))
            layers.append(tuple(layer_traces))
            layer_out = outs[0] if ND == 1 else np.concatenate(outs, axis=-1)
            drop = self._dropout_mask(layer_out.shape) if k < L - 1 else None
            drop_masks.append(None if drop is None else freeze(drop))
            layer_in = layer_out if drop is None else layer_out * drop

        output = layer_out
        if lengths is not None:
            output = output[: int(lengths.max())] if B else output
        h_n, c_n = np.stack(h_n), np.stack(c_n)
        if unbatched:
            output, h_n, c_n = output[:, 0], h_n[:, 0], c_n[:, 0]
        elif self.batch_first:
            output = output.transpose(1, 0, 2)
        return Trace(
            output=freeze(np.ascontiguousarray(output)),
            h_n=freeze(h_n),
            c_n=freeze(c_n),
            layers=tuple(layers),
            dropout_masks=tuple(drop_masks),
            lengths=None if lengths is None else freeze(lengths),
            batch_first=self.batch_first,
            unbatched=unbatched,
        )

    def _layer_params(self, k: int, d: int) -> dict[str, np.ndarray]:
        sfx = f"_l{k}" + ("_reverse" if d else "")
        return {
            name: self._params[name + sfx]
            for name in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
            if name + sfx in self._params
        }

    def _layer_trace(self, k, d, r, mask, p) -> LayerTrace:
        if not self.bias:  # the trace always has both bias vectors: zeros without bias
            zeros = freeze(np.zeros(4 * self.hidden_size, self.dtype))
            p = p | {"bias_ih": zeros, "bias_hh": zeros}
        return LayerTrace(
            layer=k,
            direction=d,
            mask=mask,
            weight_ih=p["weight_ih"],  # the model's parameters are read-only: shared, not copied
            weight_hh=p["weight_hh"],
            bias_ih=p["bias_ih"],
            bias_hh=p["bias_hh"],
            weight_hr=p.get("weight_hr"),
            **{name: freeze(a) for name, a in r.items()},
        )

    def _dropout_mask(self, shape) -> np.ndarray | None:
        """torch's dropout between layers: zero with probability p, scale the rest by 1/(1-p)."""
        if not self.training or self.dropout == 0.0:
            return None
        if self.dropout == 1.0:
            return np.zeros(shape, self.dtype)
        keep = self._rng.random(shape) >= self.dropout
        return keep.astype(self.dtype) / self.dtype.type(1.0 - self.dropout)


class LSTMCell:
    """One LSTM step with torch.nn.LSTMCell's arguments, parameters and results."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        dtype=np.float64,
        seed: int | None = None,
    ) -> None:
        self.input_size = _check_positive_int("input_size", input_size)
        self.hidden_size = _check_positive_int("hidden_size", hidden_size)
        self.bias = bool(bias)
        self.dtype = _check_dtype(dtype)
        self._params = _uniform_init(
            np.random.default_rng(seed), self.param_shapes(), self.hidden_size, self.dtype
        )

    def param_shapes(self) -> dict[str, tuple[int, ...]]:
        H, D = self.hidden_size, self.input_size
        shapes = {"weight_ih": (4 * H, D), "weight_hh": (4 * H, H)}
        if self.bias:
            shapes |= {"bias_ih": (4 * H,), "bias_hh": (4 * H,)}
        return shapes

    def state_dict(self) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in self._params.items()}

    def load_state_dict(self, sd: Mapping) -> None:
        self._params = _load_strict(self.param_shapes(), sd, self.dtype)

    def config(self) -> dict:
        return {"input_size": self.input_size, "hidden_size": self.hidden_size, "bias": self.bias}

    def __call__(self, x, hx: Sequence | None = None) -> tuple[np.ndarray, np.ndarray]:
        """h_1, c_1 from x (B, D) or (D,), and hx = (h_0, c_0), each (B, H) or (H,)."""
        x = _as_array("input", x, self.dtype)
        if x.ndim not in (1, 2):
            raise ValueError(f"input must be 1-D (D,) or 2-D (B, D), got shape {x.shape}")
        unbatched = x.ndim == 1
        x2 = x[None] if unbatched else x
        if x2.shape[1] != self.input_size:
            raise ValueError(f"input must have {self.input_size} features, got {x2.shape[1]}")
        B, H = x2.shape[0], self.hidden_size
        if hx is None:
            h0 = c0 = np.zeros((B, H), self.dtype)
        else:
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise ValueError("hx must be a pair (h_0, c_0)")
            h0 = _as_array("h_0", hx[0], self.dtype)
            c0 = _as_array("c_0", hx[1], self.dtype)
            want = x.shape[:-1] + (H,)
            for name, a in (("h_0", h0), ("c_0", c0)):
                if a.shape != want:
                    raise ValueError(f"{name} must have shape {want}, got {a.shape}")
            if unbatched:
                h0, c0 = h0[None], c0[None]
        p = self._params
        h1, c1 = cell_step(
            x2, h0, c0, p["weight_ih"], p["weight_hh"], p.get("bias_ih"), p.get("bias_hh")
        )
        return (h1[0], c1[0]) if unbatched else (h1, c1)

    forward = __call__
