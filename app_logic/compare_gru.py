"""The Compare page with the GRU: lstm_core.GRU against torch.nn.GRU, every number judged.

The same configuration (`compare_logic.CompareConfig` with kind "gru"), inputs, tolerances and
result type as the LSTM's comparison; what differs is torch's module (nn.GRU, one state h), the
gates (r, z, n, replayed with torch operations from torch's own weights) and a verdict row for the
gradients (BPTT against autograd for every parameter). torch is imported lazily, through
`app_logic.compare_torch` and `lstm_core.torch_bridge`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from app_logic import compare_logic as cl
from app_logic import compare_torch as ct
from lstm_core import torch_bridge as tb

GATE_NAMES = ("r", "z", "n", "h")
TENSOR_NAMES = ("output", "h_n")


@dataclass(frozen=True)
class GradRow:
    """BPTT against torch autograd for every parameter: the worst |diff| and its tolerance."""

    max_diff: float
    tol: float
    worst: str  # the parameter with the largest diff relative to its tolerance
    per_param: dict  # name → (max |diff|, tolerance)
    eval_forced: bool  # dropout was active: the gradients were taken in eval mode

    @property
    def passed(self) -> bool:
        return all(d <= t for d, t in self.per_param.values())


def _h0_slice(h0: np.ndarray | None, k: int, ND: int, bs) -> np.ndarray | None:
    return None if h0 is None else h0[k * ND : (k + 1) * ND][:, bs]


def torch_chain(module, cfg: cl.CompareConfig, inp: cl.Inputs, masks):
    """torch's output and h_n, and its r, z, n, h per layer and direction, layer by layer (our
    dropout masks between layers when active). Sequences of equal length run together, as in
    the LSTM's `torch_gate_chain`; padding stays zero."""
    x_tm = inp.x_time_major
    T, B, _ = x_tm.shape
    ND, H, L = cfg.num_directions, cfg.hidden_size, cfg.num_layers
    dt = np.dtype(cfg.dtype)
    gates = [
        [{g: np.zeros((T, B, H), dt) for g in GATE_NAMES} for _ in range(ND)] for _ in range(L)
    ]
    h_n = np.zeros((L * ND, B, H), dt)
    out = np.zeros((T, B, ND * H), dt)
    lengths = np.full(B, T) if inp.lengths is None else inp.lengths
    modules = [ct.gru_layer_module(module, k) for k in range(L)]
    for n_steps in sorted(set(lengths.tolist())):
        bs = np.flatnonzero(lengths == n_steps)
        layer_in = x_tm[:n_steps, bs]
        for k, one in enumerate(modules):
            g = ct.torch_gru_gates(one, layer_in, _h0_slice(inp.hx, k, ND, bs))
            for d in range(ND):
                for name in GATE_NAMES:
                    gates[k][d][name][:n_steps, bs] = g[d][name]
                last = g[d]["h"][0 if d else n_steps - 1]  # reverse ends at position 0
                h_n[k * ND + d][bs] = last
            layer_in = np.concatenate([g[d]["h"] for d in range(ND)], axis=-1)
            if k < L - 1 and masks[k] is not None:
                layer_in = layer_in * masks[k][:n_steps, bs]
        out[:n_steps, bs] = layer_in
    T_out = int(lengths.max())
    out = out[:T_out]
    return (out.transpose(1, 0, 2) if cfg.batch_first else out), h_n, gates


def _gate_checks(cfg, trace, torch_g, ref_g) -> tuple[cl.GateCheck, ...]:
    checks = []
    active = trace.layers[0][0].mask  # (T, B)
    for k in range(cfg.num_layers):
        for d in range(cfg.num_directions):
            lt = trace.layers[k][d]
            for name in GATE_NAMES:
                core = getattr(lt, name).astype(np.float64)
                tv = torch_g[k][d][name].astype(np.float64)
                diff = np.where(active[..., None], np.abs(core - tv), 0.0)
                per_t = diff.max(axis=(1, 2))
                per_t[~active.any(axis=1)] = np.nan
                ref = None if ref_g is None else float(np.max(np.abs(tv - ref_g[k][d][name])))
                tol = cl.tolerance(cfg.dtype, tv, ref)
                m = float(np.nanmax(per_t))
                checks.append(cl.GateCheck(k, d, name, m, per_t, tol, m <= tol))
    return tuple(checks)


