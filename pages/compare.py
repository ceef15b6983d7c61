"""Check against PyTorch: the same weights in torch.nn.LSTM and lstm_core, every number compared."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import streamlit as st

from app_logic import compare_logic as cl
from app_logic import uploads
from app_logic.i18n import tr
from lstm_core import torch_bridge as tb
from ui import session
from viz import compare as vc
from viz import palette

lang = session.lang()


def T_(key: str, **fmt) -> str:
    """This page's text in the current language."""
    return tr(f"compare.{key}", lang, **fmt)


def show_error(e: cl.CompareError | uploads.UploadError) -> None:
    """A refused setting or upload: the translated message, then every problem listed."""
    try:
        text = tr(e.key, lang, **e.fmt)
    except (KeyError, IndexError, ValueError):
        text = str(e)
    problems = getattr(e, "problems", [])
    st.error(text + "".join(f"\n- {p}" for p in problems))


@st.cache_data(max_entries=16, ttl="1h", show_spinner=False)
def cached_comparison(cfg: cl.CompareConfig, sd: dict | None) -> cl.CompareResult:
    return cl.run_comparison(cfg, sd)


@st.cache_data(max_entries=32, ttl="1h", show_spinner=False)
def cached_gradients(cfg: cl.CompareConfig, sd: dict | None, name: str) -> cl.GradCheck:
    return cl.gradient_check(cfg, sd, name)


@st.cache_data(max_entries=8, ttl="1h", show_spinner=False)
def cached_pt_bytes(sd: dict) -> bytes:
    return tb.save_pt_bytes(sd)


DIR_NAMES = (T_("dir_forward"), T_("dir_reverse"))


def sci(v: float) -> str:
    return "0" if v == 0 else f"{v:.2e}"


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

# ----- uploads first: a new file changes the model drawn in the options above -------------------
ss = st.session_state


