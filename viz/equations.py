"""The cell's equations with the live numbers substituted, stage by stage (pure, no plotting).

Stages of one timestep, in the order the cell computes them:
forget f_t → input gate i_t → candidate g_t → cell update c_t → output gate o_t → hidden output h_t.
Each gate's pre-activation is split into the four terms of torch's equation for unit j:
z_f[j] = W_if[j]·x_t + b_if[j] + W_hf[j]·h_{t-1} + b_hf[j]; their sum is the trace's z.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from app_logic.settings import STAGES  # noqa: F401  (re-exported for viz.cell_diagram)
from lstm_core import LayerTrace

# The dashed box of the article each stage lives in ("update" has none: it is the c line itself).
STAGE_BOX = {
    "forget": "forget",
    "input": "input",
    "candidate": "candidate",
    "update": None,
    "output": "output",
    "hidden": "hidden",
}
STAGE_GATE = {"forget": "f", "input": "i", "candidate": "g", "output": "o"}
GATE_INDEX = {"i": 0, "f": 1, "g": 2, "o": 3}  # torch's order i, f, g, o in the 4H rows
MINUS = "\u2212"
VECTOR_SHOWN = 6  # entries of a vector written out in full; the rest is "…"
VECTOR_SHOWN_3, VECTOR_SHOWN_4 = 4, 2  # … on a line of 3 or 4 vectors (it must fit the figure)


def fmt(v: float, digits: int = 3) -> str:
    """A number as shown: fixed decimals, a real minus sign, no "-0.000"."""
    s = f"{float(v):.{digits}f}"
    if s.startswith("-"):
        s = s[1:] if float(s) == 0 else MINUS + s[1:]
    return s


def fmt_term(v: float, digits: int = 3) -> str:
    """A summand: negative numbers in parentheses, as in `0.31 + (−0.12)`."""
    s = fmt(v, digits)
    return f"({s})" if s.startswith(MINUS) else s


def fmt_vec(v: np.ndarray, digits: int = 2, shown: int = VECTOR_SHOWN) -> str:
    """A vector as `[0.12, −0.50, …]` (at most `shown` entries)."""
    v = np.asarray(v).ravel()
    items = [fmt(a, digits) for a in v[:shown]]
    if v.size > shown:
        items.append("…")
    return "[" + ", ".join(items) + "]"


@dataclass(frozen=True)
class GateTerms:
    """The four summands of one gate's pre-activation for unit j, the trace's z and gate value."""

    gate: str  # "i", "f", "g" or "o"
    wx: float  # W_i·[j] · x_t
    b_ih: float  # b_i·[j]
    wh: float  # W_h·[j] · h_{t-1}
    b_hh: float  # b_h·[j]
    z: float  # the trace's pre-activation
    value: float  # the trace's gate value σ(z) or tanh(z)

    @property
    def total(self) -> float:
        return self.wx + self.b_ih + self.wh + self.b_hh


def gate_terms(lt: LayerTrace, t: int, j: int, gate: str, b: int = 0) -> GateTerms:
    """Split gate `gate` of unit j at position t into its four terms, computed from x, h_prev, W."""
    H = lt.hidden_size
    row = GATE_INDEX[gate] * H + j  # row of W_ih / W_hh (4H, ·) for this gate and unit
    x_t = np.asarray(lt.x[t, b], np.float64)  # (D,)
    h_prev = np.asarray(lt.h_prev[t, b], np.float64)  # (H_out,)
    return GateTerms(
        gate=gate,
        wx=float(np.asarray(lt.weight_ih[row], np.float64) @ x_t),
        b_ih=float(lt.bias_ih[row]),
        wh=float(np.asarray(lt.weight_hh[row], np.float64) @ h_prev),
        b_hh=float(lt.bias_hh[row]),
        z=float(lt.z[t, b, row]),
        value=float(lt.gates[t, b, row]),
    )


@dataclass(frozen=True)
class StepValues:
    """Every quantity of the cell at position t: scalars of unit j, or (H,) vectors (all units)."""

    x: np.ndarray  # (D,) x_t
    h_prev: np.ndarray  # scalar h_{t-1}[j] or (H_out,)
    c_prev: np.ndarray
    z: dict  # gate → scalar or (H,)
    gate: dict  # gate → scalar or (H,)
    kept: np.ndarray  # f ⊙ c_{t-1}
    written: np.ndarray  # i ⊙ g
    c: np.ndarray
    tanh_c: np.ndarray
    h_cell: np.ndarray  # o ⊙ tanh(c_t)
    h: np.ndarray  # h_t[j] (no projection) or the whole h_t (H_out,)
    terms: dict | None  # gate → GateTerms (unit mode only)


def step_values(lt: LayerTrace, t: int, unit: int | None, b: int = 0) -> StepValues:
    """The values the diagram and equations show at position t for unit `unit` (None: all)."""
    sel = slice(None) if unit is None else unit
    proj = lt.weight_hr is not None

    def pick(a: np.ndarray) -> np.ndarray:
        return np.asarray(a[t, b][sel], np.float64)

    gates = {"i": lt.i, "f": lt.f, "g": lt.g, "o": lt.o}
    zs = {"i": lt.z_i, "f": lt.z_f, "g": lt.z_g, "o": lt.z_o}
    return StepValues(
        x=np.asarray(lt.x[t, b], np.float64),
        h_prev=np.asarray(lt.h_prev[t, b], np.float64) if proj or unit is None else pick(lt.h_prev),
        c_prev=pick(lt.c_prev),
        z={k: pick(a) for k, a in zs.items()},
        gate={k: pick(a) for k, a in gates.items()},
        kept=pick(lt.kept),
        written=pick(lt.written),
        c=pick(lt.c),
        tanh_c=pick(lt.tanh_c),
        h_cell=pick(lt.h_cell),
        h=np.asarray(lt.h[t, b], np.float64) if proj or unit is None else pick(lt.h),
        terms=None
        if unit is None
        else {g: gate_terms(lt, t, unit, g, b) for g in ("i", "f", "g", "o")},
    )


# ----- the equations as text (HTML subset that Plotly annotations render) -------------------------


def _s(base: str, sub: str) -> str:
    return f"{base}<sub>{sub}</sub>"


def prev_index(direction: int) -> str:
    """The index of the state coming in: t−1 forward, t+1 for the reverse direction."""
    return "t+1" if direction else f"t{MINUS}1"


def symbolic(stage: str, unit: int | None, direction: int, proj: bool = False) -> str:
    """The stage's equation in symbols, e.g. f_t[j] = σ(W_if[j]·x_t + b_if[j] + …)."""
    p = prev_index(direction)
    jj = "" if unit is None else f"[{unit}]"
    row = jj  # W_if[j] is row j of the forget block
    if stage in STAGE_GATE:
        g = STAGE_GATE[stage]
        act = "tanh" if g == "g" else "σ"
        return (
            f"{_s(g, 't')}{jj} = {act}({_s('W', 'i' + g)}{row}·{_s('x', 't')} + "
            f"{_s('b', 'i' + g)}{jj} + {_s('W', 'h' + g)}{row}·{_s('h', p)} + "
            f"{_s('b', 'h' + g)}{jj})"
        )
    if stage == "update":
        return (
            f"{_s('c', 't')}{jj} = {_s('f', 't')}{jj} ⊙ {_s('c', p)}{jj} + "
            f"{_s('i', 't')}{jj} ⊙ {_s('g', 't')}{jj}"
        )
    if proj:
        return f"{_s('h', 't')} = {_s('W', 'hr')}·({_s('o', 't')} ⊙ tanh({_s('c', 't')}))"
    return f"{_s('h', 't')}{jj} = {_s('o', 't')}{jj} ⊙ tanh({_s('c', 't')}{jj})"


