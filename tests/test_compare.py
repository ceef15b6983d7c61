"""The Compare page's logic and figures: verdicts, tolerances, shown code, biases, gradients."""

from __future__ import annotations

import dataclasses
import re
import string
from pathlib import Path

import numpy as np
import pytest
from needs import need_torch

need_torch()

from app_logic import compare_logic as cl  # noqa: E402
from app_logic import compare_torch as ct  # noqa: E402
from lstm_core import LSTM  # noqa: E402
from lstm_core import torch_bridge as tb  # noqa: E402
from viz import compare as vc  # noqa: E402
from viz import palette  # noqa: E402

ARTICLE = cl.CompareConfig()
HARD = cl.CompareConfig(bidirectional=True, proj_size=5, lengths=(5, 3, 4), batch_first=True)


def test_article_example_passes_with_round_off_differences():
    r = cl.run_comparison(ARTICLE)
    assert r.passed
    assert [t.core.shape for t in r.tensors.values()] == [(5, 3, 20), (2, 3, 20), (2, 3, 20)]
    for t in r.tensors.values():
        assert t.core.shape == t.torch.shape
        assert t.max_diff <= 1e-14 and t.tol == pytest.approx(1e-12)
        assert t.max_diff == pytest.approx(float(t.diff.max()))
    assert len(r.gates) == 2 * 6  # 2 layers × (i, f, g, o, c, h)
    assert all(g.max_diff <= 1e-14 and g.per_t.shape == (5,) for g in r.gates)
    assert list(r.core_shapes.items()) == list(r.torch_shapes.items())
    assert r.core_shapes["weight_ih_l0"] == (80, 10) and r.core_shapes["weight_hh_l1"] == (80, 20)


def test_bidirectional_projection_lengths_batch_first_passes():
    r = cl.run_comparison(HARD)
    assert r.passed
    assert r.tensors["output"].core.shape == (3, 5, 10)  # (B, max length, 2 · proj)
    assert r.tensors["h_n"].core.shape == (4, 3, 5)
    assert r.tensors["c_n"].core.shape == (4, 3, 20)
    assert len(r.gates) == 2 * 2 * 6
    g = next(g for g in r.gates if (g.layer, g.direction, g.gate) == (1, 1, "f"))
    assert np.all(np.isfinite(g.per_t))  # the longest sequence has all 5 steps


def test_float32_tolerance_is_measured_torch_disagreement():
    r = cl.run_comparison(dataclasses.replace(HARD, dtype="float32"))
    assert r.passed
    for t in r.tensors.values():
        assert t.ref_diff is not None and 0 < t.ref_diff < 1e-5
        assert t.tol == max(cl.FLOAT32_FLOOR, cl.FLOAT32_SAFETY * t.ref_diff)
        assert 1e-9 < t.max_diff <= t.tol  # float32 really is compared in float32


def test_dropout_train_mode_runs_torch_layer_by_layer_with_our_masks():
    cfg = cl.CompareConfig(num_layers=3, dropout=0.5, train=True, lengths=(2, 5, 4))
    r = cl.run_comparison(cfg)
    assert r.torch_layerwise and r.passed
    assert max(t.max_diff for t in r.tensors.values()) <= 1e-14
    # torch's own dropout (its own masks) does not match: that is why the masks are shared
    model = cl.build_model(cfg)
    inp = cl.make_inputs(cfg)
    module = tb.to_torch(model)
    module.train()
    own = tb.run_torch(module, inp.x, inp.hx, inp.lengths)[0]
    assert np.max(np.abs(own - r.tensors["output"].core)) > 1e-3


def test_layer_module_reproduces_the_whole_module():
    model = LSTM(4, 6, num_layers=3, bidirectional=True, proj_size=3, seed=1).eval()
    module = tb.to_torch(model)
    x = np.random.default_rng(0).normal(size=(7, 2, 4))
    whole = tb.run_torch(module, x)[0]
    layer_in = x
    for k in range(3):
        layer_in = tb.run_torch(ct.layer_module(module, k), layer_in)[0]
    np.testing.assert_allclose(layer_in, whole, rtol=0, atol=1e-15)


