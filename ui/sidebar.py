"""The shared sidebar, drawn once per run by `app.py`: language, colours, input, model, weights,
downloads.

Each widget has its own key (`w_<field>`), bound to its setting through `ui.widgets.bound`:
re-seeded from the settings before it is drawn and copied back through `session.set_settings`
on a change, so the value lives in session state that no widget owns (it survives page
switches) and in the URL.
"""

from __future__ import annotations

import streamlit as st

from app_logic import export, inputs
from app_logic.i18n import tr
from ui import session, widgets

LANG_NAMES = {"en": "English", "zh": "中文"}
EXAMPLE_TYPED = "0, 0.5, 1, 1, 0.5, 0, -0.5, -1, -1, -0.5, 0"
EXAMPLE_TEXT = "hello"


def _set(name: str, value) -> None:
    """A widget's new value → the settings (validated) and the URL."""
    session.set_settings(**{name: value})
    session.clear_url_messages()


def _setting(name: str, value) -> dict:
    """Widget arguments binding the widget `w_<name>` to the setting `name`."""
    return widgets.bound(f"w_{name}", value, lambda v: _set(name, v))


def _on_kind(kind: str) -> None:
    """A new input kind: give typed numbers / text a working example if the box does not fit."""
    text = session.settings().input_text
    changes: dict = {"input_kind": kind}
    if kind == "typed":
        try:
            inputs.parse_typed(text)
        except ValueError:
            changes["input_text"] = EXAMPLE_TYPED
    elif kind == "text":
        try:
            inputs.parse_typed(text)  # numbers left from "typed": start from a word instead
            changes["input_text"] = EXAMPLE_TEXT
        except ValueError:
            if not text.strip():
                changes["input_text"] = EXAMPLE_TEXT
    session.set_settings(**changes)
    session.clear_url_messages()


def _on_csv() -> None:
    f = st.session_state.get("w_csv")
    if f is None:
        st.session_state.pop(session.CSV_BYTES, None)
        st.session_state.pop(session.CSV_NAME, None)
        return
    data = f.getvalue()
    # Keep one byte past the limit so the parser reports "too big" without holding a huge file.
    st.session_state[session.CSV_BYTES] = data[: inputs.MAX_CSV_BYTES + 1]
    st.session_state[session.CSV_NAME] = f.name


def _on_reset() -> None:
    """Every setting back to its default (the language and the colours stay), the selection too."""
    cfg = session.settings()
    defaults = session.Settings(lang=cfg.lang, palette=cfg.palette)
    session.set_settings(**{f: getattr(defaults, f) for f in session.QUERY_KEYS.values()})
    session.set_selection(layer=0, direction=0, t=None, unit=None)
    session.clear_url_messages()


def _set_hand(n: int, value: float) -> None:
    hand = list(session.settings().hand)
    hand[n] = float(value)
    session.set_settings(hand=tuple(hand))


def draw() -> session.Settings:
    """Draw the sidebar and return the settings it holds."""
    cfg = session.settings()
    lang = cfg.lang
    with st.sidebar:
        st.radio(
            tr("common.language", lang),
            session.LANGS,
            format_func=LANG_NAMES.get,
            horizontal=True,
            **_setting("lang", cfg.lang),
        )
        st.radio(
            tr("common.palette", lang),
            session.PALETTE_NAMES,
            format_func=lambda p: tr(f"common.palette_{p}", lang),
            horizontal=True,
            help=tr("common.palette_help", lang),
            **_setting("palette", cfg.palette),
        )
        _input_section(cfg)
        _model_section(cfg)
        _weights_section(cfg)
        _export_section(cfg)
        st.caption(tr("common.share_hint", lang))
        st.button(tr("common.reset", lang), key="w_reset", on_click=_on_reset, type="tertiary")
    return session.settings()


def _input_section(cfg: session.Settings) -> None:
    lang = cfg.lang
    st.subheader(tr("common.section_input", lang))
    st.selectbox(
        tr("common.input_kind", lang),
        session.INPUT_KINDS,
        format_func=lambda k: tr(f"common.kind_{k}", lang),
        **widgets.bound("w_input_kind", cfg.input_kind, _on_kind),
    )
    kind = cfg.input_kind
    if kind in inputs.PRESETS:
        st.slider(
            tr("common.seq_len", lang),
            1,
            inputs.MAX_T,
            **_setting("seq_len", cfg.seq_len),
        )
    if kind == "noise":
        st.slider(
            tr("common.num_features", lang),
            1,
            inputs.MAX_D,
            **_setting("num_features", cfg.num_features),
        )
    if kind in ("typed", "text"):
        st.text_area(
            tr(f"common.input_text_{kind}", lang),
            **_setting("input_text", cfg.input_text),
            help=tr(f"common.input_text_{kind}_help", lang),
            max_chars=session.MAX_TEXT_CHARS,
            height=90,
        )
        if len(cfg.input_text) > session.MAX_URL_TEXT:
            st.caption(tr("common.text_not_in_url", lang, max=session.MAX_URL_TEXT))
    if kind == "csv":
        st.file_uploader(
            tr("common.csv_upload", lang), type=["csv", "txt"], key="w_csv", on_change=_on_csv
        )
        st.caption(tr("common.csv_not_in_url", lang))
    run = session.current_run()
    st.caption(tr("common.input_summary", lang, T=run.T, D=run.D))


