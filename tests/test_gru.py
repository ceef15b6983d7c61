"""GRU and GRUCell against torch.nn.GRU / nn.GRUCell: forward and gradients, every option; the
equations' own properties; central differences."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from needs import need_torch

from lstm_core import GRU, GRUCell
from lstm_core.gradcheck import gradient_check, weighted_sum_loss
from lstm_core.recurrence import sigmoid

torch = need_torch()

from torch_twins import one_state_reference  # noqa: E402

from lstm_core.torch_bridge import gru_from_torch, gru_to_torch  # noqa: E402

T, B, D, H = 5, 3, 4, 6
ATOL = {np.float64: 1e-12, np.float32: 1e-5}  # float64: round-off; float32: torch's own error
GRAD_ATOL = {np.float64: 1e-12, np.float32: 1e-4}
PROPS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def make_inputs(model: GRU, unbatched: bool, seed: int, scale: float = 1.0):
    rng = np.random.default_rng(seed)
    LD = model.num_layers * model.num_directions
    if unbatched:
        x, h0 = rng.normal(size=(T, D)), rng.normal(size=(LD, H))
    else:
        x = rng.normal(size=(B, T, D) if model.batch_first else (T, B, D))
        h0 = rng.normal(size=(LD, B, H))
    return (scale * x).astype(model.dtype), h0.astype(model.dtype)


def check_case(
    *, num_layers=1, bias=True, bidirectional=False, batch_first=False, unbatched=False,
    lengths=None, dropout=0.0, train=False, dtype=np.float64, seed=0,
):  # fmt: skip
    """Ours against torch: output, h_n and every gradient; returns (model, trace, gradients)."""
    model = GRU(
        D, H, num_layers, bias=bias, batch_first=batch_first, dropout=dropout,
        bidirectional=bidirectional, dtype=dtype, seed=seed,
    ).train(train)  # fmt: skip
    x, h0 = make_inputs(model, unbatched, seed + 7)
    trace = model.trace(x, h0, lengths)
    rng = np.random.default_rng(seed + 8)
    go, gh = rng.normal(size=trace.output.shape), rng.normal(size=trace.h_n.shape)
    ours = model.backward(trace, go, gh)
    ref = one_state_reference(model, gru_to_torch, x, h0, lengths, trace, go, gh)

    atol, grad_atol = ATOL[dtype], GRAD_ATOL[dtype]
    for name, a in (("output", trace.output), ("h_n", trace.h_n)):
        assert a.dtype == dtype and a.shape == ref[name].shape, name
        err = np.abs(a.astype(np.float64) - ref[name]).max(initial=0.0)
        assert err <= atol, f"{name}: max |ours − torch| = {err:.3g} > {atol}"
    assert list(ours.params) == list(model.state_dict())
    for name, g in ours.params.items():
        assert g.dtype == dtype and g.shape == model.state_dict()[name].shape
        np.testing.assert_allclose(g, ref["params"][name], rtol=0, atol=grad_atol, err_msg=name)
    np.testing.assert_allclose(ours.input, ref["input"], rtol=0, atol=grad_atol)
    np.testing.assert_allclose(ours.h0, ref["h0"], rtol=0, atol=grad_atol)
    assert ours.c0 is None
    return model, trace, ours


# ----- torch parity ------------------------------------------------------------------------------

GRID = list(itertools.product([1, 2], [True, False], [False, True], [False, True]))


@pytest.mark.parametrize("num_layers,bias,bidirectional,batch_first", GRID)
def test_parity_grid(num_layers, bias, bidirectional, batch_first):
    check_case(
        num_layers=num_layers, bias=bias, bidirectional=bidirectional, batch_first=batch_first
    )


@pytest.mark.parametrize("bidirectional", [False, True], ids=["unidir", "bidir"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["tmajor", "bfirst"])
def test_parity_lengths(bidirectional, batch_first):
    lengths = [3, 5, 1]  # unsorted, one full, one of a single step
    _, trace, _ = check_case(
        num_layers=2, bidirectional=bidirectional, batch_first=batch_first, lengths=lengths
    )
    out = trace.output if not batch_first else trace.output.transpose(1, 0, 2)
    for b, n in enumerate(lengths):
        assert np.all(out[n:, b] == 0.0), "padded outputs are exactly 0, as pad_packed_sequence"


@pytest.mark.parametrize("bidirectional", [False, True], ids=["unidir", "bidir"])
def test_parity_unbatched_float32_dropout(bidirectional):
    check_case(num_layers=2, bidirectional=bidirectional, unbatched=True)
    for bias in (True, False):
        check_case(num_layers=2, bidirectional=bidirectional, bias=bias, dtype=np.float32)
    check_case(num_layers=2, bidirectional=bidirectional, lengths=[4, 2, 5], dtype=np.float32)
    # eval mode: dropout is off, torch's module in eval mode gives the same numbers
    check_case(num_layers=3, bidirectional=bidirectional, dropout=0.5, train=False)
    # train mode: the masks are ours, torch's layers are run one by one with them in between
    model, trace, _ = check_case(
        num_layers=3, bidirectional=bidirectional, dropout=0.4, train=True, lengths=[5, 2, 4]
    )
    masks = trace.dropout_masks
    assert masks[-1] is None and all(m is not None for m in masks[:-1])
    assert set(np.unique(masks[0])) <= {0.0, 1 / 0.6}


def test_float32_within_torch_error_on_saturating_inputs():
    """Large inputs drive σ and tanh against 0 and ±1: ours32 stays within 4× torch's own
    float32-vs-float64 gap (or 1e-6) of torch's float64 on the same values."""
    model = GRU(8, 16, num_layers=2, bidirectional=True, dtype=np.float32, seed=5).eval()
    x = (30.0 * np.random.default_rng(11).normal(size=(20, 4, 8))).astype(np.float32)
    ours, ours_h = model(x)
    with torch.no_grad():
        t32, t32_h = gru_to_torch(model)(torch.from_numpy(x))
        t64, t64_h = gru_to_torch(model).double()(torch.from_numpy(x.astype(np.float64)))
    for a, b, ref in ((ours, t32, t64), (ours_h, t32_h, t64_h)):
        bound = max(1e-6, 4 * float((b.double() - ref).abs().max()))
        assert np.abs(a.astype(np.float64) - ref.numpy()).max() <= bound


