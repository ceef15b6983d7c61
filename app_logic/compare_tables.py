"""The Compare page's words and tables: results of `compare_logic` in, labelled rows out.

Pure (no Streamlit): every table the page shows is built here from a `CompareResult`, a
`GradCheck` or a model's parameter shapes, its column names in the page's language.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from app_logic import compare_logic as cl
from app_logic.i18n import tr

Texts = Callable[..., str]  # T_(key, **fmt): a text of compare.toml in one language


def texts(lang: str) -> Texts:
    """The Compare page's text lookup in `lang`: T_("title") is tr("compare.title", lang)."""

    def T_(key: str, **fmt) -> str:
        return tr(f"compare.{key}", lang, **fmt)

    return T_


def sci(v: float) -> str:
    """A difference as the page prints it: 0, or three significant digits in e-notation."""
    return "0" if v == 0 else f"{v:.2e}"


def dir_names(T_: Texts) -> tuple[str, str]:
    return T_("dir_forward"), T_("dir_reverse")


def verdict_word(T_: Texts, passed: bool) -> str:
    return T_("pass") if passed else T_("fail")


def shapes_fields(cfg: cl.CompareConfig) -> dict:
    """The fields of the shapes sentence (compare.shapes / shapes_bf) for `cfg`."""
    x = (cfg.batch, cfg.seq_len, cfg.input_size)
    if not cfg.batch_first:
        x = (cfg.seq_len, cfg.batch, cfg.input_size)
    return dict(
        x=str(x), out=str(cl.output_shape(cfg)), LD=cfg.num_layers * cfg.num_directions,
        L=cfg.num_layers, dirs=cfg.num_directions, B=cfg.batch, T=cfg.seq_len,
        D=cfg.input_size, H=cfg.hidden_size, Hout=cfg.h_out, F=cfg.num_directions * cfg.h_out,
    )  # fmt: skip


def failed_names(result: cl.CompareResult) -> list[str]:
    """The tensors and gates (with their layer and direction) that missed their tolerance."""
    failed = [t.name for t in result.tensors.values() if not t.passed]
    failed += [f"{g.gate} (l{g.layer}, d{g.direction})" for g in result.gates if not g.passed]
    return failed


def verdict_table(result: cl.CompareResult, T_: Texts) -> pd.DataFrame:
    """One row per result tensor: both shapes, max |diff|, tolerance, verdict."""
    return pd.DataFrame(
        [
            {
                T_("col_tensor"): t.name,
                T_("col_shape_core"): str(t.core.shape),
                T_("col_shape_torch"): str(t.torch.shape),
                T_("col_max_diff"): t.max_diff,
                T_("col_tol"): t.tol,
                T_("col_verdict"): verdict_word(T_, t.passed),
            }
            for t in result.tensors.values()
        ]
    )


def f32_reference(result: cl.CompareResult) -> str:
    """float32: torch's own float32-vs-float64 gap per tensor, e.g. "output 1.2e-07, …"."""
    return ", ".join(f"{t.name} {sci(t.ref_diff or 0.0)}" for t in result.tensors.values())


def state_row_labels(cfg: cl.CompareConfig, T_: Texts) -> list[str]:
    """The rows of h_n / c_n: "l0 fwd", "l0 rev", "l1 fwd", … (layer-major, as torch stacks)."""
    short = (T_("fwd_short"), T_("rev_short"))
    return [f"l{k} {short[d]}" for k in range(cfg.num_layers) for d in range(cfg.num_directions)]


def gates_of(result: cl.CompareResult, layer: int, direction: int) -> list[cl.GateCheck]:
    return [g for g in result.gates if g.layer == layer and g.direction == direction]


def gate_table(result: cl.CompareResult, cfg: cl.CompareConfig, T_: Texts) -> pd.DataFrame:
    """One row per layer and direction: max |diff| of each gate quantity, the tolerance, verdict."""
    names = dir_names(T_)
    rows = []
    for k in range(cfg.num_layers):
        for d in range(cfg.num_directions):
            sel = gates_of(result, k, d)
            row = {T_("col_layer"): k, T_("col_direction"): names[d]}
            row |= {g.gate: g.max_diff for g in sel}
            row[T_("col_tol")] = max(g.tol for g in sel)
            row[T_("col_verdict")] = verdict_word(T_, all(g.passed for g in sel))
            rows.append(row)
    return pd.DataFrame(rows)


