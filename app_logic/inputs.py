"""Pure parsers for the app's input sequences: typed numbers, CSV bytes, text, presets.

No Streamlit here, so every parser can be fuzzed. Each returns a finite float64 array x of shape
(T, D) within the limits below, or raises `InputError` (a `ValueError`) whose `key`/`fmt` name a
text in `assets/i18n/common.toml`, so the app can show the message in English or Chinese.
"""

from __future__ import annotations

import csv
import io
import math
import re

import numpy as np

from app_logic.limits import MAX_ABS, MAX_CSV_BYTES, MAX_D, MAX_T, MAX_TYPED_CHARS

PRESETS = ("sine", "step", "impulse", "noise")
SINE_PERIOD = 12  # timesteps per period of the sine preset


class InputError(ValueError):
    """A bad input: the English message, plus the i18n key and fields to translate it."""

    def __init__(self, key: str, message: str, **fmt) -> None:
        super().__init__(message)
        self.key = f"common.err_{key}"
        self.fmt = fmt


def check_magnitude(x: np.ndarray) -> None:
    """Refuse numbers beyond ±MAX_ABS (they would overflow float32 or saturate every gate)."""
    big = float(np.max(np.abs(x), initial=0.0))
    if big > MAX_ABS:
        raise InputError(
            "too_large",
            f"numbers must lie within ±{MAX_ABS:g}, got {big:.3g}",
            max=f"{MAX_ABS:g}",
            got=f"{big:.3g}",
        )


def _check_size(T: int, D: int) -> None:
    if T < 1:
        raise InputError("empty", "the input is empty: give at least one timestep")
    if T > MAX_T:
        raise InputError("too_long", f"at most {MAX_T} timesteps, got {T}", max=MAX_T, got=T)
    if D < 1:
        raise InputError("empty", "the input is empty: give at least one timestep")
    if D > MAX_D:
        raise InputError("too_wide", f"at most {MAX_D} features, got {D}", max=MAX_D, got=D)


def _number(token: str, row: int) -> float:
    """One number from text; 'nan', 'inf' and non-numbers are refused."""
    try:
        v = float(token)
    except ValueError:
        raise InputError(
            "not_number", f"row {row + 1}: {token[:20]!r} is not a number", row=row + 1,
            token=token[:20],
        ) from None  # fmt: skip
    if not math.isfinite(v):
        raise InputError(
            "not_finite", f"row {row + 1}: {token[:20]!r} is not a finite number", row=row + 1,
            token=token[:20],
        )  # fmt: skip
    return v


def _rows_to_array(rows: list[list[float]]) -> np.ndarray:
    """(T, D) from T rows of D numbers each; every row must have the same D."""
    T = len(rows)
    if T == 0:
        raise InputError("empty", "the input is empty: give at least one timestep")
    D = len(rows[0])
    _check_size(T, D)
    for n, r in enumerate(rows):
        if len(r) != D:
            raise InputError(
                "ragged", f"row {n + 1} has {len(r)} numbers, row 1 has {D}", row=n + 1,
                got=len(r), want=D,
            )  # fmt: skip
    x = np.array(rows, dtype=np.float64).reshape(T, D)
    if not np.all(np.isfinite(x)):  # e.g. 1e308 * ... cannot happen from float(), but be sure
        raise InputError("not_finite", "the input holds NaN or infinity", row=0, token="")
    return x


def parse_typed(text: str) -> np.ndarray:
    """Numbers typed by hand → x (T, D).

    One feature per step: `0.5, -1, 2` (commas or spaces). Several features per step: rows separated
    by `;` or newlines, numbers within a row by commas or spaces: `0.5 1; -1 0` is (2, 2).
    """
    if not isinstance(text, str):
        raise InputError("empty", "the input is empty: give at least one timestep")
    if len(text) > MAX_TYPED_CHARS:
        raise InputError(
            "too_many_chars", f"at most {MAX_TYPED_CHARS} characters, got {len(text)}",
            max=MAX_TYPED_CHARS, got=len(text),
        )  # fmt: skip
    text = text.replace("，", ",").replace(
        "；", ";"
    )  # full-width punctuation from Chinese keyboards
    lines = [ln.strip() for ln in re.split(r"[;\n\r]", text)]
    lines = [ln for ln in lines if ln]
    if not lines:
        raise InputError("empty", "the input is empty: give at least one timestep")
    rows = [
        [_number(tok, n) for tok in re.split(r"[,\s]+", ln) if tok] for n, ln in enumerate(lines)
    ]
    if len(rows) == 1:  # a single row is a sequence of scalars: T steps, D = 1
        rows = [[v] for v in rows[0]]
    return _rows_to_array(rows)


