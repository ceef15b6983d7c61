"""The shared settings, the cached run and the shared selection: one source for every page.

Settings and the selection live in session-state keys that no widget owns; on a session's first run
they are read from `st.query_params` (validated: garbage → default plus a visible message), and
every run writes them back, so copying the URL reproduces the screen (see ARCHITECTURE.md).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.navigation.page import StreamlitPage

from app_logic import inputs
from app_logic.i18n import tr
from app_logic.limits import MAX_HIDDEN, MAX_INDEX, MAX_LAYERS, MAX_SEED, MAX_URL_TEXT
from app_logic.limits import MAX_TYPED_CHARS as MAX_TEXT_CHARS
from lstm_core import LSTM, Trace
from viz.equations import STAGES

LANGS = ("en", "zh")
INPUT_KINDS = ("sine", "step", "impulse", "noise", "text", "typed", "csv")
WEIGHT_SOURCES = ("random", "hand", "trained", "uploaded")
DTYPES = ("float64", "float32")
HAND_RANGE = (-5.0, 5.0)
# The hand-set 1-unit cell: x-weights, h-weights, biases, each in torch's gate order i, f, g, o.
HAND_NAMES = ("w_i", "w_f", "w_g", "w_o", "u_i", "u_f", "u_g", "u_o", "b_i", "b_f", "b_g", "b_o")
# A readable first cell: f = σ(2) ≈ 0.88 keeps most of c, o = σ(1) ≈ 0.73, i and g follow x.
HAND_DEFAULT = (2.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 2.0, 0.0, 1.0)

# Session-state keys (no widget owns them) and the keys other pages fill.
_CFG = "_settings"
_SEL = "_selection"
_MSG = "_url_messages"
_INIT = "_session_initialised"
_MEMO = "_run_memo"
LAST_RUN = "_last_run"
CSV_BYTES = "csv_bytes"  # bytes of the uploaded CSV (set by the sidebar)
CSV_NAME = "csv_name"
TRAINED_MODEL = "trained_model"  # an lstm_core.LSTM, set by the train page
UPLOADED_STATE_DICT = "uploaded_state_dict"  # dict[str, np.ndarray], set by the torch page
UPLOADED_CONFIG = "uploaded_config"  # LSTM(**config) arguments of that state_dict


# The pages: (file, url path, title key in common.toml, icon). A url path never equals a file
# stem in pages/: Streamlit's old auto-discovery would run that file directly, skipping app.py
# (see the pitfall in TOOLING.md). Each url path has an entry pages/_<url path>.py that runs
# app.py: a deep link as a fresh server's first request shows no "Page not found" (ui/deeplink.py).
PAGES = (
    ("pages/cell.py", "step", "common.nav_cell", ":material/memory:"),
    ("pages/gate_challenges.py", "challenges", "challenges.nav_title", ":material/emoji_events:"),
    ("pages/network.py", "unrolled", "common.nav_network", ":material/view_column:"),
    ("pages/gates.py", "time", "common.nav_time", ":material/timeline:"),
    ("pages/compare.py", "torch", "common.nav_torch", ":material/fact_check:"),
    ("pages/train.py", "training", "common.nav_train", ":material/model_training:"),
    ("pages/rnn_vs_lstm.py", "why", "common.nav_why", ":material/compare_arrows:"),
)
HOME_URL = ""  # the landing page is the app's root


def page_url(file: str) -> str:
    """The url path of a page file, e.g. page_url("pages/cell.py") == "step"."""
    for f, url, _, _ in PAGES:
        if f == file:
            return url
    raise KeyError(f"no page {file!r}; pages are {[p[0] for p in PAGES]}")


@dataclass(frozen=True)
class Settings:
    """Everything the sidebar sets: language, input, model sizes, weight source, seed."""

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

    @property
    def is_hand(self) -> bool:
        return self.weights == "hand"


@dataclass(frozen=True)
class Selection:
    """What the user looks at: layer k, direction d, timestep t, hidden unit j (None = all).

    Inside the cell at t: the stage (index into STAGES), whether its numbers are revealed, and
    whether the cell asks for a prediction before each reveal.
    """

    layer: int = 0
    direction: int = 0
    t: int = 0
    unit: int | None = None
    stage: int = 0
    reveal: bool = False
    predict: bool = True


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


# ----- validation and the URL ------------------------------------------------------------------

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
_INT_LIMITS = {
    "seq_len": (1, inputs.MAX_T),
    "num_features": (1, inputs.MAX_D),
    "hidden_size": (1, MAX_HIDDEN),
    "num_layers": (1, MAX_LAYERS),
    "proj_size": (0, MAX_HIDDEN - 1),
    "seed": (0, MAX_SEED),
}
_CHOICES = {
    "lang": LANGS,
    "input_kind": INPUT_KINDS,
    "dtype": DTYPES,
    "weights": WEIGHT_SOURCES,
}


def _check_value(name: str, value):
    """A Settings field value, converted and range-checked; ValueError if it does not fit."""
    default = getattr(Settings(), name)
    if name in _CHOICES:
        if value not in _CHOICES[name]:
            raise ValueError(name)
        return value
    if name in _INT_LIMITS:
        if isinstance(value, str):
            value = int(value.strip())
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(name)
        lo, hi = _INT_LIMITS[name]
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


def _fix_proj(cfg: Settings) -> Settings:
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
            values[name] = _check_value(name, raw)
        except (ValueError, TypeError, OverflowError):
            problems.append(
                (
                    "common.msg_bad_url",
                    {"param": qkey, "value": str(raw)[:40], "default": _show(name)},
                )
            )
    cfg = Settings(**values)
    fixed = _fix_proj(cfg)
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


_BOOLS = {"1": True, "true": True, "0": False, "false": False}


def _selection_value(name: str, raw: str):
    """A Selection field from its URL text; ValueError if it does not fit."""
    raw = str(raw).strip().lower()
    if name == "unit" and raw in ("", "all"):
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
            problems.append(
                ("common.msg_bad_url", {"param": qkey, "value": str(raw)[:40], "default": default})
            )
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
            out[qkey] = "all" if v is None else str(v)
    return out


def clamp_selection(sel: Selection, run: Run) -> Selection:
    """`sel` moved into the run's ranges: layer < L, direction < dirs, t < T, unit < H."""
    tr_ = run.trace

    def clip(v: int, n: int) -> int:
        return int(min(max(v, 0), n - 1))

    unit = None if sel.unit is None else clip(sel.unit, run.H)
    return dataclasses.replace(
        sel,
        layer=clip(sel.layer, tr_.num_layers),
        direction=clip(sel.direction, tr_.num_directions),
        t=clip(sel.t, run.T),
        unit=unit,
        stage=clip(sel.stage, len(STAGES)),
    )


