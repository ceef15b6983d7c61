"""What the user set (Settings) and what they look at (Selection): their values, checks and URL.

Pure: no Streamlit. `ui.session` keeps one Settings and one Selection per session and writes them
to the address bar through `settings_to_query` / `selection_to_query`; a link is read back through
`settings_from_query` / `selection_from_query` (a bad value → its default plus a message).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from app_logic import hand_cell
from app_logic.limits import MAX_D, MAX_HIDDEN, MAX_INDEX, MAX_LAYERS, MAX_SEED, MAX_T, MAX_URL_TEXT
from app_logic.limits import MAX_TYPED_CHARS as MAX_TEXT_CHARS

if TYPE_CHECKING:
    from app_logic.run import Run

LANGS = ("en", "zh")
INPUT_KINDS = ("sine", "step", "impulse", "noise", "text", "typed", "csv")
WEIGHT_SOURCES = ("random", "hand", "trained", "uploaded")
DTYPES = ("float64", "float32")
# The hand-set 1-unit cell (app_logic/hand_cell.py): its 12 numbers' names, defaults and range.
HAND_NAMES, HAND_DEFAULT, HAND_RANGE = hand_cell.NAMES, hand_cell.DEFAULT, hand_cell.RANGE
# The colour palettes (viz.palette.PALETTES has one of each; a test keeps the two lists equal):
# the article's own colours (the default) and a colour-blind-safe one.
PALETTE_NAMES = ("article", "colorblind")
# The stages of one timestep inside the cell, in the order it computes them (the selection's
# `stage` indexes this; the URL names it): f → i → g → c update → o → h.
STAGES = ("forget", "input", "candidate", "update", "output", "hidden")


@dataclass(frozen=True)
class Settings:
    """Everything the sidebar sets: language, input, model sizes, weight source, seed, colours."""

    lang: str = "en"
    input_kind: str = "sine"
    input_text: str = ""  # typed numbers (kind "typed") or a word/sentence (kind "text")
    seq_len: int = 12  # T of the presets
    num_features: int = 1  # D of the noise preset
    hidden_size: int = 4
    num_layers: int = 1
    bidirectional: bool = False
    proj_size: int = 0
    dtype: str = "float64"
    weights: str = "random"
    seed: int = 0
    hand: tuple[float, ...] = HAND_DEFAULT
    palette: str = "article"  # the colours of every figure (viz.palette.PALETTES)

    @property
    def is_hand(self) -> bool:
        return self.weights == "hand"


@dataclass(frozen=True)
class Selection:
    """What the user looks at: layer k, direction d, timestep t, hidden unit j (None = all).

    t None: not chosen yet; the pages show the run's opening step (`app_logic.run.opening_step`,
    where the memory is no longer empty), and the URL leaves t out. Inside the cell at t: the
    stage (index into STAGES), whether its numbers are revealed, and whether the cell asks for a
    prediction before each reveal.
    """

    layer: int = 0
    direction: int = 0
    t: int | None = None
    unit: int | None = None
    stage: int = 0
    reveal: bool = False
    predict: bool = True


# ----- settings: validation and the URL --------------------------------------------------------

# query-parameter name → Settings field
QUERY_KEYS = {
    "lang": "lang",
    "input": "input_kind",
    "text": "input_text",
    "T": "seq_len",
    "D": "num_features",
    "H": "hidden_size",
    "layers": "num_layers",
    "bi": "bidirectional",
    "proj": "proj_size",
    "dtype": "dtype",
    "weights": "weights",
    "seed": "seed",
    "hand": "hand",
    "palette": "palette",
}
SELECTION_KEYS = {
    "k": "layer",
    "dir": "direction",
    "t": "t",
    "j": "unit",
    "stage": "stage",
    "reveal": "reveal",
    "predict": "predict",
}
INT_LIMITS = {
    "seq_len": (1, MAX_T),
    "num_features": (1, MAX_D),
    "hidden_size": (1, MAX_HIDDEN),
    "num_layers": (1, MAX_LAYERS),
    "proj_size": (0, MAX_HIDDEN - 1),
    "seed": (0, MAX_SEED),
}
CHOICES = {
    "lang": LANGS,
    "input_kind": INPUT_KINDS,
    "dtype": DTYPES,
    "weights": WEIGHT_SOURCES,
    "palette": PALETTE_NAMES,
}


def check_value(name: str, value):
    """A Settings field value, converted and range-checked; ValueError if it does not fit."""
    default = getattr(Settings(), name)
    if name in CHOICES:
        if value not in CHOICES[name]:
            raise ValueError(name)
        return value
    if name in INT_LIMITS:
        if isinstance(value, str):
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(name)
        lo, hi = INT_LIMITS[name]
        if not lo <= value <= hi:
            raise ValueError(name)
        return int(value)
    if name == "bidirectional":
        if isinstance(value, str):
            if value.strip().lower() not in ("0", "1", "true", "false"):
                raise ValueError(name)
            return value.strip().lower() in ("1", "true")
        return bool(value)
    if name == "input_text":
        if not isinstance(value, str) or len(value) > MAX_TEXT_CHARS:
            raise ValueError(name)
        return value
    if name == "hand":
        if isinstance(value, str):
            value = [float(v) for v in value.split(",")]
        vals = tuple(float(v) for v in value)
        lo, hi = HAND_RANGE
        if len(vals) != len(HAND_NAMES) or not all(lo <= v <= hi for v in vals):
            raise ValueError(name)
        return vals
    raise ValueError(f"unknown setting {name!r} (default {default!r})")


def fix_proj(cfg: Settings) -> Settings:
    """proj_size must stay below hidden_size."""
    if cfg.proj_size >= cfg.hidden_size:
        return dataclasses.replace(cfg, proj_size=0)
    return cfg


def settings_from_query(params: Mapping[str, str]) -> tuple[Settings, list[tuple[str, dict]]]:
    """Settings from URL query parameters; a bad value → its default and a message (key, fmt)."""
    values, problems = {}, []
    for qkey, name in QUERY_KEYS.items():
        if qkey not in params:
            continue
        raw = params[qkey]
        try:
            values[name] = check_value(name, raw)
        except (ValueError, TypeError, OverflowError):
            problems.append(
                (
                    "common.msg_bad_url",
                    {"param": qkey, "value": str(raw)[:40], "default": _show(name)},
                )
            )
    cfg = Settings(**values)
    fixed = fix_proj(cfg)
    if fixed != cfg:
        problems.append(
            ("common.msg_bad_url", {"param": "proj", "value": str(cfg.proj_size), "default": "0"})
        )
    return fixed, problems


def _show(name: str) -> str:
    v = getattr(Settings(), name)
    if name == "hand":
        return ",".join(f"{a:g}" for a in v)
    return str(v).lower() if isinstance(v, bool) else str(v)


def settings_to_query(cfg: Settings) -> dict[str, str]:
    """The URL query parameters for `cfg`: only the values that differ from the defaults."""
    default, out = Settings(), {}
    for qkey, name in QUERY_KEYS.items():
        v = getattr(cfg, name)
        if v == getattr(default, name):
            continue
        if name == "hand":
            out[qkey] = ",".join(f"{a:.12g}" for a in v)
        elif name == "input_text" and len(v) > MAX_URL_TEXT:
            continue  # too long for a link (servers refuse huge URLs); the sidebar says so
        elif isinstance(v, bool):
            out[qkey] = "1" if v else "0"
        else:
            out[qkey] = str(v)
    return out


# ----- the selection: its URL and its ranges ---------------------------------------------------

_BOOLS = {"1": True, "true": True, "0": False, "false": False}
_NOT_CHOSEN = {"t": "auto", "unit": "all"}  # how the URL writes a field left at None


def _selection_value(name: str, raw: str):
    """A Selection field from its URL text; ValueError if it does not fit."""
    raw = str(raw).strip().lower()
    if name in _NOT_CHOSEN and raw in ("", _NOT_CHOSEN[name]):
        return None
    if name in ("reveal", "predict"):
        return _BOOLS[raw]  # KeyError: not a yes / no
    if name == "stage":
        return STAGES.index(raw) if raw in STAGES else _bounded(int(raw), len(STAGES) - 1)
    return _bounded(int(raw), MAX_INDEX)


def _bounded(v: int, hi: int) -> int:
    if not 0 <= v <= hi:
        raise ValueError(v)
    return v


def selection_from_query(params: Mapping[str, str]) -> tuple[Selection, list[tuple[str, dict]]]:
    """A Selection from the URL (not yet clamped to a run); bad values → defaults plus a message."""
    values, problems = {}, []
    for qkey, name in SELECTION_KEYS.items():
        if qkey not in params:
            continue
        raw = params[qkey]
        try:
            values[name] = _selection_value(name, raw)
        except (ValueError, TypeError, KeyError):
            default = selection_to_query(Selection(), every=True)[qkey]
            fmt = {"param": qkey, "value": str(raw)[:40], "default": default}
            # t and unit left unchosen have no value to name: their own words say what is shown
            key = f"common.msg_bad_url_{name}" if name in _NOT_CHOSEN else "common.msg_bad_url"
            problems.append((key, fmt))
    return Selection(**values), problems


def selection_to_query(sel: Selection, every: bool = False) -> dict[str, str]:
    """The URL query parameters for `sel`: those that differ from the defaults (or `every` one)."""
    default, out = Selection(), {}
    for qkey, name in SELECTION_KEYS.items():
        v = getattr(sel, name)
        if v == getattr(default, name) and not every:
            continue
        if name == "stage":
            out[qkey] = STAGES[v]
        elif isinstance(v, bool):
            out[qkey] = "1" if v else "0"
        else:
            out[qkey] = _NOT_CHOSEN[name] if v is None else str(v)
    return out


def clamp_selection(sel: Selection, run: Run) -> Selection:
    """`sel` moved into the run's ranges: layer < L, direction < dirs, t < T, unit < H.

    A t or unit left at None stays None (see `app_logic.run.shown_selection`)."""
    tr_ = run.trace

    def clip(v: int, n: int) -> int:
        return int(min(max(v, 0), n - 1))

    return dataclasses.replace(
        sel,
        layer=clip(sel.layer, tr_.num_layers),
        direction=clip(sel.direction, tr_.num_directions),
        t=None if sel.t is None else clip(sel.t, run.T),
        unit=None if sel.unit is None else clip(sel.unit, run.H),
        stage=clip(sel.stage, len(STAGES)),
    )
