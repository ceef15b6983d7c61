"""`LSTM` and `LSTMCell`: NumPy twins of `torch.nn.LSTM` and `torch.nn.LSTMCell`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from .arguments import as_array, check_dtype, check_positive_int, load_strict, uniform_init
from .backward import lstm_backward, lstm_direction_backward
from .recurrence import cell_step, run_direction
from .skeleton import Recurrent
from .trace import LayerTrace, Trace


class LSTM(Recurrent):
    """A multi-layer LSTM with torch.nn.LSTM's arguments, parameters, semantics and results.

    The cell on `Recurrent`'s skeleton: two states (h, c), 4H rows (gates i, f, g, o), and
    optionally a projection of h (proj_size).
    """

    num_gates = 4  # i, f, g, o
    trace_type = Trace

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
        self.proj_size = check_positive_int("proj_size", proj_size, minimum=0)
        if self.proj_size >= self.hidden_size:
            raise ValueError(
                f"proj_size must be smaller than hidden_size ({hidden_size}), got {proj_size}"
            )
        self._init_params()

    # ----- sizes and parameters ---------------------------------------------------------------

    @property
    def output_hidden_size(self) -> int:
        """H_out: the size of h (proj_size when projecting, else hidden_size)."""
        return self.proj_size or self.hidden_size

    def state_sizes(self) -> dict[str, int]:
        """h (B, H_out) and c (B, H), in torch's hx order."""
        return {"h": self.output_hidden_size, "c": self.hidden_size}

    def _direction_param_shapes(self, k: int) -> dict[str, tuple[int, ...]]:
        """weight_ih (4H, D_k), weight_hh (4H, H_out), bias_ih, bias_hh (4H,), weight_hr."""
        shapes = super()._direction_param_shapes(k)
        if self.proj_size:
            shapes["weight_hr"] = (self.proj_size, self.hidden_size)  # (H_out, H)
        return shapes

    # ----- the cell on the skeleton -----------------------------------------------------------

    def _run_direction(self, x, state0, p, steps) -> dict[str, np.ndarray]:
        h0, c0 = state0
        bias = p["bias_ih"] + p["bias_hh"] if self.bias else None
        return run_direction(
            x, h0, c0, p["weight_ih"], p["weight_hh"], bias, p.get("weight_hr"), steps
        )

    def _layer_trace(self, k, d, p, r, mask) -> LayerTrace:
        # the model's parameters are read-only: shared, not copied
        return LayerTrace(layer=k, direction=d, mask=mask, **({"weight_hr": None} | p), **r)

    _direction_backward = staticmethod(lstm_direction_backward)

    # ----- running ------------------------------------------------------------------------------

    def backward(self, trace: Trace, grad_output, grad_h_n=None, grad_c_n=None):
        """BPTT through `trace`: a `Gradients` (see lstm_core.backward.lstm_backward)."""
        return lstm_backward(self, trace, grad_output, grad_h_n, grad_c_n)


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
        self.input_size = check_positive_int("input_size", input_size)
        self.hidden_size = check_positive_int("hidden_size", hidden_size)
        self.bias = bool(bias)
        self.dtype = check_dtype(dtype)
        self._params = uniform_init(
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
        self._params = load_strict(self.param_shapes(), sd, self.dtype)

    def config(self) -> dict:
        return {"input_size": self.input_size, "hidden_size": self.hidden_size, "bias": self.bias}

    def __call__(self, x, hx: Sequence | None = None) -> tuple[np.ndarray, np.ndarray]:
        """h_1, c_1 from x (B, D) or (D,), and hx = (h_0, c_0), each (B, H) or (H,)."""
        x = as_array("input", x, self.dtype)
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
            h0 = as_array("h_0", hx[0], self.dtype)
            c0 = as_array("c_0", hx[1], self.dtype)
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
