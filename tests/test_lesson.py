"""The lesson's content, without Streamlit: chapters, examples (the core's numbers), answers."""

from __future__ import annotations

import re
import string

import numpy as np
import pytest
from needs import need_torch
from test_i18n_notation import RAW_INDEX

from app_logic import lesson
from app_logic.i18n import LANGS, catalog, tr
from lstm_core import LSTM, sigmoid

CHAPTERS = range(1, lesson.N_CHAPTERS + 1)
CELL_CHAPTERS = range(1, 7)  # chapters whose example is a 1-unit cell
ALL_VALUES = [(ch.n, v) for ch in lesson.CHAPTERS for v in ch.try_it.values]


def test_seven_chapters_in_the_articles_order_each_linking_a_real_page():
    assert [ch.n for ch in lesson.CHAPTERS] == list(CHAPTERS) and lesson.N_CHAPTERS == 7
    from ui import session

    files = {f for f, *_ in session.PAGES}
    assert all(ch.page in files for ch in lesson.CHAPTERS)


@pytest.mark.parametrize("n", CHAPTERS)
def test_each_question_has_exactly_one_right_option(n):
    ch = lesson.chapter(n)
    for q in (ch.predict, ch.check):
        assert len(q.options) == len(set(q.options)) == 4
        right = [o for o in q.options if lesson.check(n, q.kind, o).right]
        assert right == [q.answer]


def test_the_right_answer_is_not_always_in_the_same_place():
    places = {ch.question(k).options.index(ch.question(k).answer)
              for ch in lesson.CHAPTERS for k in ("predict", "check")}  # fmt: skip
    assert len(places) >= 3


@pytest.mark.parametrize("n", CHAPTERS)
def test_feedback_names_the_chosen_options_own_explanation(n):
    ch = lesson.chapter(n)
    nums = lesson.question_numbers(n)
    for kind in ("predict", "check"):
        q = ch.question(kind)
        whys = set()
        for o in q.options:
            fb = lesson.check(n, kind, o)
            assert fb.right == (o == q.answer)
            assert fb.why_key == f"lesson.ch{n}_{kind}_{o}_why"
            for lang in LANGS:
                text = tr(fb.why_key, lang, **nums)
                assert text != fb.why_key and "{" not in text
                whys.add(text)
        assert len(whys) == 2 * len(q.options)  # one explanation per option and language
    with pytest.raises(ValueError, match="not an option"):
        lesson.check(n, "check", "nonsense")


def test_right_feedback_says_right_and_wrong_feedback_gives_the_reason():
    assert tr(lesson.check(2, "check", "keep").why_key, "en").startswith("Right")
    wrong = tr(lesson.check(2, "check", "forget").why_key, "en")
    assert "kept" in wrong and not wrong.startswith("Right")
    assert tr(lesson.check(5, "predict", "no_tanh").why_key, "zh", **lesson.question_numbers(5))
    # A prediction's explanation quotes the example's own numbers.
    text = tr(lesson.check(4, "predict", "sum").why_key, "en", **lesson.question_numbers(4))
    s = lesson.example(4).step
    assert f"{s.kept:.2f} + {s.written:.2f} = {s.c:.2f}" in text


@pytest.mark.parametrize(("n", "value"), [(n, v) for n, v in ALL_VALUES if n in CELL_CHAPTERS])
def test_every_example_step_is_non_trivial(n, value):
    """Never a step where x, h and c all are zero: for every try-it value."""
    s = lesson.example(n, value).step
    assert max(abs(s.x), abs(s.h_prev), abs(s.c_prev)) > 0.1
    assert abs(s.c) > 1e-6 and abs(s.h) > 1e-6


