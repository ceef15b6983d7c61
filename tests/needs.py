"""What a test needs that may be missing on a machine: skipped locally, a FAILURE under CI=true.

The parity tests (every number against torch.nn.LSTM) are the product's headline promise: in CI a
missing torch must fail them, never skip them. Use `torch = need_torch()` (module level or inside
a test) instead of `pytest.importorskip("torch")`. The browser fixtures follow the same rule for
Playwright and Chromium (conftest.py).
"""

from __future__ import annotations

import importlib
import os

import pytest


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def missing(reason: str):
    """Skip locally; in CI something missing is a failure, never a silent skip."""
    if in_ci():
        pytest.fail(f"must run in CI (CI=true), but {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def need(module: str, why: str):
    """The imported module, or missing(...) saying which and why the tests need it."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        missing(f"{module} cannot be imported ({e}); {why}")


def need_torch():
    """torch, for the tests that check our numbers against it."""
    return need("torch", "the parity tests compare every number against torch (pip install torch)")
