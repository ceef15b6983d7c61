"""The floors of the house, read from every module's imports (AST): each imports only floors below.

lstm_core (NumPy: models, traces, gradients) ← app_logic (pure application logic) ← viz (figures)
← ui (Streamlit) ← app.py, pages/. Streamlit is imported only on the top two floors, Plotly only
from viz up.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FLOORS = {"lstm_core": 0, "app_logic": 1, "viz": 2, "ui": 3, "pages": 4, "app": 4}
# Third-party packages and the lowest floor that may import them.
OUTSIDE = {"streamlit": 3, "plotly": 2, "pandas": 1}


def _floor_of(path: Path) -> str:
    rel = path.relative_to(ROOT)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def _imports(source: str) -> set[str]:
    """Top-level names of every absolute import in a module, at module level or in a function."""
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


MODULES = sorted(
    p for floor in FLOORS for p in (ROOT / floor).glob("*.py") if (ROOT / floor).is_dir()
) + [ROOT / "app.py"]


def test_every_floor_has_modules():
    found = {_floor_of(p) for p in MODULES}
    assert found == set(FLOORS), f"floors with no module: {set(FLOORS) - found}"


def _violations(floor: str, source: str) -> list[str]:
    own = FLOORS[floor]
    wrong = []
    for name in sorted(_imports(source)):
        if name in FLOORS and FLOORS[name] > own:
            wrong.append(f"{name} (floor {FLOORS[name]})")
        elif name in OUTSIDE and OUTSIDE[name] > own:
            wrong.append(f"{name} (allowed from floor {OUTSIDE[name]})")
    return wrong


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_floor_imports_only_the_floors_below(path):
    wrong = _violations(_floor_of(path), path.read_text(encoding="utf-8"))
    assert not wrong, f"{path.relative_to(ROOT)} imports {', '.join(wrong)}"


def test_the_rule_catches_a_violation():
    """The checker itself: imports of a higher floor, even inside a function, are found."""
    assert _violations("viz", "def f():\n    from ui import session\n") == ["ui (floor 3)"]
    assert _violations("app_logic", "import streamlit as st") == [
        "streamlit (allowed from floor 3)"
    ]
    assert _violations("ui", "from viz import palette\nimport lstm_core") == []


def test_every_page_is_in_the_menu_once_and_has_a_deep_link_entry():
    """Each registered page sits in one menu section and has its pages/_<url>.py entry."""
    from app_logic.pages import PAGES, SECTIONS

    in_menu = [file for _title, files in SECTIONS for file in files]
    assert sorted(in_menu) == sorted(file for file, *_ in PAGES)
    for _file, url, *_ in PAGES:
        assert (ROOT / "pages" / f"_{url}.py").exists(), url
