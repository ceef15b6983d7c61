"""AppTest of the Variant lab: predict, race with tiny budgets, the table and the reveal."""

from __future__ import annotations

import conftest
import pytest

from app_logic import variant_lab as vl
from app_logic.i18n import tr
from ui import variant_race as vr

PAGE = "pages/variant_lab.py"


def _tiny(at, kinds=("vanilla", "NFG"), task="remember"):
    at.multiselect(key="var_kinds").set_value(list(kinds)).run()
    at.selectbox(key="var_task").set_value(task).run()
    at.slider(key="var_length").set_value(5).run()
    at.slider(key="var_H").set_value(2).run()
    at.slider(key="var_steps").set_value(20).run()
    return at


def _race_to_the_end(at, limit: int = 20):
    for _ in range(limit):
        entry = at.session_state[vr.RACE]
        if entry["race"].done:
            at.run()  # the page's run after the last chunk
            return entry
        at.run()
    raise AssertionError("the race did not finish")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_predict_race_and_reveal_fill_the_table(lang):
    at = _tiny(conftest.open_page(PAGE, {"lang": lang}))
    assert at.title[0].value == tr("variants.title", lang)
    assert at.button(key="var_start").disabled  # the prediction comes first
    assert tr("variants.predict_first", lang) in [c.value for c in at.caption]
    at.radio(key="var_pick").set_value("NFG").run()
    at.button(key="var_start").click().run()
    entry = _race_to_the_end(at)
    assert not at.exception
    rows = vl.results(entry["race"])
    assert [r.kind for r in rows] == ["vanilla", "NFG"]
    assert all(len(r.eval_losses) == 2 for r in entry["race"].racers)  # steps 10 and 20
    (df,) = conftest.html_tables(at)
    assert list(df[tr("variants.col_variant", lang)]) == [
        tr("variants.name_vanilla", lang),
        tr("variants.name_NFG", lang),
    ]
    assert list(df[tr("variants.col_final", lang)]) == [float(f"{r.final_loss:.2e}") for r in rows]
    solved = [tr("variants.yes" if r.solved else "variants.no", lang) for r in rows]
    assert list(df[tr("variants.col_solved", lang)]) == solved
    right = vl.judge_prediction(rows, "NFG")
    failed = tr("variants.sep", lang).join(tr(f"variants.name_{k}", lang) for k in vl.failed(rows))
    text = tr(
        "variants.reveal_right" if right else "variants.reveal_wrong",
        lang,
        pick=tr("variants.name_NFG", lang),
        failed=failed or tr("variants.nobody", lang),
        target=0.02,
    )
    assert [m.value for m in (at.success if right else at.warning)] == [text]
    assert len(at.get("plotly_chart")) == 2  # the loss curves and the gradient flow
    at.toggle(key="var_flow_trained").set_value(False).run()
    assert not at.exception and len(at.get("plotly_chart")) == 2
    assert at.markdown[-1].value == tr("variants.greff", lang)


def test_bad_choices_get_messages_and_no_race():
    at = conftest.open_page(PAGE)
    at.multiselect(key="var_kinds").set_value([]).run()
    assert [e.value for e in at.error] == [tr("variants.err_no_variant", "en")]
    assert at.button(key="var_start").disabled
    assert vr.RACE not in at.session_state


def test_the_settings_survive_a_page_switch_and_a_new_race_replaces_the_old():
    at = _tiny(conftest.open_page(PAGE), kinds=("GRU",), task="adding")
    at.radio(key="var_pick").set_value(vl.NONE_FAILS).run()
    at.button(key="var_start").click().run()
    first = _race_to_the_end(at)["race"]
    at.switch_page("pages/cell.py").run()
    at.switch_page(PAGE).run()
    assert at.multiselect(key="var_kinds").value == ["GRU"]
    assert at.session_state["var_task"] == "adding"
    at.slider(key="var_steps").set_value(30).run()
    assert tr("variants.settings_changed", "en") in [c.value for c in at.caption]
    at.radio(key="var_pick").set_value("GRU").run()
    at.button(key="var_start").click().run()
    second = _race_to_the_end(at)["race"]
    assert second is not first and second.cfg.steps == 30 and second.step == 30