def model_shape_text(run: session.Run, lang: str) -> str:
    """What the sidebar says instead of the size widgets when the weights fix the model's shape."""
    m = run.model
    return tr(
        "common.model_in_use",
        lang,
        H=m.hidden_size,
        L=m.num_layers,
        direction=tr(f"common.model_dir_{2 if m.bidirectional else 1}", lang),
        proj=m.proj_size,
        source=tr(f"common.weights_{run.source}", lang),
    )


def _model_section(cfg: session.Settings) -> None:
    lang = cfg.lang
    st.subheader(tr("common.section_model", lang))
    run = session.current_run()
    if run.source != "random":  # hand-set, trained or uploaded: the model's own shape, no widgets
        st.caption(model_shape_text(run, lang))
        _dtype_radio(cfg)
        return
    fixed = cfg.weights != "random"  # chosen but missing (a message says so): random is used
    if fixed:
        st.caption(tr("common.model_fixed", lang))
    st.slider(
        tr("common.hidden_size", lang),
        1,
        session.MAX_HIDDEN,
        **_setting("hidden_size", cfg.hidden_size),
        disabled=fixed,
    )
    c1, c2 = st.columns(2)
    with c1:
        st.number_input(
            tr("common.num_layers", lang),
            1,
            session.MAX_LAYERS,
            step=1,
            **_setting("num_layers", cfg.num_layers),
            disabled=fixed,
        )
    with c2:
        st.number_input(
            tr("common.proj_size", lang),
            0,
            max(cfg.hidden_size - 1, 0),
            step=1,
            **_setting("proj_size", min(cfg.proj_size, max(cfg.hidden_size - 1, 0))),
            help=tr("common.proj_size_help", lang),
            disabled=fixed or cfg.hidden_size == 1,
        )
    st.toggle(
        tr("common.bidirectional", lang),
        **_setting("bidirectional", cfg.bidirectional),
        disabled=fixed,
    )
    _dtype_radio(cfg)


def _dtype_radio(cfg: session.Settings) -> None:
    st.radio(
        tr("common.dtype", cfg.lang),
        session.DTYPES,
        horizontal=True,
        **_setting("dtype", cfg.dtype),
    )


def _weights_section(cfg: session.Settings) -> None:
    lang = cfg.lang
    st.subheader(tr("common.section_weights", lang))
    st.radio(
        tr("common.weights", lang),
        session.WEIGHT_SOURCES,
        format_func=lambda w: tr(f"common.weights_{w}", lang),
        **_setting("weights", cfg.weights),
        label_visibility="collapsed",
    )
    if cfg.weights == "random" or cfg.input_kind == "noise":
        st.number_input(
            tr("common.seed", lang),
            0,
            session.MAX_SEED,
            step=1,
            **_setting("seed", cfg.seed),
        )
    if cfg.is_hand:
        st.caption(tr("common.hand_help", lang))
        lo, hi = session.HAND_RANGE
        groups = (
            ("common.hand_x_weights", range(0, 4)),
            ("common.hand_h_weights", range(4, 8)),
            ("common.hand_biases", range(8, 12)),
        )
        for title, idx in groups:
            st.markdown(f"**{tr(title, lang)}**")
            for n in idx:
                st.slider(
                    session.HAND_NAMES[n],
                    lo,
                    hi,
                    step=0.1,
                    **widgets.bound(
                        f"w_hand_{n}", float(cfg.hand[n]), lambda v, n=n: _set_hand(n, v)
                    ),
                )
    for note in session.current_run().notes:
        st.caption(note)


def _export_section(cfg: session.Settings) -> None:
    lang = cfg.lang
    run = session.current_run()
    with st.expander(tr("common.section_export", lang)):
        st.download_button(
            tr("common.download_trace_csv", lang),
            data=lambda: export.trace_csv(run.trace),
            file_name="lstm_trace.csv",
            mime="text/csv",
            on_click="ignore",
            key="dl_trace_csv",
        )
        st.download_button(
            tr("common.download_trace_npz", lang),
            data=lambda: export.trace_npz(run.trace),
            file_name="lstm_trace.npz",
            mime="application/octet-stream",
            on_click="ignore",
            key="dl_trace_npz",
        )
        st.download_button(
            tr("common.download_weights_npz", lang),
            data=lambda: export.state_dict_npz(run.model.state_dict()),
            file_name="lstm_state_dict.npz",
            mime="application/octet-stream",
            on_click="ignore",
            key="dl_weights_npz",
            help=tr("common.download_help", lang),
        )


def show_messages() -> None:
    """Above every page: bad values found in the URL, and why the input or weights were replaced."""
    lang = session.lang()
    for msg in session.url_messages(lang):
        st.warning(msg, icon=":material/link_off:")
    run = session.current_run()
    if run.error:
        st.error(run.error, icon=":material/error:")
