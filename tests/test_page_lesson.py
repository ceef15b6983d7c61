"""The lesson page in AppTest: every chapter in both languages, predict → reveal → try → check.

Opened as a link opens it (`/lesson?chapter=N&lang=..`); the texts asserted are the catalogue's,
formatted with the chapter's own numbers, so a wrong feedback or a stale number fails.
"""

from __future__ import annotations

import pytest
from conftest import open_page

from app_logic import lesson
from app_logic.i18n import tr

PAGE = "pages/guided_lesson.py"
CHAPTERS = range(1, lesson.N_CHAPTERS + 1)


def _open(query: dict):
    return open_page(PAGE, query)


def _texts(at) -> str:
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    for kind in ("success", "info", "error", "warning"):
        parts += [e.value for e in at.get(kind)]
    return "\n".join(parts)


def _answer(at, n: int, kind: str, choice: str | None):
    if choice is not None:
        at.radio(key=f"lesson_{kind}_{n}").set_value(choice)
    at.button(key=f"lesson_submit_{kind}_{n}").click().run()
    assert not at.exception, at.exception
    return at


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("n", CHAPTERS)
def test_a_chapter_predict_reveal_try_and_check(n, lang):
    ch, nums = lesson.chapter(n), lesson.question_numbers(n)
    at = _open({"chapter": str(n), "lang": lang})
    assert at.header[0].value == f"{n}. {tr(ch.key('title'), lang)}"
    assert at.query_params["chapter"] == str(n)
    text = _texts(at)
    assert tr("lesson.own_examples", lang) in text  # the examples are the lesson's own
    assert tr("lesson.answer_hidden", lang) in text  # before the reveal, no answer
    assert tr(ch.key("numbers"), lang, **nums) not in text
    radio = at.radio(key=f"lesson_predict_{n}")
    labels = [tr(lesson.option_key(n, "predict", o), lang, **nums) for o in ch.predict.options]
    assert list(radio.options) == labels
    assert radio.value is None
    assert not [s for s in at.select_slider if s.key == f"lesson_try_{n}"]  # no try-it yet
    assert not [r for r in at.radio if r.key == f"lesson_check_{n}"]  # no check question yet

    # Reveal with no option picked: asked to pick first.
    _answer(at, n, "predict", None)
    assert tr("lesson.pick_first", lang) in [w.value for w in at.warning]

    # The prediction: a wrong one in English, the right one in Chinese.
    guess = ch.predict.answer if lang == "zh" else ch.predict.options[
        (ch.predict.options.index(ch.predict.answer) + 1) % 4]  # fmt: skip
    _answer(at, n, "predict", guess)
    why = tr(f"lesson.ch{n}_predict_{guess}_why", lang, **nums)
    if lang == "zh":
        assert why in [s.value for s in at.success]
    else:
        assert at.info[0].value == f"{tr('lesson.predict_wrong', lang)} {why}"
    assert tr("lesson.pick_first", lang) not in _texts(at)
    assert tr(ch.key("numbers"), lang, **nums) in _texts(at)  # revealed: the numbers

    # Try it: another value, other numbers (the core's, for that value).
    other = next(v for v in ch.try_it.values if v != ch.try_it.default)
    at.select_slider(key=f"lesson_try_{n}").set_value(other).run()
    assert not at.exception
    moved = tr(ch.key("numbers"), lang, **lesson.numbers(lesson.example(n, other)))
    assert moved in _texts(at) and moved != tr(ch.key("numbers"), lang, **nums)

    # The check question: wrong first (its own explanation), then right.
    wrong = next(o for o in ch.check.options if o != ch.check.answer)
    _answer(at, n, "check", wrong)
    wrong_why = tr(f"lesson.ch{n}_check_{wrong}_why", lang, **nums)
    assert [e.value for e in at.error] == [f"**{tr('lesson.check_wrong', lang)}** {wrong_why}"]
    assert tr("lesson.progress_legend", lang, right=0, wrong=1, open=6) in _texts(at)
    _answer(at, n, "check", ch.check.answer)
    right_why = tr(f"lesson.ch{n}_check_{ch.check.answer}_why", lang, **nums)
    assert right_why in [s.value for s in at.success] and not at.error
    assert tr("lesson.progress_legend", lang, right=1, wrong=0, open=6) in _texts(at)
    if n == lesson.N_CHAPTERS:
        assert tr("lesson.finished", lang, right=1, N=7) in _texts(at)
        diffs = {k: f"{v:.1e}" for k, v in lesson.torch_differences().items()}
        assert tr("lesson.torch_line", lang, **diffs) in _texts(at)
        assert all(float(v) < 1e-12 for v in diffs.values())


