"""lstm_core.analysis: the split of c_t into per-input terms, memory half-life, saturation."""

import subprocess
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lstm_core import LSTM
from lstm_core.analysis import (
    contributions,
    half_life_steps,
    implied_half_life,
    lookback_half_life,
    processing_order,
    saturation,
)


def constant_forget_model(p: float, H: int = 2, bidirectional: bool = False) -> LSTM:
    """Zero weights; the forget gate's bias makes f = p at every step, every other gate ½."""
    model = LSTM(1, H, bidirectional=bidirectional, seed=0).eval()
    sd = {k: np.zeros_like(v) for k, v in model.state_dict().items()}
    for k in sd:
        if k.startswith("bias_ih"):
            sd[k][H : 2 * H] = np.log(p / (1 - p))  # σ(logit p) = p
    model.load_state_dict(sd)
    return model


@st.composite
def runs(draw):
    """A random model, input, initial state and (sometimes) lengths."""
    L = draw(st.integers(1, 2))
    bidirectional = draw(st.booleans())
    D, H = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    T, B = draw(st.integers(1, 7)), draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    model = LSTM(D, H, num_layers=L, bidirectional=bidirectional, seed=seed).eval()
    # Larger weights than torch's init, so gates saturate and products of f vary a lot.
    model.load_state_dict({k: 3 * rng.normal(size=v.shape) for k, v in model.state_dict().items()})
    x = rng.normal(size=(T, B, D))
    ND = 2 if bidirectional else 1
    hx = (rng.normal(size=(L * ND, B, H)), 2 * rng.normal(size=(L * ND, B, H)))
    lengths = draw(st.one_of(st.none(), st.lists(st.integers(1, T), min_size=B, max_size=B)))
    return model.trace(x, hx, lengths=lengths)


@settings(max_examples=60, deadline=None)
@given(runs())
def test_contributions_sum_to_c(tr):
    for lt in (lt for layer in tr.layers for lt in layer):
        split = contributions(lt)
        np.testing.assert_allclose(split.total(), lt.c, rtol=0, atol=1e-12)
        # Nothing comes from padding, and nothing from an input processed after t.
        order = processing_order(lt)
        for b in range(lt.mask.shape[1]):
            step_of = np.empty(len(order), int)
            step_of[order[:, b]] = np.arange(len(order))
            later = step_of[None, :] > step_of[:, None]  # (t, k): k processed after t
            assert np.all(split.inputs[:, :, b][later] == 0)
            assert np.all(split.inputs[~lt.mask[:, b], :, b] == 0)
            assert np.all(split.inputs[:, ~lt.mask[:, b], b] == 0)


def test_contributions_match_the_products_written_out():
    model = LSTM(2, 3, bidirectional=True, seed=4).eval()
    rng = np.random.default_rng(4)
    x = rng.normal(size=(5, 1, 2))
    c0 = rng.normal(size=(2, 1, 3))
    tr = model.trace(x, (np.zeros((2, 1, 3)), c0))
    fwd, rev = tr.layers[0]
    split_f, split_r = contributions(fwd), contributions(rev)
    T = 5
    for t in range(T):
        for k in range(T):
            # forward: k ≤ t, forget gates at positions k+1..t
            want = np.prod(fwd.f[k + 1 : t + 1, 0], axis=0) * fwd.written[k, 0] if k <= t else 0
            np.testing.assert_allclose(split_f.inputs[t, k, 0], want, atol=1e-15)
            # reverse: k ≥ t (read earlier), forget gates at positions t..k-1
            want = np.prod(rev.f[t:k, 0], axis=0) * rev.written[k, 0] if k >= t else 0
            np.testing.assert_allclose(split_r.inputs[t, k, 0], want, atol=1e-15)
        np.testing.assert_allclose(
            split_f.initial[t, 0], np.prod(fwd.f[: t + 1, 0], axis=0) * c0[0, 0], atol=1e-15
        )
        np.testing.assert_allclose(
            split_r.initial[t, 0], np.prod(rev.f[t:, 0], axis=0) * c0[1, 0], atol=1e-15
        )
    np.testing.assert_array_equal(split_r.c0, c0[1])
    np.testing.assert_allclose(split_r.retention0[0, 0], np.prod(rev.f[:, 0], axis=0), atol=1e-15)
    assert split_f.retention.shape == (T, T, 1, 3)
    np.testing.assert_array_equal(np.diagonal(split_f.retention[:, :, 0, 0]), 1.0)


def test_removing_one_input_term_is_what_c_loses():
    """Exact: rerunning the recurrence without what input k wrote takes away inputs[t, k]."""
    model = LSTM(2, 2, seed=9).eval()
    x = np.random.default_rng(9).normal(size=(6, 1, 2))
    lt = model.trace(x).layers[0][0]
    split = contributions(lt)
    k = 2
    c = np.zeros(2)
    for t in range(6):  # the same gates, with i_k ⊙ g_k left out
        c = lt.f[t, 0] * c + (0 if t == k else lt.written[t, 0])
        np.testing.assert_allclose(c, lt.c[t, 0] - split.inputs[t, k, 0], atol=1e-15)