@pytest.mark.parametrize("n", CELL_CHAPTERS)
def test_the_numbers_are_the_cores(n):
    """The shown step equals a fresh run of the core with the chapter's cell and the LSTM
    equations by hand."""
    ex = lesson.example(n)
    s = ex.step
    # the cell equations, from the step's own gates
    assert s.kept == pytest.approx(s.f * s.c_prev, abs=1e-15)
    assert s.written == pytest.approx(s.i * s.g, abs=1e-15)
    assert s.c == pytest.approx(s.kept + s.written, abs=1e-15)
    assert s.h == pytest.approx(s.o * np.tanh(s.c), abs=1e-15)
    # and the gates are those of the hand-set weights
    hand = {1: lesson.MEMORIES_CELL, 6: lesson._with(lesson.TIME_CELL, "b_f", ex.value)}.get(
        n, lesson._with(lesson.STEP_CELL, lesson.chapter(n).try_it.name, ex.value)
        if lesson.chapter(n).try_it.name != "x" else lesson.STEP_CELL
    )  # fmt: skip
    w = dict(zip(lesson.HAND, hand, strict=True))
    for gate, act in (("i", sigmoid), ("f", sigmoid), ("g", np.tanh), ("o", sigmoid)):
        z = w[f"w_{gate}"] * s.x + w[f"u_{gate}"] * s.h_prev + w[f"b_{gate}"]
        assert getattr(s, gate) == pytest.approx(float(act(z)), abs=1e-15)


def test_chapter_1_c_climbs_past_1_while_h_stays_inside():
    ex = lesson.example(1)
    assert np.max(np.abs(ex.c)) > 1.5 and np.max(np.abs(ex.h)) < 1
    assert np.all(np.abs(ex.h) < 1)
    neg = lesson.example(1, -2.0)
    assert neg.c.min() < -2 and neg.h.min() > -1


def test_chapter_2_f_follows_the_bias_and_c_prev_does_not():
    lo, hi = lesson.example(2, -4.0).step, lesson.example(2, 4.0).step
    assert lo.c_prev == hi.c_prev == lesson.STEP_STATE["c_prev"]
    assert lo.f < 0.05 < 0.95 < hi.f
    assert lo.kept < 0.1 < 1.4 < hi.kept
    d = lesson.example(2).step
    assert d.f == pytest.approx(0.206, abs=1e-3) and d.kept < d.c_prev


def test_chapter_3_a_negative_input_writes_a_negative_amount():
    assert lesson.example(3, -2.0).step.written < 0 < lesson.example(3, 2.0).step.written


def test_chapter_4_the_input_gate_decides_how_much_is_added():
    shut, wide = lesson.example(4, -6.0).step, lesson.example(4, 3.0).step
    assert shut.kept == wide.kept  # the forget gate does not move
    assert shut.c == pytest.approx(shut.kept, abs=0.01) and wide.c > shut.c + 0.5


def test_chapter_5_the_output_gate_moves_h_not_c():
    shut, wide = lesson.example(5, -6.0).step, lesson.example(5, 3.0).step
    assert shut.c == wide.c
    assert abs(shut.h) < 0.02 and wide.h == pytest.approx(np.tanh(wide.c), abs=0.03)


def test_chapter_6_c_is_the_product_of_forget_gates_times_c0():
    from lstm_core.memory import forget_products

    for value in lesson.chapter(6).try_it.values:
        ex = lesson.example(6, value)
        np.testing.assert_allclose(ex.c / ex.c[0], ex.share, rtol=1e-12)
        assert ex.share[-1] == pytest.approx(forget_products(ex.f[:, None])[0, 0], rel=1e-12)
        f = float(sigmoid(value))
        assert ex.share[-1] == pytest.approx(f ** (ex.T - 1), rel=1e-12)
    ex = lesson.example(6)
    assert ex.share[-1] > 0.3 > 0.1 > ex.rnn_share[-1]  # the LSTM keeps far more than the RNN
    assert ex.rnn_share[0] == 1 and np.all(np.diff(ex.rnn_share) < 0)


