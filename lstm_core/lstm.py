"""`LSTM` and `LSTMCell`: NumPy twins of `torch.nn.LSTM` and `torch.nn.LSTMCell`."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .arguments import check_positive_int
from .backward import lstm_backward, lstm_direction_backward
from .cell import Cell
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


class LSTMCell(Cell):
    """One LSTM step with torch.nn.LSTMCell's arguments, parameters and results."""

    num_gates = 4  # i, f, g, o

    def __call__(self, x, hx: Sequence | None = None) -> tuple[np.ndarray, np.ndarray]:
        """h_1, c_1 from x (B, D) or (D,), and hx = (h_0, c_0), each (B, H) or (H,)."""
        x2, unbatched = self._input(x)
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise ValueError("hx must be a pair (h_0, c_0)")
        h0, c0 = (None, None) if hx is None else hx
        h0 = self._state("h_0", h0, x2, unbatched)
        c0 = self._state("c_0", c0, x2, unbatched)
        p = self._params
        h1, c1 = cell_step(
            x2, h0, c0, p["weight_ih"], p["weight_hh"], p.get("bias_ih"), p.get("bias_hh")
        )
        return (h1[0], c1[0]) if unbatched else (h1, c1)

    forward = __call__