def upload_tab() -> None:
    """The uploader; a good file becomes the session's uploaded weights."""
    st.subheader(T_("upload_title"))
    st.markdown(T_("upload_help", mb=uploads.MAX_UPLOAD_BYTES // 2**20))
    up = st.file_uploader(T_("upload_label"), type=["pt", "pth", "npz"], key="cmp_upload")
    if up is None:  # the file was removed: so is its message
        ss.pop("cmp_upload_id", None)
        ss.pop("cmp_upload_error", None)
    if up is not None and ss.get("cmp_upload_id") != up.file_id:
        ss["cmp_upload_id"] = up.file_id
        ss.pop("cmp_upload_error", None)
        try:
            config, sd, prefix = uploads.model_from_upload(up.name, up.getvalue())
        except uploads.UploadError as e:
            ss["cmp_upload_error"] = e
        else:
            ss[session.UPLOADED_STATE_DICT] = sd
            ss[session.UPLOADED_CONFIG] = config
            ss["cmp_upload_name"] = up.name + (f" ({prefix!r} removed)" if prefix else "")
            ss["cmp_weights"] = "uploaded"
            session.set_settings(weights="uploaded")
    if ss.get("cmp_upload_error") is not None:
        show_error(ss["cmp_upload_error"])
    if ss.get(session.UPLOADED_STATE_DICT) is not None:
        config = ss.get(session.UPLOADED_CONFIG, {})
        st.success(
            T_(
                "upload_ok",
                name=ss.get("cmp_upload_name", "?"),
                config=", ".join(f"{k}={v}" for k, v in config.items()),
            )
        )
        if st.button(T_("upload_forget"), key="cmp_forget"):
            for k in (session.UPLOADED_STATE_DICT, session.UPLOADED_CONFIG, "cmp_upload_name"):
                ss.pop(k, None)
            ss["cmp_weights"] = "seed"
            if session.settings().weights == "uploaded":
                session.set_settings(weights="random")
            st.rerun()


if tab_files.open:
    with tab_files:
        upload_tab()
uploaded_sd = ss.get(session.UPLOADED_STATE_DICT)
uploaded_cfg = ss.get(session.UPLOADED_CONFIG)

# ----- the options: nn.LSTM's constructor, the input, the state ----------------------------------
L = cl.LIMITS
with opts_box:
    st.markdown(f"**{T_('options_title')}**")
    has_upload = uploaded_sd is not None and uploaded_cfg is not None
    sources = ["seed", "pages", *(["uploaded"] if has_upload else [])]
    if ss.get("cmp_weights") not in sources:  # a new visit: follow the sidebar's uploaded weights
        ss["cmp_weights"] = (
            "uploaded" if has_upload and session.settings().weights == "uploaded" else "seed"
        )
    choice = st.radio(
        T_("weights"), sources, horizontal=True, key="cmp_weights",
        format_func=lambda v: T_(f"weights_{v}"),
    )  # fmt: skip
    use_upload, use_pages = choice == "uploaded", choice == "pages"
    pages_x = None
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
    from_key = "from_pages" if use_pages else "from_upload"
    c1, c2, c3, c4 = st.columns(4)

    def limited_input(col, name: str, default: int, label: str | None = None) -> int:
        """A number input within LIMITS[name], labelled with the page's text for it."""
        lo, hi = L[name]
        label = label or T_(name)
        return col.number_input(
            label, lo, hi, default, 1, key=f"cmp_{name}", help=T_("limit_help", lo=lo, hi=hi)
        )

    def size_input(col, name: str, default: int) -> int:
        if name in fixed:  # the uploaded weights (or the pages' model) decide this size
            col.markdown(f"`{name}` = **{fixed[name]}** · {T_(from_key)}")
            return int(fixed[name])
        return limited_input(col, name, default, label=name)

    input_size = size_input(c1, "input_size", 10)
    hidden_size = size_input(c1, "hidden_size", 20)
    num_layers = size_input(c1, "num_layers", 2)
    proj_size = size_input(c1, "proj_size", 0)
    if fixed:
        bias, bidirectional = bool(fixed["bias"]), bool(fixed["bidirectional"])
        c2.markdown(f"`bias` = **{bias}** · `bidirectional` = **{bidirectional}** · {T_(from_key)}")
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
        c3.markdown(f"T = **{seq_len}** · B = **1** · {T_(from_key)}")
        c4.markdown(f"{T_('state')}: **{T_('state_zeros')}**")
    else:
        seq_len = limited_input(c3, "seq_len", 5)
        batch = limited_input(c3, "batch", 3)
        lengths_text = c3.text_input(
            T_("lengths"),
            "",
            key="cmp_lengths",
            help=T_("lengths_help"),
            placeholder="5, 3, 4",
            max_chars=cl.MAX_LENGTHS_CHARS,
        )
        state = c4.radio(
            T_("state"),
            ["random", "zeros"],
            key="cmp_state",
            format_func=lambda v: T_(f"state_{v}"),
        )
    seed = c4.number_input(T_("seed"), 0, L["seed"][1], 0, 1, key="cmp_seed")

problems: list[cl.CompareError] = []
lengths = None
try:
    lengths = cl.parse_lengths(lengths_text, int(batch), int(seq_len))
except cl.CompareError as e:
    problems.append(e)
cfg = cl.CompareConfig(
    input_size=int(input_size),
    hidden_size=int(hidden_size),
    num_layers=int(num_layers),
    bias=bool(bias),
    batch_first=bool(batch_first),
    bidirectional=bool(bidirectional),
    proj_size=int(proj_size),
    dropout=float(dropout),
    train=mode == "train",
    dtype=dtype,
    seq_len=int(seq_len),
    batch=int(batch),
    random_state=state == "random",
    lengths=lengths,
    seed=int(seed),
    x=pages_x,
)
problems += cl.check_config(cfg)
sd = uploaded_sd if use_upload else pages_model.state_dict() if use_pages else None
with opts_box:
    for e in problems:
        show_error(e)

# ----- the code and the shapes -----------------------------------------------------------------
with code_box:
    st.subheader(T_("code_title"))
    left, right = st.columns(2)
    left.caption(T_("code_torch"))
    left.code(cl.torch_code(cfg), "python", wrap_lines=True)
    right.caption(T_("code_numpy"))
    right.code(cl.numpy_code(cfg), "python", wrap_lines=True)
    LD = cfg.num_layers * cfg.num_directions
    st.markdown(
        T_(
            "shapes_bf" if cfg.batch_first else "shapes",
            x=str(
                (cfg.batch, cfg.seq_len, cfg.input_size)
                if cfg.batch_first
                else (cfg.seq_len, cfg.batch, cfg.input_size)
            ),
            out=str(cl.output_shape(cfg)),
            LD=LD,
            L=cfg.num_layers,
            dirs=cfg.num_directions,
            B=cfg.batch,
            T=cfg.seq_len,
            D=cfg.input_size,
            H=cfg.hidden_size,
            Hout=cfg.h_out,
            F=cfg.num_directions * cfg.h_out,
        )
    )

# The first visit imports torch here (seconds): the options, the code and the shapes are on screen.
with verdict_box, st.spinner(T_("running")):
    has_torch = tb.torch_available()
if not has_torch:
    with torch_box:
        st.warning(T_("no_torch"))
        st.code(
            "pip install torch==2.13.0 --index-url https://download.pytorch.org/whl/cpu", "bash"
        )
if problems:
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

# ----- the verdict -------------------------------------------------------------------------------
if result is not None:
    with verdict_box:
        st.subheader(T_("verdict_title"))
        n_checks = len(result.tensors) + len(result.gates)
        if result.passed:
            st.success(
                T_("verdict_pass", n=n_checks, dtype=cfg.dtype, version=result.torch_version)
            )
        else:
            failed = [t.name for t in result.tensors.values() if not t.passed]
            failed += [
                f"{g.gate} (l{g.layer}, d{g.direction})" for g in result.gates if not g.passed
            ]
            st.error(T_("verdict_fail", n=len(failed), names=", ".join(failed)))
        rows = []
        for t in result.tensors.values():
            rows.append(
                {
                    T_("col_tensor"): t.name,
                    T_("col_shape_core"): str(t.core.shape),
                    T_("col_shape_torch"): str(t.torch.shape),
                    T_("col_max_diff"): t.max_diff,
                    T_("col_tol"): t.tol,
                    T_("col_verdict"): T_("pass") if t.passed else T_("fail"),
                }
            )
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            key="cmp_verdict_table",
            column_config={
                T_("col_max_diff"): st.column_config.NumberColumn(format="%.3e"),
                T_("col_tol"): st.column_config.NumberColumn(format="%.1e"),
            },
        )
        st.caption(
            T_("tol_f64")
            if cfg.dtype == "float64"
            else T_(
                "tol_f32",
                ref=", ".join(
                    f"{t.name} {sci(t.ref_diff or 0.0)}" for t in result.tensors.values()
                ),
            )
        )
        if cfg.dropout_active:
            st.info(T_("dropout_layerwise"))
        elif cfg.train and cfg.dropout > 0:
            st.info(T_("dropout_one_layer"))
        if cfg.lengths is not None:
            st.info(T_("lengths_note", lengths=", ".join(map(str, cfg.lengths))))

# ----- outputs side by side ----------------------------------------------------------------------


def outputs_tab() -> None:
    """The tab of output, h_n and c_n of both libraries, and |difference|, for one batch element."""
    if result is None:
        st.info(T_("needs_torch"))
    else:
        b = st.selectbox(T_("batch_element"), list(range(cfg.batch)), key="cmp_b")
        short = (T_("fwd_short"), T_("rev_short"))
        state_rows = [
            f"l{k} {short[d]}" for k in range(cfg.num_layers) for d in range(cfg.num_directions)
        ]
        for t in result.tensors.values():
            st.markdown(
                f"##### `{t.name}` — {T_('shape')} {t.core.shape} · "
                f"{T_('col_max_diff')} **{sci(t.max_diff)}** · "
                f"{T_('pass') if t.passed else T_('fail')}"
            )
            if t.name == "output":
                core2 = t.core[b] if cfg.batch_first else t.core[:, b]
                torch2 = t.torch[b] if cfg.batch_first else t.torch[:, b]
                rows_lbl, cols_lbl, ticks = T_("timestep"), T_("feature"), None
            else:
                core2, torch2 = t.core[:, b], t.torch[:, b]
                rows_lbl, cols_lbl, ticks = T_("layer_dir"), T_("unit"), state_rows
            if t.name == "c_n" or cfg.proj_size:
                rng = palette.symmetric_range(np.concatenate([core2.ravel(), torch2.ravel()]))
            else:
                rng = palette.TANH_RANGE
            fig = vc.create_tensor_figure(
                core2,
                torch2,
                t.tol,
                ("NumPy (lstm_core)", "torch.nn.LSTM", "|NumPy − torch|"),
                rows_lbl,
                cols_lbl,
                rng,
                ticks,
                lang=lang,
            )
            st.plotly_chart(fig, key=f"cmp_fig_{t.name}", config={"displaylogo": False})
        st.caption(T_("diff_scale_note"))
        if cfg.num_directions == 2:
            st.caption(T_("bidir_rows_note", H=cfg.h_out))


# ----- gates -------------------------------------------------------------------------------------


def gates_tab() -> None:
    """The tab of every gate, every layer and direction: torch's recomputed vs the core's trace."""
    st.markdown(T_("gates_intro"))
    if result is None:
        st.info(T_("needs_torch"))
    else:
        rows = []
        for k in range(cfg.num_layers):
            for d in range(cfg.num_directions):
                sel = [g for g in result.gates if g.layer == k and g.direction == d]
                row = {T_("col_layer"): k, T_("col_direction"): DIR_NAMES[d]}
                row |= {g.gate: g.max_diff for g in sel}
                row[T_("col_tol")] = max(g.tol for g in sel)
                row[T_("col_verdict")] = T_("pass") if all(g.passed for g in sel) else T_("fail")
                rows.append(row)
        st.dataframe(
            pd.DataFrame(rows),
            hide_index=True,
            key="cmp_gate_table",
            column_config={
                **{
                    g: st.column_config.NumberColumn(T_("col_max_diff_gate", g=g), format="%.2e")
                    for g in cl.GATE_NAMES
                },
                T_("col_tol"): st.column_config.NumberColumn(format="%.1e"),
            },
        )
        g1, g2 = st.columns(2)
        k = g1.selectbox(T_("col_layer"), list(range(cfg.num_layers)), key="cmp_gate_layer")
        d = g2.selectbox(
            T_("col_direction"),
            list(range(cfg.num_directions)),
            key="cmp_gate_dir",
            format_func=lambda v: DIR_NAMES[v],
        )
        sel = [g for g in result.gates if g.layer == k and g.direction == d]
        fig = vc.create_gate_diff_figure(
            {g.gate: g.per_t for g in sel},
            max(g.tol for g in sel),
            T_("gates_chart_title", k=k, d=DIR_NAMES[d]),
            "t",
            T_("max_abs_diff"),
            lang=lang,
        )
        st.plotly_chart(fig, key="cmp_fig_gates", config={"displaylogo": False})
        if cfg.lengths is not None:
            st.caption(T_("gates_lengths_note"))


# ----- the weight layout -------------------------------------------------------------------------


def layout_tab() -> None:
    """The tab of how torch's state_dict stores the gates, the two biases, projections, _reverse."""
    try:
        model = cl.build_model(dataclasses.replace(cfg, train=False), sd)
    except ValueError as e:
        st.error(T_("run_failed", reason=str(e)[:400]))
        model = None
    if model is not None:
        psd = model.state_dict()
        H = cfg.hidden_size
        st.markdown(T_("layout_intro", H=H, H4=4 * H, D=cfg.input_size, Hout=cfg.h_out))
        w1, w2 = st.columns(2)
        k = w1.selectbox(T_("col_layer"), list(range(cfg.num_layers)), key="cmp_layout_layer")
        d = w2.selectbox(
            T_("col_direction"),
            list(range(cfg.num_directions)),
            key="cmp_layout_dir",
            format_func=lambda v: DIR_NAMES[v],
        )
        sfx = f"_l{k}" + ("_reverse" if d else "")
        blocks = {
            f"weight_ih{sfx}": {g: f"W<sub>i{g}</sub>" for g in vc.GATE_ORDER},
            f"weight_hh{sfx}": {g: f"W<sub>h{g}</sub>" for g in vc.GATE_ORDER},
        }
        fig = vc.create_weight_layout_figure({n: psd[n] for n in blocks}, H, blocks, lang=lang)
        st.plotly_chart(fig, key="cmp_fig_layout", config={"displaylogo": False})
        st.code(
            f"W_ii, W_if, W_ig, W_io = lstm.weight_ih{sfx}.chunk(4, 0)   # each ({H}, "
            f"{model.layer_input_size(k)})\n"
            f"W_hi, W_hf, W_hg, W_ho = lstm.weight_hh{sfx}.chunk(4, 0)   # each ({H}, {cfg.h_out})",
            "python",
        )
        st.markdown(T_("reverse_note"))
        st.markdown(f"#### {T_('bias_title')}")
        st.markdown(T_("bias_text"))
        if not cfg.bias:
            st.info(T_("bias_off"))
        elif result is not None and result.bias_demo is not None:
            bd = result.bias_demo
            st.markdown(
                T_(
                    "bias_demo",
                    delta=bd["delta"],
                    b_ih=f"{bd['b_ih']:.6f}",
                    b_hh=f"{bd['b_hh']:.6f}",
                    b_ih2=f"{bd['b_ih'] + bd['delta']:.6f}",
                    b_hh2=f"{bd['b_hh'] - bd['delta']:.6f}",
                    moved=sci(bd["moved"]),
                    alone=sci(bd["alone"]),
                )
            )
        if cfg.proj_size:
            st.markdown(f"#### weight_hr{sfx}")
            st.markdown(T_("proj_text", H=H, P=cfg.proj_size))
            st.plotly_chart(
                vc.create_matrix_figure(
                    psd[f"weight_hr{sfx}"],
                    f"weight_hr{sfx} ({cfg.proj_size} × {H})",
                    T_("row_out"),
                    T_("col_unit"),
                ),
                key="cmp_fig_hr",
                config={"displaylogo": False},
            )
        st.markdown(f"#### {T_('keys_title')}")
        torch_shapes = result.torch_shapes if result is not None else {}
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        T_("col_key"): n,
                        "lstm_core": str(s),
                        "torch.nn.LSTM": str(torch_shapes.get(n, "—"))
                        if result is not None
                        else "—",
                        T_("col_same"): (T_("yes") if torch_shapes.get(n) == s else T_("no"))
                        if result is not None
                        else "—",
                    }
                    for n, s in model.param_shapes().items()
                ]
            ),
            hide_index=True,
            key="cmp_keys_table",
        )
        if result is not None:
            same = list(result.core_shapes.items()) == list(result.torch_shapes.items())
            (st.success if same else st.error)(T_("keys_same" if same else "keys_differ"))


