"""Every bad input is a ValueError whose message says what was expected and what came.

Also: batch size 0 works (empty results with torch's shapes), and load_state_dict is strict.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from needs import need_torch

from lstm_core import LSTM, LSTMCell

T, B, D, H = 5, 3, 4, 6


def model_2layer(**kw) -> LSTM:
    return LSTM(D, H, num_layers=2, seed=0, **kw)


def x_ok(batch_first: bool = False) -> np.ndarray:
    return np.zeros((B, T, D) if batch_first else (T, B, D))


def raises(match: str):
    """pytest.raises(ValueError) matching the literal text `match` (not a regex)."""
    return pytest.raises(ValueError, match=re.escape(match))


# ----- the input ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "shape, message",
    [
        ((D,), f"input must be 2-D (T, {D}) unbatched or 3-D batched, got 1-D with shape ({D},)"),
        ((T, B, D, 1), f"got 4-D with shape ({T}, {B}, {D}, 1)"),
        ((), "got 0-D with shape ()"),
    ],
    ids=["1-D", "4-D", "scalar"],
)
def test_input_dimensions(shape, message):
    with raises(message):
        model_2layer()(np.zeros(shape))


@pytest.mark.parametrize(
    "shape", [(T, B, D + 1), (T, D - 1), (B, T, D + 2)], ids=["batched", "unbatched", "bfirst"]
)
def test_wrong_input_size(shape):
    model = model_2layer(batch_first=len(shape) == 3 and shape[0] == B)
    with raises(f"input must have {D} features, got {shape[-1]}"):
        model(np.zeros(shape))


@pytest.mark.parametrize(
    "shape, batch_first",
    [((0, B, D), False), ((0, D), False), ((B, 0, D), True)],
    ids=["batched", "unbatched", "bfirst"],
)
def test_sequence_length_zero(shape, batch_first):
    with raises("input sequence length must be at least 1, got 0"):
        model_2layer(batch_first=batch_first)(np.zeros(shape))


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf], ids=["nan", "inf", "-inf"])
def test_non_finite_input(bad):
    x = x_ok()
    x[2, 1, 0] = bad
    with raises("input must be finite, got NaN or infinity"):
        model_2layer()(x)


def test_non_numeric_input():
    with raises("input must be an array of numbers"):
        model_2layer()([["a"] * D] * T)
    with raises("input must be an array of numbers"):
        model_2layer()([[0.0] * D, [0.0] * (D - 1)])  # ragged
    with raises("input must be an array of numbers (complex values)"):
        model_2layer()(np.full((T, D), 1 + 2j))  # not silently cut to the real part


# ----- hx ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw, h_shape, c_shape, message",
    [
        ({}, (2, B + 1, H), (2, B + 1, H), f"h_0 must have shape (2, {B}, {H})"),
        ({}, (1, B, H), (1, B, H), f"h_0 must have shape (2, {B}, {H})"),
        ({}, (2, B, H), (3, B, H), f"c_0 must have shape (2, {B}, {H})"),
        ({}, (2, B, H), (2, B, H + 1), f"c_0 must have shape (2, {B}, {H})"),
        ({"bidirectional": True}, (2, B, H), (2, B, H), f"h_0 must have shape (4, {B}, {H})"),
        ({"proj_size": 2}, (2, B, H), (2, B, H), f"h_0 must have shape (2, {B}, 2)"),
        ({"proj_size": 2}, (2, B, 2), (2, B, 2), f"c_0 must have shape (2, {B}, {H})"),
    ],
    ids=[
        "wrong-batch",
        "wrong-layer-count",
        "c-wrong-layer-count",
        "c-wrong-size",
        "bidir-needs-4",
        "proj-h-is-proj-size",
        "proj-c-is-hidden-size",
    ],
)
def test_hx_wrong_shape(kw, h_shape, c_shape, message):
    hx = (np.zeros(h_shape), np.zeros(c_shape))
    with pytest.raises(ValueError) as e:
        model_2layer(**kw)(x_ok(), hx)
    text = str(e.value)
    assert message in text  # what was expected
    name = message.split()[0]
    came = h_shape if name == "h_0" else c_shape
    assert text.endswith(f"got {came}"), text  # and what came
    assert "num_layers·directions, batch, size" in text


def test_hx_unbatched_shapes():
    model = model_2layer()
    with raises(f"h_0 must have shape (2, {H}) (num_layers·directions, size), got (2, 1, {H})"):
        model(np.zeros((T, D)), (np.zeros((2, 1, H)), np.zeros((2, 1, H))))


@pytest.mark.parametrize(
    "hx", [np.zeros((2, B, H)), (np.zeros((2, B, H)),), [np.zeros((2, B, H))] * 3]
)
def test_hx_not_a_pair(hx):
    with raises("hx must be a pair (h_0, c_0)"):
        model_2layer()(x_ok(), hx)


@pytest.mark.parametrize("which", [0, 1], ids=["h_0", "c_0"])
def test_non_finite_hx(which):
    hx = [np.zeros((2, B, H)), np.zeros((2, B, H))]
    hx[which][1, 0, 0] = np.nan
    with raises(f"{('h_0', 'c_0')[which]} must be finite, got NaN or infinity"):
        model_2layer()(x_ok(), tuple(hx))


# ----- lengths -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lengths, message",
    [
        ([0, 2, 3], f"every length must be between 1 and T={T}, got [0]"),
        ([T + 1, 2, -1], f"every length must be between 1 and T={T}, got [{T + 1}, -1]"),
        ([2, 3], f"lengths must be a 1-D sequence of {B} integers, got shape (2,)"),
        ([[1, 2, 3]], f"lengths must be a 1-D sequence of {B} integers, got shape (1, 3)"),
        (3, f"lengths must be a 1-D sequence of {B} integers, got shape ()"),
        ([2.5, 3, 1], "lengths must be integers, got [2.5, 3.0, 1.0]"),
        ([True, True, False], "lengths must be integers, got [True, True, False]"),
        (["2", "3", "1"], "lengths must be integers, got ['2', '3', '1']"),
    ],
    ids=[
        "zero",
        "too-long-and-negative",
        "wrong-count",
        "2-D",
        "scalar",
        "non-integer",
        "bool",
        "strings",
    ],
)
def test_lengths_errors(lengths, message):
    with raises(message):
        model_2layer()(x_ok(), lengths=lengths)


def test_lengths_integral_floats_accepted():
    model = model_2layer().eval()
    x = np.random.default_rng(0).normal(size=(T, B, D))
    a = model(x, lengths=[2.0, 5.0, 1.0])[0]
    b = model(x, lengths=[2, 5, 1])[0]
    assert np.array_equal(a, b)


def test_lengths_with_unbatched_input():
    with raises("lengths needs batched 3-D input, got unbatched 2-D input"):
        model_2layer()(np.zeros((T, D)), lengths=[T])


def test_lengths_counted_along_batch_with_batch_first():
    model = model_2layer(batch_first=True)
    with raises(f"lengths must be a 1-D sequence of {B} integers, got shape ({T},)"):
        model(x_ok(batch_first=True), lengths=[1] * T)


# ----- the constructor ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"hidden_size": 0}, "hidden_size must be an integer ≥ 1, got 0"),
        ({"hidden_size": 2.5}, "hidden_size must be an integer ≥ 1, got 2.5"),
        ({"input_size": -1}, "input_size must be an integer ≥ 1, got -1"),
        ({"input_size": True}, "input_size must be an integer ≥ 1, got True"),
        ({"num_layers": 0}, "num_layers must be an integer ≥ 1, got 0"),
        ({"proj_size": -1}, "proj_size must be an integer ≥ 0, got -1"),
        ({"proj_size": H}, f"proj_size must be smaller than hidden_size ({H}), got {H}"),
        ({"proj_size": H + 3}, f"proj_size must be smaller than hidden_size ({H}), got {H + 3}"),
        ({"dropout": -0.1}, "dropout must be in [0, 1], got -0.1"),
        ({"dropout": 1.5}, "dropout must be in [0, 1], got 1.5"),
        ({"dropout": "0.5"}, "dropout must be a number in [0, 1], got '0.5'"),
        ({"dtype": np.int64}, "dtype must be float32 or float64, got int64"),
        ({"dtype": int}, "dtype must be float32 or float64, got int64"),
        ({"dtype": np.float16}, "dtype must be float32 or float64, got float16"),
    ],
    ids=[
        "hidden-0",
        "hidden-float",
        "input-negative",
        "input-bool",
        "layers-0",
        "proj-negative",
        "proj-equals-hidden",
        "proj-above-hidden",
        "dropout-negative",
        "dropout-above-1",
        "dropout-string",
        "dtype-int64",
        "dtype-python-int",
        "dtype-float16",
    ],
)
def test_constructor_errors(kw, message):
    args = {"input_size": D, "hidden_size": H} | kw
    with raises(message):
        LSTM(**args)


@pytest.mark.parametrize(
    "kw, message",
    [
        ({"hidden_size": 0}, "hidden_size must be an integer ≥ 1, got 0"),
        ({"input_size": 0}, "input_size must be an integer ≥ 1, got 0"),
        ({"dtype": np.int32}, "dtype must be float32 or float64, got int32"),
    ],
    ids=["hidden-0", "input-0", "dtype-int"],
)
def test_cell_constructor_errors(kw, message):
    with raises(message):
        LSTMCell(**({"input_size": D, "hidden_size": H} | kw))


# ----- LSTMCell calls ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "x, hx, message",
    [
        (np.zeros((B, T, D)), None, f"input must be 1-D (D,) or 2-D (B, D), got shape {(B, T, D)}"),
        (np.zeros((B, D + 1)), None, f"input must have {D} features, got {D + 1}"),
        (
            np.zeros((B, D)),
            (np.zeros((B + 1, H)), np.zeros((B, H))),
            f"h_0 must have shape {(B, H)}, got {(B + 1, H)}",
        ),  # noqa: E501
        (
            np.zeros(D),
            (np.zeros(H), np.zeros(H + 1)),
            f"c_0 must have shape {(H,)}, got {(H + 1,)}",
        ),  # noqa: E501
        (np.full((B, D), np.inf), None, "input must be finite, got NaN or infinity"),
        (np.zeros((B, D)), np.zeros((B, H)), "hx must be a pair (h_0, c_0)"),
    ],
    ids=["3-D", "wrong-features", "h-wrong-batch", "c-wrong-size", "inf", "not-a-pair"],
)
def test_cell_call_errors(x, hx, message):
    with raises(message):
        LSTMCell(D, H, seed=0)(x, hx)


# ----- batch size 0 ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "kw",
    [{}, {"bidirectional": True}, {"proj_size": 2}, {"batch_first": True}],
    ids=["plain", "bidir", "proj", "bfirst"],
)
def test_batch_size_zero_has_torch_shapes(kw):
    need_torch()
    from lstm_core.torch_bridge import run_torch, to_torch

    model = model_2layer(**kw).eval()
    x = np.zeros((0, T, D) if model.batch_first else (T, 0, D))
    tr = model.trace(x)
    theirs = run_torch(to_torch(model), x)
    assert tr.output.shape == theirs[0].shape
    assert tr.h_n.shape == theirs[1][0].shape and tr.c_n.shape == theirs[1][1].shape
    assert tr.output.size == 0 and tr.layers[1][0].c.shape == (T, 0, H)
    LD, H_out = model.num_layers * model.num_directions, model.output_hidden_size
    hx = (np.zeros((LD, 0, H_out)), np.zeros((LD, 0, H)))  # and hx of batch 0 is accepted
    out, (h_n, c_n) = model(x, hx)
    t_out, (t_h, t_c) = run_torch(to_torch(model), x, hx)
    assert out.shape == t_out.shape and h_n.shape == t_h.shape and c_n.shape == t_c.shape


def test_cell_batch_size_zero():
    h1, c1 = LSTMCell(D, H, seed=0)(np.zeros((0, D)))
    assert h1.shape == c1.shape == (0, H)


# ----- load_state_dict is strict ------------------------------------------------------------------


def test_load_state_dict_names_every_problem_at_once():
    model = LSTM(D, H, num_layers=2, proj_size=2, seed=0)
    sd = model.state_dict()
    del sd["bias_hh_l1"]
    del sd["weight_hr_l0"]
    sd["weight_ih_l0"] = np.zeros((4 * H, D + 1))
    sd["bias_ih_l2"] = np.zeros(4 * H)
    sd["running_mean"] = np.zeros(3)
    sd["weight_hh_l1"] = np.full((4 * H, 2), np.nan)
    with pytest.raises(ValueError) as e:
        model.load_state_dict(sd)
    text = str(e.value)
    assert text.startswith("state_dict does not fit this model: ")
    for part in (
        f"missing key 'bias_hh_l1' (expected shape ({4 * H},))",
        f"missing key 'weight_hr_l0' (expected shape (2, {H}))",
        f"'weight_ih_l0' must have shape ({4 * H}, {D}), got ({4 * H}, {D + 1})",
        "unexpected key 'bias_ih_l2'",
        "unexpected key 'running_mean'",
        "'weight_hh_l1' contains NaN or infinity",
    ):
        assert part in text, f"{part!r} not in {text!r}"
    assert text.count(";") == 5, "six problems, one message"


def test_load_state_dict_failure_leaves_parameters_unchanged():
    model = LSTM(D, H, seed=0)
    before = model.state_dict()
    sd = model.state_dict() | {"weight_ih_l0": np.ones((4 * H, D)), "extra": np.zeros(1)}
    with raises("unexpected key 'extra'"):
        model.load_state_dict(sd)
    after = model.state_dict()
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_load_state_dict_non_numeric_value():
    model = LSTM(D, H, seed=0)
    sd = model.state_dict() | {"bias_ih_l0": "not numbers"}
    with raises("'bias_ih_l0' is not an array of numbers"):
        model.load_state_dict(sd)


def test_cell_load_state_dict_strict():
    cell = LSTMCell(D, H, bias=False, seed=0)
    sd = LSTMCell(D, H, seed=0).state_dict()
    with pytest.raises(ValueError) as e:
        cell.load_state_dict(sd)
    assert "unexpected key 'bias_ih'" in str(e.value) and "unexpected key 'bias_hh'" in str(e.value)
