"""The Variant lab's Streamlit side: the race's settings, the live race, the results.

The race (`app_logic.variant_lab.Race`) lives in session state and advances in chunks of about
CHUNK_S seconds, one chunk per run of a fragment that re-runs itself every RUN_EVERY seconds while
the race runs (as the Train page's `ui.training_runner`): a click gets in between chunks.
"""

from __future__ import annotations

import math

import pandas as pd
import streamlit as st

from app_logic import variant_lab as vl
from app_logic.i18n import tr
from app_logic.limits import (
    MAX_RACE_HIDDEN,
    MAX_RACE_STEPS,
    MAX_RACE_VARIANTS,
    MAX_SEED,
    RACE_LENGTH,
)
from ui import a11y, widgets
from viz.variants import create_flow_figure, create_loss_figure, racer_name

CHUNK_S = 0.6
RUN_EVERY = 0.1
RACE = "_variant_race"  # session-state key: {"race": Race, "pick": str}
IN_PAGE = "_variant_in_page"
CHART = {"displayModeBar": False}
DEFAULTS = vl.RaceConfig()


def current() -> dict | None:
    entry = st.session_state.get(RACE)
    return entry if isinstance(entry, dict) and isinstance(entry.get("race"), vl.Race) else None


def settings_form(lang: str) -> vl.RaceConfig:
    """The race's settings (each kept across page switches); returns them as a RaceConfig."""
    d = DEFAULTS
    st.multiselect(
        tr("variants.pick", lang, max=MAX_RACE_VARIANTS),
        vl.RACERS,
        format_func=lambda k: racer_name(k, lang),
        max_selections=MAX_RACE_VARIANTS,
        help=tr("variants.pick_help", lang),
        **widgets.kept("var_kinds", list(d.variants)),
    )
    c = st.columns([2.2, 2, 1.2, 2, 1.3])
    c[0].selectbox(
        tr("variants.task", lang),
        vl.TASKS,
        format_func=lambda k: tr(f"variants.task_{k}", lang),
        **widgets.kept("var_task", d.task),
    )
    c[1].slider(
        tr("variants.length", lang),
        *RACE_LENGTH,
        **widgets.kept("var_length", d.length),
        help=tr("variants.length_help", lang),
    )
    c[2].slider("H", 1, MAX_RACE_HIDDEN, **widgets.kept("var_H", d.hidden_size))
    c[3].slider(
        tr("variants.steps", lang),
        10,
        MAX_RACE_STEPS,
        step=10,
        **widgets.kept("var_steps", d.steps),
    )
    c[4].number_input(
        tr("variants.seed", lang), 0, MAX_SEED, step=1, **widgets.kept("var_seed", d.seed)
    )
    ss = st.session_state
    return vl.RaceConfig(
        task=ss["var_task"],
        variants=tuple(ss["var_kinds"]),
        length=int(ss["var_length"]),
        hidden_size=int(ss["var_H"]),
        steps=int(ss["var_steps"]),
        seed=int(ss["var_seed"]),
    )


def prediction(cfg: vl.RaceConfig, lang: str) -> str | None:
    """The question before the race: which of the picked variants fails to remember?"""
    options = [*cfg.variants, vl.NONE_FAILS]
    return st.radio(
        tr("variants.predict_question", lang),
        options,
        index=None,
        horizontal=True,
        key="var_pick",
        format_func=lambda k: (
            tr("variants.predict_none", lang) if k == vl.NONE_FAILS else racer_name(k, lang)
        ),
    )


def start(cfg: vl.RaceConfig, pick: str) -> None:
    st.session_state[RACE] = {"race": vl.Race(cfg), "pick": pick}


def _draw(race: vl.Race, lang: str) -> None:
    total = race.cfg.steps
    st.progress(
        min(race.step / total, 1.0), text=tr("variants.progress", lang, step=race.step, total=total)
    )
    target = vl.TARGET[race.cfg.task]
    a11y.chart(
        create_loss_figure(race, target, lang), "words.variant_loss", lang, config=CHART,
        key="var_loss_chart",
    )  # fmt: skip


def _live(lang: str) -> None:
    entry = current()
    if entry is None:
        return
    race = entry["race"]
    was_running = not race.done
    if not was_running and not st.session_state.get(IN_PAGE):
        st.rerun()  # a late timer tick ran the fragment alone: draw the whole page once more
    if was_running:
        race.advance(CHUNK_S)
    _draw(race, lang)
    if was_running and race.done:
        st.rerun()  # the whole page: the results appear and the fragment stops re-running


def live_fragment(lang: str) -> None:
    """The live race; while it runs the fragment re-runs itself, one chunk per run."""
    entry = current()
    running = entry is not None and not entry["race"].done
    st.session_state[IN_PAGE] = True
    try:
        st.fragment(run_every=RUN_EVERY if running else None)(_live)(lang)
    finally:
        st.session_state[IN_PAGE] = False


def _fmt_loss(v: float) -> str:
    return "—" if not math.isfinite(v) else f"{v:.2e}"


def result_table(rows: list[vl.RaceRow], lang: str) -> pd.DataFrame:
    yes, no = tr("variants.yes", lang), tr("variants.no", lang)
    return pd.DataFrame(
        [
            {
                tr("variants.col_variant", lang): racer_name(r.kind, lang),
                tr("variants.col_final", lang): _fmt_loss(r.final_loss),
                tr("variants.col_best", lang): _fmt_loss(r.best_loss),
                tr("variants.col_steps", lang): "—"
                if r.steps_to_target is None
                else str(r.steps_to_target),
                tr("variants.col_solved", lang): yes if r.solved else no,
                tr("variants.col_greff", lang): tr(f"variants.greff_{vl.GREFF[r.kind]}", lang),
                tr("variants.col_seconds", lang): f"{r.seconds:.1f}",
            }
            for r in rows
        ]
    )


def results(entry: dict, lang: str) -> None:
    """The reveal (the prediction judged), the result table, Greff et al. beside it."""
    race, pick = entry["race"], entry["pick"]
    rows = vl.results(race)
    fails = vl.failed(rows)
    sep = tr("variants.sep", lang)
    names = sep.join(racer_name(k, lang) for k in fails) or tr("variants.nobody", lang)
    right = vl.judge_prediction(rows, pick)
    picked = tr("variants.predict_none", lang) if pick == vl.NONE_FAILS else racer_name(pick, lang)
    (st.success if right else st.warning)(
        tr(
            "variants.reveal_right" if right else "variants.reveal_wrong",
            lang,
            pick=picked,
            failed=names,
            target=vl.TARGET[race.cfg.task],
        )
    )
    a11y.numbers(result_table(rows, lang), tr("variants.results_label", lang))
    for r in race.racers:
        if r.error:
            st.error(tr("variants.diverged", lang, name=racer_name(r.kind, lang), reason=r.error))


def flows(entry: dict, lang: str) -> None:
    """Each racer's ‖∂L/∂hₖ‖ against distance, before or after training."""
    race = entry["race"]
    trained = st.toggle(tr("variants.flow_trained", lang), key="var_flow_trained", value=True)
    fl = vl.gradient_flows(race, trained=trained)
    a11y.chart(
        create_flow_figure(fl, lang), "words.variant_flow", lang, config=CHART,
        key="var_flow_chart",
    )  # fmt: skip
    far = {k: v[-1] for k, v in fl.items()}
    st.caption(
        tr(
            "variants.flow_far",
            lang,
            d=len(next(iter(fl.values()))) - 1,
            values=", ".join(f"{racer_name(k, lang)} {v:.1e}" for k, v in far.items()),
        )
    )