def numeric(stage: str, v: StepValues, unit: int | None, proj: bool = False) -> str:
    """The right-hand side with numbers substituted, e.g. `= σ(0.31 + 0.05) = σ(0.36) = 0.59`."""
    if stage in STAGE_GATE:
        g = STAGE_GATE[stage]
        act = "tanh" if g == "g" else "σ"
        if unit is None:
            return f"= {act}({fmt_vec(v.z[g])}) = {fmt_vec(v.gate[g])}"
        k = v.terms[g]
        terms = " + ".join(fmt_term(a) for a in (k.wx, k.b_ih, k.wh, k.b_hh))
        return f"= {act}({terms}) = {act}({fmt(k.z)}) = <b>{fmt(k.value)}</b>"
    if stage == "update":
        if unit is None:
            kept, written, c = (fmt_vec(a, shown=VECTOR_SHOWN_3) for a in (v.kept, v.written, v.c))
            return f"= {kept} + {written} = <b>{c}</b>"
        f_, i_, g_ = v.gate["f"], v.gate["i"], v.gate["g"]
        return (
            f"= {fmt(f_)} × {fmt_term(v.c_prev)} + {fmt(i_)} × {fmt_term(g_)} "
            f"= {fmt_term(v.kept)} + {fmt_term(v.written)} = <b>{fmt(v.c)}</b>"
        )
    if unit is None:
        n = VECTOR_SHOWN_4 if proj else VECTOR_SHOWN_3
        out = f"= {fmt_vec(v.gate['o'], shown=n)} ⊙ {fmt_vec(v.tanh_c, shown=n)}"
        if proj:
            h_cell, h = fmt_vec(v.h_cell, shown=n), fmt_vec(v.h, shown=n)
            return f"{out} = {h_cell} → W<sub>hr</sub>· → <b>{h}</b>"
        return f"{out} = <b>{fmt_vec(v.h, shown=n)}</b>"
    out = (
        f"= {fmt(v.gate['o'])} × tanh({fmt(v.c)}) = {fmt(v.gate['o'])} × {fmt_term(v.tanh_c)} "
        f"= <b>{fmt(v.h_cell)}</b>"
    )
    if proj:
        out += f";  {_s('h', 't')} = W<sub>hr</sub>·(…) = {fmt_vec(v.h)}"
    return out


def hidden_numeric(stage: str) -> str:
    """The right-hand side before the reveal: the shape of the computation, numbers hidden."""
    if stage in STAGE_GATE:
        act = "tanh" if stage == "candidate" else "σ"
        return f"= {act}(? + ? + ? + ?) = ?"
    if stage == "update":
        return "= ? × ? + ? × ? = ?"
    return "= ? × tanh(?) = ?"
