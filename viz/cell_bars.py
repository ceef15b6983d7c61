"""The whole vector at a glance: a small bar glyph, one thin bar per unit, at every value label.

In the cell diagram's "all units" view each label shows the mean over the units; the glyph next
to it shows every unit: bar j is unit j (feature k for x), left to right, on a scale fixed for the
whole figure so bars compare across frames. σ gates (f, i, o): 0…1 up from a baseline. tanh
outputs (g, i⊙g, tanh c_t, o⊙tanh c_t, and h without a projection): −1…1 around a midline.
c (c_{t-1}, f⊙c_{t-1}, c_t): ±max|c| over the figure's timesteps; x: ±max|x|; a projected h:
±max|h|. Pure functions: a LayerTrace in, plain Plotly dicts out (no validation: cheap).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from lstm_core import LayerTrace
from viz import cell_geometry as geo
from viz import palette
from viz.equations import StepValues

DECIMALS = 3  # bar heights in data units (a glyph is 6 units ≈ 37 px tall): far below a pixel
# The range of each glyph: "sigma" 0…1, "tanh" −1…1, "c" / "x" / "h" ±max|·| of the figure.
KIND = {
    "c_prev": "c",
    "kept": "c",
    "c": "c",
    "h_prev": "h",
    "x": "x",
    "f": "sigma",
    "i": "sigma",
    "g": "tanh",
    "written": "tanh",
    "o": "sigma",
    "tanh_c": "tanh",
    "h": "tanh",  # o ⊙ tanh(c_t): in (−1, 1) with or without a projection
    "h_up": "h",  # "h": tanh's range, or ±max|h| when a projection makes h unbounded
}
# Neutral greys, so no glyph part borrows a colour of the article's code.
FRAME_FILL = "rgba(255,255,255,0.85)"  # the glyph's background: bars read well on any tint
FRAME_LINE = "#ced4da"
AXIS_LINE = "#adb5bd"  # the baseline (σ) or the zero line (symmetric)


@dataclass(frozen=True)
class Glyph:
    """One label's bars: n bars of width `slot` from x0, value `scale` drawn at full span."""

    name: str
    kind: str
    n: int
    x0: float
    y0: float
    scale: float
    color: str

    @property
    def symmetric(self) -> bool:
        return self.kind != "sigma"

    @property
    def slot(self) -> float:
        return min(geo.GLYPH_W / self.n, geo.GLYPH_SLOT_MAX)

    @property
    def width(self) -> float:
        return self.n * self.slot

    @property
    def base(self) -> float:
        """Where bars start: the bottom (σ) or the midline (symmetric ranges)."""
        return self.y0 + geo.GLYPH_H / 2 if self.symmetric else self.y0

    @property
    def span(self) -> float:
        """Data units of a bar whose value is `scale` (σ: the full height; else half of it)."""
        return geo.GLYPH_H / 2 if self.symmetric else geo.GLYPH_H

    @property
    def value_range(self) -> tuple[float, float]:
        """The values drawn from the bottom to the top of the glyph."""
        return (-self.scale, self.scale) if self.symmetric else palette.SIGMOID_RANGE

    def xs(self) -> list[float]:
        """(n,) bar centres, unit 0 on the left."""
        return [round(self.x0 + (j + 0.5) * self.slot, 4) for j in range(self.n)]

    def heights(self, values: np.ndarray) -> list[float]:
        """(n,) values → signed bar heights in data units, on the glyph's fixed scale."""
        lo, hi = (-self.span, self.span) if self.symmetric else (0.0, self.span)
        v = np.asarray(values, np.float64).reshape(-1) / self.scale * self.span
        return np.round(np.clip(v, lo, hi), DECIMALS).tolist()

    def hidden(self) -> list[float]:
        """(n,) zero heights: the bars of a value not revealed yet."""
        return [0.0] * self.n

    @property
    def bar_width(self) -> float:
        """Few bars get gaps between them; many bars touch (each one is about a pixel)."""
        return round(self.slot * (0.7 if self.n <= 16 else 0.85 if self.n <= 32 else 1.0), 4)

    def shapes(self) -> list[dict]:
        """A light frame around the glyph's range and its baseline or zero line (static)."""
        x0, x1 = self.x0 - 0.3, self.x0 + self.width + 0.3
        y0, y1 = self.y0, self.y0 + geo.GLYPH_H
        return [
            dict(
                type="rect", x0=x0, y0=y0, x1=x1, y1=y1, layer="below", fillcolor=FRAME_FILL,
                line=dict(color=FRAME_LINE, width=1),
            ),
            dict(
                type="line", x0=x0, y0=self.base, x1=x1, y1=self.base, layer="below",
                line=dict(color=AXIS_LINE, width=1),
            ),
        ]  # fmt: skip


