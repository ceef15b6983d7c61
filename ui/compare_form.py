"""The Compare page's form: nn.LSTM's constructor, the input and the state, as one CompareConfig.

Streamlit only: the checks and the comparison itself are `app_logic.compare_logic`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from app_logic import compare_gru, uploads
from app_logic import compare_logic as cl
from app_logic.compare_tables import Texts, texts
from app_logic.i18n import tr
from ui import session

L = cl.LIMITS


@dataclass(frozen=True, eq=False)
class Form:
    """What the form gives: the configuration, the weights to load (None: from the seed), and
    every problem found in the settings (nothing runs while there is one)."""

    cfg: cl.CompareConfig
    sd: dict | None
    problems: list[cl.CompareError]


@st.cache_data(max_entries=16, ttl="1h", show_spinner=False)
def cached_comparison(cfg: cl.CompareConfig, sd: dict | None) -> cl.CompareResult:
    if cfg.kind == "gru":
        return compare_gru.run_gru_comparison(cfg)
    return cl.run_comparison(cfg, sd)


def show_error(e: cl.CompareError | uploads.UploadError, lang: str) -> None:
    """A refused setting or upload: the translated message, then every problem listed."""
    try:
        text = tr(e.key, lang, **e.fmt)
    except (KeyError, IndexError, ValueError):
        text = str(e)
    problems = getattr(e, "problems", [])
    st.error(text + "".join(f"\n- {p}" for p in problems))


def _limited_input(T_: Texts, col, name: str, default: int, label: str | None = None) -> int:
    """A number input within LIMITS[name], labelled with the page's text for it."""
    lo, hi = L[name]
    return col.number_input(
        label or T_(name),
        lo,
        hi,
        default,
        1,
        key=f"cmp_{name}",
        help=T_("limit_help", lo=lo, hi=hi),
    )


def _size_input(T_: Texts, col, name: str, default: int, fixed: dict, from_text: str) -> int:
    if name in fixed:  # the uploaded weights (or the pages' model) decide this size
        col.markdown(f"`{name}` = **{fixed[name]}** · {from_text}")
        return int(fixed[name])
    return _limited_input(T_, col, name, default, label=name)


def _weights_choice(T_: Texts, has_upload: bool, kind: str = "lstm") -> str:
    """The radio of where the weights come from: the seed, the other pages' model, an upload
    (the pages' model and uploads are LSTMs: a GRU's weights come from the seed)."""
    ss = st.session_state
    if kind == "gru":
        st.caption(T_("gru_weights_note"))
        return "seed"
    sources = ["seed", "pages", *(["uploaded"] if has_upload else [])]
    if ss.get("cmp_weights") not in sources:  # a new visit: follow the sidebar's uploaded weights
        ss["cmp_weights"] = (
            "uploaded" if has_upload and session.settings().weights == "uploaded" else "seed"
        )
    return st.radio(
        T_("weights"), sources, horizontal=True, key="cmp_weights",
        format_func=lambda v: T_(f"weights_{v}"),
    )  # fmt: skip