def test_state_dict_names_shapes_order_and_round_trip():
    model = GRU(3, 4, num_layers=2, bidirectional=True, seed=0)
    module = torch.nn.GRU(3, 4, num_layers=2, bidirectional=True, dtype=torch.float64)
    assert list(model.state_dict()) == list(module.state_dict())
    for name, v in module.state_dict().items():
        assert model.state_dict()[name].shape == tuple(v.shape), name
    assert model.state_dict()["weight_ih_l0"].shape == (12, 3)  # (3H, D), rows r, z, n
    assert model.state_dict()["weight_ih_l1_reverse"].shape == (12, 8)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in model.state_dict().items()})
    back = gru_from_torch(gru_to_torch(model))
    assert back.config() == model.config() and back.training == model.training
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(back.state_dict()[k], v)
    assert max(np.abs(v).max() for v in model.state_dict().values()) <= 0.5  # U(-1/√H, 1/√H)


# ----- GRUCell ------------------------------------------------------------------------------------


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_cell_against_torch(bias, dtype):
    cell = GRUCell(D, H, bias=bias, dtype=dtype, seed=3)
    module = gru_to_torch(cell)
    assert isinstance(module, torch.nn.GRUCell)
    assert list(cell.state_dict()) == list(module.state_dict())
    rng = np.random.default_rng(4)
    x, h = rng.normal(size=(B, D)).astype(dtype), rng.normal(size=(B, H)).astype(dtype)
    with torch.no_grad():
        cases = [
            (cell(x, h), module(torch.from_numpy(x), torch.from_numpy(h))),
            (cell(x), module(torch.from_numpy(x))),  # h = None: zeros
            (cell(x[0], h[0]), module(torch.from_numpy(x[0]), torch.from_numpy(h[0]))),
        ]
    for ours, theirs in cases:
        assert ours.dtype == dtype and ours.shape == tuple(theirs.shape)
        assert np.abs(ours - theirs.numpy()).max() <= ATOL[dtype]
    back = gru_from_torch(module)
    assert isinstance(back, GRUCell) and back.config() == cell.config()


def test_cell_errors_and_strict_load():
    cell = GRUCell(D, H, seed=0)
    with pytest.raises(ValueError, match=rf"input must have {D} features, got {D + 1}"):
        cell(np.zeros((B, D + 1)))
    with pytest.raises(ValueError, match=r"h_0 must have shape \(3, 6\), got \(2, 6\)"):
        cell(np.zeros((B, D)), np.zeros((2, H)))
    with pytest.raises(ValueError, match="missing key 'bias_hh'"):
        cell.load_state_dict({k: v for k, v in cell.state_dict().items() if k != "bias_hh"})
    sd = cell.state_dict()
    sd["weight_ih"] = sd["weight_ih"] * 2
    cell.load_state_dict(sd)
    np.testing.assert_array_equal(cell.state_dict()["weight_ih"], sd["weight_ih"])


# ----- the equations' own properties --------------------------------------------------------------


def test_hand_checkable_step():
    """H = 1, every weight and bias 0: r = z = ½, n = tanh(0) = 0, so h_t = ½ h_{t-1}."""
    model = GRU(1, 1)
    model.load_state_dict({k: np.zeros_like(v) for k, v in model.state_dict().items()})
    tr = model.trace(np.ones((3, 1)), np.array([[0.8]]))
    lt = tr.layers[0][0]
    assert np.all(lt.r == 0.5) and np.all(lt.z == 0.5) and np.all(lt.n == 0.0)
    np.testing.assert_array_equal(tr.output[:, 0], [0.4, 0.2, 0.1])


