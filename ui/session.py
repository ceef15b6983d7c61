"""The shared settings, the cached run and the shared selection in Streamlit: one source for all.

Settings and the selection live in session-state keys that no widget owns; on a session's first run
they are read from `st.query_params` (validated: garbage → default plus a visible message), and
every run writes them back, so copying the URL reproduces the screen (see ARCHITECTURE.md).
What they are, their checks and their URL codec live in `app_logic.settings`; building a run in
`app_logic.run`; the page list in `app_logic.pages`. This module re-exports those names
(`session.Settings`, `session.build_run`, `session.PAGES`, ...) for the pages' convenience.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Collection, Mapping

import streamlit as st
from streamlit.navigation.page import StreamlitPage

from app_logic import i18n
from app_logic.i18n import tr
from app_logic.limits import MAX_HIDDEN, MAX_LAYERS, MAX_SEED, MAX_URL_TEXT  # noqa: F401
from app_logic.limits import MAX_TYPED_CHARS as MAX_TEXT_CHARS  # noqa: F401
from app_logic.pages import HOME_URL, PAGES, page_url  # noqa: F401
from app_logic.run import (  # noqa: F401
    Run,
    build_run,
    localise,
    make_input,
    opening_step,
    shown_selection,
    state_fingerprint,
)
from app_logic.settings import (  # noqa: F401
    DTYPES,
    HAND_DEFAULT,
    HAND_NAMES,
    HAND_RANGE,
    INPUT_KINDS,
    LANGS,
    PALETTE_NAMES,
    QUERY_KEYS,
    SELECTION_KEYS,
    STAGES,
    WEIGHT_SOURCES,
    Selection,
    Settings,
    check_value,
    clamp_selection,
    fix_proj,
    selection_from_query,
    selection_to_query,
    settings_from_query,
    settings_to_query,
)
from lstm_core import LSTM
from viz import palette

# Session-state keys (no widget owns them) and the keys other pages fill.
_CFG = "_settings"
_SEL = "_selection"
_MSG = "_url_messages"
_INIT = "_session_initialised"
_MEMO = "_run_memo"
_LOOKED_UP = "_run_looked_up"  # (settings, csv bytes, run) of the last shared run looked up
LAST_RUN = "_last_run"
CSV_BYTES = "csv_bytes"  # bytes of the uploaded CSV (set by the sidebar)
CSV_NAME = "csv_name"
TRAINED_MODEL = "trained_model"  # an lstm_core.LSTM, set by the train page
UPLOADED_STATE_DICT = "uploaded_state_dict"  # dict[str, np.ndarray], set by the torch page
UPLOADED_CONFIG = "uploaded_config"  # LSTM(**config) arguments of that state_dict


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


_PAGE = "_page_of_last_run"  # the page script the previous run drew
_NEW_PAGE = "_new_page_this_run"  # True on the first run after a page switch


def seed_widget(key: str, value) -> str:
    """Give the widget `key` the value kept elsewhere (settings, selection) before it is drawn.

    Writing a widget's key sends its value to the browser. Within a page only a different value
    is written: a rewrite would undo a key press made while the previous one's rerun was still
    running. On the first run after a page switch it is always written: the browser may have
    dropped the old page's widget values by then and would otherwise draw the widget at its
    default (the sidebar's H slider at 1 while the run uses 6).
    """
    ss = st.session_state
    if key not in ss or ss[key] != value or ss.get(_NEW_PAGE, False):
        ss[key] = value
    return key


def note_page(page: str) -> None:
    """Call once the run's page is known (after `st.navigation`): marks this run as the first on
    its page when the previous run drew another page (see `seed_widget`)."""
    ss = st.session_state
    ss[_NEW_PAGE] = ss.get(_PAGE) != page
    ss[_PAGE] = page


def history_navigation() -> bool:
    """True when this run comes from the browser's Back / Forward: the URL is then the truth."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    ctx = get_script_run_ctx(suppress_warning=True)
    return bool(getattr(ctx, "is_history_navigation", False))


def begin_run() -> None:
    """Call first in every run: after Back / Forward, settings and selection follow the URL
    (each step, setting and selection change is one browser history entry: Back undoes it).
    The settings' palette becomes this run's (see `settings`)."""
    if history_navigation():
        st.session_state[_INIT] = False
    settings()


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
    """The current settings (from the sidebar, the URL on a session's first run, or defaults).

    Also makes their palette the active one of this script run (`viz.palette.use`): every
    figure drawn after it, in this session only, has its colours."""
    _init_session()
    cfg = st.session_state[_CFG]
    palette.use(cfg.palette)
    return cfg


def _session_palette() -> str | None:
    """The palette of the session whose script runs on this thread, or None outside a run.

    `viz.palette`'s fallback: a run that never called `settings()` on its thread (a fragment's
    rerun) still draws in its session's colours."""
    from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

    if get_script_run_ctx(suppress_warning=True) is None:
        return None
    cfg = st.session_state.get(_CFG)
    return cfg.palette if isinstance(cfg, Settings) else None


palette.set_fallback(_session_palette)
i18n.set_variant_source(palette.active)  # texts that name a colour follow the palette


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
            good[name] = check_value(name, value)
        except (ValueError, TypeError, OverflowError):
            st.session_state.setdefault(_MSG, []).append(
                ("common.msg_bad_setting", {"name": name, "value": str(value)[:40]})
            )
    new = fix_proj(dataclasses.replace(cfg, **good))
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


def _external_source(cfg: Settings):
    """(memo key, external model) for trained/uploaded weights, or (None, None)."""
    ss = st.session_state
    try:
        if cfg.weights == "trained":
            m = ss.get(TRAINED_MODEL)
            if isinstance(m, LSTM):
                return ("trained", state_fingerprint(m.state_dict()), repr(m)), m
        elif cfg.weights == "uploaded":
            sd, config = ss.get(UPLOADED_STATE_DICT), ss.get(UPLOADED_CONFIG)
            if isinstance(sd, Mapping) and isinstance(config, Mapping):
                key = ("uploaded", state_fingerprint(sd), repr(sorted(config.items())))
                return key, (config, sd)
    except (TypeError, ValueError):
        return ("bad",), None
    return ("missing",), None


def current_run() -> Run:
    """The run of the current settings (cached; computed at most once per change)."""
    cfg = settings()
    ss = st.session_state
    csv_bytes = ss.get(CSV_BYTES) if cfg.input_kind == "csv" else None
    # one cached model for both languages and both palettes (a Run holds numbers, no colours)
    base = dataclasses.replace(cfg, lang="en", palette="article")
    if cfg.weights in ("trained", "uploaded"):
        ext_key, external = _external_source(cfg)
        key = (base, hashlib.sha1(csv_bytes or b"").hexdigest(), ext_key)
        memo = ss.get(_MEMO)
        if memo is not None and memo[0] == key:
            run = memo[1]
        else:
            run = build_run(base, csv_bytes, external)
            ss[_MEMO] = (key, run)
    else:  # the last run looked up, when it fits: a page asks many times per script run, and
        # each st.cache_resource lookup hashes the settings (≈ 1.5 ms)
        last = ss.get(_LOOKED_UP)
        if last is not None and last[0] == base and last[1] is csv_bytes:
            run = last[2]
        else:
            run = _cached_run(base, csv_bytes)
            ss[_LOOKED_UP] = (base, csv_bytes, run)
    run = localise(run, cfg.lang)
    ss[LAST_RUN] = run  # what this session is looking at (tests read it back)
    return run


def selection() -> Selection:
    """The shared selection, clamped to the current run; a t not chosen yet is the run's opening
    step (`app_logic.run.opening_step`), which the URL leaves out."""
    _init_session()
    stored = st.session_state[_SEL]
    run = current_run()
    sel = clamp_selection(stored, run)
    if sel != stored:  # the run shrank (fewer steps, units, layers): keep the URL honest
        st.session_state[_SEL] = sel
        sync_query_params()
    return shown_selection(sel, run)


def t_chosen() -> bool:
    """False while the selection's t is the run's opening step, not one the user (or URL) chose."""
    _init_session()
    return st.session_state[_SEL].t is not None


def set_selection(**changes) -> Selection:
    """Change the shared selection (see Selection's fields), clamped, kept in the URL.

    Moving to another timestep without naming a stage opens that timestep at its first stage;
    t=None goes back to the run's opening step.
    """
    _init_session()
    unknown = set(changes) - {f.name for f in dataclasses.fields(Selection)}
    if unknown:
        raise TypeError(f"set_selection() got unknown fields {sorted(unknown)}")
    run = current_run()
    old = st.session_state[_SEL]
    old_t = shown_selection(old, run).t
    clean = {}
    for name, v in changes.items():
        if name in ("unit", "t") and v is None:
            clean[name] = None
        elif name in ("reveal", "predict"):
            clean[name] = bool(v)
        else:
            clean[name] = int(v)
    new_t = old_t if "t" not in clean else shown_selection(Selection(t=clean["t"]), run).t
    if new_t != old_t and "stage" not in clean:
        clean |= {"stage": 0, "reveal": False}
    sel = clamp_selection(dataclasses.replace(old, **clean), run)
    st.session_state[_SEL] = sel
    sync_query_params()
    return shown_selection(sel, run)


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
