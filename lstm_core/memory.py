"""How far back a gradient reaches: vanilla RNN against LSTM, and what training did to the gates.

The loss reads only the last hidden state, L = wᵀ h_{T-1} with ‖w‖ = 1 (so ‖∂L/∂h_{T-1}‖ = 1), and
BPTT carries it back. For the RNN every step back multiplies by a Jacobian,

    ∂L/∂h_{k-1} = W_hhᵀ (tanh'(z_k) ⊙ ∂L/∂h_k)            (shrinks when ‖W_hh‖·tanh' < 1)

while the LSTM's cell state has an additive path whose only factor is the forget gate,

    ∂L/∂c_{k-1} = f_k ⊙ ∂L/∂c_k + (terms through h_{k-1})  so ∂L/∂c_k ≈ (∏_{k<j≤t} f_j) ⊙ ∂L/∂c_t.

NumPy only; the numbers come from the core's `backward` (checked against torch autograd in tests).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .lstm import LSTM
from .rnn import RNN


def unit_readout(H: int, dtype=np.float64) -> np.ndarray:
    """w (H,) = 1/√H: the loss L = wᵀ h_{T-1} has ‖∂L/∂h_{T-1}‖ = 1."""
    return np.full(H, 1.0 / np.sqrt(H), dtype)


def _last_step_grad_output(output: np.ndarray, w: np.ndarray) -> np.ndarray:
    """∂L/∂output (T, H) for L = wᵀ h_{T-1}: zero everywhere but the last row."""
    g = np.zeros_like(output)
    g[-1] = w
    return g


def rnn_hidden_grads(model: RNN, x: np.ndarray, w: np.ndarray | None = None):
    """(trace, ∂L/∂h_k (T, H)) of the top layer for L = wᵀ h_{T-1}; x unbatched (T, D)."""
    trace = model.trace(x)
    w = unit_readout(model.hidden_size, model.dtype) if w is None else w
    grads = model.backward(trace, _last_step_grad_output(trace.output, w))
    return trace, grads.layers[-1][0].h[:, 0]


def lstm_hidden_grads(model: LSTM, x: np.ndarray, w: np.ndarray | None = None):
    """(trace, ∂L/∂h_k (T, H), ∂L/∂c_k (T, H)) of the top layer for L = wᵀ h_{T-1}; x (T, D)."""
    trace = model.trace(x)
    w = unit_readout(model.output_hidden_size, model.dtype) if w is None else w
    grads = model.backward(trace, _last_step_grad_output(trace.output, w))
    lg = grads.layers[-1][0]
    return trace, lg.h[:, 0], lg.c[:, 0]


def forget_products(f: np.ndarray) -> np.ndarray:
    """P (T, H): P[k] = ∏_{k<j≤T-1} f_j, what the cell path multiplies ∂L/∂c_{T-1} by to reach c_k.

    f (T, H) the forget gates of one sequence; P[T-1] = 1.
    """
    T = f.shape[0]
    P = np.ones_like(f)
    if T > 1:
        P[:-1] = np.cumprod(f[:0:-1], axis=0)[::-1]  # P[k] = f_{k+1} · f_{k+2} ··· f_{T-1}
    return P


@dataclass(frozen=True, eq=False)
class GradientFlow:
    """‖∂L/∂·‖ at every earlier step for L = wᵀ h_{T-1}; arrays (T,) by distance d = t − k."""

    distance: np.ndarray  # (T,) 0, 1, ..., T-1 steps back from the last step t = T-1
    rnn_h: np.ndarray  # (T,) ‖∂L/∂h_k‖ of the vanilla RNN
    lstm_h: np.ndarray  # (T,) ‖∂L/∂h_k‖ of the LSTM
    lstm_c: np.ndarray  # (T,) ‖∂L/∂c_k‖ of the LSTM
    forget_product: np.ndarray  # (T,) mean over units of ∏_{k<j≤t} f_j (1 at d = 0)
    forget_mean: np.ndarray  # (T,) mean over units of f_k, the factor at step k of the cell path
    rnn_factor: np.ndarray  # (T,) ‖∂L/∂h_{k-1}‖ / ‖∂L/∂h_k‖ of the RNN (nan at the first step)

    @property
    def T(self) -> int:
        return len(self.distance)

    def ratio(self, d: int | None = None) -> float:
        """‖∂L/∂h_k‖ LSTM / RNN at distance d (default: the farthest, k = 0)."""
        d = self.T - 1 if d is None else d
        return float(self.lstm_h[d] / self.rnn_h[d]) if self.rnn_h[d] > 0 else float("inf")


def _by_distance(a: np.ndarray) -> np.ndarray:
    """(T, ...) indexed by timestep k → indexed by distance d = T − 1 − k."""
    return a[::-1].copy()


def gradient_flow(rnn: RNN, lstm: LSTM, x: np.ndarray) -> GradientFlow:
    """The same x (T, D) through both models; gradient norms of L = wᵀ h_{T-1} per distance."""
    if rnn.hidden_size != lstm.output_hidden_size:
        raise ValueError(
            f"the RNN and the LSTM need the same hidden size, got {rnn.hidden_size} "
            f"and {lstm.output_hidden_size}"
        )
    x = np.asarray(x, dtype=np.float64)
    if x.ndim != 2 or x.shape[0] < 1:
        raise ValueError(f"x must be (T, D) with T ≥ 1, got shape {x.shape}")
    _, dh_rnn = rnn_hidden_grads(rnn, x)
    trace, dh_lstm, dc_lstm = lstm_hidden_grads(lstm, x)
    f = trace.layers[-1][0].f[:, 0]  # (T, H)
    rnn_h = np.linalg.norm(dh_rnn, axis=-1)  # (T,) by timestep
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.full(len(rnn_h), np.nan)
        factor[:-1] = rnn_h[:-1] / rnn_h[1:]  # at step k: ‖∂L/∂h_{k-1}‖ / ‖∂L/∂h_k‖, by k-1
    T = x.shape[0]
    return GradientFlow(
        distance=np.arange(T),
        rnn_h=_by_distance(rnn_h),
        lstm_h=_by_distance(np.linalg.norm(dh_lstm, axis=-1)),
        lstm_c=_by_distance(np.linalg.norm(dc_lstm, axis=-1)),
        forget_product=_by_distance(forget_products(f).mean(axis=-1)),
        forget_mean=_by_distance(f.mean(axis=-1)),
        rnn_factor=np.concatenate([[np.nan], _by_distance(factor)[1:]]),
    )


def paired_models(
    D: int, H: int, seed: int, forget_bias: float = 0.0, weight_scale: float = 1.0
) -> tuple[RNN, LSTM]:
    """A vanilla RNN and an LSTM with D inputs and H units, random from one seed (torch's init).

    The LSTM's forget-gate bias is set to `forget_bias` (b_if = forget_bias, b_hf = 0, so
    f = σ(W_if x + W_hf h + forget_bias)); both recurrent matrices W_hh are multiplied by
    `weight_scale`.
    """
    if not np.isfinite(forget_bias) or not np.isfinite(weight_scale):
        raise ValueError("forget_bias and weight_scale must be finite numbers")
    rnn = RNN(D, H, seed=seed)
    lstm = LSTM(D, H, seed=seed)
    sd = rnn.state_dict()
    sd["weight_hh_l0"] = sd["weight_hh_l0"] * weight_scale
    rnn.load_state_dict(sd)
    sd = lstm.state_dict()
    sd["weight_hh_l0"] = sd["weight_hh_l0"] * weight_scale
    sd["bias_ih_l0"][H : 2 * H] = forget_bias  # the f rows (gate order i, f, g, o)
    sd["bias_hh_l0"][H : 2 * H] = 0.0
    lstm.load_state_dict(sd)
    return rnn.eval(), lstm.eval()


# ----- what training changed -------------------------------------------------------------------


def sequence(x: np.ndarray, b: int = 0) -> np.ndarray:
    """One sequence (T, D) of a batch x (T, B, D)."""
    return np.ascontiguousarray(x[:, b, :])


def gates_of(model: LSTM, x: np.ndarray) -> dict[str, np.ndarray]:
    """f, i, g, o, c, h (T, H) of the top layer for one sequence x (T, D)."""
    lt = model.trace(np.asarray(x, dtype=model.dtype)).layers[-1][0]
    return {name: np.asarray(getattr(lt, name)[:, 0]) for name in ("f", "i", "g", "o", "c", "h")}


@dataclass(frozen=True)
class DelayMemory:
    """The forget gate over the delay of the remember task (steps 1..T-1, after x_0 was written)."""

    mean_f: float  # mean of f_t over the delay and every unit
    best_unit: int  # j: the unit whose c keeps the most of c_0 to the end (largest ∏ f), or given
    best_mean_f: float  # mean of f_t over the delay for that unit
    best_kept: float  # ∏_{1≤t≤T-1} f_t of that unit: the share of c_0 still in c_{T-1}


def delay_memory(f: np.ndarray, unit: int | None = None) -> DelayMemory:
    """Summary of the forget gate f (T, H) over the delay (timesteps 1..T-1).

    `unit`: report this unit j as the memory unit (e.g. the one found after training, to compare
    the same unit before training); default: the unit with the largest ∏ f.
    """
    if f.ndim != 2 or f.shape[0] < 2:
        raise ValueError(f"f must be (T, H) with T ≥ 2, got shape {f.shape}")
    delay = f[1:]  # (T-1, H): the steps after the first input was written
    kept = np.prod(delay, axis=0)  # (H,) ∏ f_t per unit
    j = int(np.argmax(kept)) if unit is None else int(unit)
    if not 0 <= j < f.shape[1]:
        raise ValueError(f"unit must be in [0, {f.shape[1]}), got {unit}")
    return DelayMemory(
        mean_f=float(delay.mean()),
        best_unit=j,
        best_mean_f=float(delay[:, j].mean()),
        best_kept=float(kept[j]),
    )


def true_class_probability(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    """softmax(logits)[y] per step: logits (T, V), y (T,) class indices → (T,)."""
    shifted = logits - logits.max(axis=-1, keepdims=True)  # the same softmax, no overflow
    p = np.exp(shifted)
    p /= p.sum(axis=-1, keepdims=True)
    return p[np.arange(len(y)), np.asarray(y)]
