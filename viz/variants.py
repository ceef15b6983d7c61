"""Figures of the Variant lab: the race's loss curves and each variant's gradient flow (pure).

One colour per racer, taken from the palette at call time (in the order the variants are listed),
the same in both figures. Texts from assets/i18n/variants.toml.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go

from app_logic.i18n import tr
from app_logic.variant_lab import RACERS, Race
from viz import palette
from viz.gradient_flow import _positive
from viz.training import framed


def racer_colour(kind: str) -> str:
    """A racer's colour: nine distinct colours of the palette, one per racer."""
    colours = (
        palette.H_LINE,
        palette.STAGE_EDGE["forget"],
        palette.STAGE_EDGE["output"],
        palette.TANH_BOX,
        palette.C_LINE,
        palette.STAGE_EDGE["candidate"],
        palette.X_LINE,
        palette.STAGE_EDGE["hidden"],
        palette.SIGMA_BOX,
    )
    return colours[RACERS.index(kind) % len(colours)]


def racer_name(kind: str, lang: str) -> str:
    return tr(f"variants.name_{kind}", lang)


def create_loss_figure(race: Race, target: float, lang: str = "en") -> go.Figure:
    """Held-out loss against step, one line per racer, log y; the target as a dotted line.

    Traces: one per racer, in the race's order (held-out loss at every evaluation).
    """
    fig = go.Figure()
    for r in race.racers:
        fig.add_trace(
            go.Scatter(
                x=list(r.eval_steps),
                y=_positive(np.asarray(r.eval_losses, dtype=float)),
                mode="lines+markers",
                name=racer_name(r.kind, lang),
                line=dict(color=racer_colour(r.kind), width=2.5),
                marker=dict(size=4),
                hovertemplate="%{y:.3e}",
            )
        )
    fig.add_hline(
        y=target,
        line=dict(color="#868e96", dash="dot", width=1),
        annotation_text=tr("variants.fig_target", lang, v=target),
        annotation_position="bottom right",
    )
    fig.update_xaxes(range=[0, race.cfg.steps], title_text=tr("variants.fig_step_axis", lang))
    fig.update_yaxes(
        type="log", exponentformat="power", title_text=tr("variants.fig_loss_axis", lang)
    )
    return framed(fig, 380, hovermode="x unified")


def create_flow_figure(flows: Mapping[str, np.ndarray], lang: str = "en") -> go.Figure:
    """‖∂L/∂hₖ‖ against the distance t − k, one line per racer, log y.

    Traces: one per racer, in the mapping's order.
    """
    fig = go.Figure()
    for kind, norms in flows.items():
        fig.add_trace(
            go.Scatter(
                x=list(range(len(norms))),
                y=_positive(norms),
                mode="lines+markers",
                name=racer_name(kind, lang),
                line=dict(color=racer_colour(kind), width=2.5),
                marker=dict(size=4),
                hovertemplate="%{y:.3e}",
            )
        )
    fig.update_xaxes(title_text=tr("variants.fig_distance_axis", lang))
    fig.update_yaxes(
        type="log", exponentformat="power", title_text=tr("variants.fig_norm_axis", lang)
    )
    return framed(fig, 360, hovermode="x unified")
