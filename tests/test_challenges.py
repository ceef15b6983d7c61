"""The challenges' checks and figures, without Streamlit: each known solution passes, the default
cell fails, random cells almost never pass, and the measured numbers are the cell's own (recomputed
here by a plain loop over the equations)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app_logic import challenges as ch
from app_logic import hand_cell
from app_logic.i18n import catalog, tr
from viz import palette
from viz.challenges import band_polygon, create_challenge_figure, y_range

IDS = ch.IDS


def plain_cell(hand, x):
    """c and h of the 1-unit cell over one sequence x (T,), by the equations, one step at a time."""
    w, u, b = hand[0:4], hand[4:8], hand[8:12]
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    c = h = 0.0
    cs, hs = [], []
    for xt in x:
        z = [w[k] * xt + u[k] * h + b[k] for k in range(4)]  # i, f, g, o
        i, f, g, o = sig(z[0]), sig(z[1]), math.tanh(z[2]), sig(z[3])
        c = f * c + i * g
        h = o * math.tanh(c)
        cs.append(c)
        hs.append(h)
    return np.array(cs), np.array(hs)


def test_there_are_six_challenges_with_distinct_ids():
    assert len(IDS) == 6 and len(set(IDS)) == 6
    assert IDS == ("keep", "reset", "positive", "ask", "count", "sign")


@pytest.mark.parametrize("cid", IDS)
def test_the_known_solution_passes(cid):
    challenge = ch.get(cid)
    result = ch.check(challenge, challenge.solution)
    assert result.passed, ch.verdict(result, "en")
    assert result.worst.margin > 0.04  # not by a hair: a learner near it passes too
    assert all(hand_cell.RANGE[0] <= v <= hand_cell.RANGE[1] for v in challenge.solution)
    assert all(round(v, 1) == v for v in challenge.solution)  # on the sliders' 0.1 grid


@pytest.mark.parametrize("cid", IDS)
def test_the_default_cell_fails_with_the_numbers(cid):
    result = ch.check(ch.get(cid), hand_cell.DEFAULT)
    assert not result.passed
    worst = result.worst
    assert worst.margin < 0 and worst in result.misses
    text = ch.verdict(result, "en")
    assert text.startswith("✗")
    assert (
        f"{worst.band.q} at t = {worst.t} is {ch.num(worst.value, (worst.band.lo, worst.band.hi))}"
        in text
    )
    assert f"{len(result.misses)} of {len(result.readings)}" in text


@pytest.mark.parametrize("cid", IDS)
def test_random_cells_rarely_pass(cid):
    rng = np.random.default_rng(7)
    lo, hi = hand_cell.RANGE
    passed = sum(
        ch.check(ch.get(cid), np.round(rng.uniform(lo, hi, 12), 1)).passed for _ in range(300)
    )
    assert passed <= 3  # ≤ 1 %: the job is a job, not luck


@pytest.mark.parametrize("cid", IDS)
def test_every_input_of_a_challenge_matters(cid):
    """Each input has its own bands, and the solution of a sub-job fails on another input:
    two or three inputs per challenge, so a solution must generalise."""
    challenge = ch.get(cid)
    B = challenge.inputs.shape[0]
    assert 2 <= B <= 3
    result = ch.check(challenge, challenge.solution)
    assert {b.seq for b in result.bands} == set(range(B))


@pytest.mark.parametrize("cid", IDS)
@settings(max_examples=15, deadline=None)
@given(hand=st.lists(st.integers(-50, 50), min_size=12, max_size=12))
def test_the_measured_numbers_are_the_cells_own(cid, hand):
    hand = [v / 10 for v in hand]
    result = ch.check(ch.get(cid), hand)
    for k, x in enumerate(result.x):
        c, h = plain_cell(hand, x)
        np.testing.assert_allclose(result.c[k], c, rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(result.h[k], h, rtol=1e-12, atol=1e-12)
    for r in result.readings:
        series = result.c if r.band.q == "c" else result.h
        assert r.value == series[r.band.seq, r.t]
        assert r.margin == min(r.value - r.band.lo, r.band.hi - r.value)
    assert result.passed == all(b.lo <= r.value <= b.hi for r in result.readings for b in [r.band])


def test_bands_of_the_count_challenge_are_the_running_counts():
    result = ch.check(ch.get("count"), hand_cell.DEFAULT)
    x = ch.get("count").inputs[0]
    want = np.cumsum(x)
    for r in (r for r in result.readings if r.band.seq == 0):
        assert r.band.lo == pytest.approx(want[r.t] - 0.4) and r.band.hi == pytest.approx(
            want[r.t] + 0.4
        )
    assert sorted(r.t for r in result.readings if r.band.seq == 0) == list(range(len(x)))


def test_bands_of_the_keep_challenge_follow_c0():
    sol = ch.get("keep").solution
    result = ch.check(ch.get("keep"), sol)
    for k in range(3):
        first, last = [b for b in result.bands if b.seq == k]
        assert (first.t0, last.t0) == (0, 20)
        c0 = result.c[k, 0]
        assert sorted((last.lo, last.hi)) == pytest.approx(sorted((0.8 * c0, 1.2 * c0)))
        assert (first.lo == 0.5) if result.x[k, 0] > 0 else (first.hi == -0.5)


def test_reset_and_ask_bands_read_the_signals():
    reset = ch.check(ch.get("reset"), hand_cell.DEFAULT)
    seq0 = [b for b in reset.bands if b.seq == 0]
    assert [(b.t0, b.t1, b.lo, b.hi) for b in seq0] == [(0, 7, 0.5, math.inf), (8, 13, -0.15, 0.15)]
    ask = ch.check(ch.get("ask"), hand_cell.DEFAULT)
    shown = [(b.seq, b.t0) for b in ask.bands if b.lo == 0.4]
    assert shown == [(0, 4), (0, 8), (1, 3), (1, 6), (1, 10)]  # input 3 has no write: no "show"


def test_a_bad_hand_is_refused_and_an_unknown_id_named():
    with pytest.raises(ValueError, match="12 numbers"):
        ch.check(ch.get("keep"), [0.0] * 11)
    with pytest.raises(ValueError, match=r"w_i=9"):
        ch.check(ch.get("keep"), [9.0] + [0.0] * 11)
    with pytest.raises(KeyError, match="keep"):
        ch.get("nope")


def test_numbers_are_shown_with_enough_digits_to_differ_from_the_limit():
    assert ch.num(0.31) == "0.31" and ch.num(-0.5) == "−0.50"
    assert ch.num(0.7996, (0.8,)) == "0.7996"  # "0.80" and "0.800" would read as the limit
    assert ch.num(0.7, (0.8,)) == "0.70"
    band = ch.Band(0, "c", 3, 3, 0.8, math.inf)
    text = ch.reading_text(ch.Reading(band, 3, 0.31), "en")
    assert text == "input 1: c at t = 3 is 0.31, needed ≥ 0.80"
    between = ch.Band(1, "h", 2, 2, -0.1, 0.1)
    assert "between −0.10 and 0.10" in ch.reading_text(ch.Reading(between, 2, 0.5), "en")
    assert "在 −0.10 与 0.10 之间" in ch.reading_text(ch.Reading(between, 2, 0.5), "zh")


def test_the_pass_message_names_the_closest_call():
    result = ch.check(ch.get("count"), ch.get("count").solution)
    text = ch.verdict(result, "en")
    assert (
        text.startswith("✓ Pass on all 3 inputs.") and ch.reading_text(result.worst, "en") in text
    )
    assert ch.verdict(result, "zh").startswith("✓ 通过")


def test_the_builder_is_the_sessions_hand_cell():
    """One hand-set cell: the same names, defaults, range and state_dict as the sidebar's."""
    from ui import session

    assert hand_cell.NAMES == session.HAND_NAMES
    assert hand_cell.DEFAULT == session.HAND_DEFAULT
    assert hand_cell.RANGE == session.HAND_RANGE
    hand = (1.5, -2, 3, 0.5, 1, -1, 2, 0, 0.3, 1, -0.2, 4)
    run = session.build_run(
        session.Settings(weights="hand", input_kind="noise", hand=hand, num_features=3)
    )
    sd = hand_cell.state_dict(hand, 3)
    assert sd.keys() == run.model.state_dict().keys()
    for k, v in run.model.state_dict().items():
        np.testing.assert_array_equal(sd[k], v, err_msg=k)
    lt = hand_cell.run(hand, np.asarray(run.x)[:, None, :])
    np.testing.assert_array_equal(lt.c[:, 0], run.trace.layers[0][0].c[:, 0])


