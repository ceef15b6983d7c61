"""SGD, Adam, clip_grad_norm_ and Readout against torch.optim / torch.nn on the same numbers."""

from __future__ import annotations

import numpy as np
import pytest
from needs import need_torch

from lstm_core.optim import SGD, Adam, Readout, clip_grad_norm_, grad_norm

torch = need_torch()

SHAPES = {"weight": (4, 3), "bias": (4,), "scalar_like": (1,)}


def _params_and_grads(seed: int, steps: int):
    rng = np.random.default_rng(seed)
    params = {n: rng.normal(size=s) for n, s in SHAPES.items()}
    grads = [{n: rng.normal(size=s) for n, s in SHAPES.items()} for _ in range(steps)]
    return params, grads


def _torch_run(cls, params, grad_seq, **kw):
    tp = {n: torch.tensor(p, requires_grad=True) for n, p in params.items()}
    opt = cls(list(tp.values()), **kw)
    for grads in grad_seq:
        for n, p in tp.items():
            p.grad = torch.tensor(grads[n])
        opt.step()
    return {n: p.detach().numpy() for n, p in tp.items()}


SGD_CASES = [
    {"lr": 0.1},
    {"lr": 0.05, "momentum": 0.9},
    {"lr": 0.05, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01},
    {"lr": 0.05, "momentum": 0.8, "nesterov": True, "weight_decay": 0.1},
]


@pytest.mark.parametrize("kw", SGD_CASES)
def test_sgd_matches_torch(kw):
    params, grad_seq = _params_and_grads(0, steps=6)
    opt = SGD(params, **kw)
    for grads in grad_seq:
        ours = opt.step(grads)
    ref = _torch_run(torch.optim.SGD, params, grad_seq, **kw)
    for n in params:
        np.testing.assert_allclose(ours[n], ref[n], rtol=0, atol=1e-12)
        assert np.abs(ours[n] - params[n]).max() > 1e-3  # it did move
    assert params["bias"] is not opt.params["bias"]  # the caller's arrays are left alone


ADAM_CASES = [
    {"lr": 1e-2},
    {"lr": 3e-2, "betas": (0.8, 0.99), "eps": 1e-6},
    {"lr": 1e-2, "weight_decay": 0.05},
    {"lr": 1e-2, "amsgrad": True},
]


@pytest.mark.parametrize("kw", ADAM_CASES)
def test_adam_matches_torch(kw):
    params, grad_seq = _params_and_grads(1, steps=8)
    if kw.get("amsgrad"):  # shrinking gradients make amsgrad's running max matter
        grad_seq = [{n: g * 0.5**s for n, g in grads.items()} for s, grads in enumerate(grad_seq)]
    opt = Adam(params, **kw)
    for grads in grad_seq:
        ours = opt.step(grads)
    ref = _torch_run(torch.optim.Adam, params, grad_seq, **kw)
    for n in params:
        np.testing.assert_allclose(ours[n], ref[n], rtol=0, atol=1e-12)
    assert opt.t == 8


def test_adam_first_step_is_lr_times_sign():
    """After one step m̂ = g and v̂ = g², so with ε = 0 every entry moves by exactly lr·sign(g)."""
    opt = Adam({"w": np.zeros(3)}, lr=0.1, eps=0.0)
    out = opt.step({"w": np.array([2.0, -0.001, 5.0])})
    np.testing.assert_allclose(out["w"], [-0.1, 0.1, -0.1], atol=1e-15)


@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(max_norm):
    _, (grads,) = _params_and_grads(2, steps=1)
    tp = [torch.zeros(s, dtype=torch.float64, requires_grad=True) for s in SHAPES.values()]
    for p, g in zip(tp, grads.values()):
        p.grad = torch.tensor(g)
    ref_norm = torch.nn.utils.clip_grad_norm_(tp, max_norm).item()
    ours = {n: g.copy() for n, g in grads.items()}
    total = clip_grad_norm_(ours, max_norm)
    assert total == pytest.approx(ref_norm, rel=1e-14)
    for p, n in zip(tp, ours):
        np.testing.assert_allclose(ours[n], p.grad.numpy(), rtol=0, atol=1e-15)
    if max_norm < total:
        assert grad_norm(ours) == pytest.approx(max_norm, rel=1e-5)
    else:
        np.testing.assert_array_equal(ours["weight"], grads["weight"])


def test_grad_norm_by_hand():
    assert grad_norm({"a": np.array([3.0]), "b": np.array([[4.0]])}) == 5.0
    assert grad_norm({"a": np.array([3.0, -7.0])}, norm_type=float("inf")) == 7.0


def test_readout_matches_torch_linear():
    ro = Readout(5, 2, seed=0)
    lin = torch.nn.Linear(5, 2, dtype=torch.float64)
    lin.load_state_dict({k: torch.tensor(v) for k, v in ro.state_dict().items()})
    rng = np.random.default_rng(3)
    h, dy = rng.normal(size=(4, 3, 5)), rng.normal(size=(4, 3, 2))
    ht = torch.tensor(h, requires_grad=True)
    y = lin(ht)
    y.backward(torch.tensor(dy))
    np.testing.assert_allclose(ro(h), y.detach().numpy(), atol=1e-14)
    grads, dh = ro.backward(h, dy)
    np.testing.assert_allclose(grads["weight"], lin.weight.grad.numpy(), atol=1e-13)
    np.testing.assert_allclose(grads["bias"], lin.bias.grad.numpy(), atol=1e-13)
    np.testing.assert_allclose(dh, ht.grad.numpy(), atol=1e-14)
    assert np.abs(ro.weight).max() <= 1 / np.sqrt(5)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="Nesterov"):
        SGD({"w": np.zeros(2)}, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="betas"):
        Adam({"w": np.zeros(2)}, betas=(1.0, 0.9))
    opt = Adam({"w": np.zeros(2)})
    with pytest.raises(ValueError, match="no gradient"):
        opt.step({})
    with pytest.raises(ValueError, match="shape"):
        opt.step({"w": np.zeros(3)})
