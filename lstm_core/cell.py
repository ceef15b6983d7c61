"""What one-step cells share (`LSTMCell`, `GRUCell`): torch's arguments and parameters, checks."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .arguments import as_array, check_dtype, check_positive_int, load_strict, uniform_init


class Cell:
    """One recurrent step with torch's cell arguments (input_size, hidden_size, bias) and
    parameters weight_ih (G·H, D), weight_hh (G·H, H), bias_ih, bias_hh (G·H,) for G gates."""

    num_gates: int  # rows of weight_ih per hidden unit (LSTM 4, GRU 3)

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
        G, D = self.num_gates * self.hidden_size, self.input_size
        shapes = {"weight_ih": (G, D), "weight_hh": (G, self.hidden_size)}
        if self.bias:
            shapes |= {"bias_ih": (G,), "bias_hh": (G,)}
        return shapes

    def state_dict(self) -> dict[str, np.ndarray]:
        return {k: v.copy() for k, v in self._params.items()}

    def load_state_dict(self, sd: Mapping) -> None:
        self._params = load_strict(self.param_shapes(), sd, self.dtype)

    def config(self) -> dict:
        return {"input_size": self.input_size, "hidden_size": self.hidden_size, "bias": self.bias}

    def _input(self, x) -> tuple[np.ndarray, bool]:
        """x checked: as (B, D), and whether it came unbatched (D,)."""
        x = as_array("input", x, self.dtype)
        if x.ndim not in (1, 2):
            raise ValueError(f"input must be 1-D (D,) or 2-D (B, D), got shape {x.shape}")
        unbatched = x.ndim == 1
        x2 = x[None] if unbatched else x
        if x2.shape[1] != self.input_size:
            raise ValueError(f"input must have {self.input_size} features, got {x2.shape[1]}")
        return x2, unbatched

    def _state(self, name: str, a, x2: np.ndarray, unbatched: bool) -> np.ndarray:
        """A state (h_0 or c_0) checked against x: as (B, H); zeros when None."""
        B, H = x2.shape[0], self.hidden_size
        if a is None:
            return np.zeros((B, H), self.dtype)
        a = as_array(name, a, self.dtype)
        want = (H,) if unbatched else (B, H)
        if a.shape != want:
            raise ValueError(f"{name} must have shape {want}, got {a.shape}")
        return a[None] if unbatched else a
