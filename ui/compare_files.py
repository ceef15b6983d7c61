"""The Compare page's files tab: upload a state_dict (it becomes the session's uploaded weights)
and download the current weights as .npz and .pt. Streamlit only: parsing is `app_logic.uploads`."""

from __future__ import annotations

import streamlit as st

from app_logic import compare_logic as cl
from app_logic import uploads
from app_logic.compare_tables import texts
from lstm_core import torch_bridge as tb
from ui import session
from ui.compare_form import show_error

UPLOAD_NAME, UPLOAD_ID, UPLOAD_ERROR = "cmp_upload_name", "cmp_upload_id", "cmp_upload_error"


@st.cache_data(max_entries=8, ttl="1h", show_spinner=False)
def cached_pt_bytes(sd: dict) -> bytes:
    return tb.save_pt_bytes(sd)


def _read_upload(up) -> None:
    """A new file: its weights become the session's uploaded weights, or its error is kept."""
    ss = st.session_state
    ss[UPLOAD_ID] = up.file_id
    ss.pop(UPLOAD_ERROR, None)
    try:
        config, sd, prefix = uploads.model_from_upload(up.name, up.getvalue())
    except uploads.UploadError as e:
        ss[UPLOAD_ERROR] = e
        return
    ss[session.UPLOADED_STATE_DICT] = sd
    ss[session.UPLOADED_CONFIG] = config
    ss[UPLOAD_NAME] = up.name + (f" ({prefix!r} removed)" if prefix else "")
    ss["cmp_weights"] = "uploaded"
    session.set_settings(weights="uploaded")


def _forget_upload() -> None:
    ss = st.session_state
    for k in (session.UPLOADED_STATE_DICT, session.UPLOADED_CONFIG, UPLOAD_NAME):
        ss.pop(k, None)
    ss["cmp_weights"] = "seed"
    if session.settings().weights == "uploaded":
        session.set_settings(weights="random")


def upload_tab(lang: str) -> None:
    """The uploader; a good file becomes the session's uploaded weights (drawn before the form,
    since a new file changes the model the form shows)."""
    T_ = texts(lang)
    ss = st.session_state
    st.subheader(T_("upload_title"))
    st.markdown(T_("upload_help", mb=uploads.MAX_UPLOAD_BYTES // 2**20))
    up = st.file_uploader(T_("upload_label"), type=["pt", "pth", "npz"], key="cmp_upload")
    if up is None:  # the file was removed: so is its message
        ss.pop(UPLOAD_ID, None)
        ss.pop(UPLOAD_ERROR, None)
    elif ss.get(UPLOAD_ID) != up.file_id:
        _read_upload(up)
    if ss.get(UPLOAD_ERROR) is not None:
        show_error(ss[UPLOAD_ERROR], lang)
    if ss.get(session.UPLOADED_STATE_DICT) is None:
        return
    config = ss.get(session.UPLOADED_CONFIG, {})
    st.success(
        T_(
            "upload_ok",
            name=ss.get(UPLOAD_NAME, "?"),
            config=", ".join(f"{k}={v}" for k, v in config.items()),
        )
    )
    if st.button(T_("upload_forget"), key="cmp_forget"):
        _forget_upload()
        st.rerun()


def download_tab(cfg: cl.CompareConfig, sd: dict | None, has_torch: bool, lang: str) -> None:
    """The current weights as .npz (always) and .pt (with torch)."""
    T_ = texts(lang)
    st.subheader(T_("download_title"))
    try:
        current = cl.build_model(cfg, sd).state_dict()
    except ValueError:
        return
    d1, d2 = st.columns(2)
    d1.download_button(
        T_("download_npz"), uploads.npz_bytes(current), "lstm_state_dict.npz",
        "application/octet-stream", key="cmp_dl_npz",
    )  # fmt: skip
    if has_torch:
        d2.download_button(
            T_("download_pt"), cached_pt_bytes(current), "lstm_state_dict.pt",
            "application/octet-stream", key="cmp_dl_pt",
        )  # fmt: skip
    st.caption(T_("download_note"))