def test_a_wrong_torch_output_fails_the_verdict(monkeypatch):
    real = tb.run_torch

    def off_by_a_little(*args, **kwargs):
        out, (h_n, c_n) = real(*args, **kwargs)
        out = out.copy()
        out[0, 0, 0] += 1e-9  # far below anything a picture would show
        return out, (h_n, c_n)

    monkeypatch.setattr(tb, "run_torch", off_by_a_little)
    r = cl.run_comparison(ARTICLE)
    assert not r.passed
    assert not r.tensors["output"].passed and r.tensors["h_n"].passed
    assert r.tensors["output"].max_diff == pytest.approx(1e-9, rel=1e-3)


def test_a_wrong_torch_gate_fails_its_check(monkeypatch):
    real = tb.torch_gates

    def bad_forget_gate(*args, **kwargs):
        res = real(*args, **kwargs)
        res[0][0]["f"][2] += 1e-7
        return res

    monkeypatch.setattr(tb, "torch_gates", bad_forget_gate)
    r = cl.run_comparison(ARTICLE)
    failed = [(g.layer, g.gate) for g in r.gates if not g.passed]
    assert failed == [(0, "f"), (1, "f")]
    g = next(g for g in r.gates if (g.layer, g.gate) == (0, "f"))
    assert g.per_t[2] == pytest.approx(1e-7, rel=1e-3) and g.per_t[1] < 1e-14


def test_tolerance_rules():
    assert cl.tolerance("float64", np.array([0.5, -0.2]), None) == 1e-12
    assert cl.tolerance("float64", np.array([3.0, -7.0]), None) == pytest.approx(7e-12)
    assert cl.tolerance("float32", np.zeros(3), 1e-8) == 1e-5
    assert cl.tolerance("float32", np.zeros(3), 3e-6) == pytest.approx(3e-5)


@pytest.mark.parametrize(
    ("text", "want"),
    [("", None), ("5, 3, 4", (5, 3, 4)), ("5 3 4", (5, 3, 4)), ("5，3、4", (5, 3, 4))],
)
def test_parse_lengths(text, want):
    assert cl.parse_lengths(text, 3, 5) == want


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("5, 3", "compare.err_lengths_count"),
        ("5, 3, 6", "compare.err_lengths_range"),
        ("5, 0, 4", "compare.err_lengths_range"),
        ("5, 3.5, 4", "compare.err_lengths_token"),
        ("5, -3, 4", "compare.err_lengths_token"),
        ("five", "compare.err_lengths_token"),
        ("1," * 200, "compare.err_lengths_text"),
    ],
)
def test_bad_lengths_say_why(text, key):
    with pytest.raises(cl.CompareError) as e:
        cl.parse_lengths(text, 3, 5)
    assert e.value.key == key


def test_check_config_lists_every_problem_with_its_limit():
    cfg = cl.CompareConfig(hidden_size=65, proj_size=70, seq_len=41, batch=0, dropout=1.5)
    problems = cl.check_config(cfg)
    keys = sorted(p.key for p in problems)
    assert keys.count("compare.err_limit") == 4  # hidden, proj, T, B
    assert "compare.err_proj" in keys and "compare.err_dropout" in keys
    hidden = next(p for p in problems if p.fmt.get("name") == "hidden_size")
    assert (hidden.fmt["lo"], hidden.fmt["hi"], hidden.fmt["got"]) == (1, 64, 65)
    assert cl.check_config(ARTICLE) == []