def options_form(lang: str, uploaded_sd: dict | None, uploaded_cfg: dict | None) -> Form:
    """Draw the options (in the current container) and return the configuration they give."""
    T_ = texts(lang)
    gru = st.session_state.get("cmp_kind") == "gru"  # the radio below: its value of this run
    st.markdown(f"**{T_('options_title_gru' if gru else 'options_title')}**")
    kind = st.radio(
        T_("kind"), list(cl.KINDS), horizontal=True, key="cmp_kind",
        format_func=lambda k: T_(f"kind_{k}"), help=T_("kind_help"),
    )  # fmt: skip
    choice = _weights_choice(T_, uploaded_sd is not None and uploaded_cfg is not None, kind)
    use_upload, use_pages = choice == "uploaded", choice == "pages"
    pages_x, pages_model = None, None
    if use_pages:  # the model and input every other page shows
        run = session.current_run()
        pages_model = run.model
        fixed = dict(
            input_size=run.D, hidden_size=run.H, num_layers=pages_model.num_layers,
            proj_size=pages_model.proj_size, bias=pages_model.bias,
            bidirectional=pages_model.bidirectional,
        )  # fmt: skip
        T_max = L["seq_len"][1]
        source = tr(f"common.weights_{run.source}", lang)
        st.caption(T_("pages_note", source=source, T=run.T, D=run.D, H=run.H))
        if run.T > T_max:
            st.warning(T_("pages_cut", T=run.T, max=T_max))
        pages_x = tuple(map(tuple, np.asarray(run.x[:T_max], np.float64).tolist()))
    else:
        fixed = uploaded_cfg if use_upload else {}
    from_text = T_("from_pages") if use_pages else T_("from_upload")
    c1, c2, c3, c4 = st.columns(4)
    sizes = {
        name: _size_input(T_, c1, name, default, fixed, from_text)
        for name, default in (("input_size", 10), ("hidden_size", 20), ("num_layers", 2))
    }
    if kind == "gru":  # nn.GRU has no projection
        sizes["proj_size"] = 0
    else:
        sizes["proj_size"] = _size_input(T_, c1, "proj_size", 0, fixed, from_text)
    if fixed:
        bias, bidirectional = bool(fixed["bias"]), bool(fixed["bidirectional"])
        c2.markdown(f"`bias` = **{bias}** · `bidirectional` = **{bidirectional}** · {from_text}")
    else:
        bias = c2.checkbox("bias", value=True, key="cmp_bias")
        bidirectional = c2.checkbox("bidirectional", value=False, key="cmp_bidirectional")
    batch_first = c2.checkbox("batch_first", value=False, key="cmp_batch_first")
    dropout = c2.number_input(
        "dropout", 0.0, 1.0, 0.0, 0.1, key="cmp_dropout", help=T_("dropout_help")
    )
    mode = c2.radio(T_("mode"), ["eval", "train"], horizontal=True, key="cmp_mode")
    dtype = c3.radio("dtype", ["float64", "float32"], horizontal=True, key="cmp_dtype")
    if use_pages:  # the pages' input: its T, one sequence, from a zero state
        seq_len, batch, lengths_text, state = len(pages_x), 1, "", "zeros"
        c3.markdown(f"T = **{seq_len}** · B = **1** · {from_text}")
        c4.markdown(f"{T_('state')}: **{T_('state_zeros')}**")
    else:
        seq_len = _limited_input(T_, c3, "seq_len", 5)
        batch = _limited_input(T_, c3, "batch", 3)
        lengths_text = c3.text_input(
            T_("lengths"), "", key="cmp_lengths", help=T_("lengths_help"),
            placeholder="5, 3, 4", max_chars=cl.MAX_LENGTHS_CHARS,
        )  # fmt: skip
        state = c4.radio(
            T_("state_gru" if kind == "gru" else "state"), ["random", "zeros"], key="cmp_state",
            format_func=lambda v: T_(f"state_{v}"),
        )  # fmt: skip
    seed = c4.number_input(T_("seed"), 0, L["seed"][1], 0, 1, key="cmp_seed")

    problems: list[cl.CompareError] = []
    lengths = None
    try:
        lengths = cl.parse_lengths(lengths_text, int(batch), int(seq_len))
    except cl.CompareError as e:
        problems.append(e)
    cfg = cl.CompareConfig(
        **{k: int(v) for k, v in sizes.items()},
        bias=bool(bias),
        batch_first=bool(batch_first),
        bidirectional=bool(bidirectional),
        dropout=float(dropout),
        train=mode == "train",
        dtype=dtype,
        seq_len=int(seq_len),
        batch=int(batch),
        random_state=state == "random",
        lengths=lengths,
        seed=int(seed),
        x=pages_x,
        kind=kind,
    )
    problems += cl.check_config(cfg)
    for e in problems:
        show_error(e, lang)
    sd = uploaded_sd if use_upload else pages_model.state_dict() if use_pages else None
    return Form(cfg, sd, problems)
