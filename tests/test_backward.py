"""LSTM.backward against torch autograd: every option of nn.LSTM, float64 and float32."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from needs import need_torch

from lstm_core import LSTM

torch = need_torch()

from lstm_core.torch_bridge import state_dict_to_torch, to_torch  # noqa: E402

TOL = {np.float64: 1e-10, np.float32: 1e-4}


def _torch_layer(model: LSTM, k: int):
    """A one-layer nn.LSTM holding layer k of `model` (to put our dropout masks in between)."""
    cfg = model.config() | {"num_layers": 1, "dropout": 0.0, "batch_first": False}
    cfg["input_size"] = model.layer_input_size(k)
    module = torch.nn.LSTM(
        **cfg, dtype=torch.float64 if model.dtype == np.float64 else torch.float32
    )
    sd = {
        name.replace(f"_l{k}", "_l0"): v
        for name, v in model.state_dict().items()
        if name.endswith(f"_l{k}") or name.endswith(f"_l{k}_reverse")
    }
    module.load_state_dict(state_dict_to_torch(sd))
    return module


def _run_packed(module, x, hx, lengths, batch_first):
    if lengths is None:
        return module(x, hx)
    rnn = torch.nn.utils.rnn
    packed = rnn.pack_padded_sequence(
        x, torch.as_tensor(lengths), batch_first=batch_first, enforce_sorted=False
    )
    out, state = module(packed, hx)
    out, _ = rnn.pad_packed_sequence(out, batch_first=batch_first)
    return out, state


def torch_reference(model, x, hx, lengths, trace, grads_out):
    """Gradients from torch autograd: nn.LSTM itself, or (with dropout masks) its layers one by one
    with our masks between them. NumPy arrays: params (torch names), input, h0, c0."""
    dt = torch.float64 if model.dtype == np.float64 else torch.float32
    xt = torch.tensor(x, dtype=dt, requires_grad=True)
    h0 = torch.tensor(hx[0], dtype=dt, requires_grad=True)
    c0 = torch.tensor(hx[1], dtype=dt, requires_grad=True)
    masks = trace.dropout_masks
    if all(m is None for m in masks):
        module = to_torch(model)
        out, (h_n, c_n) = _run_packed(module, xt, (h0, c0), lengths, model.batch_first)
        named = dict(module.named_parameters())
    else:  # time-major, layer by layer, our masks between layers
        ND = model.num_directions
        layer_in = xt.transpose(0, 1) if model.batch_first else xt
        hs, cs, named = [], [], {}
        for k in range(model.num_layers):
            module = _torch_layer(model, k)
            for name, p in module.named_parameters():
                named[name.replace("_l0", f"_l{k}")] = p
            sl = slice(k * ND, (k + 1) * ND)
            out, (h_k, c_k) = _run_packed(module, layer_in, (h0[sl], c0[sl]), lengths, False)
            hs.append(h_k)
            cs.append(c_k)
            if k < model.num_layers - 1:
                out = out * torch.tensor(masks[k][: out.shape[0]])
            layer_in = out
        out = layer_in.transpose(0, 1) if model.batch_first else layer_in
        h_n, c_n = torch.cat(hs), torch.cat(cs)
    go, gh, gc = (torch.tensor(g, dtype=dt) for g in grads_out)
    torch.autograd.backward([out, h_n, c_n], [go, gh, gc])
    assert out.shape == trace.output.shape
    return {
        "params": {n: p.grad.numpy() for n, p in named.items()},
        "input": xt.grad.numpy(),
        "h0": h0.grad.numpy(),
        "c0": c0.grad.numpy(),
    }


def check_case(
    *,
    num_layers=1,
    bidirectional=False,
    proj_size=0,
    bias=True,
    batch_first=False,
    unbatched=False,
    lengths=None,
    dropout=0.0,
    dtype=np.float64,
    seed=0,
):
    T, B, D, H = 5, 3, 4, 6
    model = LSTM(
        D, H, num_layers, bias=bias, batch_first=batch_first, dropout=dropout,
        bidirectional=bidirectional, proj_size=proj_size, dtype=dtype, seed=seed,
    )  # fmt: skip
    if not dropout:
        model.eval()
    rng = np.random.default_rng(seed + 100)
    LD, H_out = num_layers * model.num_directions, model.output_hidden_size
    if unbatched:
        x = rng.normal(size=(T, D))
        hx = (rng.normal(size=(LD, H_out)), rng.normal(size=(LD, H)))
    else:
        x = rng.normal(size=(B, T, D) if batch_first else (T, B, D))
        hx = (rng.normal(size=(LD, B, H_out)), rng.normal(size=(LD, B, H)))
    x = x.astype(dtype)
    hx = tuple(a.astype(dtype) for a in hx)
    trace = model.trace(x, hx, lengths)
    grads_out = [rng.normal(size=a.shape) for a in (trace.output, trace.h_n, trace.c_n)]
    ours = model.backward(trace, *grads_out)
    ref = torch_reference(model, x, hx, lengths, trace, grads_out)

    tol = TOL[dtype]
    assert list(ours.params) == list(model.state_dict())
    for name, g in ours.params.items():
        assert g.shape == model.state_dict()[name].shape
        assert g.dtype == dtype
        np.testing.assert_allclose(g, ref["params"][name], rtol=0, atol=tol, err_msg=name)
    for what in ("input", "h0", "c0"):
        got = getattr(ours, what)
        assert got.shape == ref[what].shape, what
        np.testing.assert_allclose(got, ref[what], rtol=0, atol=tol, err_msg=what)
    return model, trace, ours


GRID = list(itertools.product([1, 2], [False, True], [0, 2], [True, False]))


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("num_layers,bidirectional,proj_size,bias", GRID)
def test_parity_grid(num_layers, bidirectional, proj_size, bias, dtype):
    check_case(
        num_layers=num_layers, bidirectional=bidirectional, proj_size=proj_size, bias=bias,
        batch_first=bool(num_layers % 2 == 0 and bias), dtype=dtype,
    )  # fmt: skip


@pytest.mark.parametrize("bidirectional", [False, True])
@pytest.mark.parametrize("batch_first", [False, True])
def test_parity_lengths(bidirectional, batch_first):
    # unsorted lengths, one shorter than the others; output then has max(lengths) = 4 steps
    _, trace, ours = check_case(
        num_layers=2, bidirectional=bidirectional, proj_size=2, batch_first=batch_first,
        lengths=[2, 4, 1],
    )  # fmt: skip
    assert trace.output.shape[1 if batch_first else 0] == 4
    # padding contributes nothing
    x_grad = ours.input.transpose(1, 0, 2) if batch_first else ours.input
    assert np.all(x_grad[2:, 0] == 0) and np.all(x_grad[1:, 2] == 0)
    for layer in ours.layers:
        for lg in layer:
            assert np.all(lg.h[~trace.layers[0][0].mask] == 0)
            assert np.all(lg.c[~trace.layers[0][0].mask] == 0)


def test_lengths_ignore_output_grad_at_padding():
    model = LSTM(2, 3, seed=1).eval()
    x = np.random.default_rng(0).normal(size=(4, 2, 2))
    trace = model.trace(x, lengths=[4, 2])
    go = np.random.default_rng(1).normal(size=trace.output.shape)
    go_junk = go.copy()
    go_junk[2:, 1] = 1e6  # positions past the second sequence's end
    a, b = model.backward(trace, go), model.backward(trace, go_junk)
    for name in a.params:
        np.testing.assert_array_equal(a.params[name], b.params[name])
    np.testing.assert_array_equal(a.input, b.input)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_parity_dropout_train_mode(bidirectional):
    model, trace, _ = check_case(
        num_layers=3, bidirectional=bidirectional, dropout=0.5, lengths=[5, 3, 4]
    )
    assert trace.dropout_masks[0] is not None and np.any(trace.dropout_masks[0] == 0)


def test_parity_unbatched_and_float32_batch_first():
    check_case(num_layers=2, bidirectional=True, unbatched=True)
    check_case(num_layers=2, batch_first=True, bias=False, dtype=np.float32)


def _replay_views(model: LSTM, x: np.ndarray, go: np.ndarray, gh: np.ndarray, gc: np.ndarray):
    """∂L/∂h_t and ∂L/∂c_t from torch, replaying one layer step by step with retain_grad."""
    sd = {k: torch.tensor(v, requires_grad=True) for k, v in model.state_dict().items()}
    result, outs = [], []
    for d in range(model.num_directions):
        sfx = "_l0" + ("_reverse" if d else "")
        h = torch.zeros(1, model.hidden_size, dtype=torch.float64)
        c = torch.zeros(1, model.hidden_size, dtype=torch.float64)
        hs, cs = {}, {}
        for t in range(len(x)) if d == 0 else reversed(range(len(x))):
            z = torch.tensor(x[t : t + 1]) @ sd["weight_ih" + sfx].T + h @ sd["weight_hh" + sfx].T
            z = z + sd["bias_ih" + sfx] + sd["bias_hh" + sfx]
            i, f, g, o = z.chunk(4, 1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            c.retain_grad()
            h.retain_grad()
            hs[t], cs[t] = h, c
        outs.append((hs, cs, h, c))
    loss = 0
    H = model.hidden_size
    for d, (hs, _, h_n, c_n) in enumerate(outs):
        out = torch.cat([hs[t] for t in range(len(x))])
        loss = loss + (out * torch.tensor(go[:, d * H : (d + 1) * H])).sum()
        loss = loss + (h_n[0] * torch.tensor(gh[d])).sum() + (c_n[0] * torch.tensor(gc[d])).sum()
    loss.backward()
    for hs, cs, _, _ in outs:
        T = len(x)
        result.append(
            (
                np.stack([hs[t].grad.numpy()[0] for t in range(T)]),
                np.stack([cs[t].grad.numpy()[0] for t in range(T)]),
            )
        )
    return result


@pytest.mark.parametrize("bidirectional", [False, True])
def test_per_timestep_views_match_torch(bidirectional):
    model = LSTM(3, 4, bidirectional=bidirectional, seed=3).eval()
    rng = np.random.default_rng(4)
    x = rng.normal(size=(6, 3))
    trace = model.trace(x)
    go, gh, gc = (rng.normal(size=a.shape) for a in (trace.output, trace.h_n, trace.c_n))
    grads = model.backward(trace, go, gh, gc)
    ref = _replay_views(model, x, go, gh, gc)
    for d, (dh_ref, dc_ref) in enumerate(ref):
        lg = grads.layers[0][d]
        assert lg.h.shape == (6, 1, 4) and lg.c.shape == (6, 1, 4) and lg.z.shape == (6, 1, 16)
        np.testing.assert_allclose(lg.h[:, 0], dh_ref, rtol=0, atol=1e-12)
        np.testing.assert_allclose(lg.c[:, 0], dc_ref, rtol=0, atol=1e-12)
        # the bias gradient is the sum of dz over time
        sfx = "_l0" + ("_reverse" if d else "")
        np.testing.assert_allclose(grads.params["bias_ih" + sfx], lg.z.sum((0, 1)), atol=1e-14)


def test_hand_checkable_last_step():
    """One step, H = 1, zero weights: every gate is ½, c = ½·½·0 ... so dc = grad_c_n exactly."""
    model = LSTM(1, 1, seed=0).eval()
    model.load_state_dict({k: np.zeros_like(v) for k, v in model.state_dict().items()})
    trace = model.trace(np.array([[2.0]]))  # unbatched, T = 1
    g = model.backward(trace, np.zeros((1, 1)), grad_c_n=np.array([[1.0]]))
    # c_1 = f·c_0 + i·g = ½·0 + ½·tanh(0) = 0, so ∂c_1/∂z_g = i·(1 − g²) = ½, ∂c_1/∂b_i = g·σ' = 0
    np.testing.assert_allclose(g.params["bias_ih_l0"], [0.0, 0.0, 0.5, 0.0])
    np.testing.assert_allclose(g.params["weight_ih_l0"], [[0.0], [0.0], [1.0], [0.0]])  # ½·x
    np.testing.assert_allclose(g.c0, [[0.5]])  # ∂c_1/∂c_0 = f = ½


def test_bad_gradient_shapes_raise():
    model = LSTM(2, 3, seed=0)
    trace = model.trace(np.zeros((4, 2, 2)))
    with pytest.raises(ValueError, match="grad_output must have the shape"):
        model.backward(trace, np.zeros((4, 2, 4)))
    with pytest.raises(ValueError, match="grad_h_n must have shape"):
        model.backward(trace, np.zeros((4, 2, 3)), grad_h_n=np.zeros((2, 2, 3)))
    with pytest.raises(ValueError, match="finite"):
        model.backward(trace, np.full((4, 2, 3), np.nan))
    other = LSTM(2, 3, num_layers=2, seed=0)
    with pytest.raises(ValueError, match="layers"):
        other.backward(trace, np.zeros((4, 2, 3)))


# ----- central-difference gradient check (lstm_core.gradcheck) ------------------------------------


def test_gradient_check_every_option_lstm_and_rnn():
    from lstm_core.gradcheck import gradient_check, weighted_sum_loss
    from lstm_core.rnn import RNN

    x = np.random.default_rng(0).normal(size=(4, 2, 3))
    lstm = LSTM(3, 4, num_layers=2, bidirectional=True, proj_size=2, dropout=0.3, seed=0)
    entries = gradient_check(lstm, x, lengths=[4, 2], n_samples=24)
    assert {e.name for e in entries} == set(lstm.state_dict()) | {"input"}  # every one covered
    assert max(e.rel_error for e in entries if abs(e.analytic) > 1e-6) < 1e-6
    assert max(e.abs_error for e in entries) < 1e-8
    assert lstm.training  # the caller's model is left as it was

    rnn = RNN(3, 4, num_layers=2, nonlinearity="tanh", dtype=np.float32, seed=1)
    R = np.random.default_rng(1).normal(size=(4, 2, 4))
    entries = gradient_check(rnn, x, loss_fn=weighted_sum_loss(R), n_samples=10)
    assert max(e.abs_error for e in entries) < 1e-8


def test_numerical_grad_by_hand():
    """H = 1, zero weights except b_ig = 0.3: c_1 = ½·tanh(0.3 + w·x), h_1 = ½·tanh(c_1).
    With L = h_1 (a weighted sum with R = 1), ∂L/∂W_ig at x = 2 is ½(1 − tanh² c_1)·½(1 − g²)·2."""
    from lstm_core.gradcheck import numerical_grad, weighted_sum_loss

    model = LSTM(1, 1, seed=0)
    sd = {k: np.zeros_like(v) for k, v in model.state_dict().items()}
    sd["bias_ih_l0"][2] = 0.3
    model.load_state_dict(sd)
    g = np.tanh(0.3)
    c = 0.5 * g
    expected = 0.5 * (1 - np.tanh(c) ** 2) * 0.5 * (1 - g**2) * 2.0
    got = numerical_grad(
        model, np.array([[2.0]]), weighted_sum_loss(np.ones((1, 1))), "weight_ih_l0", (2, 0)
    )
    assert got == pytest.approx(expected, abs=1e-9)
    with pytest.raises(ValueError, match="unknown parameter"):
        numerical_grad(model, np.array([[2.0]]), param_name="weight_xx", index=(0, 0))
    with pytest.raises(ValueError, match="outside"):
        numerical_grad(model, np.array([[2.0]]), param_name="weight_ih_l0", index=(4, 0))
