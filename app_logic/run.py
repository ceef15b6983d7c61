"""One run of the current settings: the input, the model, its trace, and its messages.

Pure: no Streamlit (`ui.session` caches the runs). `build_run` never raises for user input: a bad
input falls back to the default sine input, a missing or bad external model to random weights,
each with a message kept as (i18n key, fields) so `localise` can say it in either language.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from app_logic import hand_cell, inputs
from app_logic.i18n import tr
from app_logic.settings import Selection, Settings, clamp_selection
from lstm_core import LSTM, Trace

# A value at least this large (in |·|) is "clearly non-zero": with the page's two or three
# decimals it reads as a real number, and a product with it visibly moves a gate or the memory.
CLEAR = 0.25


@dataclass(frozen=True, eq=False)
class Run:
    """One run of the current settings: the model, its trace and the input, with labels."""

    model: LSTM  # eval mode
    trace: Trace  # of the unbatched run: layer arrays are (T, 1, ·)
    x: np.ndarray  # (T, D)
    step_labels: tuple[str, ...]  # T labels, unique
    feature_labels: tuple[str, ...]  # D labels, unique
    error: str | None = None  # the input or weights were bad: a safe default was used instead
    source: str = "random"  # the weights actually used
    notes: tuple[str, ...] = ()  # informational messages (e.g. what hand mode forces)
    error_msgs: tuple = ()  # the same messages as (i18n key, fields), for any language
    note_msgs: tuple = ()

    @property
    def T(self) -> int:
        return self.x.shape[0]

    @property
    def D(self) -> int:
        return self.x.shape[1]

    @property
    def H(self) -> int:
        return self.model.hidden_size


# ----- where the pages open ----------------------------------------------------------------------


def opening_step(run: Run) -> int:
    """The timestep the pages open at when no t was chosen: the first step whose input xₜ and
    incoming memory cₜ₋₁ (layer 0, forward, largest entry) are both clearly non-zero.

    At t = 0 the memories c and h start empty (zero), so every product with them is zero: a
    learner stepping through it multiplies zeros. 0 when no step qualifies (e.g. one step, or an
    impulse at t = 0 followed by zeros)."""
    lt = run.trace.layers[0][0]
    x = np.abs(np.asarray(lt.x[:, 0], dtype=float)).max(axis=-1)
    c_prev = np.abs(np.asarray(lt.c_prev[:, 0], dtype=float)).max(axis=-1)
    clear = np.flatnonzero((x >= CLEAR) & (c_prev >= CLEAR))
    return int(clear[0]) if clear.size else 0


def shown_selection(sel: Selection, run: Run) -> Selection:
    """The selection as the pages show it: clamped to the run, a t not chosen → the opening step."""
    sel = clamp_selection(sel, run)
    return sel if sel.t is not None else dataclasses.replace(sel, t=opening_step(run))


# ----- building a run --------------------------------------------------------------------------


def _labels_for_numbers(T: int, D: int) -> tuple[tuple[str, ...], tuple[str, ...]]:
    return tuple(str(t) for t in range(T)), tuple(f"x{j}" if D > 1 else "x" for j in range(D))


def _show_char(ch: str) -> str:
    return {" ": "␣", "\n": "⏎", "\t": "⇥"}.get(ch, ch)


def make_input(
    cfg: Settings, csv_bytes: bytes | None = None
) -> tuple[np.ndarray, tuple[str, ...], tuple[str, ...]]:
    """x (T, D), step labels, feature labels for `cfg`; raises `inputs.InputError` if bad."""
    if cfg.input_kind in inputs.PRESETS:
        x = inputs.preset(cfg.input_kind, cfg.seq_len, cfg.num_features, cfg.seed)
        return (x, *_labels_for_numbers(*x.shape))
    if cfg.input_kind == "typed":
        x = inputs.parse_typed(cfg.input_text)
        return (x, *_labels_for_numbers(*x.shape))
    if cfg.input_kind == "text":
        x, alphabet = inputs.one_hot_text(cfg.input_text)
        show = _show_char
        if len({show(ch) for ch in alphabet}) < len(alphabet):  # e.g. both " " and "␣" typed
            show = repr
        chars = [show(ch) for ch in cfg.input_text.strip()]
        return x, tuple(f"{t} {ch}" for t, ch in enumerate(chars)), tuple(map(show, alphabet))
    if cfg.input_kind == "csv":
        if not csv_bytes:
            raise inputs.InputError("csv_missing", "no CSV file: upload one in the sidebar")
        x, names = inputs.parse_csv(csv_bytes)
        steps, feats = _labels_for_numbers(*x.shape)
        if names is not None and len(set(names)) == len(names) and all(names):
            feats = names
        return x, steps, feats
    raise inputs.InputError("unknown_preset", f"unknown input {cfg.input_kind!r}", kind="?")


def model_random_or_hand(cfg: Settings, D: int) -> LSTM:
    """The seeded random model of `cfg`'s sizes, or the hand-set 1-unit cell; in eval mode."""
    if cfg.is_hand:
        model = hand_cell.model(cfg.hand, D, cfg.dtype)
    else:
        model = LSTM(
            D,
            cfg.hidden_size,
            num_layers=cfg.num_layers,
            bidirectional=cfg.bidirectional,
            proj_size=cfg.proj_size if cfg.proj_size < cfg.hidden_size else 0,
            dtype=cfg.dtype,
            seed=cfg.seed,
        )
    return model.eval()