# ----- building a run (no Streamlit state in here) --------------------------------------------


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


def _hand_state_dict(hand: tuple[float, ...], D: int, dtype) -> dict[str, np.ndarray]:
    """The 1-unit cell's state_dict: each x-weight applies to every one of the D features."""
    w, u, b = np.array(hand[0:4]), np.array(hand[4:8]), np.array(hand[8:12])
    return {
        "weight_ih_l0": np.repeat(w[:, None], D, axis=1).astype(dtype),  # (4, D)
        "weight_hh_l0": u[:, None].astype(dtype),  # (4, 1)
        "bias_ih_l0": b.astype(dtype),  # (4,)
        "bias_hh_l0": np.zeros(4, dtype),  # (4,)
    }


def _model_random_or_hand(cfg: Settings, D: int) -> LSTM:
    if cfg.is_hand:
        model = LSTM(D, 1, dtype=cfg.dtype)
        model.load_state_dict(_hand_state_dict(cfg.hand, D, cfg.dtype))
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


def _model_from_state(config: Mapping, sd: Mapping, dtype: str) -> LSTM:
    """A fresh LSTM in eval mode from constructor arguments and a state_dict (ValueError if bad)."""
    allowed = ("input_size", "hidden_size", "num_layers", "bias", "bidirectional", "proj_size")
    kwargs = {k: config[k] for k in allowed if k in config}
    if "input_size" not in kwargs or "hidden_size" not in kwargs:
        raise ValueError("the model's config needs input_size and hidden_size")
    model = LSTM(**kwargs, dtype=dtype)
    model.load_state_dict(sd)
    return model.eval()


