"""The test suite stands alone and does not skip its promises in CI.

- need_torch(): a missing torch skips the parity tests locally and FAILS them under CI=true.
- The browser fixture: a missing Chromium likewise (skip locally, fail under CI=true).
- No test imports bench/ (the browser helpers live in tests/browser_helpers.py), none skips on
  torch with importorskip, and no browser test sleeps a fixed time.
"""

from __future__ import annotations

import ast
import re
import sys
import types
from pathlib import Path

import browser_helpers
import conftest
import pytest
from needs import missing, need_torch

TESTS = Path(__file__).resolve().parent


@pytest.fixture
def no_torch(monkeypatch):
    """`import torch` raises ImportError, as if torch were not installed."""
    monkeypatch.setitem(sys.modules, "torch", None)


def test_missing_torch_fails_under_ci(no_torch, monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match=r"torch cannot be imported.*parity"):
        need_torch()


def test_missing_torch_skips_outside_ci(no_torch, monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="torch cannot be imported"):
        need_torch()
    monkeypatch.setenv("CI", "false")
    with pytest.raises(pytest.skip.Exception):
        need_torch()


def test_need_torch_returns_the_module_when_it_is_there(monkeypatch):
    fake = types.ModuleType("torch")
    monkeypatch.setitem(sys.modules, "torch", fake)
    monkeypatch.setenv("CI", "true")
    assert need_torch() is fake


def test_a_missing_torch_at_module_level_fails_collection_under_ci(no_torch, monkeypatch, tmp_path):
    """The parity files call need_torch() at import: under CI that is a collection error."""
    monkeypatch.setenv("CI", "true")
    mod = tmp_path / "parity_like.py"
    mod.write_text("from needs import need_torch\ntorch = need_torch()\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(pytest.fail.Exception, match="must run in CI"):
        __import__("parity_like")
    sys.modules.pop("parity_like", None)


def test_missing_fails_in_ci_and_skips_elsewhere(monkeypatch):
    monkeypatch.setenv("CI", "TRUE")
    with pytest.raises(pytest.fail.Exception, match="must run in CI.*no widget"):
        missing("no widget")
    monkeypatch.setenv("CI", "")
    with pytest.raises(pytest.skip.Exception, match="no widget"):
        missing("no widget")


def test_missing_chromium_fails_the_browser_fixture_under_ci(monkeypatch, tmp_path):
    monkeypatch.setattr(browser_helpers, "CHROMIUM", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="must run in CI"):
        conftest.start_browser()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception):
        conftest.start_browser()


def _sources():
    files = sorted(TESTS.glob("*.py"))
    assert len(files) > 20  # the glob found the suite
    return [(f.name, f.read_text(encoding="utf-8")) for f in files]


def test_no_test_imports_bench():
    for name, src in _sources():
        for node in ast.walk(ast.parse(src)):
            if isinstance(node, ast.Import):
                mods = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                mods = [node.module or ""]
            else:
                continue
            for m in mods:
                assert m.split(".")[0] not in ("bench", "harness"), f"{name} imports {m}"
        assert not re.search(r"sys\.path.*bench", src), f"{name} puts bench/ on sys.path"


def test_torch_is_needed_not_importorskipped():
    for name, src in _sources():
        for node in ast.walk(ast.parse(src)):
            skips_torch = (
                isinstance(node, ast.Call)
                and getattr(node.func, "attr", getattr(node.func, "id", "")) == "importorskip"
                and any(isinstance(a, ast.Constant) and a.value == "torch" for a in node.args)
            )
            assert not skips_torch, (
                f"{name}:{node.lineno}: use `torch = need_torch()` (from needs), not "
                'importorskip("torch"): '
                "in CI a missing torch must fail the parity tests"
            )


def test_browser_tests_never_sleep_a_fixed_time():
    for name, src in _sources():
        if not name.startswith("test_browser"):
            continue
        for bad in ("wait_for_timeout(", "time.sleep(", "asyncio.sleep("):
            assert bad not in src, f"{name}: {bad} — wait on a condition instead (browser_helpers)"
