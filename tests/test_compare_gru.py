"""The Compare page with the GRU: lstm_core.GRU against torch.nn.GRU, pure and in AppTest."""

from __future__ import annotations

import dataclasses

import conftest
import numpy as np
import pytest
from needs import need_torch

from app_logic import compare_gru as cg
from app_logic import compare_logic as cl
from app_logic.i18n import tr

need_torch()
PAGE = "pages/compare.py"
TIMEOUT = 120


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"bidirectional": True, "lengths": (5, 3, 4)},
        {"dtype": "float32"},
        {"batch_first": True, "random_state": False, "bias": False},
        {"num_layers": 3, "dropout": 0.5, "train": True},
    ],
    ids=["default", "bidir-lengths", "float32", "batch_first-nobias", "dropout-train"],
)
def test_every_number_agrees_with_torch_for_every_option(options):
    cfg = cl.CompareConfig(kind="gru", **options)
    result = cg.run_gru_comparison(cfg)
    assert cg.passed(result)
    L, ND = cfg.num_layers, cfg.num_directions
    assert result.tensors["h_n"].core.shape == (L * ND, cfg.batch, cfg.hidden_size)
    assert {g.gate for g in result.gates} == set(cg.GATE_NAMES)
    assert len(result.gates) == 4 * L * ND
    grads = result.extra["grads"]
    assert set(grads.per_param) == set(cl.build_model(cfg).state_dict())
    assert grads.eval_forced == cfg.dropout_active
    assert "c_n" not in result.tensors


def test_a_wrong_gru_is_caught():
    """The check can fail: torch's module with one weight changed misses the tolerance."""
    cfg = cl.CompareConfig(kind="gru", num_layers=1)
    model = cl.build_model(cfg)
    inp = cl.make_inputs(cfg)
    module = cl.twin(model)
    with __import__("torch").no_grad():
        module.weight_hh_l0[45, 3] += 1e-6  # an n row (rows 40..59 for H = 20)
    *_, gates = cg.torch_chain(module, cfg, inp, (None,))
    core = model.trace(inp.x, inp.hx).layers[0][0]
    diff = np.abs(core.n - gates[0][0]["n"]).max()
    assert diff > cl.tolerance("float64", gates[0][0]["n"], None)
    assert np.abs(core.r[0] - gates[0][0]["r"][0]).max() <= 1e-12  # step 0: r reads no n row


def test_gru_settings_are_checked_and_the_code_is_nn_grus():
    problems = cl.check_config(cl.CompareConfig(kind="gru", proj_size=3))
    assert [p.key for p in problems] == ["compare.err_gru_proj"]
    assert [p.key for p in cl.check_config(cl.CompareConfig(kind="rnn"))] == ["compare.err_kind"]
    cfg = cl.CompareConfig(kind="gru", bidirectional=True)
    code = cg.torch_code(cfg)
    assert "gru = nn.GRU(input_size=10, hidden_size=20, num_layers=2, bidirectional=True)" in code
    assert "c0" not in code and "output, hn = gru(x, h0)" in code
    assert "hn.shape      # torch.Size([4, 3, 20])" in code
    assert "model = GRU(" in cg.numpy_code(cfg)
    assert "proj_size" not in cfg.model_args()
    # the GRU's x and G are the LSTM's (same seed): only h0 is kept of (h0, c0)
    lstm_inp = cl.make_inputs(dataclasses.replace(cfg, kind="lstm"))
    gru_inp = cl.make_inputs(cfg)
    assert np.array_equal(lstm_inp.x, gru_inp.x) and np.array_equal(lstm_inp.hx[0], gru_inp.hx)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_page_gives_the_gru_verdict_pass(lang):
    at = conftest.open_app(PAGE, {"lang": lang}, timeout=TIMEOUT)
    at.radio(key="cmp_kind").set_value("gru").run()
    assert not at.exception and not at.error
    result = cg.run_gru_comparison(cl.CompareConfig(kind="gru"))
    n = len(result.tensors) + len(result.gates) + 1
    assert [s.value for s in at.success] == [
        tr("compare.verdict_pass_gru", lang, n=n, dtype="float64", version=result.torch_version)
    ]
    df = conftest.html_tables(at)[0]
    names = list(df[tr("compare.col_tensor", lang)])
    assert names[:5] == ["output", "h_n", "r", "z", "n"]
    assert names[5] == tr("compare.row_gradients", lang, n=8)
    assert set(df[tr("compare.col_verdict", lang)]) == {tr("compare.pass", lang)}
    assert at.number_input(key="cmp_hidden_size").value == 20
    assert "cmp_proj_size" not in [w.key for w in at.number_input]  # nn.GRU has no projection
    # the gates tab lists r, z, n, h; the gradients tab every parameter
    at.session_state["cmp_tab"] = tr("compare.tab_gates", lang)
    at.run()
    gates = {tr("compare.col_max_diff_gate", lang, g=g) for g in "rznh"}
    assert gates <= set(conftest.html_tables(at)[1].columns)
    at.session_state["cmp_tab"] = tr("compare.tab_grads", lang)
    at.run()
    assert len(conftest.html_tables(at)[1]) == 8 and not at.exception
    at.session_state["cmp_tab"] = tr("compare.tab_layout", lang)
    at.run()
    assert not at.exception and len(at.get("plotly_chart")) == 1