def gradient_row(cfg: cl.CompareConfig) -> GradRow:
    """∂L/∂θ for L = sum(output ⊙ G): the core's BPTT against torch autograd, every parameter."""
    eval_forced = cfg.dropout_active  # torch's masks are its own: compare without dropout
    cfg = dataclasses.replace(cfg, train=cfg.train and not eval_forced)
    model = cl.build_model(cfg)
    inp = cl.make_inputs(cfg)
    trace = model.trace(inp.x, inp.hx, inp.lengths)
    core = model.backward(trace, inp.grad_output).params
    t_grads = ct.torch_param_grads(cl.twin(model), inp.x, inp.hx, inp.lengths, inp.grad_output)
    refs = {k: None for k in core}
    if cfg.dtype == "float32":  # torch's own float32-vs-float64 gap, per parameter
        cfg64 = dataclasses.replace(cfg, dtype="float64")
        m64 = cl.build_model(
            cfg64, {k: v.astype(np.float64) for k, v in model.state_dict().items()}
        )
        g64 = ct.torch_param_grads(
            cl.twin(m64),
            inp.x.astype(np.float64),
            cl.as_float64(inp.hx),
            inp.lengths,
            inp.grad_output.astype(np.float64),
        )
        refs = {k: float(np.max(np.abs(t_grads[k] - g64[k]), initial=0.0)) for k in core}
    per = {}
    for k in core:
        diff = float(np.max(np.abs(core[k].astype(np.float64) - t_grads[k]), initial=0.0))
        per[k] = (diff, cl.tolerance(cfg.dtype, t_grads[k], refs[k]))
    worst = max(per, key=lambda k: per[k][0] / per[k][1])
    return GradRow(per[worst][0], per[worst][1], worst, per, eval_forced)


def run_gru_comparison(cfg: cl.CompareConfig) -> cl.CompareResult:
    """Our GRU and torch.nn.GRU on the same weights and inputs: output, h_n, r z n h, gradients."""
    problems = cl.check_config(cfg)
    if problems:
        raise problems[0]
    if cfg.kind != "gru":
        raise ValueError(f"run_gru_comparison needs kind 'gru', got {cfg.kind!r}")
    model = cl.build_model(cfg)
    inp = cl.make_inputs(cfg)
    trace = model.trace(inp.x, inp.hx, inp.lengths)
    module = cl.twin(model)
    masks = trace.dropout_masks
    if cfg.dropout_active:  # torch draws its own masks: run its layers with ours in between
        t_out, t_hn, torch_g = torch_chain(module, cfg, inp, masks)
    else:
        import torch

        with torch.no_grad():
            o, hn = tb.call_torch(module, inp.x, inp.hx, inp.lengths)
        t_out, t_hn = o.numpy(), hn.numpy()
        torch_g = torch_chain(module, cfg, inp, masks)[2]
    ref_out = ref_g = None
    if cfg.dtype == "float32":
        cfg64 = dataclasses.replace(cfg, dtype="float64")
        m64 = cl.build_model(
            cfg64, {k: v.astype(np.float64) for k, v in model.state_dict().items()}
        )
        inp64 = cl.Inputs(
            inp.x.astype(np.float64),
            cl.as_float64(inp.hx),
            inp.lengths,
            inp.grad_output.astype(np.float64),
            _batch_first=cfg.batch_first,
        )
        o64, hn64, ref_g = torch_chain(cl.twin(m64), cfg64, inp64, masks)
        ref_out = (o64, hn64)
    tensors = {}
    for j, (name, core, tv) in enumerate(
        zip(TENSOR_NAMES, (trace.output, trace.h_n), (t_out, t_hn))
    ):
        ref = None if ref_out is None else float(np.max(np.abs(tv - ref_out[j]), initial=0.0))
        same = core.shape == tv.shape
        m = float(np.max(np.abs(core.astype(np.float64) - tv), initial=0.0)) if same else np.inf
        tol = cl.tolerance(cfg.dtype, tv, ref)
        tensors[name] = cl.TensorCheck(name, core, tv, m, tol, ref, m <= tol)
    grads = gradient_row(cfg)

    return cl.CompareResult(
        cfg=cfg,
        tensors=tensors,
        gates=_gate_checks(cfg, trace, torch_g, ref_g),
        torch_layerwise=cfg.dropout_active,
        core_shapes={k: tuple(v.shape) for k, v in model.state_dict().items()},
        torch_shapes={
            k: tuple(v.shape) for k, v in tb.state_dict_from_torch(module.state_dict()).items()
        },
        bias_demo=None,
        torch_version=ct.torch_version(),
        extra={"grads": grads},
    )


