"""The Train page's own settings: their defaults per task, and their form in the URL.

The values are kept in session state under `_<key>` (see `ui.widgets.kept`); the URL carries
the ones that differ from the task's defaults, under the widgets' own keys
(`/training?train_task=remember&train_H=32&train_lr=0.003`), so a copied link opens the page
with the same settings. Pure functions: no Streamlit here.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from app_logic.limits import MAX_FORGET_BIAS as MAX_FB
from app_logic.limits import MAX_SEED, MAX_TRAIN_TEXT
from app_logic.limits import MAX_TRAIN_HIDDEN as MAX_H
from app_logic.limits import MAX_TRAIN_STEPS as MAX_STEPS
from lstm_core.tasks import DEFAULT_TEXT, TASK_NAMES
from lstm_core.training import DEFAULT_CONFIGS

LRS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)  # the slider's stops; a link may hold another
LR_RANGE = (1e-5, 1.0)
DEFAULT_TASK = "sine"
TASK, TEXT = "train_task", "train_text"
KEYS = (TASK, "train_H", "train_layers", "train_opt", "train_lr", "train_steps", "train_seed",
        "train_fb", TEXT)  # fmt: skip


def task_defaults(task: str) -> dict:
    """The page's widget values for the core's default configuration of `task`."""
    cfg = DEFAULT_CONFIGS[task]
    return {
        "train_H": cfg.hidden_size,
        "train_layers": cfg.num_layers,
        "train_opt": cfg.optimizer,
        "train_lr": cfg.lr,
        "train_steps": min(cfg.steps, MAX_STEPS),
        "train_seed": cfg.seed,
        "train_fb": float(cfg.forget_bias),
    }


def _int_in(lo: int, hi: int):
    def check(raw: str) -> int:
        v = int(raw)
        if not lo <= v <= hi:
            raise ValueError(raw)
        return v

    return check


def _one_of(*options):
    def check(raw: str):
        for o in options:
            if raw == str(o):
                return o
        raise ValueError(raw)

    return check


def _lr(raw: str) -> float:
    v = float(raw)
    if not (math.isfinite(v) and LR_RANGE[0] <= v <= LR_RANGE[1]):
        raise ValueError(raw)
    return v


def _forget_bias(raw: str) -> float:
    v = float(raw)
    if not (0.0 <= v <= MAX_FB and (2 * v).is_integer()):  # the slider's steps of 0.5
        raise ValueError(raw)
    return v


def _text(raw: str) -> str:
    if not raw.strip() or len(raw) > MAX_TRAIN_TEXT:
        raise ValueError(raw)
    return raw


CHECKS = {
    TASK: _one_of(*TASK_NAMES),
    "train_H": _int_in(1, MAX_H),
    "train_layers": _one_of(1, 2),
    "train_opt": _one_of("adam", "sgd"),
    "train_lr": _lr,
    "train_steps": _int_in(1, MAX_STEPS),
    "train_seed": _int_in(0, MAX_SEED),
    "train_fb": _forget_bias,
    TEXT: _text,
}


def defaults(task: str) -> dict:
    """Every setting's value when nothing was changed for `task`."""
    return {TASK: task, **task_defaults(task), TEXT: DEFAULT_TEXT}


def _as_text(v) -> str:
    """A value as the URL shows it: floats short (`0.003`, `2`) but exact."""
    if isinstance(v, float):
        return f"{v:g}" if float(f"{v:g}") == v else repr(v)
    return str(v)


def from_query(params: Mapping[str, str]) -> tuple[dict, list[tuple[str, dict]]]:
    """The settings a link holds: (values, problems). The link's task picks the defaults; a bad
    value → that default and a message (common.msg_bad_url); keys not in the link are left out."""
    values, problems = {}, []
    for key in KEYS:
        if key not in params:
            continue
        raw = str(params[key])
        try:
            values[key] = CHECKS[key](raw)
        except (ValueError, TypeError, OverflowError):
            default = defaults(values.get(TASK, DEFAULT_TASK))[key]
            fields = {"param": key, "value": raw[:40], "default": _as_text(default)[:40]}
            problems.append(("common.msg_bad_url", fields))
    return values, problems


def to_query(values: Mapping) -> dict[str, str]:
    """The URL parameters for the settings `values` (key → value): those that differ from their
    task's defaults (the text only for the text task)."""
    task = values.get(TASK, DEFAULT_TASK)
    base = defaults(task) | {TASK: DEFAULT_TASK}
    return {
        key: _as_text(values[key])
        for key in KEYS
        if key in values and values[key] != base[key] and (key != TEXT or task == "text")
    }


def config_changes(values: Mapping) -> dict:
    """The fields of `TrainConfig` that the page's settings `values` set (steps within 1..MAX)."""
    return {
        "hidden_size": int(values["train_H"]),
        "num_layers": int(values["train_layers"]),
        "optimizer": str(values["train_opt"]),
        "lr": float(values["train_lr"]),
        "steps": int(min(max(int(values["train_steps"]), 1), MAX_STEPS)),
        "seed": int(values["train_seed"]),
        "forget_bias": float(values["train_fb"]),
    }
