"""AppTest of the "From RNN to LSTM" page: the numbers shown are the core's, sliders change them."""

import conftest
import numpy as np
from streamlit.testing.v1 import AppTest

from app_logic import inputs
from app_logic.i18n import tr
from lstm_core.memory import gradient_flow, paired_models

PAGE = "pages/rnn_vs_lstm.py"


def open_page(query: dict | None = None) -> AppTest:
    return conftest.open_page(PAGE, query)


def metric_values(at: AppTest) -> list[str]:
    return [m.value for m in at.metric]


def expected(T=40, H=16, seed=0, fb=3.0, scale=1.0, kind="sine"):
    rnn, lstm = paired_models(1, H, seed, fb, scale)
    return gradient_flow(rnn, lstm, inputs.preset(kind, T, 1, seed))


def test_the_ratio_shown_is_the_cores_and_the_lstm_keeps_the_gradient():
    at = open_page()
    flow = expected()
    d = flow.T - 1
    assert metric_values(at) == [
        f"{flow.rnn_h[d]:.2e}",
        f"{flow.lstm_h[d]:.2e}",
        f"{flow.ratio():.2e}",
        f"{flow.forget_product[d]:.2e}",
    ]
    assert flow.ratio() > 1e4  # the default teaches the point: the RNN's gradient vanished
    assert len(at.success) == 1 and not at.warning
    assert at.metric[0].label == tr("why.metric_rnn", "en", d=39)
    assert len(at.get("plotly_chart")) == 2
    assert len(at.latex) == 2
    assert at.markdown[-1].value == tr("why.takeaway", "en")


def test_closing_the_forget_gate_and_scaling_w_hh_change_the_verdict():
    at = open_page()
    at.slider(key="why_forget_bias").set_value(-4.0).run()
    at.slider(key="why_scale").set_value(3.0).run()
    assert not at.exception
    flow = expected(fb=-4.0, scale=3.0)
    assert metric_values(at)[2] == f"{flow.ratio():.2e}"
    assert flow.ratio() < 1  # the RNN explodes, the LSTM forgets: the page says so
    assert len(at.warning) == 1 and not at.success
    # T and H: the same numbers as the core for the new sizes
    at.slider(key="why_T").set_value(10).run()
    at.slider(key="why_H").set_value(4).run()
    assert metric_values(at)[2] == f"{expected(T=10, H=4, fb=-4.0, scale=3.0).ratio():.2e}"
    # the settings survive a visit to another page
    at.switch_page("pages/gates.py").run()
    at.switch_page(PAGE).run()
    assert at.slider(key="why_T").value == 10 and at.slider(key="why_forget_bias").value == -4.0


def test_the_sidebar_input_and_chinese():
    at = open_page({"lang": "zh", "input": "noise", "D": "3", "T": "25"})
    at.selectbox(key="why_input").set_value("sidebar").run()
    assert not at.exception
    x = inputs.preset("noise", 25, 3, 0)
    rnn, lstm = paired_models(3, 16, 0, 3.0, 1.0)
    flow = gradient_flow(rnn, lstm, x)
    assert metric_values(at)[2] == f"{flow.ratio():.2e}"
    assert at.title[0].value == tr("why.title", "zh")
    assert at.markdown[-1].value == tr("why.takeaway", "zh")
    assert at.slider(key="why_T").proto.disabled
    assert np.isfinite(flow.ratio())
