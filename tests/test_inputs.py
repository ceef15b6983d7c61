"""app_logic.inputs: typed numbers, CSV, text, presets → a finite (T, D) array, or a ValueError."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app_logic import inputs
from app_logic.i18n import catalog
from app_logic.inputs import MAX_CSV_BYTES, MAX_D, MAX_T, InputError


def _err_key(fn, *args) -> str:
    with pytest.raises(InputError) as e:
        fn(*args)
    assert isinstance(e.value, ValueError)
    return e.value.key


# ----- typed numbers ---------------------------------------------------------------------------


def test_typed_one_feature_per_step():
    x = inputs.parse_typed("0.5, -1, 2")
    assert x.shape == (3, 1) and x.dtype == np.float64
    np.testing.assert_array_equal(x[:, 0], [0.5, -1.0, 2.0])


def test_typed_spaces_and_scientific_notation():
    np.testing.assert_array_equal(inputs.parse_typed(" 1e-3  -2.5E1 ,7 ")[:, 0], [1e-3, -25.0, 7.0])


@pytest.mark.parametrize(
    "text", ["0.5 1; -1 0", "0.5, 1\n-1, 0", "0.5 1\r\n-1 0\n\n", "0.5，1；-1，0"]
)
def test_typed_several_features_per_step(text):
    np.testing.assert_array_equal(inputs.parse_typed(text), [[0.5, 1.0], [-1.0, 0.0]])


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "empty"),
        ("  ;\n ; ", "empty"),
        ("1, abc, 3", "not_number"),
        ("1, nan", "not_finite"),
        ("inf", "not_finite"),
        ("1 2; 3", "ragged"),
        (", ".join(["1"] * (MAX_T + 1)), "too_long"),
        (" ".join(["1"] * (MAX_D + 1)) + "; " + " ".join(["1"] * (MAX_D + 1)), "too_wide"),
        ("1" * (inputs.MAX_TYPED_CHARS + 1), "too_many_chars"),
        ("1e999", "not_finite"),
    ],
)
def test_typed_errors(text, key):
    assert _err_key(inputs.parse_typed, text) == f"common.err_{key}"


def test_typed_error_message_names_the_row_and_token():
    with pytest.raises(ValueError, match=r"row 2: 'x' is not a number"):
        inputs.parse_typed("1 2; 3 x")


def test_typed_limits_are_inclusive():
    assert inputs.parse_typed(", ".join(["0.25"] * MAX_T)).shape == (MAX_T, 1)
    row = " ".join(["1"] * MAX_D)
    assert inputs.parse_typed(f"{row}; {row}").shape == (2, MAX_D)


# ----- CSV -------------------------------------------------------------------------------------


def test_csv_with_header_and_bom():
    x, names = inputs.parse_csv("\ufeffa,b\n1,2\n3,4.5\n".encode())
    np.testing.assert_array_equal(x, [[1.0, 2.0], [3.0, 4.5]])
    assert names == ("a", "b")


@pytest.mark.parametrize(
    "data", [b"1,2\n3,4\n", b"1;2\n3;4\n", b"1\t2\n3\t4\n", b"\n1, 2\n\n3 ,4\n\n"]
)
def test_csv_without_header_and_delimiters(data):
    x, names = inputs.parse_csv(data)
    np.testing.assert_array_equal(x, [[1.0, 2.0], [3.0, 4.0]])
    assert names is None


def test_csv_single_column_is_one_feature():
    x, _ = inputs.parse_csv(b"value\n0.1\n0.2\n0.3\n")
    assert x.shape == (3, 1)


@pytest.mark.parametrize(
    ("data", "key"),
    [
        (b"", "csv_empty"),
        (b"\n\n , \n", "csv_empty"),
        (b"a,b\n", "csv_empty"),
        ("é,1\n".encode("latin-1"), "csv_encoding"),
        (b"1,\x002\n", "csv_encoding"),
        (b"1,2\n3\n", "ragged"),
        (b"a,b,c\n1,2\n", "ragged"),
        (b"1,nan\n", "not_finite"),
        (b"1,-inf\n", "not_finite"),
        (b"1,2\nx,3\n", "not_number"),
        (b"1\n" * (MAX_T + 1), "too_long"),
        ((",".join(["1"] * (MAX_D + 1)) + "\n").encode(), "too_wide"),
        (b"1" * (MAX_CSV_BYTES + 1), "csv_too_big"),
    ],
)
def test_csv_errors(data, key):
    assert _err_key(inputs.parse_csv, data) == f"common.err_{key}"


# ----- text → one-hot ---------------------------------------------------------------------------


def test_text_one_hot():
    x, alphabet = inputs.one_hot_text("hello")
    assert alphabet == ("h", "e", "l", "o")
    assert x.shape == (5, 4)
    np.testing.assert_array_equal(x.argmax(axis=1), [0, 1, 2, 2, 3])
    np.testing.assert_array_equal(x.sum(axis=1), np.ones(5))


def test_text_chinese():
    x, alphabet = inputs.one_hot_text("你好你")
    assert alphabet == ("你", "好")
    np.testing.assert_array_equal(x, [[1, 0], [0, 1], [1, 0]])


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a" * (MAX_T + 1), "too_long"),
        ("".join(map(chr, range(0x4E00, 0x4E00 + MAX_D + 1))), "too_wide"),
    ],
)
def test_text_errors(text, key):
    assert _err_key(inputs.one_hot_text, text) == f"common.err_{key}"


# ----- presets ---------------------------------------------------------------------------------


def test_presets_values():
    t = np.arange(12)
    np.testing.assert_allclose(inputs.preset("sine", 12)[:, 0], np.sin(2 * np.pi * t / 12))
    np.testing.assert_array_equal(inputs.preset("step", 6)[:, 0], [0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(inputs.preset("impulse", 4)[:, 0], [1, 0, 0, 0])
    noise = inputs.preset("noise", 7, 3, seed=5)
    assert noise.shape == (7, 3)
    np.testing.assert_array_equal(noise, np.random.default_rng(5).normal(size=(7, 3)))
    assert not np.array_equal(noise, inputs.preset("noise", 7, 3, seed=6))


def test_presets_ignore_D_except_noise():
    assert inputs.preset("sine", 5, 9).shape == (5, 1)


@pytest.mark.parametrize(
    ("kind", "T", "D"),
    [("saw", 5, 1), ("sine", 0, 1), ("sine", MAX_T + 1, 1), ("noise", 5, MAX_D + 1)],
)
def test_preset_errors(kind, T, D):
    with pytest.raises(ValueError):
        inputs.preset(kind, T, D)


# ----- every error key has both languages -------------------------------------------------------


def test_every_error_key_has_en_and_zh():
    src = (Path(inputs.__file__)).read_text()
    keys = set(re.findall(r'InputError\(\s*"(\w+)"', src))
    assert {"empty", "ragged", "csv_encoding", "not_finite"} <= keys
    for k in keys:
        texts = catalog()[f"common.err_{k}"]
        assert texts["en"] and texts["zh"], k


# ----- fuzz: a finite (T, D) array within limits, or ValueError -- never anything else ----------


def _check_ok(x: np.ndarray) -> None:
    assert isinstance(x, np.ndarray) and x.ndim == 2 and x.dtype == np.float64
    T, D = x.shape
    assert 1 <= T <= MAX_T and 1 <= D <= MAX_D
    assert np.all(np.isfinite(x))


numberish = st.text(alphabet="0123456789.-+eE ,;\n\tinfa，；", max_size=400)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=300), numberish))
def test_fuzz_typed(text):
    try:
        x = inputs.parse_typed(text)
    except ValueError as e:
        assert str(e)
        return
    _check_ok(x)


csv_like = st.lists(
    st.lists(
        st.one_of(
            st.floats(allow_nan=True, allow_infinity=True).map(repr),
            st.integers(-1000, 1000).map(str),
            st.sampled_from(["", "a", "x1", "nan", " 1 ", '"2"', '"']),
        ),
        min_size=0,
        max_size=5,
    ),
    max_size=12,
).map(lambda rows: "\n".join(",".join(r) for r in rows).encode())


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), csv_like))
def test_fuzz_csv(data):
    try:
        x, names = inputs.parse_csv(data)
    except ValueError as e:
        assert str(e)
        return
    _check_ok(x)
    assert names is None or len(names) == x.shape[1]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=250))
def test_fuzz_text(text):
    try:
        x, alphabet = inputs.one_hot_text(text)
    except ValueError:
        return
    _check_ok(x)
    assert len(alphabet) == x.shape[1]
    np.testing.assert_array_equal(x.sum(axis=1), 1.0)


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(inputs.PRESETS + ("bad",)),
    st.integers(-5, 260),
    st.integers(-5, 80),
    st.integers(0, 2**31 - 1),
)
def test_fuzz_presets(kind, T, D, seed):
    try:
        x = inputs.preset(kind, T, D, seed)
    except ValueError:
        return
    _check_ok(x)
    assert x.shape[0] == T
