"""`GRU` and `GRUCell`: NumPy twins of `torch.nn.GRU` and `torch.nn.GRUCell`, trace and backward.

The equations (torch's, gate order r, z, n; one memory h):

    r_t = σ(W_ir x_t + b_ir + W_hr h_{t-1} + b_hr)                reset gate
    z_t = σ(W_iz x_t + b_iz + W_hz h_{t-1} + b_hz)                update gate
    n_t = tanh(W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn))     candidate
    h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}                         memory

The reset gate multiplies the hidden side of the candidate, bias b_hn included: that is why the
input side gi = W_ih x_t + b_ih and the hidden side gh = W_hh h_{t-1} + b_hh are kept apart, and
why ∂L/∂b_hh is not ∂L/∂b_ih. Backward, read right to left:

    dz_n = dh_t ⊙ (1 − z_t) ⊙ (1 − n_t²)          ∂L/∂(the candidate's pre-activation)
    dz_z = dh_t ⊙ (h_{t-1} − n_t) ⊙ z_t(1 − z_t)
    dz_r = dz_n ⊙ (W_hn h_{t-1} + b_hn) ⊙ r_t(1 − r_t)
    dgi_t = [dz_r, dz_z, dz_n]      dgh_t = [dz_r, dz_z, dz_n ⊙ r_t]
    dh_{t-1} = dgh_t W_hh + dh_t ⊙ z_t            through the gates, and straight through z_t
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .cell import Cell
from .recurrence import carve, sigmoid
from .skeleton import Gradients, Recurrent, weight_grads
from .trace import GateRows, RunTrace


@dataclass(frozen=True, eq=False)
class GRULayerTrace(GateRows):
    """One layer, one direction of a GRU run; time-major (T, B, ·), indexed by input position.

    As for the LSTM: the reverse direction's h_prev[t] came from position t+1; padding holds zeros.
    Pre-activations, as the LSTM's z_i … z_o: z_r, z_z, z_n (so r = σ(z_r), z = σ(z_z),
    n = tanh(z_n)); the update gate itself is `z`.
    """

    layer: int  # k
    direction: int  # 0 forward, 1 reverse
    x: np.ndarray  # (T, B, D_k) this layer's input (after dropout of the layer below)
    mask: np.ndarray  # (T, B) bool: the step ran
    gi: np.ndarray  # (T, B, 3H) input side W_ih x_t + b_ih, rows r, z, n
    gh: np.ndarray  # (T, B, 3H) hidden side W_hh h_{t-1} + b_hh, rows r, z, n
    gates: np.ndarray  # (T, B, 3H) r_t, z_t, n_t side by side
    r_hn: np.ndarray  # (T, B, H) r_t ⊙ (W_hn h_{t-1} + b_hn): the memory's share of the candidate
    h_prev: np.ndarray  # (T, B, H) memory coming in
    h: np.ndarray  # (T, B, H) h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}
    weight_ih: np.ndarray  # (3H, D_k)
    weight_hh: np.ndarray  # (3H, H)
    bias_ih: np.ndarray  # (3H,) zeros when bias=False
    bias_hh: np.ndarray  # (3H,) zeros when bias=False

    hidden_size = property(lambda self: self.h.shape[-1])

    # Gates, each (T, B, H), in torch's order r, z, n.
    r = property(lambda self: self._gate(self.gates, 0))  # reset gate, in (0, 1)
    z = property(lambda self: self._gate(self.gates, 1))  # update gate, in (0, 1)
    n = property(lambda self: self._gate(self.gates, 2))  # candidate, in (-1, 1)
    # Pre-activations, each (T, B, H).
    z_r = property(lambda self: self._gate(self.gi, 0) + self._gate(self.gh, 0))
    z_z = property(lambda self: self._gate(self.gi, 1) + self._gate(self.gh, 1))
    z_n = property(lambda self: self._gate(self.gi, 2) + self.r_hn)


@dataclass(frozen=True, eq=False)
class GRUTrace(RunTrace):
    """A whole GRU run: the call's results plus `layers[k][d]` (a `GRULayerTrace` per layer k,
    direction d); the other fields are `RunTrace`'s."""

    h_n: np.ndarray  # (L * dirs, B, H), or (L * dirs, H) for unbatched input


