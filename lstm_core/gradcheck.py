"""Central-difference gradient check: does BPTT agree with (L(θ + ε) − L(θ − ε)) / 2ε?

Works for `LSTM`, `RNN`, `GRU` and `VariantLSTM` alike. The check always runs on a float64 copy
of the model in eval mode (no dropout), because central differences in float32 lose about half
of the digits.
A loss function maps the model's output to (L, ∂L/∂output).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

LossFn = Callable[[np.ndarray], tuple[float, np.ndarray]]


def half_sum_of_squares(output: np.ndarray) -> tuple[float, np.ndarray]:
    """L = ½ Σ output², so ∂L/∂output = output."""
    return 0.5 * float(np.sum(output * output)), output.copy()


def weighted_sum_loss(weights: np.ndarray) -> LossFn:
    """L = Σ R ⊙ output for a fixed array R (the shape of the output): ∂L/∂output = R."""
    R = np.asarray(weights, np.float64)

    def loss(output: np.ndarray) -> tuple[float, np.ndarray]:
        if output.shape != R.shape:
            raise ValueError(f"output must have shape {R.shape}, got {output.shape}")
        return float(np.sum(R * output)), R.copy()

    return loss


@dataclass(frozen=True)
class GradCheckEntry:
    """One checked entry: analytic (BPTT) vs numeric (central difference)."""

    name: str  # a state_dict key, or "input"
    index: tuple[int, ...]
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float  # |a − n| / max(|a|, |n|, 1e-8)


def float64_copy(model):
    """The same model (LSTM, RNN, GRU, VariantLSTM) in float64 and eval mode, same weights."""
    twin = type(model)(**model.config(), dtype=np.float64)
    twin.load_state_dict({k: v.astype(np.float64) for k, v in model.state_dict().items()})
    return twin.eval()


def _loss_at(model, x, hx, lengths, loss_fn: LossFn) -> float:
    return float(loss_fn(model.trace(x, hx, lengths).output)[0])


def numerical_grad(
    model,
    x,
    loss_fn: LossFn = half_sum_of_squares,
    param_name: str = "weight_hh_l0",
    index: Sequence[int] = (0, 0),
    eps: float = 1e-6,
    hx=None,
    lengths=None,
) -> float:
    """(L(θ + ε) − L(θ − ε)) / 2ε for one entry of a parameter (or of the input, name "input")."""
    m = float64_copy(model)
    index = tuple(int(i) for i in index)
    x = np.array(x, dtype=np.float64)
    if param_name == "input":
        a = x
    else:
        sd = m.state_dict()
        if param_name not in sd:
            raise ValueError(f"unknown parameter {param_name!r}; expected one of {list(sd)}")
        a = sd[param_name]
    if len(index) != a.ndim or any(not 0 <= i < n for i, n in zip(index, a.shape)):
        raise ValueError(f"index {index} is outside {param_name!r} of shape {a.shape}")
    original = a[index]
    losses = []
    for sign in (+1, -1):
        a[index] = original + sign * eps
        if param_name != "input":
            m.load_state_dict(sd)
        losses.append(_loss_at(m, x, hx, lengths, loss_fn))
    a[index] = original
    return (losses[0] - losses[1]) / (2 * eps)


def gradient_check(
    model,
    x,
    loss_fn: LossFn = half_sum_of_squares,
    hx=None,
    lengths=None,
    n_samples: int = 20,
    seed: int = 0,
    eps: float = 1e-6,
) -> list[GradCheckEntry]:
    """Analytic vs numeric gradients for n_samples random entries, spread over every parameter
    and the input in turn (each one at least once when n_samples allows)."""
    m = float64_copy(model)
    x64 = np.array(x, dtype=np.float64)
    trace = m.trace(x64, hx, lengths)
    _, grad_output = loss_fn(trace.output)
    grads = m.backward(trace, grad_output)
    analytic = dict(grads.params) | {"input": grads.input}
    names = list(analytic)
    rng = np.random.default_rng(seed)
    entries = []
    for s in range(n_samples):
        name = names[s % len(names)]
        index = tuple(int(rng.integers(n)) for n in analytic[name].shape)
        a = float(analytic[name][index])
        n = numerical_grad(m, x64, loss_fn, name, index, eps, hx, lengths)
        err = abs(a - n)
        entries.append(GradCheckEntry(name, index, a, n, err, err / max(abs(a), abs(n), 1e-8)))
    return entries
