"""The cell diagram in words: what a screen reader reads for the frame on screen.

Pure. The words are the figure's own texts of that frame (viz.cell_diagram._frame_texts: the
status line, the question or its answer, the equation with its numbers, and the value next to
every line and box), as plain text: the numbers cannot differ from the picture's.
"""

from __future__ import annotations

from collections.abc import Sequence

from app_logic.i18n import tr
from lstm_core import LayerTrace, Trace
from viz import cell_diagram as cd
from viz.equations import step_values
from viz.words import joined, plain


def frame_texts(
    trace: Trace | LayerTrace,
    step: cd.Step,
    *,
    layer: int = 0,
    direction: int = 0,
    unit: int | None = None,
    predict: bool = True,
    lang: str = "en",
    step_labels: Sequence[str] | None = None,
    batch: int = 0,
) -> list[str]:
    """The texts of frame `step` of create_cell_figure(...) with the same arguments."""
    lt = cd._layer_trace(trace, layer, direction)
    if unit is None and lt.hidden_size == 1:
        unit = 0  # as create_cell_figure does
    labels = list(step_labels) if step_labels is not None else [str(n) for n in range(len(lt.c))]
    return cd._frame_texts(
        step, step_values(lt, step.t, unit, batch), layer=lt.layer, direction=lt.direction,
        unit=unit, proj=lt.weight_hr is not None, predict=predict, step_label=labels[step.t],
        tr=cd._default_tr(lang),
    )  # fmt: skip


def cell_words(texts: Sequence[str], lang: str) -> str:
    """One paragraph from a frame's texts: status, question or answer, equation, numbers, then
    the values on the diagram (those not yet revealed are left out)."""
    slots = dict(zip(cd.TEXT_SLOTS, texts, strict=False))
    values = [plain(v) for v in texts[len(cd.TEXT_SLOTS) :] if "=" in v]
    equation = f"{plain(slots['eq_symbolic'])} {plain(slots['eq_numeric'])}"
    parts = [plain(slots["status"]), plain(slots["prompt"]), equation]
    if slots.get("meaning") and "?" not in slots["eq_numeric"]:
        parts.append(plain(slots["meaning"]))
    parts.append(tr("words.cell_values", lang, values="; ".join(values)))
    return joined(parts, lang)