def group_by_stage(glyphs: Sequence[Glyph]) -> list[list[int]]:
    """Glyph indices grouped by the stage that reveals them (one bar trace per group)."""
    stages = sorted({geo.LABEL_STAGE[g.name] for g in glyphs})
    return [[k for k, g in enumerate(glyphs) if geo.LABEL_STAGE[g.name] == s] for s in stages]


def bar_trace(glyphs: Sequence[Glyph], y: Sequence[float]) -> dict:
    """One bar trace drawing several glyphs, their bars one after another (frames change y).

    Positions, bases, widths and colours are fixed here; `meta.glyphs` says where each glyph's
    bars start in y (offset), how many there are (n), its kind and its scale.
    """
    xs: list[float] = []
    base: list[float] = []
    width: list[float] = []
    color: list[str] = []
    meta = []
    for g in glyphs:
        meta.append(dict(label=g.name, kind=g.kind, scale=g.scale, n=g.n, offset=len(xs)))
        xs += g.xs()
        base += [g.base] * g.n
        width += [g.bar_width] * g.n
        color += [g.color] * g.n
    return dict(
        type="bar", x=xs, y=list(y), base=base, width=width,
        marker=dict(color=color, line=dict(width=0)), hoverinfo="skip", showlegend=False,
        meta=dict(glyphs=meta),
    )  # fmt: skip


def glyph_values(v: StepValues) -> dict[str, np.ndarray]:
    """The vector behind each label (all units, so v comes from step_values(..., unit=None))."""
    return {
        "c_prev": v.c_prev,
        "kept": v.kept,
        "c": v.c,
        "h_prev": v.h_prev,
        "x": v.x,
        "f": v.gate["f"],
        "i": v.gate["i"],
        "g": v.gate["g"],
        "written": v.written,
        "o": v.gate["o"],
        "tanh_c": v.tanh_c,
        "h": v.h_cell,
        "h_up": v.h,
    }


def ceil_sig(m: float, digits: int = 3) -> float:
    """The smallest number with `digits` significant digits that is ≥ m (1.0 if m is 0)."""
    if not m > 0 or not math.isfinite(m):
        return 1.0
    step = 10.0 ** (math.floor(math.log10(m)) - digits + 1)
    r = round(math.ceil(m / step * (1 - 1e-12)) * step, 12)
    return r if r >= m else m


def scales(lt: LayerTrace, ts: Sequence[int], batch: int = 0) -> dict[str, float]:
    """kind → the value drawn at full span: 1 (σ, tanh), max|c|, max|x|, max|h| (projection)."""
    ts = list(ts)

    def peak(*arrays: np.ndarray) -> float:
        m = max(palette.symmetric_range(a[ts, batch], floor=0.0)[1] for a in arrays)
        return ceil_sig(m)

    proj = lt.weight_hr is not None
    return {
        "sigma": palette.SIGMOID_RANGE[1],
        "tanh": palette.TANH_RANGE[1],
        "c": peak(lt.c_prev, lt.c),  # |f ⊙ c_{t-1}| ≤ |c_{t-1}|: kept fits too
        "x": peak(lt.x),
        "h": peak(lt.h_prev, lt.h) if proj else 1.0,  # used only with a projection
    }


def make_glyphs(lt: LayerTrace, ts: Sequence[int], batch: int = 0) -> list[Glyph]:
    """One Glyph per label of geo.LABELS (same order), scaled over the positions ts."""
    sc = scales(lt, ts, batch)
    proj = lt.weight_hr is not None
    sizes = {
        "x": lt.x.shape[-1],
        "h_prev": lt.h_prev.shape[-1],
        "h_up": lt.h.shape[-1],
    }
    out = []
    for name, (_, _, _, color) in geo.LABELS.items():
        kind = KIND[name] if KIND[name] != "h" or proj else "tanh"
        x0, y0 = geo.GLYPHS[name]
        n = sizes.get(name, lt.hidden_size)
        out.append(Glyph(name, kind, n, x0, y0, sc[kind], color))
    return out


def fmt_scale(m: float) -> str:
    """A scale as shown in the note (at most 3 significant digits: ceil_sig made it so)."""
    return f"{m:.3g}"


def note(glyphs: Sequence[Glyph], tr: Callable[..., str]) -> str:
    """The key of the glyphs, two lines: the labels are means; what a bar is, every scale."""
    by = {g.name: g for g in glyphs}
    h = by["h_up"]
    extra = tr("bars.note_h", h=fmt_scale(h.scale)) if h.kind == "h" else ""
    bars = tr(
        "bars.note", last=by["c"].n - 1, c=fmt_scale(by["c"].scale),
        x=fmt_scale(by["x"].scale), h=extra,
    )  # fmt: skip
    return f"{tr('bars.note_means')}<br>{bars}"
