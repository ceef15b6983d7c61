"""lstm_core.memory: ‖∂L/∂h_k‖ of an RNN and an LSTM against torch autograd; cases by hand."""

import numpy as np
import pytest
from needs import need_torch

from lstm_core import LSTM
from lstm_core.memory import (
    delay_memory,
    forget_products,
    gates_of,
    gradient_flow,
    lstm_hidden_grads,
    paired_models,
    rnn_hidden_grads,
    true_class_probability,
    unit_readout,
)
from lstm_core.rnn import RNN


def torch_unrolled(model, x: np.ndarray, w: np.ndarray):
    """∂L/∂h_t (and ∂L/∂c_t) for L = wᵀ h_{T-1}, from torch autograd over an explicit unrolled
    computation with the model's weights (every per-step state kept with retain_grad); its
    output is checked against torch.nn.LSTM / nn.RNN on the same weights."""
    torch = need_torch()
    from lstm_core.torch_bridge import rnn_to_torch, to_torch

    is_lstm = isinstance(model, LSTM)
    p = {k: torch.tensor(v) for k, v in model.state_dict().items()}
    W_ih, W_hh, b = p["weight_ih_l0"], p["weight_hh_l0"], p["bias_ih_l0"] + p["bias_hh_l0"]
    xt = torch.tensor(x)
    H = model.hidden_size
    h = torch.zeros(H, dtype=torch.float64, requires_grad=True)  # h_0 = c_0 = 0, as in the core
    c = torch.zeros(H, dtype=torch.float64, requires_grad=True)
    hs, cs = [], []
    for t in range(x.shape[0]):
        z = W_ih @ xt[t] + W_hh @ h + b
        if is_lstm:
            z_i, z_f, z_g, z_o = z.chunk(4)
            c = torch.sigmoid(z_f) * c + torch.sigmoid(z_i) * torch.tanh(z_g)
            h = torch.sigmoid(z_o) * torch.tanh(c)
            c.retain_grad()
            cs.append(c)
        else:
            h = torch.tanh(z)
        h.retain_grad()
        hs.append(h)
    module = to_torch(model) if is_lstm else rnn_to_torch(model)
    with torch.no_grad():
        out = module(xt)[0]
    np.testing.assert_allclose(torch.stack(hs).detach().numpy(), out.numpy(), rtol=1e-12)
    (torch.tensor(w) @ hs[-1]).backward()
    dh = np.stack([s.grad.numpy() for s in hs])  # (T, H)
    dc = np.stack([s.grad.numpy() for s in cs]) if is_lstm else None
    return dh, dc


@pytest.mark.parametrize("seed", [0, 3])
def test_lstm_hidden_and_cell_grads_equal_torch_autograd(seed):
    rng = np.random.default_rng(seed)
    T, D, H = 7, 2, 3
    x = rng.normal(size=(T, D))
    model = LSTM(D, H, seed=seed)
    w = rng.normal(size=H)
    _, dh, dc = lstm_hidden_grads(model, x, w)
    dh_ref, dc_ref = torch_unrolled(model, x, w)
    np.testing.assert_allclose(dh, dh_ref, rtol=1e-10, atol=1e-13)
    np.testing.assert_allclose(dc, dc_ref, rtol=1e-10, atol=1e-13)
    assert np.allclose(dh[-1], w)  # the loss reads only h_{T-1}


@pytest.mark.parametrize("scale", [0.5, 3.0])
def test_rnn_hidden_grads_equal_torch_autograd(scale):
    rnn, _ = paired_models(2, 4, seed=1, weight_scale=scale)
    x = np.random.default_rng(1).normal(size=(9, 2))
    w = unit_readout(4)
    _, dh = rnn_hidden_grads(rnn, x, w)
    dh_ref, _ = torch_unrolled(rnn, x, w)
    np.testing.assert_allclose(dh, dh_ref, rtol=1e-10, atol=1e-15)


def test_flow_norms_are_the_norms_of_the_torch_gradients_by_distance():
    rnn, lstm = paired_models(1, 5, seed=2, forget_bias=3.0)
    x = np.sin(0.5 * np.arange(12))[:, None]
    flow = gradient_flow(rnn, lstm, x)
    w = unit_readout(5)
    dh_rnn, _ = torch_unrolled(rnn, x, w)
    dh_lstm, dc_lstm = torch_unrolled(lstm, x, w)
    np.testing.assert_allclose(flow.rnn_h, np.linalg.norm(dh_rnn, axis=1)[::-1], rtol=1e-10)
    np.testing.assert_allclose(flow.lstm_h, np.linalg.norm(dh_lstm, axis=1)[::-1], rtol=1e-10)
    np.testing.assert_allclose(flow.lstm_c, np.linalg.norm(dc_lstm, axis=1)[::-1], rtol=1e-10)
    ratio = np.linalg.norm(dh_lstm[0]) / np.linalg.norm(dh_rnn[0])
    assert flow.ratio() == pytest.approx(ratio, rel=1e-10)