@pytest.mark.parametrize("cfg", [ARTICLE, HARD, cl.CompareConfig(random_state=False, bias=False)])
def test_shown_code_runs_and_gives_the_shapes_it_promises(cfg):
    torch = need_torch()
    code = cl.torch_code(cfg)
    if cfg == ARTICLE:
        assert "nn.LSTM(input_size=10, hidden_size=20, num_layers=2)" in code
        assert "x = torch.randn(5, 3, 10)" in code and "h0 = torch.randn(2, 3, 20)" in code
    ns: dict = {}
    old = torch.get_default_dtype()
    try:
        exec(code, ns)
        assert tuple(ns["output"].shape) == cl.output_shape(cfg)
        LD = cfg.num_layers * cfg.num_directions
        assert tuple(ns["hn"].shape) == (LD, cfg.batch, cfg.h_out)
        assert tuple(ns["cn"].shape) == (LD, cfg.batch, cfg.hidden_size)
        exec(cl.numpy_code(cfg), ns)  # the NumPy twin on the same x, h0, c0
        lstm, model = ns["lstm"], ns["model"]
        assert list(lstm.state_dict()) == list(model.state_dict())
        assert ns["output"].shape == cl.output_shape(cfg)
    finally:
        torch.set_default_dtype(old)


def test_bias_demo_moving_between_biases_changes_nothing():
    r = cl.run_comparison(ARTICLE)
    bd = r.bias_demo
    assert bd["moved"] <= 1e-14  # the sum b_ih + b_hh is unchanged
    assert bd["alone"] > 1e-4  # the sum changed: the output moves
    assert cl.run_comparison(dataclasses.replace(ARTICLE, bias=False)).bias_demo is None


@pytest.mark.parametrize("cfg", [ARTICLE, HARD, dataclasses.replace(HARD, dtype="float32")])
def test_gradients_three_ways_agree(cfg):
    gc = cl.gradient_check(cfg, None, "weight_hh_l0")
    assert gc.passed and not gc.eval_forced
    assert gc.core.shape == gc.torch.shape == cl.build_model(cfg).param_shapes()["weight_hh_l0"]
    assert len(gc.index) == 12 and gc.central.shape == (12,)
    assert set(gc.all_params) == set(cl.build_model(cfg).param_shapes())
    assert np.max(np.abs(gc.central)) > 1e-3  # a real, non-trivial gradient
    if cfg.dtype == "float64":
        assert gc.max_core_torch <= 1e-12 and gc.max_core_central <= 1e-7


def test_gradients_with_dropout_are_compared_in_eval_mode():
    cfg = cl.CompareConfig(num_layers=2, dropout=0.3, train=True)
    gc = cl.gradient_check(cfg, None, "bias_ih_l1")
    assert gc.eval_forced and gc.passed


def test_central_differences_detect_a_wrong_gradient():
    cfg = ARTICLE
    model = cl.build_model(cfg)
    inp = cl.make_inputs(cfg)
    grads = model.backward(model.trace(inp.x, inp.hx), inp.grad_output).params
    idx = np.array([0, 17, 401])
    cd = cl.central_differences(model, inp, "weight_ih_l0", idx)
    np.testing.assert_allclose(cd, grads["weight_ih_l0"].ravel()[idx], atol=1e-8)
    cd_wrong = cl.central_differences(model, inp, "weight_hh_l0", idx)
    assert np.max(np.abs(cd_wrong - grads["weight_ih_l0"].ravel()[idx])) > 1e-3


# ----- figures -----------------------------------------------------------------------------------


def test_tensor_figure_shows_both_values_and_the_difference_up_to_tol():
    a = np.arange(6.0).reshape(2, 3) / 10
    b = a.copy()
    b[1, 2] += 3e-13
    fig = vc.create_tensor_figure(a, b, 1e-12, ("A", "B", "D"), "t", "j", (-1.0, 1.0), ["x", "y"])
    assert len(fig.data) == 3
    np.testing.assert_array_equal(fig.data[0].z, a)
    np.testing.assert_array_equal(fig.data[1].z, b)
    assert fig.data[2].zmax == 1e-12 and fig.data[2].zmin == 0
    assert fig.data[2].z[1][2] == pytest.approx(3e-13) and fig.data[2].z[0][0] == 0
    assert list(fig.data[0].y) == ["x", "y"]
    with pytest.raises(ValueError, match="same 2-D shape"):
        vc.create_tensor_figure(a, b[:1], 1e-12, ("A", "B", "D"), "t", "j", (-1, 1))