def keys_table(
    core_shapes: dict[str, tuple[int, ...]],
    torch_shapes: dict[str, tuple[int, ...]] | None,
    T_: Texts,
) -> pd.DataFrame:
    """Every state_dict key with its shape in both libraries ("—" for torch when it did not run)."""
    ran = torch_shapes is not None
    shapes = torch_shapes or {}
    return pd.DataFrame(
        [
            {
                T_("col_key"): n,
                "lstm_core": str(s),
                "torch.nn.LSTM": str(shapes.get(n, "—")) if ran else "—",
                T_("col_same"): (T_("yes") if shapes.get(n) == s else T_("no")) if ran else "—",
            }
            for n, s in core_shapes.items()
        ]
    )


def method_names(T_: Texts) -> tuple[str, str, str]:
    return T_("method_bptt"), T_("method_autograd"), T_("method_central")


def grad_table(gc: cl.GradCheck, T_: Texts) -> pd.DataFrame:
    """The three pairs of methods (BPTT, autograd, central differences): max |diff|, tolerance."""
    bptt, autograd, central = method_names(T_)
    pairs = (
        (bptt, autograd, gc.max_core_torch, gc.tol_torch, int(np.size(gc.core))),
        (bptt, central, gc.max_core_central, gc.tol_central, len(gc.index)),
        (autograd, central, gc.max_torch_central, gc.tol_central, len(gc.index)),
    )
    return pd.DataFrame(
        [
            {
                T_("col_pair"): T_("method_pair", a=a, b=b),
                T_("col_max_diff"): diff,
                T_("col_tol"): tol,
                T_("col_entries"): n,
            }
            for a, b, diff, tol, n in pairs
        ]
    )


def grad_series(gc: cl.GradCheck, T_: Texts) -> dict[str, np.ndarray]:
    """The three methods' values at the entries where central differences were taken."""
    bptt, autograd, central = method_names(T_)
    return {
        bptt: gc.core.ravel()[gc.index],
        autograd: gc.torch.ravel()[gc.index],
        central: gc.central,
    }


def entry_labels(gc: cl.GradCheck) -> list[str]:
    """The checked entries as indices into the parameter: "[3, 0]", …"""
    return [
        "[" + ", ".join(str(int(v)) for v in np.unravel_index(j, gc.core.shape)) + "]"
        for j in gc.index
    ]


def all_grads_table(gc: cl.GradCheck, T_: Texts) -> pd.DataFrame:
    """Every parameter: max |BPTT − autograd|, its tolerance and the verdict."""
    return pd.DataFrame(
        [
            {
                T_("col_key"): n,
                T_("col_max_diff"): gc.all_params[n],
                T_("col_tol"): gc.all_tols[n],
                T_("col_verdict"): verdict_word(T_, gc.all_params[n] <= gc.all_tols[n]),
            }
            for n in gc.all_params
        ]
    )


def gru_verdict_table(result: cl.CompareResult, T_: Texts) -> pd.DataFrame:
    """The GRU's verdict: output, h_n, the gates r, z, n (worst layer and direction) and the
    gradients of every parameter (BPTT against autograd), each with its tolerance and verdict."""
    rows = [
        (t.name, str(t.core.shape), str(t.torch.shape), t.max_diff, t.tol, t.passed)
        for t in result.tensors.values()
    ]
    for g in ("r", "z", "n"):
        sel = [c for c in result.gates if c.gate == g]
        worst = max(sel, key=lambda c: c.max_diff / c.tol)
        c = result.cfg
        shape = f"({c.seq_len}, {c.batch}, {c.hidden_size}) × {len(sel)}"  # every layer, direction
        rows.append((g, shape, shape, worst.max_diff, worst.tol, all(c.passed for c in sel)))
    gr = result.extra.get("grads")
    if gr is not None:
        label = T_("row_gradients", n=len(gr.per_param))
        rows.append((label, "—", "—", gr.max_diff, gr.tol, gr.passed))
    return pd.DataFrame(
        [
            {
                T_("col_tensor"): name,
                T_("col_shape_core"): s_core,
                T_("col_shape_torch"): s_torch,
                T_("col_max_diff"): diff,
                T_("col_tol"): tol,
                T_("col_verdict"): verdict_word(T_, ok),
            }
            for name, s_core, s_torch, diff, tol, ok in rows
        ]
    )


def gru_failed_names(result: cl.CompareResult) -> list[str]:
    """failed_names, plus the gradients when a parameter's gradient missed its tolerance."""
    gr = result.extra.get("grads")
    return failed_names(result) + ([] if gr is None or gr.passed else [f"∂L/∂{gr.worst}"])
