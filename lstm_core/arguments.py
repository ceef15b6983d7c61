"""Checks for the models' arguments, torch's initialisation and strict state_dict loading."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .trace import freeze

DTYPES = (np.float32, np.float64)


def check_dtype(dtype) -> np.dtype:
    """float32 or float64 as a NumPy dtype; a ValueError for anything else."""
    dt = np.dtype(dtype)
    if dt not in [np.dtype(d) for d in DTYPES]:
        raise ValueError(f"dtype must be float32 or float64, got {dt}")
    return dt


def check_positive_int(name: str, value, minimum: int = 1) -> int:
    """An integer ≥ minimum (not a bool), as a Python int."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{name} must be an integer ≥ {minimum}, got {value!r}")
    return int(value)


def float_copy(a, dtype: np.dtype) -> np.ndarray:
    """A new float array from numbers, arrays or tensors (asarray first: torch tensors do not take
    NumPy 2's copy keyword). Complex values are refused, not silently cut to their real part."""
    arr = np.asarray(a)
    if arr.dtype.kind == "c":
        raise TypeError("complex values")
    return arr.astype(dtype)


def as_array(name: str, a, dtype: np.dtype) -> np.ndarray:
    """A finite float copy of an argument; a ValueError naming it otherwise."""
    try:
        arr = float_copy(a, dtype)  # a copy: the trace freezes what it keeps
    except (TypeError, ValueError) as e:
        raise ValueError(f"{name} must be an array of numbers ({e})") from None
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} must be finite, got NaN or infinity")
    return arr


def uniform_init(rng: np.random.Generator, shapes: dict[str, tuple], H: int, dtype) -> dict:
    """torch's default: every parameter from U(-1/√H, 1/√H)."""
    k = 1.0 / np.sqrt(H)
    return {
        name: freeze(rng.uniform(-k, k, size=shape).astype(dtype)) for name, shape in shapes.items()
    }


def load_strict(shapes: dict[str, tuple], sd: Mapping, dtype: np.dtype) -> dict[str, np.ndarray]:
    """Check a state_dict against the expected keys and shapes; every problem in one ValueError."""
    problems = [f"missing key {k!r} (expected shape {shapes[k]})" for k in shapes if k not in sd]
    problems += [f"unexpected key {k!r}" for k in sd if k not in shapes]
    loaded = {}
    for k, shape in shapes.items():
        if k not in sd:
            continue
        try:
            a = float_copy(sd[k], dtype)
        except (TypeError, ValueError, RuntimeError):
            problems.append(f"{k!r} is not an array of numbers")
            continue
        if a.shape != shape:
            problems.append(f"{k!r} must have shape {shape}, got {a.shape}")
        elif not np.all(np.isfinite(a)):
            problems.append(f"{k!r} contains NaN or infinity")
        else:
            loaded[k] = freeze(a)  # never changed in place, so traces can share it
    if problems:
        raise ValueError("state_dict does not fit this model: " + "; ".join(problems))
    return loaded
