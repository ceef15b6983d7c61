"""Read-only records of one run: every intermediate value, every timestep."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def freeze(a: np.ndarray) -> np.ndarray:
    """Mark an array read-only and return it (views taken later are read-only too)."""
    a.flags.writeable = False
    return a


class GateRows:
    """A layer record's gates and pre-activations side by side (T, B, G·H): gate n's rows."""

    hidden_size: int

    def _gate(self, a: np.ndarray, n: int) -> np.ndarray:
        H = self.hidden_size
        return a[..., n * H : (n + 1) * H]


@dataclass(frozen=True, eq=False)
class LayerTrace(GateRows):
    """One layer, one direction. Arrays are time-major (T, B, ·), indexed by input position.

    For the reverse direction, position t was processed after position t+1, so `h_prev[t]` is the
    state that came from position t+1. Padded positions (where `mask` is False) hold zeros.
    """

    layer: int  # k
    direction: int  # 0 forward, 1 reverse
    x: np.ndarray  # (T, B, D_k) this layer's input (after dropout of the layer below)
    mask: np.ndarray  # (T, B) bool: the step ran (False only at padding, when lengths are given)
    z: np.ndarray  # (T, B, 4H) pre-activations W_ih x_t + b_ih + W_hh h_{t-1} + b_hh
    gates: np.ndarray  # (T, B, 4H) σ(z_i), σ(z_f), tanh(z_g), σ(z_o)
    c_prev: np.ndarray  # (T, B, H) long-term memory coming in
    kept: np.ndarray  # (T, B, H) f ⊙ c_prev: what the forget gate lets through
    written: np.ndarray  # (T, B, H) i ⊙ g: what the input gate adds
    c: np.ndarray  # (T, B, H) c_t = kept + written
    tanh_c: np.ndarray  # (T, B, H) tanh(c_t)
    h_prev: np.ndarray  # (T, B, H_out) short-term memory coming in
    h_cell: np.ndarray  # (T, B, H) o ⊙ tanh(c_t), before any projection
    h: np.ndarray  # (T, B, H_out) h_t (= h_cell, or h_cell @ W_hr.T when proj_size > 0)
    weight_ih: np.ndarray  # (4H, D_k)
    weight_hh: np.ndarray  # (4H, H_out)
    bias_ih: np.ndarray  # (4H,) zeros when bias=False
    bias_hh: np.ndarray  # (4H,) zeros when bias=False
    weight_hr: np.ndarray | None  # (H_out, H) when proj_size > 0

    @property
    def hidden_size(self) -> int:
        return self.c.shape[-1]

    # Pre-activations and gates, each (T, B, H), in torch's order i, f, g, o.
    z_i = property(lambda self: self._gate(self.z, 0))
    z_f = property(lambda self: self._gate(self.z, 1))
    z_g = property(lambda self: self._gate(self.z, 2))
    z_o = property(lambda self: self._gate(self.z, 3))
    i = property(lambda self: self._gate(self.gates, 0))  # input gate, in (0, 1)
    f = property(lambda self: self._gate(self.gates, 1))  # forget gate, in (0, 1)
    g = property(lambda self: self._gate(self.gates, 2))  # candidate, in (-1, 1)
    o = property(lambda self: self._gate(self.gates, 3))  # output gate, in (0, 1)


@dataclass(frozen=True, eq=False)
class RunTrace:
    """What every whole run records, whatever the cell: the call's output and `layers[k][d]`.

    Each model's trace adds its final states, one field `{s}_n` per state s (h_n; c_n for an LSTM).
    """

    output: np.ndarray  # exactly what model(x) returns as output
    layers: tuple[tuple, ...]  # layers[k][d]: the record of layer k, direction d
    dropout_masks: tuple[np.ndarray | None, ...]  # per layer k: mask applied to its output, or None
    lengths: np.ndarray | None  # (B,) when lengths were given
    batch_first: bool
    unbatched: bool

    @property
    def num_layers(self) -> int:
        return len(self.layers)

    @property
    def num_directions(self) -> int:
        return len(self.layers[0])


@dataclass(frozen=True, eq=False)
class Trace(RunTrace):
    """A whole LSTM run: the call's results plus `layers[k][d]` (a `LayerTrace` per layer k,
    direction d); the other fields are `RunTrace`'s."""

    h_n: np.ndarray  # (L * dirs, B, H_out), or (L * dirs, H_out) for unbatched input
    c_n: np.ndarray  # (L * dirs, B, H), or (L * dirs, H)