@pytest.mark.parametrize("cid", IDS)
def test_every_challenge_has_its_texts_in_both_languages(cid):
    for part in ("title", "goal", "input", "hint", "why"):
        entry = catalog()[f"challenges.{cid}_{part}"]
        assert entry["en"].strip() and entry["zh"].strip(), (cid, part)


# ----- figures ---------------------------------------------------------------------------------


def _traces(fig, role, seq):
    return [d for d in fig.data if d.meta == {"role": role, "seq": seq}]


@pytest.mark.parametrize("cid", IDS)
def test_the_figure_holds_x_c_h_and_the_targets_of_every_input(cid):
    result = ch.check(ch.get(cid), hand_cell.DEFAULT)
    fig = create_challenge_figure(result, "en")
    B, T = result.x.shape
    assert len(fig.data) == 4 * B
    for k in range(B):
        (x,), (c,), (h,) = (_traces(fig, r, k) for r in ("x", "c", "h"))
        np.testing.assert_array_equal(x.y, result.x[k])
        np.testing.assert_array_equal(c.y, result.c[k])
        np.testing.assert_array_equal(h.y, result.h[k])
        assert list(c.x) == list(range(T))
        assert (x.line.color, c.line.color, h.line.color) == (
            palette.X_LINE,
            palette.C_LINE,
            palette.H_LINE,
        )
        (target,) = _traces(fig, "target", k)
        assert target.fill == "toself" and target.line.dash == "dash"
        assert (
            target.line.color
            == {"c": palette.C_LINE, "h": palette.H_LINE}[result.challenge.quantity]
        )
        lo, hi = y_range(result, k)
        boxes = [b for b in result.bands if b.seq == k]
        want_x, want_y = [], []
        for b in boxes:
            px, py = band_polygon(b, lo, hi)
            want_x += [*px, None]
            want_y += [*py, None]
        assert list(target.x) == want_x and list(target.y) == want_y
        for b in boxes:  # every finite limit is drawn where the check reads it
            px, py = band_polygon(b, lo, hi)
            assert px[0] < b.t0 < px[1] or px[0] < b.t1 < px[1]
            for limit in (b.lo, b.hi):
                if math.isfinite(limit):
                    assert limit in py
    assert fig.data[0].name == tr(f"challenges.fig_target_{result.challenge.quantity}", "en")


