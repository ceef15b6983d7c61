"""Hypothesis fuzzing of every parser a user can reach: typed numbers, CSV, text, uploads, the URL.

Each property is the parser's whole contract: a value within the limits that round-trips, or the
parser's own error whose i18n key exists and formats in English and Chinese (a message a page can
show), never any other exception. Parsers live in modules without Streamlit
(`app_logic.inputs`, `app_logic.uploads`, `lstm_core.tasks`, `app_logic.compare_logic`);
the URL parsers `settings_from_query` and `selection_from_query` are pure functions in
`app_logic.settings`.
"""

from __future__ import annotations

import dataclasses
import io
import math
import string
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from app_logic import compare_logic as cl
from app_logic import inputs, uploads
from app_logic import settings as codec
from app_logic.i18n import LANGS, catalog, tr
from lstm_core import LSTM, tasks

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_translatable(key: str, fmt: dict) -> None:
    """The error's text exists in both languages and formats with the error's fields."""
    assert key in catalog(), f"no text for {key!r}"
    for lang in LANGS:
        template = catalog()[key][lang]
        fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
        assert fields <= set(fmt), (key, lang, fields - set(fmt))
        assert tr(key, lang, **fmt).strip()


def assert_x_ok(x: np.ndarray) -> None:
    """A usable input: finite float64 (T, D) within the app's limits."""
    assert x.dtype == np.float64 and x.ndim == 2
    T, D = x.shape
    assert 1 <= T <= inputs.MAX_T and 1 <= D <= inputs.MAX_D
    assert np.all(np.isfinite(x))


# ----- typed numbers ---------------------------------------------------------------------------

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
matrices = st.integers(1, 8).flatmap(
    lambda D: st.lists(st.lists(finite, min_size=D, max_size=D), min_size=1, max_size=30)
)
hostile_text = st.one_of(
    st.text(max_size=300),
    st.text(alphabet="0123456789.-+eE ,;\n\r\t，；、。nafiNIx_", max_size=300),
    st.sampled_from(["nan", "inf", "-inf", "1e999", "1" * 400, "0x10", "1_000", "٣", "５"]),
)


@FAST
@given(matrices)
def test_typed_round_trip_is_exact(rows):
    """Rows typed with repr() come back bit for bit; `;` and newlines both separate rows."""
    D = len(rows[0])
    want = np.array(rows, dtype=np.float64).reshape(len(rows), D)
    if len(rows) == 1:  # one row is read as a sequence of scalars: T = its length, D = 1
        want = want.reshape(D, 1)
    if D == 1 or len(rows) == 1:
        text = ", ".join(repr(v) for r in rows for v in r)  # one feature per step
    else:
        text = ";\n".join(" ".join(repr(v) for v in r) for r in rows)
    np.testing.assert_array_equal(inputs.parse_typed(text), want)
    # Full-width punctuation from a Chinese keyboard means the same.
    zh = text.replace(",", "，").replace(";", "；")
    np.testing.assert_array_equal(inputs.parse_typed(zh), want)


@FAST
@given(hostile_text)
@example("1, 2\n3")  # ragged
@example("，；")  # only Chinese punctuation
@example("1, nan")
@example("1e308 " * 3)
def test_typed_gives_an_input_or_a_translatable_error(text):
    try:
        x = inputs.parse_typed(text)
    except inputs.InputError as e:
        assert_translatable(e.key, e.fmt)
        return
    assert_x_ok(x)