# ----- gradients ---------------------------------------------------------------------------------


def gradients_tab() -> None:
    """The tab of BPTT vs autograd vs central differences for a chosen parameter."""
    st.markdown(T_("grads_intro"))
    if not has_torch:
        st.info(T_("needs_torch"))
    else:
        names = list(cl.build_model(cfg, sd).param_shapes())
        name = st.selectbox(T_("param"), names, key="cmp_grad_param")
        try:
            gc = cached_gradients(cfg, sd, name)
        except ValueError as e:
            st.error(T_("run_failed", reason=str(e)[:400]))
            gc = None
        if gc is not None:
            if gc.eval_forced:
                st.info(T_("grads_eval"))
            (st.success if gc.passed else st.error)(
                T_("grads_pass" if gc.passed else "grads_fail", name=name)
            )
            bptt, autograd, central = T_("method_bptt"), T_("method_autograd"), T_("method_central")
            st.dataframe(
                pd.DataFrame(
                    [
                        {
                            T_("col_pair"): T_("method_pair", a=bptt, b=autograd),
                            T_("col_max_diff"): gc.max_core_torch,
                            T_("col_tol"): gc.tol_torch,
                            T_("col_entries"): int(np.size(gc.core)),
                        },
                        {
                            T_("col_pair"): T_("method_pair", a=bptt, b=central),
                            T_("col_max_diff"): gc.max_core_central,
                            T_("col_tol"): gc.tol_central,
                            T_("col_entries"): len(gc.index),
                        },
                        {
                            T_("col_pair"): T_("method_pair", a=autograd, b=central),
                            T_("col_max_diff"): gc.max_torch_central,
                            T_("col_tol"): gc.tol_central,
                            T_("col_entries"): len(gc.index),
                        },
                    ]
                ),
                hide_index=True,
                key="cmp_grad_table",
                column_config={
                    T_("col_max_diff"): st.column_config.NumberColumn(format="%.3e"),
                    T_("col_tol"): st.column_config.NumberColumn(format="%.1e"),
                },
            )
            fig = vc.create_grad_figure(
                {
                    bptt: gc.core.ravel()[gc.index],
                    autograd: gc.torch.ravel()[gc.index],
                    central: gc.central,
                },
                [
                    "[" + ", ".join(str(int(v)) for v in np.unravel_index(j, gc.core.shape)) + "]"
                    for j in gc.index
                ],
                T_("grads_chart_title", name=name, n=len(gc.index)),
                T_("entry"),
                "∂L/∂θ",
            )
            st.plotly_chart(fig, key="cmp_fig_grads", config={"displaylogo": False})
            st.caption(T_("grads_entries"))
            with st.expander(T_("grads_all")):
                st.dataframe(
                    pd.DataFrame(
                        [
                            {
                                T_("col_key"): n,
                                T_("col_max_diff"): gc.all_params[n],
                                T_("col_tol"): gc.all_tols[n],
                                T_("col_verdict"): T_("pass")
                                if gc.all_params[n] <= gc.all_tols[n]
                                else T_("fail"),
                            }
                            for n in gc.all_params
                        ]
                    ),
                    hide_index=True,
                    key="cmp_grad_all",
                    column_config={
                        T_("col_max_diff"): st.column_config.NumberColumn(format="%.3e"),
                        T_("col_tol"): st.column_config.NumberColumn(format="%.1e"),
                    },
                )


# ----- downloads ---------------------------------------------------------------------------------


def download_tab() -> None:
    """The tab of the current weights as .npz and .pt."""
    st.subheader(T_("download_title"))
    try:
        current = cl.build_model(cfg, sd).state_dict()
    except ValueError:
        current = None
    if current is not None:
        d1, d2 = st.columns(2)
        d1.download_button(
            T_("download_npz"),
            uploads.npz_bytes(current),
            "lstm_state_dict.npz",
            "application/octet-stream",
            key="cmp_dl_npz",
        )
        if has_torch:
            d2.download_button(
                T_("download_pt"),
                cached_pt_bytes(current),
                "lstm_state_dict.pt",
                "application/octet-stream",
                key="cmp_dl_pt",
            )
        st.caption(T_("download_note"))


for tab, show in (
    (tab_out, outputs_tab),
    (tab_gates, gates_tab),
    (tab_layout, layout_tab),
    (tab_grad, gradients_tab),
    (tab_files, download_tab),
):
    if tab.open:
        with tab:
            show()
