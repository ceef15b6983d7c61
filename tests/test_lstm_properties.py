"""Properties of the LSTM that hold for every input, hand-checkable cases, and the init statistics.

No torch here: these are facts about the equations themselves.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_core import LSTM, LayerTrace, LSTMCell, Trace

PROPS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROUND_OFF = 1e-13  # two float64 computations of the same math that add in a different order


@dataclasses.dataclass(frozen=True)
class Case:
    """A model configuration and an input, drawn by hypothesis."""

    D: int
    H: int
    L: int
    bidirectional: bool
    proj_size: int
    bias: bool
    batch_first: bool
    T: int
    B: int
    seed: int
    scale: float  # input magnitude: up to 50 drives σ and tanh into saturation
    lengths: tuple[int, ...] | None

    def model(self, **kw) -> LSTM:
        args = dict(
            num_layers=self.L, bidirectional=self.bidirectional, proj_size=self.proj_size,
            bias=self.bias, batch_first=self.batch_first, seed=self.seed,
        ) | kw  # fmt: skip
        return LSTM(self.D, self.H, **args).eval()

    def inputs(self):
        """x (in the model's layout) and hx, both standard normal times `scale` for x."""
        rng = np.random.default_rng(self.seed + 1)
        x = self.scale * rng.normal(size=(self.T, self.B, self.D))
        if self.batch_first:
            x = x.transpose(1, 0, 2).copy()
        LD = self.L * (2 if self.bidirectional else 1)
        hx = (
            rng.normal(size=(LD, self.B, self.proj_size or self.H)),
            rng.normal(size=(LD, self.B, self.H)),
        )
        return x, hx


@st.composite
def cases(draw, *, L=(1, 2), bidirectional=None, proj=True, lengths=True, batch_first=None) -> Case:
    H = draw(st.integers(1, 5))
    T = draw(st.integers(1, 6))
    B = draw(st.integers(1, 3))
    return Case(
        D=draw(st.integers(1, 4)),
        H=H,
        L=draw(st.integers(*L)),
        bidirectional=draw(st.booleans()) if bidirectional is None else bidirectional,
        proj_size=draw(st.integers(0, H - 1)) if proj and H > 1 else 0,
        bias=draw(st.booleans()),
        batch_first=draw(st.booleans()) if batch_first is None else batch_first,
        T=T,
        B=B,
        seed=draw(st.integers(0, 2**31 - 1)),
        scale=draw(st.sampled_from([0.1, 1.0, 5.0, 50.0])),
        lengths=tuple(draw(st.lists(st.integers(1, T), min_size=B, max_size=B)))
        if lengths and draw(st.booleans())
        else None,
    )


def all_layer_traces(tr: Trace):
    return [lt for layer in tr.layers for lt in layer]


# ----- gates and memory --------------------------------------------------------------------------


@PROPS
@given(cases())
def test_gate_ranges(case):
    """σ gates lie in (0, 1) and g in (-1, 1) mathematically. In float64 the result rounds to the
    closed end exactly when the pre-activation is large: σ(z) = 1 only for z > 36.7 (σ(z) = 0 needs
    z < -745), tanh(z) = ±1 only for |z| > 19.06. So: closed bounds everywhere, open bounds where
    |z| ≤ 30 (σ) and |z| ≤ 18 (tanh)."""
    x, hx = case.inputs()
    for lt in all_layer_traces(case.model().trace(x, hx, case.lengths)):
        run = lt.mask[:, :, None]  # padded positions hold zeros, which are not gate values
        for gate, z in ((lt.i, lt.z_i), (lt.f, lt.z_f), (lt.o, lt.z_o)):
            assert np.all((gate >= 0) & (gate <= 1))
            moderate = run & (np.abs(z) <= 30)
            assert np.all((gate[moderate] > 0) & (gate[moderate] < 1))
        assert np.all(np.abs(lt.g) <= 1)
        moderate = run & (np.abs(lt.z_g) <= 18)
        assert np.all(np.abs(lt.g[moderate]) < 1)
        assert np.all(np.abs(lt.tanh_c) <= 1)


@PROPS
@given(cases())
def test_cell_update_is_kept_plus_written_exactly(case):
    """c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t, bit for bit, and each part is the product it names."""
    x, hx = case.inputs()
    for lt in all_layer_traces(case.model().trace(x, hx, case.lengths)):
        assert np.array_equal(lt.c, lt.kept + lt.written)
        assert np.array_equal(lt.kept, lt.f * lt.c_prev)
        assert np.array_equal(lt.written, lt.i * lt.g)
        assert np.array_equal(lt.tanh_c, np.tanh(lt.c))
        assert np.array_equal(lt.h_cell, lt.o * lt.tanh_c)


@PROPS
@given(cases(proj=False))
def test_h_is_bounded_by_tanh_c_without_projection(case):
    """|h_t| = o_t·|tanh c_t| ≤ |tanh c_t| ≤ 1, exactly in float: o_t ≤ 1, rounding is monotone."""
    x, hx = case.inputs()
    for lt in all_layer_traces(case.model().trace(x, hx, case.lengths)):
        assert lt.weight_hr is None and np.array_equal(lt.h, lt.h_cell)
        assert np.all(np.abs(lt.h) <= np.abs(lt.tanh_c))
        assert np.all(np.abs(lt.h) <= 1)


@PROPS
@given(cases(L=(1, 1), bidirectional=False, proj=False, lengths=False, batch_first=False))
def test_forward_equals_repeated_cell_steps(case):
    model = case.model()
    cell = LSTMCell(case.D, case.H, bias=case.bias)
    cell.load_state_dict({k.removesuffix("_l0"): v for k, v in model.state_dict().items()})
    x, (h0, c0) = case.inputs()
    out, (h_n, c_n) = model(x, (h0, c0))
    h, c = h0[0], c0[0]
    for t in range(case.T):
        h, c = cell(x[t], (h, c))
        np.testing.assert_allclose(out[t], h, rtol=0, atol=ROUND_OFF)
    np.testing.assert_allclose(h_n[0], h, rtol=0, atol=ROUND_OFF)
    np.testing.assert_allclose(c_n[0], c, rtol=0, atol=ROUND_OFF * case.T)


@PROPS
@given(cases(L=(1, 1), bidirectional=True, batch_first=False))
def test_reverse_direction_is_forward_on_reversed_sequence(case):
    """The reverse direction reads each sequence from its own last step back to its first."""
    bi = case.model()
    fwd = case.model(bidirectional=False)
    sd = bi.state_dict()
    fwd.load_state_dict({k: sd[k + "_reverse"] for k in fwd.state_dict()})
    x, (h0, c0) = case.inputs()
    out, (h_n, c_n) = bi(x, (h0, c0), case.lengths)
    H_out = case.proj_size or case.H
    for b in range(case.B):
        n = case.T if case.lengths is None else case.lengths[b]
        hx_b = (h0[1:, b : b + 1], c0[1:, b : b + 1])
        r_out, (r_h, r_c) = fwd(x[:n, b : b + 1][::-1], hx_b)
        np.testing.assert_allclose(out[:n, b, H_out:], r_out[::-1, 0], rtol=0, atol=ROUND_OFF)
        np.testing.assert_allclose(h_n[1, b], r_h[0, 0], rtol=0, atol=ROUND_OFF)
        np.testing.assert_allclose(c_n[1, b], r_c[0, 0], rtol=0, atol=ROUND_OFF)


@PROPS
@given(cases(L=(1, 3)), st.data())
def test_padded_batch_equals_each_sequence_alone(case, data):
    lengths = data.draw(st.lists(st.integers(1, case.T), min_size=case.B, max_size=case.B))
    model = case.model()
    x, (h0, c0) = case.inputs()
    out, (h_n, c_n) = model(x, (h0, c0), lengths)
    steps = max(lengths)
    assert out.shape[1 if case.batch_first else 0] == steps
    for b, n in enumerate(lengths):
        x_b = x[b, :n] if case.batch_first else x[:n, b]  # unbatched (n, D)
        o_b, (h_b, c_b) = model(x_b, (h0[:, b], c0[:, b]))
        got = out[b] if case.batch_first else out[:, b]
        np.testing.assert_allclose(got[:n], o_b, rtol=0, atol=ROUND_OFF)
        assert np.all(got[n:] == 0)
        np.testing.assert_allclose(h_n[:, b], h_b, rtol=0, atol=ROUND_OFF)
        np.testing.assert_allclose(c_n[:, b], c_b, rtol=0, atol=ROUND_OFF)


# ----- the trace ---------------------------------------------------------------------------------

ARRAY_FIELDS = [
    f.name for f in dataclasses.fields(LayerTrace) if f.name not in ("layer", "direction")
]
VIEWS = ["z_i", "z_f", "z_g", "z_o", "i", "f", "g", "o"]


@PROPS
@given(cases())
def test_trace_is_read_only(case):
    model = case.model(dropout=0.5).train()
    x, hx = case.inputs()
    tr = model.trace(x, hx, case.lengths)
    arrays = [tr.output, tr.h_n, tr.c_n] + [m for m in tr.dropout_masks if m is not None]
    arrays += [] if tr.lengths is None else [tr.lengths]
    for lt in all_layer_traces(tr):
        arrays += [getattr(lt, n) for n in ARRAY_FIELDS + VIEWS if getattr(lt, n) is not None]
    for a in arrays:
        assert not a.flags.writeable
        with pytest.raises(ValueError, match="read-only"):
            a[...] = 0
    with pytest.raises(dataclasses.FrozenInstanceError):
        tr.output = None
    with pytest.raises(dataclasses.FrozenInstanceError):
        tr.layers[0][0].c = None
    assert isinstance(tr.layers, tuple) and all(isinstance(k, tuple) for k in tr.layers)


@PROPS
@given(cases(), st.booleans())
def test_trace_results_identical_to_call(case, unbatched):
    model = case.model()
    x, hx = case.inputs()
    lengths = case.lengths
    if unbatched:
        x = x[0] if case.batch_first else x[:, 0]
        hx, lengths = (hx[0][:, 0], hx[1][:, 0]), None
    out, (h_n, c_n) = model(x, hx, lengths)
    tr = model.trace(x, hx, lengths)
    assert np.array_equal(tr.output, out) and tr.output.shape == out.shape
    assert np.array_equal(tr.h_n, h_n) and np.array_equal(tr.c_n, c_n)
    assert tr.unbatched == unbatched and tr.batch_first == case.batch_first


@PROPS
@given(cases(), st.booleans())
def test_trace_is_time_major_whatever_the_layout(case, unbatched):
    """layers[k][d] arrays are (T, B, ·) indexed by input position; B = 1 for unbatched input."""
    model = case.model()
    x, hx = case.inputs()
    lengths = case.lengths
    if unbatched:
        x = x[0] if case.batch_first else x[:, 0]
        hx, lengths = (hx[0][:, 0], hx[1][:, 0]), None
    tr = model.trace(x, hx, lengths)
    B = 1 if unbatched else case.B
    x_tm = x[:, None] if unbatched else x.transpose(1, 0, 2) if case.batch_first else x
    first = tr.layers[0][0]
    assert np.array_equal(first.x, np.where(first.mask[:, :, None], x_tm, 0.0))  # padding: zeros
    out_tm = tr.output[:, None] if unbatched else tr.output
    out_tm = out_tm.transpose(1, 0, 2) if case.batch_first and not unbatched else out_tm
    H, H_out, T = case.H, case.proj_size or case.H, case.T
    steps = out_tm.shape[0]
    top = tr.layers[-1]
    assert np.array_equal(out_tm[..., :H_out], top[0].h[:steps])
    if case.bidirectional:
        assert np.array_equal(out_tm[..., H_out:], top[1].h[:steps])
    for lt in all_layer_traces(tr):
        assert lt.z.shape == lt.gates.shape == (T, B, 4 * H)
        assert lt.c.shape == lt.c_prev.shape == lt.kept.shape == lt.h_cell.shape == (T, B, H)
        assert lt.h.shape == lt.h_prev.shape == (T, B, H_out)
        assert lt.mask.shape == (T, B)


# ----- hand-checkable cases ----------------------------------------------------------------------


def zero_model(D: int, H: int, **kw) -> LSTM:
    model = LSTM(D, H, **kw)
    model.load_state_dict({k: np.zeros_like(v) for k, v in model.state_dict().items()})
    return model.eval()


@pytest.mark.parametrize("num_layers", [1, 2])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_zero_weights_every_gate_one_half(num_layers, bias):
    """All weights 0 ⇒ z = 0 ⇒ i = f = o = σ(0) = 0.5 and g = tanh(0) = 0, so
    c_t = 0.5·c_{t-1} and h_t = 0.5·tanh(c_t): exact in float (halving is exact)."""
    model = zero_model(2, 1, num_layers=num_layers, bias=bias)
    x = np.random.default_rng(0).normal(size=(6, 2))  # unbatched: the input does not matter
    c0 = np.array([[0.8]] * num_layers)
    h0 = np.array([[-0.3]] * num_layers)
    tr = model.trace(x, (h0, c0))
    for lt in all_layer_traces(tr):
        assert np.all(lt.z == 0)
        assert np.all(lt.i == 0.5) and np.all(lt.f == 0.5) and np.all(lt.o == 0.5)
        assert np.all(lt.g == 0.0) and np.all(lt.written == 0.0)
    c = tr.layers[0][0].c[:, 0, 0]
    h = tr.layers[0][0].h[:, 0, 0]
    assert c.tolist() == [0.4, 0.2, 0.1, 0.05, 0.025, 0.0125]  # 0.8 halved six times
    assert np.array_equal(h, 0.5 * np.tanh(c))  # exact: o = 0.5 and halving is exact
    np.testing.assert_allclose(h, [0.5 * math.tanh(v) for v in c.tolist()], rtol=2e-16, atol=0)
    assert tr.c_n[0, 0] == 0.0125 and tr.h_n[0, 0] == h[-1]


def test_two_steps_by_hand_with_round_numbers():
    """D = H = 1, no recurrent weights, pre-activations chosen so every gate is a fraction:
    σ(ln 3) = 3/4, σ(0) = 1/2, tanh(ln 2) = 3/5, σ(ln 4) = 4/5 at x = 1; at x = 2 the
    pre-activations double: σ(2 ln 3) = 9/10, tanh(2 ln 2) = 15/17, σ(2 ln 4) = 16/17."""
    model = LSTM(1, 1)
    w_ih = np.array([[math.log(3)], [0.0], [math.log(2)], [math.log(4)]])  # rows i, f, g, o
    model.load_state_dict(
        {"weight_ih_l0": w_ih, "weight_hh_l0": np.zeros((4, 1)),
         "bias_ih_l0": np.zeros(4), "bias_hh_l0": np.zeros(4)}
    )  # fmt: skip
    tr = model.eval().trace(np.array([[1.0], [2.0]]))  # unbatched, T = 2
    lt = tr.layers[0][0]
    gates = np.stack([lt.i, lt.f, lt.g, lt.o], axis=-1)[:, 0, 0]  # (T, 4)
    want = np.array([[3 / 4, 1 / 2, 3 / 5, 4 / 5], [9 / 10, 1 / 2, 15 / 17, 16 / 17]])
    np.testing.assert_allclose(gates, want, rtol=0, atol=4e-16)
    c1 = 1 / 2 * 0 + 3 / 4 * 3 / 5  # = 0.45
    c2 = 1 / 2 * c1 + 9 / 10 * 15 / 17  # = 0.225 + 27/34
    h1, h2 = 4 / 5 * math.tanh(c1), 16 / 17 * math.tanh(c2)
    np.testing.assert_allclose(lt.c[:, 0, 0], [c1, c2], rtol=0, atol=4e-16)
    np.testing.assert_allclose(lt.h[:, 0, 0], [h1, h2], rtol=0, atol=4e-16)
    np.testing.assert_allclose(tr.output[:, 0], [h1, h2], rtol=0, atol=4e-16)


def test_two_steps_by_hand_with_recurrence():
    """D = H = 1 with every weight, both biases, h_0 and c_0 non-zero; the two steps written out
    with the math module and σ(z) = 1/(1 + e^(-z)) (the core uses ½·tanh(z/2) + ½)."""
    W_ii, W_if, W_ig, W_io = 0.5, -0.25, 1.0, 0.75
    W_hi, W_hf, W_hg, W_ho = 0.1, 0.2, -0.3, 0.4
    b_i, b_f, b_g, b_o = 0.1 + 0.0, 0.2 + 0.0, 0.3 + 0.0, 0.4 + 0.1  # b_ih + b_hh
    model = LSTM(1, 1)
    model.load_state_dict(
        {
            "weight_ih_l0": np.array([[W_ii], [W_if], [W_ig], [W_io]]),
            "weight_hh_l0": np.array([[W_hi], [W_hf], [W_hg], [W_ho]]),
            "bias_ih_l0": np.array([0.1, 0.2, 0.3, 0.4]),
            "bias_hh_l0": np.array([0.0, 0.0, 0.0, 0.1]),
        }
    )
    sig = lambda z: 1.0 / (1.0 + math.exp(-z))
    x1, x2, h0, c0 = 1.0, -2.0, 0.5, -1.0

    i1 = sig(W_ii * x1 + W_hi * h0 + b_i)  # σ(0.5 + 0.05 + 0.1) = σ(0.65)
    f1 = sig(W_if * x1 + W_hf * h0 + b_f)  # σ(-0.25 + 0.1 + 0.2) = σ(0.05)
    g1 = math.tanh(W_ig * x1 + W_hg * h0 + b_g)  # tanh(1.0 - 0.15 + 0.3) = tanh(1.15)
    o1 = sig(W_io * x1 + W_ho * h0 + b_o)  # σ(0.75 + 0.2 + 0.5) = σ(1.45)
    c1 = f1 * c0 + i1 * g1
    h1 = o1 * math.tanh(c1)

    i2 = sig(W_ii * x2 + W_hi * h1 + b_i)
    f2 = sig(W_if * x2 + W_hf * h1 + b_f)
    g2 = math.tanh(W_ig * x2 + W_hg * h1 + b_g)
    o2 = sig(W_io * x2 + W_ho * h1 + b_o)
    c2 = f2 * c1 + i2 * g2
    h2 = o2 * math.tanh(c2)

    tr = model.eval().trace(np.array([[x1], [x2]]), (np.array([[h0]]), np.array([[c0]])))
    lt = tr.layers[0][0]
    got = {n: getattr(lt, n)[:, 0, 0] for n in ("i", "f", "g", "o", "c", "h")}
    want = {
        "i": [i1, i2],
        "f": [f1, f2],
        "g": [g1, g2],
        "o": [o1, o2],
        "c": [c1, c2],
        "h": [h1, h2],
    }
    for n in want:
        np.testing.assert_allclose(got[n], want[n], rtol=0, atol=1e-15, err_msg=n)
    assert lt.h_prev[1, 0, 0] == lt.h[0, 0, 0] and lt.c_prev[0, 0, 0] == c0


# ----- init statistics ---------------------------------------------------------------------------


def test_init_uniform_statistics_large_model():
    """Every parameter ~ U(-k, k) with k = 1/√H: inside the bounds, reaching them, mean 0 and
    variance k²/3 = 1/(3H), each within 5 standard errors."""
    H = 256
    model = LSTM(128, H, num_layers=2, bidirectional=True, proj_size=64, seed=123)
    k = 1 / math.sqrt(H)
    for name, w in model.state_dict().items():
        n = w.size
        assert np.abs(w).max() <= k, name
        assert np.abs(w).max() > k * (1 - 20 / n), f"{name}: the extremes approach ±1/√H"
        se_mean = math.sqrt(k**2 / 3 / n)
        assert abs(w.mean()) < 5 * se_mean, f"{name}: mean {w.mean():.3g}"
        se_var = math.sqrt((k**4 / 5 - k**4 / 9) / n)  # Var(w²) = E w⁴ − (E w²)² = k⁴/5 − k⁴/9
        assert abs(w.var() - 1 / (3 * H)) < 5 * se_var, f"{name}: var {w.var():.3g}"


def test_init_float32_is_within_bounds_too():
    model = LSTM(16, 64, dtype=np.float32, seed=0)
    k = np.float32(1 / math.sqrt(64))
    for w in model.state_dict().values():
        assert w.dtype == np.float32 and np.abs(w).max() <= k


def test_init_seed_reproducible_and_distinct():
    a, b, c = (LSTM(4, 8, num_layers=2, seed=s).state_dict() for s in (7, 7, 8))
    assert list(a) == list(b) == list(c)
    assert all(np.array_equal(a[k], b[k]) for k in a), "same seed, same weights"
    assert all(not np.array_equal(a[k], c[k]) for k in a), "different seeds differ everywhere"
    u, v = LSTM(4, 8).state_dict(), LSTM(4, 8).state_dict()  # seed=None: fresh entropy
    assert not np.array_equal(u["weight_ih_l0"], v["weight_ih_l0"])
    p, q = LSTMCell(4, 8, seed=7).state_dict(), LSTMCell(4, 8, seed=7).state_dict()
    assert all(np.array_equal(p[k], q[k]) for k in p)
    assert all(np.abs(w).max() <= 1 / math.sqrt(8) for w in p.values())
