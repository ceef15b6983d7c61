"""The Compare page's tabs of numbers: outputs, every gate, the weight layout, gradients.

One function per tab, each given what it shows (the configuration, the weights, the comparison's
result, the language); Streamlit only: tables come from `app_logic.compare_tables`, figures from
`viz.compare`.
"""

from __future__ import annotations

import dataclasses
import functools

import numpy as np
import streamlit as st

from app_logic import compare_gru as cg
from app_logic import compare_logic as cl
from app_logic import compare_tables as ct
from app_logic.run import state_fingerprint
from ui import a11y
from ui.figures import cached_figure
from viz import compare as vc
from viz import palette

CHART = {"displaylogo": False}


def number_formats(T_: ct.Texts, diff_format: str = "%.3e") -> dict[str, str]:
    """How a table's max |diff| and tolerance columns are printed."""
    return {T_("col_max_diff"): diff_format, T_("col_tol"): "%.1e"}


@st.cache_data(max_entries=32, ttl="1h", show_spinner=False)
def cached_gradients(cfg: cl.CompareConfig, sd: dict | None, name: str) -> cl.GradCheck:
    return cl.gradient_check(cfg, sd, name)


def outputs_tab(
    result: cl.CompareResult | None, cfg: cl.CompareConfig, sd: dict | None, lang: str
) -> None:
    """output, h_n and c_n of both libraries, and |difference|, for one batch element (`result`
    is the comparison of `cfg` with the weights `sd`: the figures are cached on those)."""
    T_ = ct.texts(lang)
    if result is None:
        st.info(T_("needs_torch"))
        return
    b = st.selectbox(T_("batch_element"), list(range(cfg.batch)), key="cmp_b")
    key = (cfg, None if sd is None else state_fingerprint(sd), b, lang)  # the result's inputs
    for t in result.tensors.values():
        st.markdown(
            f"##### `{t.name}` — {T_('shape')} {t.core.shape} · "
            f"{T_('col_max_diff')} **{ct.sci(t.max_diff)}** · {ct.verdict_word(T_, t.passed)}"
        )
        if t.name == "output":
            core2 = t.core[b] if cfg.batch_first else t.core[:, b]
            torch2 = t.torch[b] if cfg.batch_first else t.torch[:, b]
            rows_lbl, cols_lbl, ticks = T_("timestep"), T_("feature"), None
        else:
            core2, torch2 = t.core[:, b], t.torch[:, b]
            rows_lbl, cols_lbl, ticks = T_("layer_dir"), T_("unit"), ct.state_row_labels(cfg, T_)
        if t.name == "c_n" or cfg.proj_size:
            rng = palette.symmetric_range(np.concatenate([core2.ravel(), torch2.ravel()]))
        else:
            rng = palette.TANH_RANGE
        fig = cached_figure(("fig compare tensor", t.name, *key), functools.partial(
            vc.create_tensor_figure,
            core2, torch2, t.tol, ("NumPy (lstm_core)", cfg.torch_name, "|NumPy − torch|"),
            rows_lbl, cols_lbl, rng, ticks, lang=lang,
        ))  # fmt: skip
        a11y.chart(fig, "words.cmp_tensor", lang, key=f"cmp_fig_{t.name}", config=CHART)
    st.caption(T_("diff_scale_note"))
    if cfg.num_directions == 2:
        st.caption(T_("bidir_rows_note", H=cfg.h_out))


def _layer_and_direction(T_: ct.Texts, cfg: cl.CompareConfig, prefix: str) -> tuple[int, int]:
    """Two pickers side by side: the layer k and the direction d (keys cmp_<prefix>_layer/_dir)."""
    names = ct.dir_names(T_)
    c1, c2 = st.columns(2)
    k = c1.selectbox(T_("col_layer"), list(range(cfg.num_layers)), key=f"cmp_{prefix}_layer")
    d = c2.selectbox(
        T_("col_direction"), list(range(cfg.num_directions)), key=f"cmp_{prefix}_dir",
        format_func=lambda v: names[v],
    )  # fmt: skip
    return k, d