def test_weight_layout_figure_tints_the_four_gate_blocks_in_torch_order():
    H, D = 3, 2
    w = np.arange(4 * H * D, dtype=float).reshape(4 * H, D)
    labels = {"weight_ih_l0": {g: f"W_i{g}" for g in "ifgo"}}
    fig = vc.create_weight_layout_figure({"weight_ih_l0": w}, H, labels)
    bands = [s for s in fig.layout.shapes if s.fillcolor]
    assert [s.fillcolor for s in bands] == [
        palette.STAGE_TINT["input"],
        palette.STAGE_TINT["forget"],
        palette.STAGE_TINT["candidate"],
        palette.STAGE_TINT["output"],
    ]
    assert [(s.y0, s.y1) for s in bands] == [(-0.5, 2.5), (2.5, 5.5), (5.5, 8.5), (8.5, 11.5)]
    assert [a.text for a in fig.layout.annotations if a.text.startswith("W_")] == [
        "W_ii", "W_if", "W_ig", "W_io",
    ]  # fmt: skip
    assert fig.data[0].customdata[H][1] == "W_if[0, 1]"  # row H is the forget gate's first row
    with pytest.raises(ValueError, match="4·H"):
        vc.create_weight_layout_figure({"weight_ih_l0": w[:-1]}, H, labels)


def test_gate_diff_figure_has_a_line_per_gate_and_the_tolerance():
    per_t = {"i": np.array([1e-16, 0.0, np.nan]), "f": np.array([2e-16, 3e-16, 1e-16])}
    fig = vc.create_gate_diff_figure(per_t, 1e-12, "title", "t", "max")
    assert [d.name for d in fig.data] == ["i", "f", "tol"]
    assert fig.data[0].line.color == palette.GATE_COLOR["i"]
    assert fig.data[0].y[1] == 1e-18  # an exact zero still shows on the log axis
    assert list(fig.data[2].y) == [1e-12, 1e-12]


# ----- texts -------------------------------------------------------------------------------------


def _fields(text: str) -> set[str]:
    return {f for _, f, _, _ in string.Formatter().parse(text) if f}


def test_every_compare_text_exists_in_both_languages_with_the_same_fields():
    from app_logic.i18n import catalog

    root = Path(__file__).resolve().parent.parent
    page = "\n".join(
        (root / f).read_text()
        for f in ("pages/compare.py", "app_logic/compare_tables.py")
        + tuple(f"ui/{p.name}" for p in sorted((root / "ui").glob("compare_*.py")))
    )
    keys = set(re.findall(r'T_\(\s*"([a-z0-9_]+)"', page))
    keys |= set(re.findall(r'T_\(\s*"[a-z0-9_]+"\s+if [^\n]*? else "([a-z0-9_]+)"', page))
    keys |= {f"state_{v}" for v in ("random", "zeros")} | {"weights_seed", "weights_uploaded"}
    for src, prefix in (
        ("app_logic/compare_logic.py", "err_"),
        ("app_logic/uploads.py", "err_upload_"),
    ):
        text = (root / src).read_text()
        keys |= {prefix + k for k in re.findall(r'Error\(\s*"([a-z_]+)"', text)}
    cat = catalog()
    missing = sorted(k for k in keys if f"compare.{k}" not in cat)
    assert not missing
    assert len(keys) > 100
    for key, texts in cat.items():
        if key.startswith("compare."):
            assert texts.get("en") and texts.get("zh"), key
            assert _fields(texts["en"]) == _fields(texts["zh"]), key