def model_from_state(config: Mapping, sd: Mapping, dtype: str) -> LSTM:
    """A fresh LSTM in eval mode from constructor arguments and a state_dict (ValueError if bad)."""
    allowed = ("input_size", "hidden_size", "num_layers", "bias", "bidirectional", "proj_size")
    kwargs = {k: config[k] for k in allowed if k in config}
    if "input_size" not in kwargs or "hidden_size" not in kwargs:
        raise ValueError("the model's config needs input_size and hidden_size")
    model = LSTM(**kwargs, dtype=dtype)
    model.load_state_dict(sd)
    return model.eval()


def state_fingerprint(sd: Mapping) -> str:
    """A hash of a state_dict's names, dtypes, shapes and numbers (a cache key for its run)."""
    h = hashlib.blake2b(digest_size=16)
    for k in sorted(sd):
        a = np.ascontiguousarray(np.asarray(sd[k]))
        h.update(k.encode() + str(a.dtype).encode() + str(a.shape).encode() + a.tobytes())
    return h.hexdigest()


def message_text(msg: tuple[str, dict], lang: str) -> str:
    """A message (key, fmt) in `lang`; fmt values may themselves be messages."""
    key, fmt = msg
    return tr(
        key,
        lang,
        **{k: message_text(v, lang) if isinstance(v, tuple) else v for k, v in fmt.items()},
    )


def localise(run: Run, lang: str) -> Run:
    """The same run with `error` and `notes` in `lang`."""
    error = " ".join(message_text(m, lang) for m in run.error_msgs) or None
    notes = tuple(message_text(m, lang) for m in run.note_msgs)
    if error == run.error and notes == run.notes:
        return run
    return dataclasses.replace(run, error=error, notes=notes)


def build_run(
    cfg: Settings,
    csv_bytes: bytes | None = None,
    external: LSTM | tuple[Mapping, Mapping] | None = None,
) -> Run:
    """The run for `cfg`. `external` is the trained model or (config, state_dict) of an upload.

    Bad input → the default sine input and `error`; a missing/bad external model → random weights
    and `error`. Never raises for user input. Messages are in `cfg.lang`.
    """
    errors, notes = [], []
    try:
        x, steps, feats = make_input(cfg, csv_bytes)
        inputs.check_magnitude(x)
    except inputs.InputError as e:
        errors.append(("common.msg_bad_input", {"reason": (e.key, e.fmt)}))
        x, steps, feats = make_input(Settings(seed=cfg.seed))

    source, model = cfg.weights, None
    if cfg.weights in ("trained", "uploaded"):
        try:
            if external is None:
                raise LookupError
            if isinstance(external, LSTM):
                model = model_from_state(external.config(), external.state_dict(), cfg.dtype)
            else:
                model = model_from_state(external[0], external[1], cfg.dtype)
        except LookupError:
            errors.append((f"common.msg_no_{cfg.weights}", {}))
        except (ValueError, TypeError, KeyError) as e:
            errors.append(("common.msg_bad_model", {"reason": str(e)[:300]}))
        if model is None:
            source = "random"
        elif model.input_size != x.shape[1]:
            notes.append(
                ("common.msg_input_resized", {"want": model.input_size, "got": x.shape[1]})
            )
            x = inputs.preset("noise", x.shape[0], model.input_size, cfg.seed)
            steps, feats = _labels_for_numbers(*x.shape)
    if model is None:
        model = model_random_or_hand(dataclasses.replace(cfg, weights=source), x.shape[1])
    if source == "hand":
        notes.append(("common.msg_hand_forces", {}))
    x = x.astype(model.dtype)
    x.flags.writeable = False
    run = Run(
        model=model,
        trace=model.trace(x),
        x=x,
        step_labels=steps,
        feature_labels=feats,
        source=source,
        error_msgs=tuple(errors),
        note_msgs=tuple(notes),
    )
    return localise(run, cfg.lang)