def test_half_life_of_a_constant_forget_gate_of_one_half_is_one_step():
    T = 6
    lt = constant_forget_model(0.5).trace(np.ones((T, 1, 1))).layers[0][0]
    np.testing.assert_allclose(lt.f, 0.5, atol=1e-15)
    ahead = half_life_steps(lt)[:, 0, 0]
    np.testing.assert_array_equal(ahead[:-1], 1.0)
    assert np.isnan(ahead[-1])  # nothing after the last step
    np.testing.assert_array_equal(lookback_half_life(lt)[:, 0, 0], 1.0)
    np.testing.assert_allclose(implied_half_life(lt.f), 1.0, rtol=1e-12)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_half_life_of_f_two_to_minus_a_tenth_is_ten_steps(bidirectional):
    T = 25
    model = constant_forget_model(2 ** (-1 / 10), H=3, bidirectional=bidirectional)
    tr = model.trace(np.zeros((T, 2, 1)))
    for lt in tr.layers[0]:
        np.testing.assert_allclose(implied_half_life(lt.f), 10.0, rtol=1e-9)
        ahead, back = half_life_steps(lt)[:, 0, 0], lookback_half_life(lt)[:, 0, 0]
        # steps_done[t]: how many steps ran before position t (its index in processing order)
        steps_done = np.arange(T) if lt.direction == 0 else T - 1 - np.arange(T)
        steps_left = T - 1 - steps_done
        np.testing.assert_array_equal(ahead[steps_left >= 10], 10.0)
        assert np.all(np.isnan(ahead[steps_left < 10]))
        np.testing.assert_array_equal(back[steps_done >= 9], 10.0)  # n = 10 reaches c_0 at step 9
        assert np.all(np.isnan(back[steps_done < 9]))


def test_half_life_follows_the_actual_products():
    """A forget gate that closes once: the half-life ends exactly there."""
    model = LSTM(1, 1, seed=0).eval()
    sd = {k: np.zeros_like(v) for k, v in model.state_dict().items()}
    sd["bias_ih_l0"][1] = 4.0  # f = σ(4 + 8·x_t) ≈ 0.98, ≈ 0 where x_t = -1
    sd["weight_ih_l0"][1, 0] = 8.0
    model.load_state_dict(sd)
    x = np.zeros((8, 1, 1))
    x[5] = -1.0
    lt = model.trace(x).layers[0][0]
    ahead = half_life_steps(lt)[:, 0, 0]
    np.testing.assert_array_equal(ahead[:5], 5 - np.arange(5))  # written at t lasts to step 5
    np.testing.assert_array_equal(lookback_half_life(lt)[5:, 0, 0], [1, 2, 3])


def test_half_life_is_nan_at_padding_and_implied_half_life_ignores_it():
    model = constant_forget_model(0.5)
    lt = model.trace(np.zeros((5, 2, 1)), lengths=[5, 3]).layers[0][0]
    assert np.all(np.isnan(half_life_steps(lt)[3:, 1]))
    assert np.all(np.isnan(lookback_half_life(lt)[3:, 1]))
    # padding holds f = 0 in the trace; the mask keeps it out of the mean
    np.testing.assert_allclose(implied_half_life(lt.f, lt.mask), 1.0, rtol=1e-12)


def test_implied_half_life_is_infinite_when_nothing_is_forgotten():
    assert implied_half_life(np.ones((4, 1, 2))).tolist() == [[np.inf, np.inf]]


def test_saturation_fractions_on_known_arrays():
    v = np.array([0.0, 0.01, 0.049, 0.05, 0.5, 0.95, 0.951, 0.999, 1.0, 0.7])
    s = saturation(v)
    assert (s.near_low, s.near_high, s.count) == (0.3, 0.3, 10)
    assert s.middle == pytest.approx(0.4)
    g = np.array([-1.0, -0.96, -0.95, 0.0, 0.96])
    s = saturation(g, lo=-1.0, hi=1.0)
    assert (s.near_low, s.near_high) == (0.4, 0.2)
    # a mask (T, B) keeps padded steps out
    v = np.array([[[0.01]], [[0.99]], [[0.0]]])  # (3, 1, 1), last step padded
    s = saturation(v, mask=np.array([[True], [True], [False]]))
    assert (s.near_low, s.near_high, s.count) == (0.5, 0.5, 2)
    assert saturation(np.array([])).count == 0


def test_analysis_imports_numpy_only():
    heavy = "{'torch', 'streamlit', 'plotly'}"
    code = f"import sys, lstm_core.analysis; print(sorted({heavy} & set(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