def test_an_open_band_reaches_the_axis_edge():
    px, py = band_polygon(ch.Band(0, "c", 2, 4, 0.5, math.inf), -1.0, 3.0)
    assert px == [1.6, 4.4, 4.4, 1.6, 1.6] and py == [0.5, 0.5, 3.0, 3.0, 0.5]


def test_the_figure_speaks_the_language_asked_for():
    result = ch.check(ch.get("ask"), hand_cell.DEFAULT)
    zh = create_challenge_figure(result, "zh")
    names = {d.name for d in zh.data}
    assert tr("challenges.fig_h", "zh") in names and tr("challenges.fig_target_h", "zh") in names
    titles = [a.text for a in zh.layout.annotations]
    assert titles == [tr("challenges.fig_input", "zh", k=k) for k in (1, 2, 3)]


def test_the_texts_write_indices_as_subscripts_not_tex():
    """The shared notation rule (tests/test_i18n_notation.py) for challenges.toml too."""
    import re

    from test_i18n_notation import RAW_INDEX, texts

    found = texts("challenges")
    assert len(found) > 100
    bad = [
        (key, lang, m.group(0))
        for key, lang, text in found
        for m in [*re.finditer(r"_\{", text), *RAW_INDEX.finditer(text)]
    ]
    assert bad == []
    assert "c₀" in catalog()["challenges.keep_goal"]["en"]