def test_typed_limits_at_and_past_the_bounds():
    assert inputs.parse_typed(", ".join(["1"] * inputs.MAX_T)).shape == (inputs.MAX_T, 1)
    with pytest.raises(inputs.InputError) as e:
        inputs.parse_typed(", ".join(["1"] * (inputs.MAX_T + 1)))
    assert e.value.key == "common.err_too_long" and e.value.fmt["got"] == inputs.MAX_T + 1
    wide = " ".join(["1"] * inputs.MAX_D)
    assert inputs.parse_typed(f"{wide}; {wide}").shape == (2, inputs.MAX_D)
    with pytest.raises(inputs.InputError) as e:
        inputs.parse_typed(f"{wide} 1; {wide} 1")
    assert e.value.key == "common.err_too_wide"
    ten_mb = "1, " * (10 * 2**20 // 3)
    with pytest.raises(inputs.InputError) as e:
        inputs.parse_typed(ten_mb)  # refused by its length, before any splitting
    assert e.value.key == "common.err_too_many_chars" and e.value.fmt["got"] == len(ten_mb)


# ----- CSV -------------------------------------------------------------------------------------


def _csv(rows: list[list[float]], header: bool, sep: str, bom: bool) -> bytes:
    lines = [sep.join(f"c{j}" for j in range(len(rows[0])))] if header else []
    lines += [sep.join(repr(v) for v in r) for r in rows]
    return ("\ufeff" if bom else "").encode() + "\r\n".join(lines).encode()


@FAST
@given(matrices, st.booleans(), st.sampled_from([",", ";", "\t"]), st.booleans())
def test_csv_round_trip_is_exact(rows, header, sep, bom):
    x, names = inputs.parse_csv(_csv(rows, header, sep, bom))
    np.testing.assert_array_equal(x, np.array(rows, dtype=np.float64))
    assert names == (tuple(f"c{j}" for j in range(len(rows[0]))) if header else None)


def _encode(text: str, how: str) -> bytes:
    if how == "utf-16":
        return text.encode("utf-16")
    if how == "latin-1":
        return text.encode("latin-1", errors="replace") + b"\xe9"  # é, never valid UTF-8 alone
    return text.encode()


hostile_csv = st.one_of(
    st.binary(max_size=400),
    st.builds(
        _encode,
        st.text(alphabet="0123456789.,;\t\n\"' -eNa", max_size=300),
        st.sampled_from(["utf-8", "utf-16", "latin-1"]),
    ),
)


@FAST
@given(hostile_csv)
@example(b"")
@example(b"a,b\n")  # a header and no rows
@example(b"1,2\n3\n")  # ragged
@example(b"1,nan\n2,3\n")
@example("1,2\n3,4\n".encode("utf-16"))
@example(b"\x89PNG\r\n\x1a\n\x00\x00")
@example(b'"1,2\n')  # an unclosed quote
def test_csv_gives_an_input_or_a_translatable_error(data):
    try:
        x, names = inputs.parse_csv(data)
    except inputs.InputError as e:
        assert_translatable(e.key, e.fmt)
        return
    assert_x_ok(x)
    assert names is None or len(names) == x.shape[1]


def test_csv_encodings_and_size_are_named():
    with pytest.raises(inputs.InputError) as e:
        inputs.parse_csv("1,2\n3,4\n".encode("utf-16"))
    assert e.value.key == "common.err_csv_encoding"
    with pytest.raises(inputs.InputError) as e:
        inputs.parse_csv("a,é\n1,2\n".encode("latin-1"))
    assert e.value.key == "common.err_csv_encoding"
    big = b"1,2\n" * (inputs.MAX_CSV_BYTES // 4 + 1)
    with pytest.raises(inputs.InputError) as e:
        inputs.parse_csv(big)
    assert e.value.key == "common.err_csv_too_big"
    assert "kB" in tr(e.value.key, "en", **e.value.fmt)


# ----- text (the one-hot input and the next-character task) ------------------------------------


@FAST
@given(st.text(max_size=260))
@example("你好，世界！")
@example(" \n\t ")
@example("a" * (inputs.MAX_T + 1))
def test_one_hot_text_or_a_translatable_error(text):
    try:
        x, alphabet = inputs.one_hot_text(text)
    except inputs.InputError as e:
        assert_translatable(e.key, e.fmt)
        return
    assert_x_ok(x)
    chars = list(text.strip())
    assert alphabet == tuple(dict.fromkeys(chars))
    np.testing.assert_array_equal(x.argmax(axis=1), [alphabet.index(ch) for ch in chars])
    np.testing.assert_array_equal(x.sum(axis=1), 1.0)


@FAST
@given(st.one_of(st.text(max_size=tasks.MAX_TEXT_CHARS + 20), st.none(), st.integers()))
@example("aa")  # one distinct character
@example("  ")
@example("x" * (tasks.MAX_TEXT_CHARS + 1))
@example("".join(chr(0x4E00 + n) for n in range(tasks.MAX_VOCAB + 1)))
def test_task_text_is_usable_or_refused_with_a_reason(text):
    try:
        task = tasks.text_task(text)
    except ValueError as e:
        assert len(str(e)) > 10  # a sentence, shown as is by the train page
        assert not isinstance(text, str) or (
            not text.strip()
            or len(text) > tasks.MAX_TEXT_CHARS
            or not 2 <= len(set(text)) <= tasks.MAX_VOCAB
        )
        return
    assert 2 <= len(task.vocab) <= tasks.MAX_VOCAB and task.input_size == len(task.vocab)
    batch = task.sample(0)
    T = len(text) - 1
    assert batch.x.shape == (T, 1, len(task.vocab)) and batch.y.shape == (T, 1)
    ids = [task.vocab.index(ch) for ch in text]
    np.testing.assert_array_equal(batch.x[:, 0].argmax(axis=1), ids[:-1])
    np.testing.assert_array_equal(batch.y[:, 0], ids[1:])


# ----- the URL --------------------------------------------------------------------------------

url_value = st.one_of(
    st.text(max_size=30),
    st.integers(-(10**30), 10**30).map(str),
    st.floats().map(repr),
    st.sampled_from(["", "nan", "inf", "-1", "1e3", "0x10", "٣", "true", "1,2", "9" * 5000]),
)
url_params = st.dictionaries(
    st.sampled_from([*codec.QUERY_KEYS, *codec.SELECTION_KEYS, "zz", "H ", "utm_source"]),
    url_value,
    max_size=8,
)


@settings(max_examples=200, deadline=None)
@given(url_params)
@example({"H": "9" * 5000, "T": "-1", "seed": "nan", "hand": "nan,1,1,1,1,1,1,1,1,1,1,1"})
@example({"proj": "5", "H": "3"})  # proj ≥ H
@example({"t": "-1", "j": "1e3", "k": "٣"})
def test_url_gives_valid_settings_and_a_message_per_bad_value(params):
    cfg, problems = codec.settings_from_query(params)
    sel, sel_problems = codec.selection_from_query(params)
    for name, (lo, hi) in codec.INT_LIMITS.items():
        assert lo <= getattr(cfg, name) <= hi
    assert cfg.proj_size < cfg.hidden_size
    assert len(cfg.hand) == 12 and all(math.isfinite(v) for v in cfg.hand)
    assert len(cfg.input_text) <= codec.MAX_TEXT_CHARS
    for key, fmt in problems + sel_problems:
        assert_translatable(key, fmt)
    # A value that was kept round-trips through the URL the app writes back.
    again, none = codec.settings_from_query(codec.settings_to_query(cfg))
    linked = cfg
    if len(cfg.input_text) > codec.MAX_URL_TEXT:  # a long text stays out of the link
        linked = dataclasses.replace(cfg, input_text=codec.Settings().input_text)
    assert again == linked and not none
    named = {fmt["param"] for _, fmt in problems + sel_problems}
    for qkey, name in codec.QUERY_KEYS.items():
        if qkey in params and qkey not in named:
            assert codec.check_value(name, params[qkey]) == getattr(cfg, name)
    assert all(0 <= v <= 10_000 for v in (sel.layer, sel.direction, sel.t or 0))  # None: not chosen


@FAST
@given(st.dictionaries(st.sampled_from(list(codec.QUERY_KEYS)), url_value, min_size=1))
def test_every_refused_url_value_is_named_in_a_message(params):
    _, problems = codec.settings_from_query(params)
    named = {fmt["param"] for _, fmt in problems}
    for qkey, name in codec.QUERY_KEYS.items():
        if qkey not in params:
            continue
        try:
            codec.check_value(name, params[qkey])
        except (ValueError, TypeError, OverflowError):
            assert qkey in named


# ----- the Compare page's lengths field --------------------------------------------------------


@FAST
@given(
    st.one_of(st.text(max_size=60), st.lists(st.integers(-3, 50), max_size=10).map(str)),
    st.integers(1, cl.LIMITS["batch"][1]),
    st.integers(1, cl.LIMITS["seq_len"][1]),
)
def test_lengths_parse_or_say_why(text, B, T):
    try:
        lengths = cl.parse_lengths(text, B, T)
    except cl.CompareError as e:
        assert_translatable(e.key, e.fmt)
        return
    assert lengths is None or (len(lengths) == B and all(1 <= n <= T for n in lengths))


# ----- uploaded state_dicts --------------------------------------------------------------------

configs = st.fixed_dictionaries(
    {
        "input_size": st.integers(1, 5),
        "hidden_size": st.integers(2, 5),
        "num_layers": st.integers(1, 3),
        "bias": st.booleans(),
        "bidirectional": st.booleans(),
        "proj_size": st.integers(0, 1),
    }
)


@settings(max_examples=40, deadline=None)
@given(configs, st.integers(0, 2**31 - 1))
def test_npz_upload_round_trip_infers_every_option(config, seed):
    model = LSTM(**config, seed=seed)
    got, sd, prefix = uploads.model_from_upload("w.npz", uploads.npz_bytes(model.state_dict()))
    assert prefix == "" and got == model.config() | {"batch_first": False, "dropout": 0.0}
    for k, v in model.state_dict().items():
        np.testing.assert_array_equal(sd[k], v)


def _npz(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def _npy(shape, descr: str = "<f8", body: bytes = b"") -> bytes:
    head = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        head, {"descr": descr, "fortran_order": False, "shape": tuple(shape)}
    )
    return head.getvalue() + body


tampered_sd = st.dictionaries(
    st.one_of(
        st.sampled_from(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"]),
        st.sampled_from(["weight_ih_l1", "weight_hr_l0", "weight_ih_l0_reverse", "x", "lstm.a"]),
        st.text(min_size=1, max_size=12),
    ),
    st.one_of(
        st.lists(st.integers(0, 9), min_size=0, max_size=3).map(
            lambda s: np.zeros(tuple(s), dtype=np.float32)
        ),
        st.sampled_from([np.array([1, 2], dtype=np.int64), np.array([1 + 2j]), np.array(["a"])]),
    ),
    max_size=6,
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tampered_sd)
@example({"weight_ih_l0": np.zeros((8, 3)), "weight_hh_l0": np.zeros((8, 3))})  # H=2, h is (8,3)
@example({"weight_ih_l0": np.zeros((7, 3))})  # not 4·H rows
@example({"weight_ih_l0": np.zeros((4 * 65, 1))})  # H past the limit
def test_any_state_dict_loads_or_every_problem_is_listed(sd):
    assume(all("/" not in k and "\x00" not in k for k in sd))  # zip member names
    try:
        data = uploads.npz_bytes(sd)
    except (ValueError, OSError):
        return
    try:
        config, got, _ = uploads.model_from_upload("w.npz", data)
    except uploads.UploadError as e:
        assert_translatable(e.key, e.fmt)
        assert all(isinstance(p, str) and p for p in e.problems)
        return
    model = LSTM(**config)  # the config it reports really builds a model
    model.load_state_dict(got)
    for name, (lo, hi) in cl.LIMITS.items():
        if name in config:
            assert lo <= config[name] <= hi


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.integers(0, 2**40), min_size=1, max_size=3),
    st.sampled_from(["<f8", "<f4", "<i8", "|u1", "|O"]),
)
@example([2**40], "<f8")  # 8 TiB declared in a 200-byte member
@example([10**6, 10**6], "<f8")
def test_npy_headers_that_lie_about_their_shape_are_refused(shape, descr):
    """A member's .npy header declares more than it holds: refused, nothing allocated."""
    data = _npz({"weight_ih_l0.npy": _npy(shape, descr, bytes(64))})
    declared = math.prod(shape) * np.dtype(descr).itemsize
    try:
        sd = uploads.read_npz_bytes(data)
    except uploads.UploadError as e:
        assert_translatable(e.key, e.fmt)
        return
    assert declared <= 64 and descr != "|O", f"accepted {declared:,} bytes from 64"
    assert sd["weight_ih_l0"].shape == tuple(shape)


def test_npy_header_declaring_8_tib_is_refused_with_a_message():
    data = _npz({"weight_ih_l0.npy": _npy((2**40,), "<f8", bytes(64))})
    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload("lie.npz", data)
    assert_translatable(e.value.key, e.value.fmt)


@FAST
@given(st.text(max_size=40), st.binary(max_size=64))
def test_any_file_name_is_handled(name, data):
    try:
        uploads.model_from_upload(name, data)
    except uploads.UploadError as e:
        assert_translatable(e.key, e.fmt)


@FAST
@given(st.one_of(st.text(max_size=260), st.text(alphabet="ab \n你好", max_size=260)))
@example("  ab  ")
@example("a" + " " * 500 + "b")
def test_train_page_text_check_agrees_with_the_task(text):
    """The Train page's check (ui.training_runner.text_problem) passes only what the task takes."""
    from ui import training_runner as runner

    problem = runner.text_problem(text, inputs.MAX_T)
    if problem is not None:
        key, fmt = problem
        assert_translatable(f"train.{key}", fmt)
        return
    task = tasks.text_task(text.strip())  # what the page trains on: must not raise
    assert 2 <= len(task.vocab) <= tasks.MAX_VOCAB
    inputs.one_hot_text(text.strip())  # and the trained model runs on it as the sidebar's input
