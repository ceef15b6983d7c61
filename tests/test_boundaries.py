"""lstm_core is NumPy and the standard library only; torch_bridge alone touches torch (lazily)."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORE = ROOT / "lstm_core"
FORBIDDEN = ("streamlit", "plotly", "torch")


def test_import_lstm_core_loads_no_ui_or_torch():
    """In a fresh interpreter: import lstm_core (and run it) and look at sys.modules."""
    code = (
        "import json, sys\n"
        "import numpy as np\n"
        "import lstm_core\n"
        "from lstm_core import LSTM\n"
        "LSTM(3, 4, num_layers=2, bidirectional=True, seed=0).trace(np.zeros((2, 1, 3)))\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    modules = json.loads(done.stdout)
    assert "lstm_core" in modules and "numpy" in modules  # the check itself works
    loaded = [m for m in modules if m.split(".")[0] in FORBIDDEN]
    assert loaded == [], f"importing lstm_core loaded {loaded}"


def _imported_roots(path: Path) -> set[str]:
    """Top-level names of every import in a file, wherever it is (module level or in a function)."""
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name | ast.Attribute)
            and getattr(node.func, "id", getattr(node.func, "attr", None))
            in ("__import__", "import_module")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            roots.add(str(node.args[0].value).split(".")[0])
    return roots


CORE_FILES = sorted(p for p in CORE.glob("*.py") if p.name != "torch_bridge.py")


@pytest.mark.parametrize("path", CORE_FILES, ids=lambda p: p.name)
def test_core_module_imports_no_ui_or_torch(path):
    bad = _imported_roots(path) & set(FORBIDDEN)
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_ast_scan_finds_imports_anywhere(tmp_path):
    """The scanner is not blind: it sees imports inside functions and dynamic ones."""
    f = tmp_path / "m.py"
    f.write_text(
        "import numpy as np\n"
        "def a():\n    import torch.nn\n"
        "def b():\n    from plotly import graph_objects\n"
        "def c():\n    __import__('streamlit')\n"
        "def d():\n    import importlib\n    importlib.import_module('torch')\n"
    )
    assert _imported_roots(f) >= {"numpy", "torch", "plotly", "streamlit", "importlib"}


def test_torch_bridge_imports_torch_only_lazily():
    """torch_bridge may use torch, but never at module level: importing it stays cheap."""
    tree = ast.parse((CORE / "torch_bridge.py").read_text(encoding="utf-8"))
    top = set()
    for node in tree.body:
        if isinstance(node, ast.Import):
            top |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            top.add(node.module.split(".")[0])
    assert not top & set(FORBIDDEN), f"module-level imports: {sorted(top)}"
    code = "import sys, lstm_core.torch_bridge; print('torch' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"