def gates_tab(result: cl.CompareResult | None, cfg: cl.CompareConfig, lang: str) -> None:
    """Every gate, every layer and direction: torch's recomputed against the core's trace."""
    T_ = ct.texts(lang)
    st.markdown(T_("gates_intro"))
    if result is None:
        st.info(T_("needs_torch"))
        return
    gates = cg.GATE_NAMES if cfg.kind == "gru" else cl.GATE_NAMES
    names = {g: T_("col_max_diff_gate", g=g) for g in gates}
    a11y.numbers(
        ct.gate_table(result, cfg, T_).rename(columns=names), T_("tab_gates"),
        {**{name: "%.2e" for name in names.values()}, T_("col_tol"): "%.1e"},
    )  # fmt: skip
    k, d = _layer_and_direction(T_, cfg, "gate")
    sel = ct.gates_of(result, k, d)
    fig = vc.create_gate_diff_figure(
        {g.gate: g.per_t for g in sel}, max(g.tol for g in sel),
        T_("gates_chart_title", k=k, d=ct.dir_names(T_)[d]), "t", T_("max_abs_diff"), lang=lang,
    )  # fmt: skip
    a11y.chart(fig, "words.cmp_gates", lang, key="cmp_fig_gates", config=CHART)
    if cfg.lengths is not None:
        st.caption(T_("gates_lengths_note"))


def layout_tab(
    result: cl.CompareResult | None, cfg: cl.CompareConfig, sd: dict | None, lang: str
) -> None:
    """How torch's state_dict stores the gates, the two biases, projections and _reverse."""
    T_ = ct.texts(lang)
    try:
        model = cl.build_model(dataclasses.replace(cfg, train=False), sd)
    except ValueError as e:
        st.error(T_("run_failed", reason=str(e)[:400]))
        return
    psd = model.state_dict()
    H = cfg.hidden_size
    if cfg.kind == "gru":
        _gru_layout(result, cfg, psd, T_, lang)
        return
    st.markdown(T_("layout_intro", H=H, H4=4 * H, D=cfg.input_size, Hout=cfg.h_out))
    k, d = _layer_and_direction(T_, cfg, "layout")
    sfx = f"_l{k}" + ("_reverse" if d else "")
    blocks = {
        f"weight_ih{sfx}": {g: f"W<sub>i{g}</sub>" for g in vc.GATE_ORDER},
        f"weight_hh{sfx}": {g: f"W<sub>h{g}</sub>" for g in vc.GATE_ORDER},
    }
    fig = vc.create_weight_layout_figure({n: psd[n] for n in blocks}, H, blocks, lang=lang)
    a11y.chart(fig, "words.cmp_layout", lang, key="cmp_fig_layout", config=CHART)
    code = (
        f"W_ii, W_if, W_ig, W_io = lstm.weight_ih{sfx}.chunk(4, 0)   # each ({H}, "
        f"{model.layer_input_size(k)})\n"
        f"W_hi, W_hf, W_hg, W_ho = lstm.weight_hh{sfx}.chunk(4, 0)   # each ({H}, {cfg.h_out})"
    )
    a11y.code(code, T_("code_title"))
    st.markdown(T_("reverse_note"))
    st.markdown(f"#### {T_('bias_title')}")
    st.markdown(T_("bias_text"))
    if not cfg.bias:
        st.info(T_("bias_off"))
    elif result is not None and result.bias_demo is not None:
        bd = result.bias_demo
        st.markdown(
            T_(
                "bias_demo", delta=bd["delta"], b_ih=f"{bd['b_ih']:.6f}", b_hh=f"{bd['b_hh']:.6f}",
                b_ih2=f"{bd['b_ih'] + bd['delta']:.6f}", b_hh2=f"{bd['b_hh'] - bd['delta']:.6f}",
                moved=ct.sci(bd["moved"]), alone=ct.sci(bd["alone"]),
            )
        )  # fmt: skip
    if cfg.proj_size:
        st.markdown(f"#### weight_hr{sfx}")
        st.markdown(T_("proj_text", H=H, P=cfg.proj_size))
        title = f"weight_hr{sfx} ({cfg.proj_size} × {H})"
        a11y.chart(
            vc.create_matrix_figure(psd[f"weight_hr{sfx}"], title, T_("row_out"), T_("col_unit")),
            "words.cmp_matrix", lang, key="cmp_fig_hr", config=CHART,
        )  # fmt: skip
    st.markdown(f"#### {T_('keys_title')}")
    torch_shapes = result.torch_shapes if result is not None else None
    a11y.numbers(ct.keys_table(model.param_shapes(), torch_shapes, T_), T_("keys_title"))
    if result is not None:
        same = list(result.core_shapes.items()) == list(result.torch_shapes.items())
        (st.success if same else st.error)(T_("keys_same" if same else "keys_differ"))


