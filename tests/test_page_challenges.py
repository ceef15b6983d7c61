"""The Challenges page in AppTest: every challenge in both languages — the default cell fails with
its numbers and a hint, two failures unlock the solution, the solution set on the sliders passes;
the unit detective; the challenge in the URL (and a bad one)."""

import json

import numpy as np
import pytest
from conftest import open_page

from app_logic import challenges as ch
from app_logic import detective as D
from app_logic import hand_cell
from app_logic.i18n import tr
from ui import challenge_state as state

PAGE = "pages/gate_challenges.py"


def open_challenge(cid: str, lang: str):
    return open_page(PAGE, {"challenge": cid, "lang": lang})


def infos(at) -> list[str]:
    return [i.value for i in at.info]


def expander_labels(at) -> list[str]:
    return [e.label for e in at.expander]


def sliders(at, cid: str) -> tuple[float, ...]:
    return tuple(at.slider(key=f"ch_{cid}_{n}").value for n in range(12))


def check(at, cid: str):
    return at.button(key=f"check_{cid}").click().run()


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("cid", ch.IDS)
def test_a_challenge_fails_hints_reveals_and_passes(cid, lang):
    at = open_challenge(cid, lang)
    challenge = ch.get(cid)
    assert at.subheader[0].value.endswith(tr(f"challenges.{cid}_title", lang))
    assert tr(f"challenges.{cid}_goal", lang) in [m.value for m in at.markdown]
    assert len(at.get("plotly_chart")) == 1
    assert sliders(at, cid) == hand_cell.DEFAULT
    assert not at.error and not at.success  # no verdict before a try

    # A failed try: the numbers measured, then a hint, no solution yet.
    check(at, cid)
    fail = ch.verdict(ch.check(challenge, hand_cell.DEFAULT), lang)
    assert [e.value for e in at.error] == [fail]
    assert any(tr(f"challenges.{cid}_hint", lang) in i for i in infos(at))
    assert tr("challenges.reveal", lang) not in expander_labels(at)
    assert tr("challenges.locked", lang, fails=1) in [c.value for c in at.caption]

    # A second failed try unlocks the solution.
    check(at, cid)
    assert tr("challenges.reveal", lang) in expander_labels(at)
    assert at.button(key=f"use_{cid}").label == tr("challenges.use_solution", lang)

    # The solution set by hand on the sliders: the chart follows, Check says pass with numbers.
    for n, v in enumerate(challenge.solution):
        at.slider(key=f"ch_{cid}_{n}").set_value(float(v))
    at.run()
    assert not at.exception
    assert tr("challenges.changed", lang) in [c.value for c in at.caption]
    check(at, cid)
    passed = ch.check(challenge, challenge.solution)
    assert [s.value for s in at.success] == [ch.verdict(passed, lang)] and not at.error
    assert ch.reading_text(passed.worst, lang) in at.success[0].value
    assert at.subheader[0].value.endswith("✓")

    # Back to the start values, then "use the solution": the sliders take it and it passes.
    at.button(key=f"start_{cid}").click().run()
    assert sliders(at, cid) == hand_cell.DEFAULT
    at.button(key=f"use_{cid}").click().run()
    assert sliders(at, cid) == tuple(float(v) for v in challenge.solution)
    assert [s.value for s in at.success] == [ch.verdict(passed, lang)]
    assert not at.exception


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_unit_detective(lang):
    at = open_challenge("detective", lang)
    det = state.detective()
    assert at.subheader[0].value.endswith(tr("challenges.detective_title", lang))
    assert len(at.get("plotly_chart")) == 1
    assert [at.radio(key=f"det_{q}").value for q in D.QUANTITIES] == [0, 0]

    at.button(key="check_detective").click().run()
    (error,) = [e.value for e in at.error]
    assert error.startswith(tr("challenges.det_verdict_fail", lang))
    for pick in D.check(det, {"round": 0, "square": 0}):
        assert f"r = {ch.num(pick.r)}" in error and f"r = {ch.num(pick.r_best)}" in error
    assert any(tr("challenges.detective_hint", lang) in i for i in infos(at))
    at.button(key="check_detective").click().run()
    assert tr("challenges.reveal", lang) in expander_labels(at)

    best = D.solution(det)
    for q, unit in best.items():
        at.radio(key=f"det_{q}").set_value(unit)
    at.run()
    at.button(key="check_detective").click().run()
    (success,) = [s.value for s in at.success]
    assert success.startswith(tr("challenges.det_verdict_pass", lang))
    for q in D.QUANTITIES:
        r = ch.num(det.r[D.QUANTITIES.index(q), best[q]])
        assert tr("challenges.det_line_pass", lang, name=tr(f"challenges.det_{q}", lang),
                  unit=best[q], r=r, best=best[q], r_best=r) in success  # fmt: skip
    assert len(at.get("plotly_chart")) == 2  # solved: the bars of r appear
    assert not at.exception