def test_at_the_last_step_both_gradients_have_norm_one():
    rnn, lstm = paired_models(1, 8, seed=0)
    flow = gradient_flow(rnn, lstm, np.ones((5, 1)))
    assert flow.rnn_h[0] == pytest.approx(1.0)
    assert flow.lstm_h[0] == pytest.approx(1.0)
    assert flow.forget_product[0] == 1.0
    assert list(flow.distance) == [0, 1, 2, 3, 4]


def test_rnn_vanishes_and_an_open_forget_gate_carries_the_gradient():
    x = np.sin(2 * np.pi * np.arange(40) / 12)[:, None]
    rnn, lstm = paired_models(1, 16, seed=0, forget_bias=3.0, weight_scale=1.0)
    flow = gradient_flow(rnn, lstm, x)
    assert flow.rnn_h[-1] < 1e-6  # 39 steps back: vanished
    assert flow.lstm_h[-1] > 1e-3
    assert flow.ratio() > 1e4
    # a closed forget gate (σ(-4) ≈ 0.02) loses the LSTM's memory too
    _, closed = paired_models(1, 16, seed=0, forget_bias=-4.0)
    assert gradient_flow(rnn, closed, x).lstm_c[-1] < 1e-20
    # the RNN's factors multiply up to its norms: ‖∂L/∂h_{t-d}‖ = ∏ of the d factors
    np.testing.assert_allclose(np.cumprod(flow.rnn_factor[1:]), flow.rnn_h[1:], rtol=1e-9)
    # the mean forget gate near σ(3) ≈ 0.95
    assert 0.85 < flow.forget_mean.mean() < 1.0


def test_forget_products_by_hand():
    f = np.array([[0.5, 1.0], [0.5, 0.9], [0.4, 0.8]])  # (T=3, H=2)
    P = forget_products(f)
    np.testing.assert_allclose(P, [[0.2, 0.72], [0.4, 0.8], [1.0, 1.0]])
    np.testing.assert_array_equal(forget_products(f[:1]), [[1.0, 1.0]])


def test_paired_models_set_the_forget_bias_and_scale_w_hh():
    H = 3
    rnn, lstm = paired_models(2, H, seed=5, forget_bias=2.5, weight_scale=2.0)
    plain_rnn, plain_lstm = RNN(2, H, seed=5), LSTM(2, H, seed=5)
    sd, plain = lstm.state_dict(), plain_lstm.state_dict()
    np.testing.assert_array_equal(sd["weight_hh_l0"], 2.0 * plain["weight_hh_l0"])
    np.testing.assert_array_equal(sd["bias_ih_l0"][H : 2 * H], [2.5] * H)
    np.testing.assert_array_equal(sd["bias_hh_l0"][H : 2 * H], [0.0] * H)
    np.testing.assert_array_equal(sd["bias_ih_l0"][:H], plain["bias_ih_l0"][:H])  # i untouched
    np.testing.assert_array_equal(
        rnn.state_dict()["weight_hh_l0"], 2.0 * plain_rnn.state_dict()["weight_hh_l0"]
    )
    # zero weights except the forget bias: f = σ(2.5) at every step
    zero = {k: np.zeros_like(v) for k, v in sd.items()}
    zero["bias_ih_l0"][H : 2 * H] = 2.5
    lstm.load_state_dict(zero)
    f = gates_of(lstm, np.ones((4, 2)))["f"]
    np.testing.assert_allclose(f, 1 / (1 + np.exp(-2.5)))


def test_bad_arguments_are_refused_with_a_message():
    rnn, _ = paired_models(1, 4, seed=0)
    _, lstm = paired_models(1, 5, seed=0)
    with pytest.raises(ValueError, match="same hidden size"):
        gradient_flow(rnn, lstm, np.ones((3, 1)))
    _, lstm4 = paired_models(1, 4, seed=0)
    with pytest.raises(ValueError, match=r"\(T, D\)"):
        gradient_flow(rnn, lstm4, np.ones(3))
    with pytest.raises(ValueError, match="finite"):
        paired_models(1, 4, seed=0, forget_bias=float("nan"))


def test_delay_memory_by_hand():
    f = np.array([[0.1, 0.1], [0.9, 0.5], [0.8, 0.5], [1.0, 0.5]])  # (T=4, H=2); t=0 ignored
    m = delay_memory(f)
    assert m.best_unit == 0
    assert m.best_kept == pytest.approx(0.9 * 0.8 * 1.0)
    assert m.best_mean_f == pytest.approx(0.9)
    assert m.mean_f == pytest.approx((0.9 + 0.8 + 1.0 + 0.5 * 3) / 6)
    with pytest.raises(ValueError):
        delay_memory(f[:1])


def test_true_class_probability_is_the_softmax_of_the_true_class():
    logits = np.array([[0.0, 0.0], [1000.0, 0.0], [0.0, np.log(3.0)]])
    p = true_class_probability(logits, np.array([1, 0, 1]))
    np.testing.assert_allclose(p, [0.5, 1.0, 0.75])
