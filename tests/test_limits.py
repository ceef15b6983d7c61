"""The one limits module: every bound defined there, and the server's own upload limit agrees."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from app_logic import limits

ROOT = Path(__file__).resolve().parents[1]


def test_the_servers_upload_limit_is_ours():
    """`.streamlit/config.toml` cannot import: its maxUploadSize (MiB) must equal ours."""
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] * 2**20 == limits.MAX_UPLOAD_BYTES


def test_every_seed_field_has_the_same_bound():
    from app_logic import train_settings

    assert limits.COMPARE_LIMITS["seed"] == (0, limits.MAX_SEED)
    assert train_settings.MAX_SEED == limits.MAX_SEED


def test_no_module_defines_a_bound_of_its_own():
    """A `MAX_… = <number>` outside limits.py is a second definition (figure layout constants,
    which bound nothing a user sends, live in viz and are allowed)."""
    pattern = re.compile(r"^MAX_\w+\s*=\s*[\d(]", re.M)
    found = [
        f"{p.relative_to(ROOT)}: {m.group(0)}"
        for floor in ("app_logic", "ui", "pages")
        for p in sorted((ROOT / floor).glob("*.py"))
        if p.name != "limits.py"
        for m in pattern.finditer(p.read_text(encoding="utf-8"))
    ]
    assert found == []