def test_use_the_detectives_solution_sets_the_picks():
    at = open_challenge("detective", "en")
    for _ in range(2):
        at.button(key="check_detective").click().run()
    at.button(key="use_detective").click().run()
    best = D.solution(state.detective())
    assert {q: at.radio(key=f"det_{q}").value for q in D.QUANTITIES} == best
    assert at.success and not at.error


def test_the_challenge_is_in_the_url_and_each_keeps_its_numbers():
    at = open_challenge("keep", "en")
    assert "challenge" not in at.query_params  # the first one is the default: not in the URL
    at.slider(key="ch_keep_9").set_value(4.5).run()
    at.selectbox(key="challenge_id").set_value("count").run()
    assert at.query_params["challenge"] == "count"
    assert at.subheader[0].value.endswith(tr("challenges.count_title", "en"))
    assert sliders(at, "count") == hand_cell.DEFAULT  # its own cell
    at.selectbox(key="challenge_id").set_value("keep").run()
    assert "challenge" not in at.query_params
    assert at.slider(key="ch_keep_9").value == 4.5  # kept for the session
    assert not at.exception


@pytest.mark.parametrize("bad", ["nope", "KEEP", "<script>", ""])
def test_a_bad_challenge_in_the_url_gets_a_message_and_the_first_one(bad):
    at = open_challenge(bad, "en")
    first = f"1 · {tr('challenges.keep_title', 'en')}"
    if bad == "":
        assert not at.warning  # an empty value is no value
    else:
        assert [w.value for w in at.warning] == [
            tr("challenges.bad_id", "en", value=bad, first=first)
        ]
    assert at.selectbox(key="challenge_id").value == "keep"
    assert at.subheader[0].value == first
    assert "challenge" not in at.query_params  # the bad value is dropped from the URL


def test_the_page_is_reachable_from_the_landing_and_the_navigation():
    at = open_page(None, {})
    labels = [link.proto.label for link in at.get("page_link")]
    assert tr("challenges.nav_title", "en") in labels
    assert tr("challenges.around", "en") in [c.value for c in at.caption]


def chart_c(at, seq: int) -> list[float]:
    data = json.loads(at.get("plotly_chart")[0].proto.spec)["data"]
    (trace,) = [d for d in data if d.get("meta") == {"role": "c", "seq": seq}]
    return trace["y"]


def test_the_chart_follows_the_sliders():
    at = open_challenge("count", "en")
    np.testing.assert_allclose(chart_c(at, 0), ch.check(ch.get("count"), hand_cell.DEFAULT).c[0])
    at.slider(key="ch_count_2").set_value(5.0).run()
    moved = (2, 0, 5, 0, 0, 0, 1, 0, 0, 2, 0, 1)
    np.testing.assert_allclose(chart_c(at, 0), ch.check(ch.get("count"), moved).c[0])
