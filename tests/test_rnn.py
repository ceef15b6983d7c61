"""RNN against torch.nn.RNN: forward and gradients, every option; the vanishing gradient."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from needs import need_torch

from lstm_core.rnn import RNN

torch = need_torch()

from torch_twins import one_state_reference  # noqa: E402

from lstm_core.torch_bridge import rnn_from_torch, rnn_to_torch  # noqa: E402

TOL = {np.float64: 1e-10, np.float32: 1e-4}


def check_case(
    *,
    num_layers=1,
    nonlinearity="tanh",
    bidirectional=False,
    bias=True,
    batch_first=False,
    unbatched=False,
    lengths=None,
    dropout=0.0,
    dtype=np.float64,
    seed=0,
):
    T, B, D, H = 5, 3, 4, 6
    model = RNN(
        D, H, num_layers, nonlinearity=nonlinearity, bias=bias, batch_first=batch_first,
        dropout=dropout, bidirectional=bidirectional, dtype=dtype, seed=seed,
    )  # fmt: skip
    if not dropout:
        model.eval()
    rng = np.random.default_rng(seed + 7)
    LD = num_layers * model.num_directions
    if unbatched:
        x, h0 = rng.normal(size=(T, D)), rng.normal(size=(LD, H))
    else:
        x = rng.normal(size=(B, T, D) if batch_first else (T, B, D))
        h0 = rng.normal(size=(LD, B, H))
    x, h0 = x.astype(dtype), h0.astype(dtype)
    trace = model.trace(x, h0, lengths)
    go, gh = rng.normal(size=trace.output.shape), rng.normal(size=trace.h_n.shape)
    ours = model.backward(trace, go, gh)
    ref = one_state_reference(model, rnn_to_torch, x, h0, lengths, trace, go, gh)

    tol = TOL[dtype]
    np.testing.assert_allclose(trace.output, ref["output"], rtol=0, atol=tol)
    np.testing.assert_allclose(trace.h_n, ref["h_n"], rtol=0, atol=tol)
    assert list(ours.params) == list(model.state_dict())
    for name, g in ours.params.items():
        assert g.dtype == dtype
        np.testing.assert_allclose(g, ref["params"][name], rtol=0, atol=tol, err_msg=name)
    np.testing.assert_allclose(ours.input, ref["input"], rtol=0, atol=tol)
    np.testing.assert_allclose(ours.h0, ref["h0"], rtol=0, atol=tol)
    assert ours.c0 is None
    return model, trace, ours


GRID = list(itertools.product([1, 2], ["tanh", "relu"], [False, True], [True, False]))


@pytest.mark.parametrize("num_layers,nonlinearity,bidirectional,bias", GRID)
def test_parity_grid(num_layers, nonlinearity, bidirectional, bias):
    check_case(
        num_layers=num_layers, nonlinearity=nonlinearity, bidirectional=bidirectional, bias=bias,
        batch_first=num_layers == 2,
    )  # fmt: skip


@pytest.mark.parametrize("bidirectional", [False, True])
def test_parity_lengths_dropout_unbatched_float32(bidirectional):
    check_case(num_layers=2, bidirectional=bidirectional, lengths=[3, 5, 1], batch_first=True)
    check_case(num_layers=3, bidirectional=bidirectional, dropout=0.4, lengths=[5, 2, 4])
    check_case(num_layers=2, bidirectional=bidirectional, unbatched=True, nonlinearity="relu")
    check_case(num_layers=2, bidirectional=bidirectional, dtype=np.float32)


def test_state_dict_names_and_round_trip():
    model = RNN(3, 4, num_layers=2, bidirectional=True, seed=0)
    assert list(model.state_dict()) == list(rnn_to_torch(model).state_dict())
    assert model.state_dict()["weight_ih_l0"].shape == (4, 3)
    assert model.state_dict()["weight_ih_l1_reverse"].shape == (4, 8)
    back = rnn_from_torch(rnn_to_torch(model))
    assert back.config() == model.config()
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[k], v)
    # torch's init: every parameter in U(-1/√H, 1/√H)
    assert max(np.abs(v).max() for v in model.state_dict().values()) <= 0.5


def test_hand_checkable_step():
    """H = 1, W_ih = 1, everything else 0: h_t = tanh(x_t), and ∂h_1/∂x_1 = 1 − tanh²(x_1)."""
    model = RNN(1, 1, seed=0)
    model.load_state_dict(
        {"weight_ih_l0": [[1.0]], "weight_hh_l0": [[0.0]], "bias_ih_l0": [0.0], "bias_hh_l0": [0.0]}
    )
    x = np.array([[0.5], [-2.0]])
    out, h_n = model(x)
    np.testing.assert_allclose(out[:, 0], np.tanh([0.5, -2.0]))
    g = model.backward(model.trace(x), np.array([[0.0], [1.0]]))
    np.testing.assert_allclose(g.input[:, 0], [0.0, 1 - np.tanh(-2.0) ** 2])


def test_vanilla_rnn_gradient_vanishes_lstm_keeps_it_when_forget_gate_is_open():
    """∂L/∂h_t for a loss on the last step shrinks geometrically back in time for the RNN; through
    the LSTM's cell state it shrinks only by the product of forget gates (≈ 0.95 each here)."""
    from lstm_core import LSTM

    T, H = 40, 16
    x = np.random.default_rng(0).normal(size=(T, 1))
    rnn = RNN(1, H, seed=1)
    tr = rnn.trace(x)
    go = np.zeros(tr.output.shape)
    go[-1] = 1.0
    dh = np.linalg.norm(rnn.backward(tr, go).layers[0][0].h[:, 0], axis=-1)  # (T,)
    assert dh[0] < 1e-6 * dh[-1]

    lstm = LSTM(1, H, seed=1)
    sd = lstm.state_dict()
    for b in ("bias_ih_l0", "bias_hh_l0"):
        sd[b][H : 2 * H] = 1.5  # forget-gate bias 3 in total: f ≈ σ(3) ≈ 0.95
    lstm.load_state_dict(sd)
    tr = lstm.trace(x)
    g = lstm.backward(tr, go)
    dc = np.linalg.norm(g.layers[0][0].c[:, 0], axis=-1)  # (T,)
    f = tr.layers[0][0].f[:, 0]  # (T, H)
    assert f.min() > 0.85
    assert dc[0] > 1e-3 * dc[-1]
    assert dc[0] / dc[-1] > 1e4 * dh[0] / dh[-1]


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="nonlinearity"):
        RNN(2, 3, nonlinearity="sigmoid")
    model = RNN(2, 3)
    with pytest.raises(ValueError, match="h_0 must have shape"):
        model(np.zeros((4, 2, 2)), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="features"):
        model(np.zeros((4, 2, 5)))
    trace = model.trace(np.zeros((4, 2, 2)))
    with pytest.raises(ValueError, match="grad_output"):
        model.backward(trace, np.zeros((4, 2)))