def passed(result: cl.CompareResult) -> bool:
    """Every tensor, every gate and every parameter's gradient within its tolerance."""
    g = result.extra.get("grads")
    return result.passed and (g is None or g.passed)


def torch_code(cfg: cl.CompareConfig) -> str:
    """The torch code of this GRU configuration."""
    LD, B, T, D, H = (
        cfg.num_layers * cfg.num_directions,
        cfg.batch,
        cfg.seq_len,
        cfg.input_size,
        cfg.hidden_size,
    )
    args = ", ".join(a for a in cl._non_default_args(cfg) if not a.startswith("proj_size"))
    lines = ["import torch", "import torch.nn as nn", ""]
    if cfg.dtype == "float64":
        lines.append("torch.set_default_dtype(torch.float64)")
    lines += [f"gru = nn.GRU({args})", f"gru.{'train' if cfg.train else 'eval'}()"]
    shape_x = (B, T, D) if cfg.batch_first else (T, B, D)
    lines.append(f"x = torch.randn{shape_x}" if cfg.x is None else "x = torch.tensor(x_pages)")
    call = "gru(x)"
    if cfg.random_state:
        lines.append(f"h0 = torch.randn({LD}, {B}, {H})  # (layers·dirs, B, H): one state")
        call = "gru(x, h0)"
    if cfg.lengths is not None:
        lines.append(
            "packed = nn.utils.rnn.pack_padded_sequence("
            f"x, {list(cfg.lengths)}, batch_first={cfg.batch_first}, enforce_sorted=False)"
        )
        lines.append(f"output, hn = {call.replace('(x', '(packed')}")
        lines.append(
            f"output, lens = nn.utils.rnn.pad_packed_sequence(output, batch_first="
            f"{cfg.batch_first})"
        )
    else:
        lines.append(f"output, hn = {call}")
    lines.append(f"output.shape  # torch.Size({list(cl.output_shape(cfg))})")
    lines.append(f"hn.shape      # torch.Size({[LD, B, H]})")
    return "\n".join(lines)


def numpy_code(cfg: cl.CompareConfig) -> str:
    """The same run with lstm_core.GRU."""
    args = ", ".join(a for a in cl._non_default_args(cfg) if not a.startswith("proj_size"))
    dt = "" if cfg.dtype == "float64" else ", dtype=np.float32"
    hx = ", h0.numpy()" if cfg.random_state else ""
    ln = f", lengths={list(cfg.lengths)}" if cfg.lengths is not None else ""
    if ln and not hx:
        hx = ", None"
    return "\n".join(
        [
            "import numpy as np",
            "from lstm_core import GRU",
            "from lstm_core.torch_bridge import gru_to_torch",
            "",
            f"model = GRU({args}{dt}, seed={cfg.seed})",
            f"model.{'train' if cfg.train else 'eval'}()",
            "gru = gru_to_torch(model)  # the nn.GRU on the left, with these very weights",
            f"output, hn = model(x.numpy(){hx}{ln})  # the same x, h0",
            f"trace = model.trace(x.numpy(){hx}{ln})  # and r, z, n, h at every step",
        ]
    )