def parse_csv(data: bytes) -> tuple[np.ndarray, tuple[str, ...] | None]:
    """CSV bytes (T rows × D columns, optional header row) → (x (T, D), column names or None)."""
    if not isinstance(data, (bytes, bytearray)):
        raise InputError("csv_empty", "the CSV file is empty")
    if len(data) > MAX_CSV_BYTES:
        raise InputError(
            "csv_too_big", f"the CSV file must be at most {MAX_CSV_BYTES // 1000} kB, "
            f"got {len(data) // 1000} kB", max=MAX_CSV_BYTES // 1000, got=len(data) // 1000,
        )  # fmt: skip
    try:
        text = bytes(data).decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise InputError(
            "csv_encoding", f"the CSV file is not UTF-8 text (byte {e.start})", pos=e.start
        ) from None
    if "\x00" in text:
        raise InputError("csv_encoding", "the CSV file is not UTF-8 text (byte 0)", pos=0)
    try:
        sample = text[:4096]
        delimiter = ";" if sample.count(";") > sample.count(",") else ","
        if "\t" in sample and sample.count("\t") > sample.count(delimiter):
            delimiter = "\t"
        raw = [[c.strip() for c in r] for r in csv.reader(io.StringIO(text), delimiter=delimiter)]
    except csv.Error as e:
        raise InputError("csv_syntax", f"the CSV file cannot be read: {e}", reason=str(e)) from None
    raw = [r for r in raw if any(c for c in r)]
    if not raw:
        raise InputError("csv_empty", "the CSV file is empty")
    names = None
    if any(_is_word(c) for c in raw[0]):  # a header row: names, not numbers
        names = tuple(c[:24] for c in raw[0])
        raw = raw[1:]
        if not raw:
            raise InputError("csv_empty", "the CSV file is empty")
    if len(raw) > MAX_T:
        raise InputError("too_long", f"at most {MAX_T} timesteps, got {len(raw)}", max=MAX_T,
                         got=len(raw))  # fmt: skip
    rows = [[_number(c, n) for c in r] for n, r in enumerate(raw)]
    x = _rows_to_array(rows)
    if names is not None and len(names) != x.shape[1]:
        raise InputError(
            "ragged", f"the header has {len(names)} names, row 1 has {x.shape[1]} numbers",
            row=1, got=len(names), want=x.shape[1],
        )  # fmt: skip
    return x, names


def _is_word(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return True
    return False


def one_hot_text(text: str) -> tuple[np.ndarray, tuple[str, ...]]:
    """A word or sentence → (x (T, D) one-hot over its D distinct characters, those characters).

    Characters are numbered in order of first appearance; Chinese works like any other character.
    """
    if not isinstance(text, str):
        raise InputError("empty", "the input is empty: give at least one timestep")
    chars = list(text.strip())
    alphabet = tuple(dict.fromkeys(chars))
    _check_size(len(chars), len(alphabet))
    index = {ch: j for j, ch in enumerate(alphabet)}
    x = np.zeros((len(chars), len(alphabet)))
    x[np.arange(len(chars)), [index[ch] for ch in chars]] = 1.0
    return x, alphabet


def preset(kind: str, T: int, D: int = 1, seed: int = 0) -> np.ndarray:
    """A built-in input → x (T, D).

    sine: sin(2π t / 12), one period every 12 steps, D = 1; step: 0 for the first half, then 1;
    impulse: 1 at t = 0, then 0; noise: N(0, 1) draws from `seed`, D features.
    """
    if kind not in PRESETS:
        raise InputError("unknown_preset", f"unknown preset {kind!r}", kind=str(kind)[:20])
    T, D = int(T), int(D) if kind == "noise" else 1
    _check_size(T, D)
    t = np.arange(T, dtype=np.float64)
    if kind == "sine":
        x = np.sin(2 * np.pi * t / SINE_PERIOD)
    elif kind == "step":
        x = (t >= T // 2).astype(np.float64)
    elif kind == "impulse":
        x = (t == 0).astype(np.float64)
    else:
        return np.random.default_rng(seed).normal(size=(T, D))
    return x[:, None]