def test_previous_and_next_move_the_chapter_and_the_url_and_answers_are_kept():
    at = _open({"chapter": "2"})
    _answer(at, 2, "predict", "grow")
    _answer(at, 2, "check", "keep")
    at.button(key="lesson_next").click().run()
    assert at.query_params["chapter"] == "3"
    assert at.header[0].value.startswith("3. ")
    assert tr("lesson.answer_hidden", "en") in _texts(at)  # chapter 3 not revealed yet
    at.button(key="lesson_prev").click().run()
    at.button(key="lesson_prev").click().run()
    assert at.query_params["chapter"] == "1" and at.header[0].value.startswith("1. ")
    assert at.button(key="lesson_prev").disabled and not at.button(key="lesson_next").disabled
    at.button(key="lesson_next").click().run()
    # Back on chapter 2: what was answered is shown again.
    assert at.query_params["chapter"] == "2"
    assert at.radio(key="lesson_check_2").value == "keep"
    nums = lesson.question_numbers(2)
    assert tr("lesson.ch2_check_keep_why", "en", **nums) in [s.value for s in at.success]
    assert tr("lesson.ch2_predict_grow_why", "en", **nums) in _texts(at)
    assert tr("lesson.progress_legend", "en", right=1, wrong=0, open=6) in _texts(at)
    for _ in range(5):
        at.button(key="lesson_next").click().run()
    assert at.query_params["chapter"] == "7" and at.button(key="lesson_next").disabled


def test_the_chapter_survives_a_page_switch_and_the_sidebar_language():
    at = _open({"chapter": "4"})
    at.switch_page("pages/cell.py").run()
    at.query_params.pop("chapter", None)  # a page switch drops the page's own key
    at.switch_page(PAGE).run()
    assert at.header[0].value.startswith("4. ")
    at.radio(key="w_lang").set_value("zh").run()
    assert at.header[0].value == f"4. {tr('lesson.ch4_title', 'zh')}"
    assert at.query_params["chapter"] == "4" and at.query_params["lang"] == "zh"


@pytest.mark.parametrize("bad", ["abc", "99", "0", "-1", "2.5", ""])
def test_a_bad_chapter_in_the_link_opens_chapter_1_with_a_message(bad):
    at = _open({"chapter": bad})
    msg = tr("common.msg_bad_url", "en", param="chapter", value=bad, default="1")
    assert msg in [w.value for w in at.warning]
    assert at.header[0].value.startswith("1. ")
    assert at.query_params["chapter"] == "1"
    at.button(key="lesson_next").click().run()  # the message goes with the next chapter
    assert msg not in [w.value for w in at.warning]


def test_the_link_to_the_full_page_carries_the_settings():
    at = _open({"chapter": "6", "H": "8"})
    links = at.get("page_link")
    label = tr("lesson.see_page", "en", page=tr("common.nav_why", "en"))
    assert [link.proto.label for link in links] == [label]
    assert links[0].proto.page == "why" and links[0].proto.query_string == "H=8"


def test_the_landing_pages_first_call_to_action_is_the_lesson():
    from conftest import open_app

    for lang in ("en", "zh"):
        at = open_app(query={"lang": lang})
        links = at.get("page_link")
        assert links[0].proto.label == f"**{tr('lesson.cta', lang)}**"
        assert links[0].proto.page == "lesson"
        assert links[0].proto.query_string == ("lang=zh" if lang == "zh" else "")
        assert tr("lesson.cta_body", lang) in [c.value for c in at.caption]
