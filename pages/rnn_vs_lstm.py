"""From RNN to LSTM: one input through a vanilla RNN and an LSTM; how far back gradients reach.

Thin: the math is `lstm_core.memory.gradient_flow` (the core's BPTT with the loss on the last
output only), the figures are `viz.gradient_flow`. The page's own controls (T, H, input, seed,
forget-gate bias, recurrent weight scale) live in widget keys prefixed `why_`.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from app_logic import inputs
from app_logic.i18n import tr
from app_logic.limits import MAX_SEED
from lstm_core.memory import GradientFlow, gradient_flow, paired_models
from ui import a11y, session, widgets
from viz import palette
from viz.gradient_flow import gradient_norms, step_factors

INPUTS = ("sine", "noise", "impulse", "sidebar")
DEFAULTS = {
    "why_input": "sine",
    "why_T": 40,
    "why_H": 16,
    "why_seed": 0,
    "why_forget_bias": 3.0,
    "why_scale": 1.0,
}

_col = palette.latex  # a KaTeX symbol in its article colour


@st.cache_data(max_entries=64, ttl="1h", show_spinner=False)
def flow_for(x: np.ndarray, H: int, seed: int, forget_bias: float, scale: float) -> GradientFlow:
    """The gradient flow of the RNN/LSTM pair for input x (T, D); cached per setting."""
    rnn, lstm = paired_models(x.shape[1], H, seed, forget_bias, scale)
    return gradient_flow(rnn, lstm, x)


RNN_LATEX = (
    r"\text{RNN:}\quad \frac{\partial L}{\partial h_{k-1}} = W_{hh}^{\top}\big(\tanh'(z_k)"
    r" \odot \frac{\partial L}{\partial h_k}\big)"
    r"\;\Rightarrow\; \Big\|\frac{\partial L}{\partial h_k}\Big\| \lesssim"
    r" \big(\|W_{hh}\|\cdot\max\tanh'\big)^{t-k}"
)
LSTM_LATEX = (
    rf"\text{{LSTM:}}\quad \frac{{\partial L}}{{\partial {_col('c', 'c_{k-1}')}}} ="
    rf" {_col('f', 'f_k')} \odot \frac{{\partial L}}{{\partial {_col('c', 'c_k')}}}"
    rf" + (\text{{via }} {_col('h', 'h_{k-1}')})"
    rf"\;\Rightarrow\; \frac{{\partial L}}{{\partial {_col('c', 'c_k')}}} \approx"
    rf" \Big(\prod_{{k<j\le t}} {_col('f', 'f_j')}\Big) \odot"
    rf" \frac{{\partial L}}{{\partial {_col('c', 'c_t')}}}"
)


def _sci(v: float) -> str:
    return f"{v:.2e}" if np.isfinite(v) else "—"


lang = session.lang()


def _w(key: str) -> dict:
    """Widget arguments for the page's own setting `key` (survives page switches)."""
    return widgets.kept(key, DEFAULTS[key])


st.title(tr("why.title", lang))
st.markdown(tr("why.intro", lang))

with st.container(border=True):
    c = st.columns([2, 2, 2, 1])
    c[0].selectbox(
        tr("why.input", lang),
        INPUTS,
        format_func=lambda k: tr(f"why.input_{k}", lang),
        **_w("why_input"),
    )
    own_input = st.session_state["why_input"] != "sidebar"
    c[1].slider(tr("why.T", lang), 2, 120, **_w("why_T"), disabled=not own_input)
    c[2].slider(tr("why.H", lang), 1, 64, **_w("why_H"))
    c[3].number_input(tr("why.seed", lang), 0, MAX_SEED, step=1, **_w("why_seed"))
    c = st.columns(2)
    c[0].slider(
        tr("why.forget_bias", lang),
        -4.0,
        6.0,
        step=0.5,
        **_w("why_forget_bias"),
        help=tr("why.forget_bias_help", lang),
    )
    c[1].slider(
        tr("why.scale", lang),
        0.25,
        4.0,
        step=0.25,
        **_w("why_scale"),
        help=tr("why.scale_help", lang),
    )

ss = st.session_state
if own_input:
    x = inputs.preset(ss["why_input"], int(ss["why_T"]), 1, int(ss["why_seed"]))
else:
    x = np.asarray(session.current_run().x, dtype=np.float64)
    st.caption(tr("why.sidebar_input_note", lang, T=x.shape[0], D=x.shape[1]))

H = int(ss["why_H"])
flow = flow_for(x, H, int(ss["why_seed"]), float(ss["why_forget_bias"]), float(ss["why_scale"]))
d_max = flow.T - 1

st.subheader(tr("why.section_norms", lang))
st.markdown(tr("why.norms_explain", lang))
m = st.columns(4)
m[0].metric(
    tr("why.metric_rnn", lang, d=d_max), _sci(flow.rnn_h[d_max]), help=tr("why.metric_help", lang)
)
m[1].metric(
    tr("why.metric_lstm", lang, d=d_max),
    _sci(flow.lstm_h[d_max]),
    help=tr("why.metric_help", lang),
)
ratio = flow.ratio()
m[2].metric(tr("why.metric_ratio", lang), _sci(ratio), help=tr("why.metric_ratio_help", lang))
m[3].metric(
    tr("why.metric_prod_f", lang, d=d_max),
    _sci(flow.forget_product[d_max]),
    help=tr("why.metric_prod_f_help", lang),
)
a11y.chart(gradient_norms(flow, lang), "words.why_norms", lang)
if ratio >= 1:
    st.success(tr("why.verdict_lstm", lang, d=d_max, ratio=_sci(ratio)))
else:
    st.warning(tr("why.verdict_rnn", lang, d=d_max, ratio=_sci(ratio)))

st.subheader(tr("why.section_factors", lang))
st.markdown(tr("why.factors_explain", lang))
st.latex(RNN_LATEX)
st.latex(LSTM_LATEX)
a11y.chart(step_factors(flow, lang), "words.why_factors", lang)

st.subheader(tr("why.section_try", lang))
st.markdown(tr("why.try_body", lang))

st.subheader(tr("why.section_takeaway", lang))
st.markdown(tr("why.takeaway", lang))
st.caption(tr("why.method_note", lang))
