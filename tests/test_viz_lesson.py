"""The lesson's figures: what they draw before and after the reveal, from the example's numbers."""

from __future__ import annotations

import numpy as np
import pytest

from app_logic import lesson
from app_logic.i18n import tr
from viz import palette
from viz.lesson import HIDDEN, create_lesson_figure


def _fig(n: int, reveal: bool, lang: str = "en", value=None):
    return create_lesson_figure(lesson.example(n, value), lang, reveal)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_chapter_1_hides_c_and_h_until_the_reveal(lang):
    ex = lesson.example(1)
    before, after = _fig(1, False, lang), _fig(1, True, lang)
    assert [t.name for t in before.data] == [tr("lesson.fig_x", lang)]
    assert any(a.text == tr("lesson.fig_hidden", lang) for a in before.layout.annotations)
    names = [t.name for t in after.data]
    assert names == [tr(f"lesson.fig_{k}", lang) for k in ("x", "c", "h")]
    np.testing.assert_allclose(after.data[1].y, ex.c)
    np.testing.assert_allclose(after.data[2].y, ex.h)
    colours = [t.line.color for t in after.data]
    assert colours == [palette.X_LINE, palette.C_LINE, palette.H_LINE]
    assert not any(a.text == tr("lesson.fig_hidden", lang) for a in after.layout.annotations)


def test_chapter_1_follows_the_try_it_value():
    fig = _fig(1, True, value=-2.0)
    np.testing.assert_allclose(fig.data[0].y[:5], [-2.0] * 5)
    np.testing.assert_allclose(fig.data[1].y, lesson.example(1, -2.0).c)
    assert min(fig.data[1].y) < -2 and fig.layout.yaxis.range[0] < min(fig.data[1].y)


BARS = {
    2: (("c_prev", "f", "kept"), ("c", "f", "c")),
    3: (("i", "g", "written"), ("i", "g", "c")),
    4: (("c_prev", "kept", "written", "c"), ("c", "c", "g", "c")),
    5: (("c", "tanh_c", "o", "h"), ("c", None, "o", "h")),
}


@pytest.mark.parametrize("n", [2, 3, 4, 5])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_step_bars_hide_the_answer_bar_until_the_reveal(n, lang):
    fields, colours = BARS[n]
    s = lesson.example(n).step
    want = [getattr(s, f) for f in fields]
    before, after = _fig(n, False, lang), _fig(n, True, lang)
    labels = [tr(f"lesson.fig_bar_{f}", lang) for f in fields]
    assert list(after.data[0].x) == labels
    np.testing.assert_allclose(after.data[0].y, want)
    assert list(after.data[0].text) == [f"{v:.2f}" for v in want]
    assert list(before.data[0].y[:-1]) == pytest.approx(want[:-1]) and before.data[0].y[-1] is None
    assert before.data[0].text[-1] == HIDDEN
    assert any(a.text == HIDDEN for a in before.layout.annotations)
    assert len(before.layout.shapes) == 1 and not after.layout.shapes
    expect = [palette.TANH_BOX if c is None else palette.GATE_COLOR[c] for c in colours]
    assert list(after.data[0].marker.color) == expect


def test_step_bars_follow_the_try_it_value():
    closed, open_ = _fig(2, True, value=-4.0), _fig(2, True, value=4.0)
    assert closed.data[0].y[1] < 0.05 and open_.data[0].y[1] > 0.95  # f
    assert closed.data[0].y[2] < 0.1 and open_.data[0].y[2] > 1.4  # kept
    lo, hi = (-2.0, 2.0)
    for n, ch in ((n, lesson.chapter(n)) for n in (2, 3, 4, 5)):
        for v in ch.try_it.values:
            ys = _fig(n, True, value=v).data[0].y
            assert all(lo < y < hi for y in ys), (n, v)  # inside the fixed axis


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_chapter_6_draws_the_shares_after_the_reveal(lang):
    ex = lesson.example(6)
    before, after = _fig(6, False, lang), _fig(6, True, lang)
    assert all(len(t.y) == 1 and t.y[0] == 1 for t in before.data)
    assert [len(t.y) for t in after.data] == [ex.T] * 3
    np.testing.assert_allclose(after.data[0].y, ex.c / ex.c[0])
    np.testing.assert_allclose(after.data[1].y, ex.share)
    np.testing.assert_allclose(after.data[2].y, ex.rnn_share)
    assert after.data[0].name == tr("lesson.fig_lstm_share", lang)
    assert after.data[0].line.color == palette.C_LINE
    assert after.data[1].line.color == palette.GATE_COLOR["f"]


def test_chapter_6_follows_the_forget_bias():
    weak, strong = _fig(6, True, value=0.0), _fig(6, True, value=6.0)
    assert weak.data[0].y[-1] < 1e-5 and strong.data[0].y[-1] > 0.9
    np.testing.assert_allclose(weak.data[2].y, strong.data[2].y)  # the RNN does not move


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_chapter_7_shows_output_of_sequence_b_after_the_reveal(lang):
    before = _fig(7, False, lang)
    assert not before.data
    for b in (0.0, 2.0):
        ex = lesson.example(7, b)
        fig = _fig(7, True, lang, value=b)
        z = np.array(fig.data[0].z)
        assert z.shape == (5, 20)
        np.testing.assert_allclose(z, ex.output[:, int(b), :])
        np.testing.assert_allclose(z[-1], ex.h_n[1, int(b)])
        assert f"[:, {int(b)}, :]" in fig.layout.title.text
        assert (fig.data[0].zmin, fig.data[0].zmax) == (-1, 1)