@st.composite
def cases(draw):
    return dict(
        H=draw(st.integers(1, 5)),
        D=draw(st.integers(1, 4)),
        T=draw(st.integers(1, 6)),
        B=draw(st.integers(1, 3)),
        bias=draw(st.booleans()),
        bidirectional=draw(st.booleans()),
        seed=draw(st.integers(0, 2**16)),
        scale=draw(st.sampled_from([0.1, 1.0, 50.0])),
    )


@PROPS
@given(cases())
def test_gates_in_range_and_trace_consistent(c):
    model = GRU(c["D"], c["H"], 2, bias=c["bias"], bidirectional=c["bidirectional"], seed=c["seed"])
    rng = np.random.default_rng(c["seed"])
    x = c["scale"] * rng.normal(size=(c["T"], c["B"], c["D"]))
    tr = model.trace(x)
    for lt in itertools.chain(*tr.layers):
        assert np.all((0 <= lt.r) & (lt.r <= 1)) and np.all((0 <= lt.z) & (lt.z <= 1))
        assert np.all(np.abs(lt.n) <= 1) and np.all(np.abs(lt.h) <= 1 + 1e-12)
        np.testing.assert_allclose(lt.r, sigmoid(lt.z_r), rtol=0, atol=1e-15)
        np.testing.assert_allclose(lt.z, sigmoid(lt.z_z), rtol=0, atol=1e-15)
        np.testing.assert_allclose(lt.n, np.tanh(lt.z_n), rtol=0, atol=1e-15)
        np.testing.assert_allclose(lt.h, (1 - lt.z) * lt.n + lt.z * lt.h_prev, rtol=0, atol=1e-15)


@PROPS
@given(cases())
def test_forward_is_repeated_cell_step(c):
    """A one-layer GRU is GRUCell applied step by step (both directions), with the same weights."""
    model = GRU(c["D"], c["H"], bias=c["bias"], bidirectional=c["bidirectional"], seed=c["seed"])
    rng = np.random.default_rng(c["seed"])
    x = c["scale"] * rng.normal(size=(c["T"], c["B"], c["D"]))
    h0 = rng.normal(size=(model.num_directions, c["B"], c["H"]))
    out, h_n = model(x, h0)
    for d in range(model.num_directions):
        cell = GRUCell(c["D"], c["H"], bias=c["bias"])
        sfx = "_l0_reverse" if d else "_l0"
        cell.load_state_dict({k: model.state_dict()[k + sfx] for k in cell.param_shapes()})
        h = h0[d]
        for t in reversed(range(c["T"])) if d else range(c["T"]):
            h = cell(x[t], h)
            np.testing.assert_allclose(out[t, :, d * c["H"] : (d + 1) * c["H"]], h, atol=1e-13)
        np.testing.assert_allclose(h_n[d], h, rtol=0, atol=1e-13)


def test_reverse_direction_is_by_input_position():
    model = GRU(D, H, bidirectional=True, seed=2)
    x, _ = make_inputs(model, False, 1)
    tr = model.trace(x)
    fwd, rev = tr.layers[0]
    np.testing.assert_array_equal(tr.output[..., H:], rev.h)
    np.testing.assert_array_equal(rev.h_prev[:-1], rev.h[1:])  # position t came from t+1
    np.testing.assert_array_equal(fwd.h_prev[1:], fwd.h[:-1])
    np.testing.assert_array_equal(tr.h_n[1], rev.h[0])
    assert rev.r.shape == rev.z_n.shape == (T, B, H)


def test_central_differences():
    model = GRU(3, 4, num_layers=2, bidirectional=True, seed=1)
    x = np.random.default_rng(2).normal(size=(4, 2, 3))
    R = np.random.default_rng(3).normal(size=(4, 2, 8))
    for e in gradient_check(model, x, weighted_sum_loss(R), lengths=[4, 2], n_samples=30):
        assert e.abs_error <= 1e-8 + 1e-6 * abs(e.numeric), e


def test_bad_arguments_raise():
    model = GRU(2, 3)
    with pytest.raises(ValueError, match="h_0 must have shape"):
        model(np.zeros((4, 2, 2)), np.zeros((1, 3)))
    with pytest.raises(ValueError, match="features"):
        model(np.zeros((4, 2, 5)))
    with pytest.raises(ValueError, match="dropout"):
        GRU(2, 3, dropout=1.5)
    trace = model.trace(np.zeros((4, 2, 2)))
    with pytest.raises(ValueError, match="grad_output"):
        model.backward(trace, np.zeros((4, 2)))
    with pytest.raises(ValueError, match="grad_h_n"):
        model.backward(trace, np.zeros((4, 2, 3)), np.zeros((2, 2, 3)))