@functools.lru_cache(maxsize=64)
def gru_affine(B: int, H: int, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
    """(B, 3H) of ½ for the σ rows r, z and 1 for the candidate's rows n; and (B, 2H) of ½.

    σ(a) = ½·tanh(½a) + ½: the r, z pre-activations are halved (exact: a power of two) in one
    pass over the whole contiguous row, then one tanh, ×½ and +½ give both gates. Same-shape
    operands are faster than a scalar's broadcast. Shared by every call (cached): read-only.
    """
    s = np.ones((B, 3 * H), dtype=dtype)
    s[:, : 2 * H] = 0.5
    half = np.full((B, 2 * H), 0.5, dtype=dtype)
    s.flags.writeable = half.flags.writeable = False
    return s, half


def gru_direction(
    x: np.ndarray,
    h0: np.ndarray,
    weight_ih: np.ndarray,
    weight_hh: np.ndarray,
    bias_ih: np.ndarray,
    bias_hh: np.ndarray,
    steps: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Run one direction over x (T, B, D) in processing order; h0 (B, H); biases (3H,).

    steps (T, B) bool marks which sequences take step t (None: all); the others carry h.
    Returns gi, gh, gates (T, B, 3H), r_hn, h_prev, h (T, B, H).
    """
    T, B, D = x.shape
    H = h0.shape[-1]
    s, half = gru_affine(B, H, x.dtype)
    # The records, carved from one allocation (one large block: huge pages, few page faults).
    # Each step's rows are contiguous: operations on whole rows are the fast ones.
    gi, gh, gates, r_hn, h_all = carve(
        x.dtype,
        (T, B, 3 * H),  # W_ih x_t + b_ih
        (T, B, 3 * H),  # W_hh h_{t-1} + b_hh
        (T, B, 3 * H),  # r_t, z_t, n_t
        (T, B, H),  # r_t ⊙ (W_hn h_{t-1} + b_hn)
        (T + 1, B, H),  # h_0, h_1, ..., h_T
    )
    np.matmul(x.reshape(T * B, D), weight_ih.T, out=gi.reshape(T * B, 3 * H))  # every t at once
    gi += bias_ih
    W_hh_T = np.ascontiguousarray(weight_hh.T)  # (H, 3H)
    b_hh = np.empty((B, 3 * H), x.dtype)
    b_hh[...] = bias_hh  # the bias as a step's rows: same-shape operands are faster
    h_all[0] = h0
    h_prev_all, h = h_all[:-1], h_all[1:]  # views: h_prev is h shifted by one step
    rz, n = gates[..., : 2 * H], gates[..., 2 * H :]
    r, z = gates[..., :H], gates[..., H : 2 * H]
    gi_n, gh_n = gi[..., 2 * H :], gh[..., 2 * H :]
    idle = None if steps is None else ~steps[:, :, None]  # (T, B, 1)

    for t in range(T):
        h_prev = h_prev_all[t]
        gh_t = np.matmul(h_prev, W_hh_T, out=gh[t])
        gh_t += b_hh  # W_hh h_{t-1} + b_hh
        a = np.add(gi[t], gh_t, out=gates[t])  # z_r, z_z (the n rows: overwritten below)
        a *= s  # ½ z_r, ½ z_z
        rz_t = np.tanh(rz[t], out=rz[t])
        rz_t *= half
        rz_t += half  # r_t = σ(z_r), z_t = σ(z_z), as ½·tanh(½·) + ½
        r_hn_t = np.multiply(r[t], gh_n[t], out=r_hn[t])  # r_t ⊙ (W_hn h_{t-1} + b_hn)
        n_t = np.add(gi_n[t], r_hn_t, out=n[t])  # z_n = W_in x_t + b_in + r_t ⊙ (W_hn h + b_hn)
        np.tanh(n_t, out=n_t)  # n_t = tanh(z_n)
        h_t = np.subtract(h_prev, n_t, out=h[t])
        h_t *= z[t]
        h_t += n_t  # h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}, as n_t + z_t ⊙ (h_{t-1} − n_t)
        if idle is not None:  # sequences past their end keep their state
            np.copyto(h_t, h_prev, where=idle[t])
    return {"gi": gi, "gh": gh, "gates": gates, "r_hn": r_hn, "h_prev": h_prev_all, "h": h}


def gru_direction_backward(
    lt: GRULayerTrace, dh_above: np.ndarray, dh_last: np.ndarray
) -> dict[str, np.ndarray]:
    """BPTT through one GRU layer and direction (the equations in the module's docstring).

    dh_above (T, B, H): ∂L/∂h_t from above, zero at padding; dh_last (B, H): ∂L/∂h_n.
    Returns dz = dgi (T, B, 3H), ∂L/∂(W_ih x_t + b_ih), which is ∂L/∂(z_r, z_z, z_n);
    dgh (T, B, 3H), ∂L/∂(W_hh h_{t-1} + b_hh); dh (T, B, H); dh0 (B, H).
    """
    T, B, H = lt.h.shape
    r, z, n = lt.r, lt.z, lt.n  # (T, B, H) each
    W_hh = lt.weight_hh  # (3H, H)
    dtype = lt.h.dtype
    dgi, dgh, dh, dzn_dh, dzz_dh, dzr_dzn = carve(dtype, *[(T, B, 3 * H)] * 2, *[(T, B, H)] * 4)

    # Local derivatives, every timestep at once: none of them depends on what flows back.
    # Written in place into carved arrays: a temporary per operation would cost a page fault
    # every few kilobytes.
    one_minus_z = np.subtract(1, z, out=dh)  # dh is filled in only by the loop below
    np.multiply(n, n, out=dzn_dh)
    np.subtract(1, dzn_dh, out=dzn_dh)
    dzn_dh *= one_minus_z  # dz_n = dh ⊙ (1 − z) ⊙ tanh'(z_n)
    np.subtract(lt.h_prev, n, out=dzz_dh)
    dzz_dh *= z
    dzz_dh *= one_minus_z  # dz_z = dh ⊙ (h_{t-1} − n) ⊙ σ'(z_z)
    np.subtract(1, r, out=dzr_dzn)
    dzr_dzn *= r
    dzr_dzn *= lt.gh[..., 2 * H :]  # dz_r = dz_n ⊙ (W_hn h + b_hn) ⊙ σ'(z_r)
    idle = None
    if not lt.mask.all():  # lengths: padded steps pass the gradient through unchanged
        idle = ~lt.mask[:, :, None]  # (T, B, 1)
        for a in (dzn_dh, dzz_dh, dzr_dzn):
            a[~lt.mask] = 0

    dz_r, dz_z, dgh_n = dgh[..., :H], dgh[..., H : 2 * H], dgh[..., 2 * H :]
    dz_n = dgi[..., 2 * H :]
    dh_prev, dh_next, straight = np.empty((3, B, H), dtype)

    # The reverse direction ran from the last position to the first, so its backward pass runs
    # from the first to the last; the forward direction the other way round.
    order = range(T) if lt.direction == 1 else range(T - 1, -1, -1)
    dh_next[...] = dh_last  # ∂L/∂h_t arriving from the step after t
    for t in order:
        dh_t = np.add(dh_above[t], dh_next, out=dh[t])  # ∂L/∂h_t
        dz_n_t = np.multiply(dh_t, dzn_dh[t], out=dz_n[t])  # ∂L/∂z_n
        np.multiply(dh_t, dzz_dh[t], out=dz_z[t])  # ∂L/∂z_z
        np.multiply(dz_n_t, dzr_dzn[t], out=dz_r[t])  # ∂L/∂z_r
        np.multiply(dz_n_t, r[t], out=dgh_n[t])  # ∂L/∂(W_hn h_{t-1} + b_hn) = dz_n ⊙ r_t
        np.matmul(dgh[t], W_hh, out=dh_prev)  # ∂L/∂h_{t-1} through the gates, (B, H)
        dh_prev += np.multiply(dh_t, z[t], out=straight)  # and straight: h_t = … + z_t ⊙ h_{t-1}
        if idle is not None:  # a sequence past its end: its state was carried, so is its gradient
            np.copyto(dh_prev, dh_next, where=idle[t])
        dh_next, dh_prev = dh_prev, dh_next
    dgi[..., : 2 * H] = dgh[..., : 2 * H]  # r and z: input and hidden sides enter alike
    if idle is not None:  # padded positions hold zeros, like the trace
        dh[~lt.mask] = 0
    return {"dz": dgi, "dgh": dgh, "dh": dh, "dh0": dh_next.copy()}


class GRU(Recurrent):
    """A multi-layer GRU with torch.nn.GRU's arguments, parameters, semantics and results.

    The cell on `Recurrent`'s skeleton (whose constructor takes nn.GRU's arguments): one state
    (h), 3H rows (gates r, z, n).
    """

    num_gates = 3  # r, z, n
    trace_type = GRUTrace

    def state_sizes(self) -> dict[str, int]:
        """h (B, H)."""
        return {"h": self.hidden_size}

    # ----- the cell on the skeleton -----------------------------------------------------------

    def _run_direction(self, x, state0, p, steps) -> dict[str, np.ndarray]:
        (h0,) = state0
        return gru_direction(
            x, h0, p["weight_ih"], p["weight_hh"], p["bias_ih"], p["bias_hh"], steps
        )

    def _layer_trace(self, k, d, p, r, mask) -> GRULayerTrace:
        return GRULayerTrace(layer=k, direction=d, mask=mask, **p, **r)

    _direction_backward = staticmethod(gru_direction_backward)

    def _param_grads(self, lt, r) -> dict[str, np.ndarray]:
        """The hidden side has its own gradient dgh (the n rows are multiplied by r)."""
        return weight_grads(lt, r["dz"], r["dh"], self.bias, dz_hh=r["dgh"])

    # ----- running ------------------------------------------------------------------------------

    def backward(self, trace: GRUTrace, grad_output, grad_h_n=None) -> Gradients:
        """BPTT through `trace`: ∂L/∂(parameters, input, h_0) given ∂L/∂(output, h_n);
        train-mode dropout uses the masks the forward pass drew."""
        return self._bptt(trace, grad_output, (grad_h_n,))


def gru_cell_step(x: np.ndarray, h_prev: np.ndarray, p: Mapping[str, np.ndarray]) -> np.ndarray:
    """One GRU step, written as plainly as the equations. x (B, D), h_prev (B, H) → h_t (B, H);
    p holds weight_ih (3H, D), weight_hh (3H, H) and, with bias, bias_ih, bias_hh (3H,)."""
    H = h_prev.shape[-1]
    gi = x @ p["weight_ih"].T  # (B, 3H) input side, gate order r, z, n
    gh = h_prev @ p["weight_hh"].T  # (B, 3H) hidden side
    if "bias_ih" in p:
        gi = gi + p["bias_ih"]
        gh = gh + p["bias_hh"]
    r_t = sigmoid(gi[:, 0 * H : 1 * H] + gh[:, 0 * H : 1 * H])  # reset gate
    z_t = sigmoid(gi[:, 1 * H : 2 * H] + gh[:, 1 * H : 2 * H])  # update gate
    n_t = np.tanh(gi[:, 2 * H : 3 * H] + r_t * gh[:, 2 * H : 3 * H])  # candidate
    h_t = (1 - z_t) * n_t + z_t * h_prev  # memory
    return h_t


class GRUCell(Cell):
    """One GRU step with torch.nn.GRUCell's arguments, parameters and results."""

    num_gates = 3  # r, z, n

    def __call__(self, x, h=None) -> np.ndarray:
        """h′ from x (B, D) or (D,) and h (B, H) or (H,) (None: zeros)."""
        x2, unbatched = self._input(x)
        h0 = self._state("h_0", h, x2, unbatched)
        h1 = gru_cell_step(x2, h0, self._params)
        return h1[0] if unbatched else h1

    forward = __call__
