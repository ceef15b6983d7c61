"""Optimizers with torch.optim's exact update rules, gradient-norm clipping, and a linear readout.

Parameters are a dict name → array (like a state_dict). An optimizer keeps its own writable copy,
`step(grads)` updates it in place and returns it; load it back with `model.load_state_dict(...)`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np


def _copy_params(params: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
    out = {name: np.array(p, copy=True) for name, p in params.items()}
    for name, p in out.items():
        if p.dtype.kind != "f":
            raise ValueError(f"parameter {name!r} must be floating point, got {p.dtype}")
    return out


def _check_grads(params: dict[str, np.ndarray], grads: Mapping[str, np.ndarray]) -> None:
    missing = [n for n in params if n not in grads]
    if missing:
        raise ValueError(f"no gradient for {missing}")
    for n, p in params.items():
        if np.shape(grads[n]) != p.shape:
            raise ValueError(f"gradient of {n!r} must have shape {p.shape}, got {grads[n].shape}")


class SGD:
    """torch.optim.SGD: v ← μ·v + (1 − τ)·g (v = g at the first step); θ ← θ − lr·v."""

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        lr: float,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        if lr < 0 or momentum < 0 or weight_decay < 0:
            raise ValueError(
                f"lr, momentum and weight_decay must be ≥ 0, got {lr}, {momentum}, {weight_decay}"
            )
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        self.params = _copy_params(params)
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov
        self.momentum_buffer: dict[str, np.ndarray] = {}

    def step(self, grads: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """One update of every parameter from its gradient; returns the updated params."""
        _check_grads(self.params, grads)
        for name, theta in self.params.items():
            g = np.asarray(grads[name], theta.dtype)
            if self.weight_decay != 0:
                g = g + self.weight_decay * theta  # L2 penalty: g + λ·θ
            if self.momentum != 0:
                v = self.momentum_buffer.get(name)
                if v is None:
                    v = self.momentum_buffer[name] = g.copy()  # the first step: v = g
                else:
                    v *= self.momentum
                    v += (1 - self.dampening) * g  # v ← μ·v + (1 − τ)·g
                g = g + self.momentum * v if self.nesterov else v
            theta -= self.lr * g  # θ ← θ − lr·g
        return self.params


class Adam:
    """torch.optim.Adam: m ← β₁m + (1−β₁)g, v ← β₂v + (1−β₂)g², θ ← θ − lr·m̂ / (√v̂ + ε)."""

    def __init__(
        self,
        params: Mapping[str, np.ndarray],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        if lr < 0 or eps < 0 or weight_decay < 0:
            raise ValueError(
                f"lr, eps and weight_decay must be ≥ 0, got {lr}, {eps}, {weight_decay}"
            )
        if not (0 <= betas[0] < 1 and 0 <= betas[1] < 1):
            raise ValueError(f"betas must be in [0, 1), got {betas}")
        self.params = _copy_params(params)
        self.lr, self.betas, self.eps = lr, betas, eps
        self.weight_decay, self.amsgrad = weight_decay, amsgrad
        self.t = 0  # steps taken
        self.m = {n: np.zeros_like(p) for n, p in self.params.items()}  # first moment
        self.v = {n: np.zeros_like(p) for n, p in self.params.items()}  # second moment
        self.v_max = {n: np.zeros_like(p) for n, p in self.params.items()} if amsgrad else {}

    def step(self, grads: Mapping[str, np.ndarray]) -> dict[str, np.ndarray]:
        """One update of every parameter from its gradient; returns the updated params."""
        _check_grads(self.params, grads)
        beta1, beta2 = self.betas
        self.t += 1
        bias_correction1 = 1 - beta1**self.t  # m̂ = m / (1 − β₁^t)
        bias_correction2_sqrt = math.sqrt(1 - beta2**self.t)  # √v̂ = √v / √(1 − β₂^t)
        step_size = self.lr / bias_correction1
        for name, theta in self.params.items():
            g = np.asarray(grads[name], theta.dtype)
            if self.weight_decay != 0:
                g = g + self.weight_decay * theta
            m, v = self.m[name], self.v[name]
            m += (1 - beta1) * (g - m)  # m ← β₁m + (1 − β₁)g (torch's lerp)
            v *= beta2
            v += (1 - beta2) * g * g  # v ← β₂v + (1 − β₂)g²
            if self.amsgrad:
                np.maximum(self.v_max[name], v, out=self.v_max[name])
                v = self.v_max[name]
            denom = np.sqrt(v) / bias_correction2_sqrt + self.eps  # √v̂ + ε
            theta -= step_size * (m / denom)  # θ ← θ − lr · m̂ / (√v̂ + ε)
        return self.params


def grad_norm(grads: Mapping[str, np.ndarray], norm_type: float = 2.0) -> float:
    """The norm of all gradients seen as one vector (torch's total_norm)."""
    arrays = [np.asarray(g) for g in grads.values()]
    if not arrays:
        return 0.0
    if math.isinf(norm_type):
        return float(max(np.abs(a).max(initial=0.0) for a in arrays))
    norms = np.array([np.linalg.norm(a.ravel(), norm_type) for a in arrays])
    return float(np.linalg.norm(norms, norm_type))


def clip_grad_norm_(grads: dict[str, np.ndarray], max_norm: float, norm_type: float = 2.0) -> float:
    """torch.nn.utils.clip_grad_norm_: scale grads in place by min(1, max_norm / (norm + 1e-6)).

    Returns the total norm before clipping.
    """
    total_norm = grad_norm(grads, norm_type)
    clip_coef = min(max_norm / (total_norm + 1e-6), 1.0)
    for name, g in grads.items():
        grads[name] = np.multiply(g, clip_coef, out=g if g.flags.writeable else None)
    return total_norm


class Readout:
    """A linear layer y = h W^T + b (torch.nn.Linear), with its backward pass.

    W (O, H), b (O,); init U(-1/√H, 1/√H) like torch. h (..., H) → y (..., O).
    """

    def __init__(
        self, in_features: int, out_features: int, dtype=np.float64, seed: int | None = None
    ) -> None:
        if in_features < 1 or out_features < 1:
            raise ValueError(f"sizes must be ≥ 1, got {in_features}, {out_features}")
        rng = np.random.default_rng(seed)
        k = 1.0 / math.sqrt(in_features)
        self.dtype = np.dtype(dtype)
        self.weight = rng.uniform(-k, k, (out_features, in_features)).astype(self.dtype)  # (O, H)
        self.bias = rng.uniform(-k, k, out_features).astype(self.dtype)  # (O,)

    def state_dict(self) -> dict[str, np.ndarray]:
        return {"weight": self.weight.copy(), "bias": self.bias.copy()}

    def load_state_dict(self, sd: Mapping[str, np.ndarray]) -> None:
        for name in ("weight", "bias"):
            a = np.array(sd[name], dtype=self.dtype)
            if a.shape != getattr(self, name).shape:
                raise ValueError(
                    f"{name} must have shape {getattr(self, name).shape}, got {a.shape}"
                )
            setattr(self, name, a)

    def __call__(self, h: np.ndarray) -> np.ndarray:
        """y = h W^T + b, (..., H) → (..., O)."""
        return h @ self.weight.T + self.bias

    def backward(
        self, h: np.ndarray, grad_y: np.ndarray
    ) -> tuple[dict[str, np.ndarray], np.ndarray]:
        """({weight: Σ dy^T h, bias: Σ dy}, ∂L/∂h = dy W) for h (..., H) and dy (..., O)."""
        h2 = h.reshape(-1, h.shape[-1])  # (N, H)
        dy2 = grad_y.reshape(-1, grad_y.shape[-1])  # (N, O)
        grads = {"weight": dy2.T @ h2, "bias": dy2.sum(axis=0)}
        return grads, grad_y @ self.weight