def _gru_layout(result, cfg: cl.CompareConfig, psd: dict, T_: ct.Texts, lang: str) -> None:
    """nn.GRU's layout: 3H rows r | z | n, and why its two biases are not one."""
    H = cfg.hidden_size
    st.markdown(T_("gru_layout_intro", H=H, H3=3 * H, D=cfg.input_size))
    a11y.chart(
        vc.create_matrix_figure(psd["weight_ih_l0"], f"weight_ih_l0 ({3 * H} × {cfg.input_size})",
                                T_("row_out"), T_("col_unit")),
        "words.cmp_gru_layout", lang, key="cmp_fig_gru_ih", config=CHART,
    )  # fmt: skip
    code = (
        f"W_ir, W_iz, W_in = gru.weight_ih_l0.chunk(3, 0)   # each ({H}, {cfg.input_size})\n"
        f"W_hr, W_hz, W_hn = gru.weight_hh_l0.chunk(3, 0)   # each ({H}, {H})"
    )
    a11y.code(code, T_("code_title"))
    st.markdown(T_("gru_bias_text"))
    torch_shapes = result.torch_shapes if result is not None else None
    model = cl.build_model(dataclasses.replace(cfg, train=False))
    a11y.numbers(ct.keys_table(model.param_shapes(), torch_shapes, T_), T_("keys_title"))


def _gru_gradients(result: cl.CompareResult | None, T_: ct.Texts) -> None:
    """The GRU's gradients: BPTT against autograd for every parameter (from the verdict's run)."""
    if result is None:
        st.info(T_("needs_torch"))
        return
    gr = result.extra["grads"]
    if gr.eval_forced:
        st.info(T_("grads_eval"))
    rows = [
        {T_("col_key"): n, T_("col_max_diff"): d, T_("col_tol"): t,
         T_("col_verdict"): ct.verdict_word(T_, d <= t)}
        for n, (d, t) in gr.per_param.items()
    ]  # fmt: skip
    (st.success if gr.passed else st.error)(T_("gru_grads_verdict", n=len(rows)))
    a11y.numbers(rows, T_("grads_all"), number_formats(T_))


def gradients_tab(
    cfg: cl.CompareConfig, sd: dict | None, has_torch: bool, lang: str,
    result: cl.CompareResult | None = None,
) -> None:  # fmt: skip
    """BPTT against autograd against central differences, for a chosen parameter."""
    T_ = ct.texts(lang)
    st.markdown(T_("grads_intro"))
    if not has_torch:
        st.info(T_("needs_torch"))
        return
    if cfg.kind == "gru":
        _gru_gradients(result, T_)
        return
    names = list(cl.build_model(cfg, sd).param_shapes())
    name = st.selectbox(T_("param"), names, key="cmp_grad_param")
    try:
        gc = cached_gradients(cfg, sd, name)
    except ValueError as e:
        st.error(T_("run_failed", reason=str(e)[:400]))
        return
    if gc.eval_forced:
        st.info(T_("grads_eval"))
    (st.success if gc.passed else st.error)(
        T_("grads_pass" if gc.passed else "grads_fail", name=name)
    )
    a11y.numbers(ct.grad_table(gc, T_), T_("tab_grads"), number_formats(T_))
    fig = vc.create_grad_figure(
        ct.grad_series(gc, T_), ct.entry_labels(gc),
        T_("grads_chart_title", name=name, n=len(gc.index)), T_("entry"), "∂L/∂θ",
    )  # fmt: skip
    a11y.chart(fig, "words.cmp_grads", lang, key="cmp_fig_grads", config=CHART)
    st.caption(T_("grads_entries"))
    with st.expander(T_("grads_all")):
        a11y.numbers(ct.all_grads_table(gc, T_), T_("grads_all"), number_formats(T_))
