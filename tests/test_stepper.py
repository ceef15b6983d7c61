"""ui.stepper: what the figure reports becomes a Step; the keys press the right buttons."""

import numpy as np
import pytest

from app_logic.i18n import tr
from lstm_core import LSTM
from ui import stepper
from viz.cell_diagram import Step, create_cell_figure


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_keys_name_the_figures_buttons_in_order(lang):
    fig = create_cell_figure(LSTM(1, 2, seed=0).eval().trace(np.ones((3, 1))), lang=lang)
    labels = [b.label for b in fig.layout.updatemenus[0].buttons]
    assert labels == [tr(f"cell.btn_{name}", lang) for name in stepper.BUTTONS]


def test_reports_become_steps_and_garbage_is_ignored():
    assert stepper.reported_step({"frame": "t4s2a"}) == Step(4, 2, "a")
    assert stepper.reported_step({"frame": "t0s0q"}) == Step(0, 0, "q")
    for bad in [None, {}, {"frame": None}, {"frame": "t1s9a"}, {"frame": 3}, "t1s1a", []]:
        assert stepper.reported_step(bad) is None
