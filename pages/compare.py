"""Check against PyTorch: the same weights in torch.nn.LSTM and lstm_core, every number compared.

The page is its form (`ui.compare_form`), the code and shapes it gives, the verdict, and one
function per tab (`ui.compare_tabs`, `ui.compare_files`); only the open tab runs.
"""

from __future__ import annotations

import streamlit as st

from app_logic import compare_gru as cg
from app_logic import compare_logic as cl
from app_logic import compare_tables as ct
from lstm_core import torch_bridge as tb
from ui import a11y, compare_files, compare_tabs, session
from ui.compare_form import cached_comparison, options_form


def code_and_shapes(cfg: cl.CompareConfig, T_: ct.Texts) -> None:
    """The torch code and the NumPy code of this configuration side by side, then its shapes."""
    st.subheader(T_("code_title"))
    left, right = st.columns(2)
    gru = cfg.kind == "gru"
    left.caption(T_("code_torch_gru" if gru else "code_torch"))
    with left:
        a11y.code((cg if gru else cl).torch_code(cfg), T_("code_title"), wrap=True)
    right.caption(T_("code_numpy"))
    with right:
        a11y.code((cg if gru else cl).numpy_code(cfg), T_("code_title"), wrap=True)
    shapes = "shapes_gru" if gru else "shapes_bf" if cfg.batch_first else "shapes"
    st.markdown(T_(shapes, **ct.shapes_fields(cfg)))


def verdict(result: cl.CompareResult, cfg: cl.CompareConfig, T_: ct.Texts) -> None:
    """PASS or FAIL with the numbers: every tensor's max |diff| against its tolerance."""
    st.subheader(T_("verdict_title"))
    gru = cfg.kind == "gru"
    if cg.passed(result):
        n_checks = len(result.tensors) + len(result.gates) + (1 if gru else 0)
        text = "verdict_pass_gru" if gru else "verdict_pass"
        st.success(T_(text, n=n_checks, dtype=cfg.dtype, version=result.torch_version))
    else:
        failed = ct.gru_failed_names(result)
        st.error(T_("verdict_fail", n=len(failed), names=", ".join(failed)))
    rows = (ct.gru_verdict_table if gru else ct.verdict_table)(result, T_)
    a11y.numbers(rows, T_("verdict_title"), compare_tabs.number_formats(T_))
    if gru and result.extra["grads"].eval_forced:
        st.info(T_("grads_eval"))
    if cfg.dtype == "float64":
        st.caption(T_("tol_f64"))
    else:
        st.caption(T_("tol_f32", ref=ct.f32_reference(result)))
    if cfg.dropout_active:
        st.info(T_("dropout_layerwise"))
    elif cfg.train and cfg.dropout > 0:
        st.info(T_("dropout_one_layer"))
    if cfg.lengths is not None:
        st.info(T_("lengths_note", lengths=", ".join(map(str, cfg.lengths))))


lang = session.lang()
T_ = ct.texts(lang)
ss = st.session_state

st.title(T_("title"))
st.markdown(T_("intro"))

torch_box = st.container()  # filled once torch's import was tried (after the options are drawn)
opts_box = st.container(border=True)
code_box = st.container()
verdict_box = st.container()
tab_out, tab_gates, tab_layout, tab_grad, tab_files = st.tabs(
    [T_("tab_outputs"), T_("tab_gates"), T_("tab_layout"), T_("tab_grads"), T_("tab_files")],
    key="cmp_tab",
    on_change="rerun",  # only the open tab runs: the first visit pays for one tab, not five
)

if tab_files.open:  # uploads first: a new file changes the model the options show
    with tab_files:
        compare_files.upload_tab(lang)

with opts_box:
    form = options_form(lang, ss.get(session.UPLOADED_STATE_DICT), ss.get(session.UPLOADED_CONFIG))
cfg, sd = form.cfg, form.sd
with code_box:
    code_and_shapes(cfg, T_)

# The first visit imports torch here (seconds): the options, the code and the shapes are on screen.
with verdict_box, st.spinner(T_("running")):
    has_torch = tb.torch_available()
if not has_torch:
    with torch_box:
        st.warning(T_("no_torch"))
        pip = "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu"
        a11y.code(pip, T_("code_title"), python=False)
if form.problems:
    with verdict_box:
        st.info(T_("fix_settings"))
    st.stop()
if not has_torch:
    with verdict_box:
        st.info(T_("no_torch_short"))

result: cl.CompareResult | None = None
if has_torch:
    try:
        with st.spinner(T_("running")):
            result = cached_comparison(cfg, sd)
    except ValueError as e:  # an upload that no longer fits, or a setting the core refuses
        with verdict_box:
            st.error(T_("run_failed", reason=str(e)[:400]))
if result is not None:
    with verdict_box:
        verdict(result, cfg, T_)

for tab, show in (
    (tab_out, lambda: compare_tabs.outputs_tab(result, cfg, sd, lang)),
    (tab_gates, lambda: compare_tabs.gates_tab(result, cfg, lang)),
    (tab_layout, lambda: compare_tabs.layout_tab(result, cfg, sd, lang)),
    (tab_grad, lambda: compare_tabs.gradients_tab(cfg, sd, has_torch, lang, result)),
    (tab_files, lambda: compare_files.download_tab(cfg, sd, has_torch, lang)),
):
    if tab.open:
        with tab:
            show()