def _text(msg: tuple[str, dict], lang: str) -> str:
    """A message (key, fmt) in `lang`; fmt values may themselves be messages."""
    key, fmt = msg
    return tr(
        key, lang, **{k: _text(v, lang) if isinstance(v, tuple) else v for k, v in fmt.items()}
    )


def localise(run: Run, lang: str) -> Run:
    """The same run with `error` and `notes` in `lang`."""
    error = " ".join(_text(m, lang) for m in run.error_msgs) or None
    notes = tuple(_text(m, lang) for m in run.note_msgs)
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
                model = _model_from_state(external.config(), external.state_dict(), cfg.dtype)
            else:
                model = _model_from_state(external[0], external[1], cfg.dtype)
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
        model = _model_random_or_hand(dataclasses.replace(cfg, weights=source), x.shape[1])
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


@st.cache_resource(max_entries=16, ttl="1h", show_spinner=False)
def _cached_run(cfg: Settings, csv_bytes: bytes | None) -> Run:
    """Runs of random/hand weights, shared across sessions (a Run is read-only)."""
    return build_run(cfg, csv_bytes)


# ----- the Streamlit side ---------------------------------------------------------------------


def _query_params() -> dict[str, str]:
    try:
        return {k: st.query_params[k] for k in st.query_params}
    except Exception:  # no script context (plain import): nothing to read
        return {}


def seed_widget(key: str, value) -> str:
    """Give the widget `key` the value kept elsewhere (settings, selection) before it is drawn.

    Only a different value is written: writing a widget's key sends its value to the browser,
    which would undo a key press made while the previous one's rerun was still running.
    """
    if key not in st.session_state or st.session_state[key] != value:
        st.session_state[key] = value
    return key


def history_navigation() -> bool:
    """True when this run comes from the browser's Back / Forward: the URL is then the truth."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return bool(getattr(ctx, "is_history_navigation", False))


def begin_run() -> None:
    """Call first in every run: after Back / Forward, settings and selection follow the URL
    (each step, setting and selection change is one browser history entry: Back undoes it)."""
    if history_navigation():
        st.session_state[_INIT] = False
    _init_session()


def _init_session() -> None:
    """On a session's first run: settings and selection from the URL (validated)."""
    ss = st.session_state
    if ss.get(_INIT):
        return
    params = _query_params()
    cfg, problems = settings_from_query(params)
    sel, sel_problems = selection_from_query(params)
    ss[_CFG], ss[_SEL] = cfg, sel
    ss[_MSG] = problems + sel_problems
    ss[_INIT] = True


def settings() -> Settings:
    """The current settings (from the sidebar, the URL on a session's first run, or defaults)."""
    _init_session()
    return st.session_state[_CFG]


def lang() -> str:
    """The current language: "en" or "zh"."""
    return settings().lang


def set_settings(**changes) -> Settings:
    """Change settings and write them to the URL. A bad value is left out, with a visible message.

    Unknown field names are a programming error: TypeError.
    """
    cfg = settings()
    unknown = set(changes) - {f.name for f in dataclasses.fields(Settings)}
    if unknown:
        raise TypeError(f"set_settings() got unknown fields {sorted(unknown)}")
    good = {}
    for name, value in changes.items():
        try:
            good[name] = _check_value(name, value)
        except (ValueError, TypeError, OverflowError):
            st.session_state.setdefault(_MSG, []).append(
                ("common.msg_bad_setting", {"name": name, "value": str(value)[:40]})
            )
    new = _fix_proj(dataclasses.replace(cfg, **good))
    st.session_state[_CFG] = new
    sync_query_params()
    return new


def url_messages(lang_: str | None = None) -> list[str]:
    """Messages about bad values found in the URL on this session's first run."""
    _init_session()
    lg = lang_ or lang()
    return [tr(key, lg, **fmt) for key, fmt in st.session_state.get(_MSG, [])]


def clear_url_messages() -> None:
    st.session_state[_MSG] = []


def _fingerprint(sd: Mapping) -> str:
    h = hashlib.blake2b(digest_size=16)
    for k in sorted(sd):
        a = np.ascontiguousarray(np.asarray(sd[k]))
        h.update(k.encode() + str(a.dtype).encode() + str(a.shape).encode() + a.tobytes())
    return h.hexdigest()