def test_chapter_7_is_the_articles_example():
    ex = lesson.example(7)
    assert ex.x.shape == (5, 3, 10) and ex.h0.shape == ex.c0.shape == (2, 3, 20)
    assert ex.output.shape == (5, 3, 20) and ex.h_n.shape == ex.c_n.shape == (2, 3, 20)
    np.testing.assert_array_equal(ex.output[-1], ex.h_n[-1])
    model = LSTM(10, 20, num_layers=2, seed=lesson.TORCH_SEED)
    out, _ = model(ex.x, (ex.h0, ex.c0))
    np.testing.assert_array_equal(out, ex.output)
    b1 = lesson.numbers(lesson.example(7, 1.0))
    assert b1["out"] == b1["hn"] != lesson.numbers(ex)["out"]


def test_chapter_7_matches_torch():
    need_torch()
    diffs = lesson.torch_differences()
    assert set(diffs) == {"output", "h_n", "c_n"}
    assert all(0 <= d < 1e-12 for d in diffs.values())


@pytest.mark.parametrize("n", CHAPTERS)
def test_prediction_options_read_differently(n):
    """Options made of numbers must not collapse to the same text."""
    nums = lesson.question_numbers(n)
    ch = lesson.chapter(n)
    for lang in LANGS:
        labels = [tr(lesson.option_key(n, k, o), lang, **nums)
                  for k in ("predict", "check") for o in ch.question(k).options]  # fmt: skip
        assert len(set(labels)) == len(labels)


@pytest.mark.parametrize(("n", "value"), ALL_VALUES)
def test_the_try_it_value_changes_the_shown_numbers(n, value):
    ch = lesson.chapter(n)
    line = tr(ch.key("numbers"), "en", **lesson.numbers(lesson.example(n, value)))
    others = {tr(ch.key("numbers"), "en", **lesson.numbers(lesson.example(n, v)))
              for v in ch.try_it.values if v != value}  # fmt: skip
    assert line not in others


def test_bad_try_it_values_and_chapters_are_refused():
    with pytest.raises(ValueError):
        lesson.example(2, 0.37)
    for bad in ("abc", "0", "8", "99", "-1", "1.5", " ", "３"):
        with pytest.raises(ValueError):
            lesson.parse_chapter(bad)
    assert lesson.parse_chapter(" 7 ") == 7 and lesson.parse_chapter("03") == 3


def test_progress_marks_right_wrong_and_open():
    answers = {1: {"check": "green"}, 2: {"check": "forget"}, 3: {"predict": "sum"}}
    assert lesson.progress(answers) == (True, False, None, None, None, None, None)


# ----- the texts -------------------------------------------------------------------------------


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_lesson_text_exists_in_both_languages_and_formats():
    keys = [k for k in catalog() if k.startswith("lesson.")]
    assert len(keys) > 150
    for n in CHAPTERS:
        ch = lesson.chapter(n)
        need = [ch.key(p) for p in ("title", "body", "predict", "check", "try", "numbers")]
        for kind in ("predict", "check"):
            for o in ch.question(kind).options:
                need += [lesson.option_key(n, kind, o), f"{lesson.option_key(n, kind, o)}_why"]
        for key in need:
            assert key in catalog(), key
        fields = set(lesson.question_numbers(n)) | set(lesson.numbers(lesson.example(n)))
        for key in [k for k in keys if k.startswith(f"lesson.ch{n}_")]:
            for lang in LANGS:
                text = catalog()[key][lang]
                assert text, (key, lang)
                assert _fields(text) <= fields, (key, lang, _fields(text) - fields)
    for key in keys:
        assert _fields(catalog()[key]["en"]) == _fields(catalog()[key]["zh"]), key


def test_lesson_texts_write_indices_as_subscripts():
    bad = [
        (key, lang, m.group(0))
        for key, texts in catalog().items()
        if key.startswith("lesson.")
        for lang in LANGS
        for m in [*re.finditer(r"_\{", texts[lang]), *RAW_INDEX.finditer(texts[lang])]
    ]
    assert bad == []
    assert "cₜ = fₜ ⊙ cₜ₋₁ + iₜ ⊙ gₜ" in catalog()["lesson.ch4_body"]["zh"]
