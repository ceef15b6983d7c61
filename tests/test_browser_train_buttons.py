"""The Train page's button row in a real Chromium: no label is cut, in English or Chinese."""

from __future__ import annotations

import pytest
from browser_helpers import assert_no_exception, wait_idle

from app_logic.i18n import tr

pytestmark = pytest.mark.browser

# True when the button, or any element inside it, holds more than it shows (an ellipsis).
CUT = "b => [b, ...b.querySelectorAll('*')].some(n => n.scrollWidth > n.clientWidth + 1)"


@pytest.mark.parametrize("size", [(1400, 1000), (1280, 800)])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_train_and_reset_labels_are_shown_whole(streamlit_server, page, size, lang):
    width, height = size
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{streamlit_server}/training?lang={lang}")
    wait_idle(page)
    for key, label in (("train_start", "train.start"), ("train_reset", "train.reset")):
        button = page.locator(f".st-key-{key} button")
        button.wait_for(timeout=60_000)
        assert tr(label, lang) in button.inner_text()
        assert not button.evaluate(CUT), (key, button.evaluate("b => b.outerHTML"))
        label_box = button.get_by_text(tr(label, lang), exact=True).bounding_box()
        box = button.bounding_box()
        assert label_box["x"] + label_box["width"] <= box["x"] + box["width"]
    assert_no_exception(page)
