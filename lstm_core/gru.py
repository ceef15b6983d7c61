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
    pre: np.ndarray  # (T, B, 3H) ½z_r, ½z_z, z_n: the σ rows kept halved (see gru_direction)
    gates: np.ndarray  # (T, B, 3H) r_t, z_t, n_t side by side
    gh_n: np.ndarray  # (T, B, H) W_hn h_{t-1} + b_hn: the memory's side of the candidate
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
    # Pre-activations, each (T, B, H) (doubling the halved rows is exact).
    z_r = property(lambda self: 2 * self._gate(self.pre, 0))
    z_z = property(lambda self: 2 * self._gate(self.pre, 1))
    z_n = property(lambda self: self._gate(self.pre, 2))
    # r_t ⊙ (W_hn h_{t-1} + b_hn): the memory's share of the candidate.
    r_hn = property(lambda self: self.r * self.gh_n)

    @property
    def gi(self) -> np.ndarray:
        """(T, B, 3H) the input side W_ih x_t + b_ih, rows r, z, n (recomputed when read)."""
        return self.x @ self.weight_ih.T + self.bias_ih

    @property
    def gh(self) -> np.ndarray:
        """(T, B, 3H) the hidden side W_hh h_{t-1} + b_hh, rows r, z, n (recomputed when read)."""
        return self.h_prev @ self.weight_hh.T + self.bias_hh


@dataclass(frozen=True, eq=False)
class GRUTrace(RunTrace):
    """A whole GRU run: the call's results plus `layers[k][d]` (a `GRULayerTrace` per layer k,
    direction d); the other fields are `RunTrace`'s."""

    h_n: np.ndarray  # (L * dirs, B, H), or (L * dirs, H) for unbatched input


@functools.lru_cache(maxsize=64)
def gru_half(H: int, B: int, dtype: np.dtype) -> np.ndarray:
    """(2H, B) of ½: σ(a) = ½·tanh(½a) + ½ for the r and z rows of a step. Same-shape operands
    are faster than a scalar's broadcast. Shared by every call (cached): read-only."""
    half = np.full((2 * H, B), 0.5, dtype=dtype)
    half.flags.writeable = False
    return half


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
    Returns (T, B, ·) views: pre (T, B, 3H) = ½z_r, ½z_z, z_n; gates (T, B, 3H) = r, z, n;
    gh_n = W_hn h_{t-1} + b_hn, h_prev, h (T, B, H).

    Computed unit-major: a step's records are (3H, B) or (H, B) blocks, each gate's rows one
    contiguous block, so every operation of the loop runs over contiguous memory, and the
    hidden side is one product W_hh (3H, H) @ h_{t-1} (H, B). The r and z rows of both weights
    and their biases are halved beforehand (exact: a power of two), so one tanh, ×½ and +½ make
    σ with no extra pass; the pre-activations are kept halved and doubled when read.
    """
    T, B, D = x.shape
    H = h0.shape[-1]
    dtype = x.dtype
    scale = np.ones((3 * H, 1), dtype)
    scale[: 2 * H] = 0.5
    # The records, carved from one allocation (few page faults), each step a contiguous block.
    pre, gates, gh_n, h_all = carve(dtype, (T, 3 * H, B), (T, 3 * H, B), (T, H, B), (T + 1, H, B))
    bias = (bias_ih + np.concatenate([bias_hh[: 2 * H], np.zeros(H, dtype)]))[:, None] * scale
    np.matmul(weight_ih * scale, x.transpose(0, 2, 1), out=pre)  # every t at once: W_ih x_t
    pre += bias  # ½(W_i x + b_i + b_h) for r and z, W_in x + b_in for n: the input side
    W_hh = np.ascontiguousarray(weight_hh * scale)  # (3H, H), r and z rows halved
    b_hn = np.empty((H, B), dtype)
    b_hn[...] = bias_hh[2 * H :, None]
    half = gru_half(H, B, dtype)
    gh = np.empty((3 * H, B), dtype)  # one step's hidden side, reused
    r_hn = np.empty((H, B), dtype)
    h_all[0] = h0.T
    idle = None if steps is None else ~steps[:, None, :]  # (T, 1, B)

    for t in range(T):
        h_prev, pre_t, gates_t = h_all[t], pre[t], gates[t]
        np.matmul(W_hh, h_prev, out=gh)  # ½W_hr h, ½W_hz h, W_hn h
        a = pre_t[: 2 * H]
        a += gh[: 2 * H]  # ½z_r, ½z_z
        rz = np.tanh(a, out=gates_t[: 2 * H])
        rz *= half
        rz += half  # r_t = σ(z_r), z_t = σ(z_z)
        g_n = np.add(gh[2 * H :], b_hn, out=gh_n[t])  # W_hn h_{t-1} + b_hn
        np.multiply(rz[:H], g_n, out=r_hn)
        z_n = pre_t[2 * H :]
        z_n += r_hn  # z_n = W_in x_t + b_in + r_t ⊙ (W_hn h_{t-1} + b_hn)
        n_t = np.tanh(z_n, out=gates_t[2 * H :])
        h_t = np.subtract(h_prev, n_t, out=h_all[t + 1])
        h_t *= rz[H:]
        h_t += n_t  # h_t = (1 − z_t) ⊙ n_t + z_t ⊙ h_{t-1}, as n_t + z_t ⊙ (h_{t-1} − n_t)
        if idle is not None:  # sequences past their end keep their state
            np.copyto(h_t, h_prev, where=idle[t])
    row_major = functools.partial(np.transpose, axes=(0, 2, 1))
    return {
        "pre": row_major(pre),
        "gates": row_major(gates),
        "gh_n": row_major(gh_n),
        "h_prev": row_major(h_all[:-1]),
        "h": row_major(h_all[1:]),
    }


def gru_direction_backward(
    lt: GRULayerTrace, dh_above: np.ndarray, dh_last: np.ndarray
) -> dict[str, np.ndarray]:
    """BPTT through one GRU layer and direction (the equations in the module's docstring).

    dh_above (T, B, H): ∂L/∂h_t from above, zero at padding; dh_last (B, H): ∂L/∂h_n.
    Returns dz = dgi (T, B, 3H), ∂L/∂(W_ih x_t + b_ih), which is ∂L/∂(z_r, z_z, z_n);
    dgh (T, B, 3H), ∂L/∂(W_hh h_{t-1} + b_hh); dh (T, B, H); dh0 (B, H).
    """
    T, B, H = lt.h.shape
    # Row-major copies for the loop (the forward keeps them unit-major): contiguous steps.
    r, z, n = (np.ascontiguousarray(g) for g in (lt.r, lt.z, lt.n))  # (T, B, H) each
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
    dzr_dzn *= lt.gh_n  # dz_r = dz_n ⊙ (W_hn h + b_hn) ⊙ σ'(z_r)
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