def _external_source(cfg: Settings):
    """(memo key, external model) for trained/uploaded weights, or (None, None)."""
    ss = st.session_state
    try:
        if cfg.weights == "trained":
            m = ss.get(TRAINED_MODEL)
            if isinstance(m, LSTM):
                return ("trained", _fingerprint(m.state_dict()), repr(m)), m
        elif cfg.weights == "uploaded":
            sd, config = ss.get(UPLOADED_STATE_DICT), ss.get(UPLOADED_CONFIG)
            if isinstance(sd, Mapping) and isinstance(config, Mapping):
                return ("uploaded", _fingerprint(sd), repr(sorted(config.items()))), (config, sd)
    except (TypeError, ValueError):
        return ("bad",), None
    return ("missing",), None


def current_run() -> Run:
    """The run of the current settings (cached; computed at most once per change)."""
    cfg = settings()
    ss = st.session_state
    csv_bytes = ss.get(CSV_BYTES) if cfg.input_kind == "csv" else None
    base = dataclasses.replace(cfg, lang="en")  # one cached model for both languages
    if cfg.weights in ("trained", "uploaded"):
        ext_key, external = _external_source(cfg)
        key = (base, hashlib.sha1(csv_bytes or b"").hexdigest(), ext_key)
        memo = ss.get(_MEMO)
        if memo is not None and memo[0] == key:
            run = memo[1]
        else:
            run = build_run(base, csv_bytes, external)
            ss[_MEMO] = (key, run)
    else:
        run = _cached_run(base, csv_bytes)
    run = localise(run, cfg.lang)
    ss[LAST_RUN] = run  # what this session is looking at (tests read it back)
    return run


def selection() -> Selection:
    """The shared selection, clamped to the current run."""
    _init_session()
    stored = st.session_state[_SEL]
    sel = clamp_selection(stored, current_run())
    if sel != stored:  # the run shrank (fewer steps, units, layers): keep the URL honest
        st.session_state[_SEL] = sel
        sync_query_params()
    return sel


def set_selection(**changes) -> Selection:
    """Change the shared selection (see Selection's fields), clamped, kept in the URL.

    Moving to another timestep without naming a stage opens that timestep at its first stage.
    """
    _init_session()
    unknown = set(changes) - {f.name for f in dataclasses.fields(Selection)}
    if unknown:
        raise TypeError(f"set_selection() got unknown fields {sorted(unknown)}")
    old = st.session_state[_SEL]
    clean = {}
    for name, v in changes.items():
        if name == "unit" and v is None:
            clean[name] = None
        elif name in ("reveal", "predict"):
            clean[name] = bool(v)
        else:
            clean[name] = int(v)
    if clean.get("t", old.t) != old.t and "stage" not in clean:
        clean |= {"stage": 0, "reveal": False}
    sel = dataclasses.replace(old, **clean)
    sel = clamp_selection(sel, current_run())
    st.session_state[_SEL] = sel
    sync_query_params()
    return sel


def url_query() -> dict[str, str]:
    """The query parameters of the current settings and selection (what the URL should hold)."""
    _init_session()
    return settings_to_query(st.session_state[_CFG]) | selection_to_query(st.session_state[_SEL])


def page_link(file: str | StreamlitPage, **kwargs):
    """`st.page_link` to a page (file or st.Page) that carries the settings and selection.

    A link without them opens the page's bare address (one history entry) and the page's run
    then writes the query string (a second one): Back would land on the junk bare address.
    """
    return st.page_link(file, query_params=url_query(), **kwargs)


def switch_page(file: str | StreamlitPage):
    """`st.switch_page` carrying the settings and selection: one history entry (see page_link)."""
    st.switch_page(file, query_params=url_query())


def write_query(ours: Collection[str], want: Mapping[str, str]) -> None:
    """Make the URL's keys `ours` exactly `want`, other keys left alone: one write (so one
    browser history entry per change), and none when they already are."""
    current = _query_params()
    if {k: v for k, v in current.items() if k in ours} == want:
        return
    st.query_params.from_dict({k: v for k, v in current.items() if k not in ours} | dict(want))


def sync_query_params() -> None:
    """Write settings and selection to the URL (only our keys; only when they differ)."""
    write_query({*QUERY_KEYS, *SELECTION_KEYS}, url_query())
