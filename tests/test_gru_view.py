"""The GRU page's numbers (app_logic.gru_view) and figures (viz.gru): equal to the core's trace."""

from __future__ import annotations

import numpy as np
import pytest

from app_logic import gru_view as gv
from app_logic.i18n import tr
from lstm_core import LSTM
from viz import gru as vg
from viz import palette


def _run(T=6, D=3, H=4, seed=0):
    x = np.random.default_rng(seed).normal(size=(T, D))
    model, trace = gv.build_gru(x, H, seed)
    return x, model, trace


def test_every_stage_number_equals_the_trace_at_every_step_and_unit():
    x, model, trace = _run()
    lt = trace.layers[0][0]
    for t in range(6):
        for j in range(4):
            n = gv.gru_numbers(model, x, trace, t, j)
            assert n.r == pytest.approx(lt.r[t, 0, j], abs=1e-14)
            assert n.z == pytest.approx(lt.z[t, 0, j], abs=1e-14)
            assert n.n == pytest.approx(lt.n[t, 0, j], abs=1e-14)
            assert n.h == pytest.approx(lt.h[t, 0, j], abs=1e-14)
            assert n.h_prev == lt.h_prev[t, 0, j]
            # the parts are the trace's input and hidden sides, gate order r, z, n
            assert (n.xr, n.xz, n.xn) == pytest.approx(lt.gi[t, 0, [j, 4 + j, 8 + j]], abs=1e-14)
            assert (n.hr, n.hz, n.hn) == pytest.approx(lt.gh[t, 0, [j, 4 + j, 8 + j]], abs=1e-14)
            assert n.kept + n.written == pytest.approx(n.h, abs=1e-15)
    assert np.all(lt.h_prev[0] == 0)  # the first step starts from an empty memory


def test_hand_checkable_cell_zero_weights_give_half_gates_and_the_mix_of_n_and_h():
    x, model, trace = _run(T=3, D=2, H=1)
    sd = {k: np.zeros_like(v) for k, v in model.state_dict().items()}
    sd["bias_ih_l0"][2] = 0.5  # b_in: n = tanh(0.5) at every step
    model.load_state_dict(sd)
    trace = model.trace(x)
    n1 = gv.gru_numbers(model, x, trace, 1, 0)
    assert (n1.r, n1.z) == (0.5, 0.5)  # σ(0)
    assert n1.n == pytest.approx(np.tanh(0.5))
    assert n1.h_prev == pytest.approx(0.5 * np.tanh(0.5))  # h₀ = ½ n + ½ · 0
    assert n1.h == pytest.approx(0.5 * np.tanh(0.5) + 0.5 * n1.h_prev)


def test_the_right_answer_follows_the_numbers_and_the_hidden_rule_is_z_above_half():
    x, model, trace = _run(T=12, H=8, seed=3)
    seen = {s: set() for s in gv.STAGES}
    for t in range(12):
        for j in range(8):
            n = gv.gru_numbers(model, x, trace, t, j)
            assert gv.correct_answer("reset", n) == ("high" if n.r >= 0.5 else "low")
            assert gv.correct_answer("update", n) == ("keep" if n.z >= 0.5 else "new")
            assert gv.correct_answer("candidate", n) == ("positive" if n.n >= 0 else "negative")
            if n.n != n.h_prev:
                assert gv.correct_answer("hidden", n) == ("near_h" if n.z >= 0.5 else "near_n")
            for s in gv.STAGES:
                right = gv.correct_answer(s, n)
                seen[s].add(right)
                assert gv.judge(s, n, right) is True
                other = [o for o in gv.QUESTIONS[s] if o != right][0]
                assert gv.judge(s, n, other) is False
    assert all(len(v) == 2 for v in seen.values())  # both answers occur: the questions are real
    with pytest.raises(ValueError, match="choice must be one of"):
        gv.judge("reset", n, "maybe")
    assert gv.judge("reset", n, None) is None


def test_bad_t_or_unit_raise_and_the_page_opens_where_the_memory_is_not_empty():
    x, model, trace = _run()
    with pytest.raises(ValueError, match="t must be in"):
        gv.gru_numbers(model, x, trace, 6, 0)
    with pytest.raises(ValueError, match="j must be in"):
        gv.gru_numbers(model, x, trace, 0, 4)
    t0 = gv.opening_t(trace)
    j0 = gv.opening_unit(trace, t0)
    assert abs(trace.layers[0][0].h_prev[t0, 0, j0]) >= 0.1
    assert t0 >= 1 and np.abs(trace.layers[0][0].h_prev[t0, 0]).max() >= 0.1
    assert gv.param_count(3, 4, 4) == sum(v.size for v in LSTM(3, 4).state_dict().values())
    assert gv.param_count(3, 4, 3) == sum(
        v.size for v in gv.build_gru(x, 4, 0)[0].state_dict().values()
    )


def _annotation_texts(fig) -> list[str]:
    return [a.text for a in fig.layout.annotations]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_figure_highlights_the_stage_and_hides_what_is_not_revealed(lang):
    x, model, trace = _run()
    n = gv.gru_numbers(model, x, trace, 2, 1)
    fig = vg.create_gru_figure(n, "update", revealed=False, lang=lang)
    texts = _annotation_texts(fig)
    assert f"r = {vg.fmt(n.r)}" in texts  # a stage already passed shows its value
    assert "z = ?" in texts and "n = ?" in texts  # the current one waits for the reveal
    assert any(t.startswith("h<sub>t</sub> = ?") for t in texts)
    boxes = [s for s in fig.layout.shapes if s.type == "rect" and s.line.dash in ("solid", "dash")]
    current = [s for s in boxes if s.line.width == 3]
    assert len(current) == 1
    assert current[0].line.color == palette.STAGE_EDGE["forget"] == vg.stage_colour("update")
    assert current[0].fillcolor == palette.STAGE_TINT["forget"]
    # the legend names each stage colour
    names = [d.name for d in fig.data]
    assert names[:4] == [vg.tr(f"gru.legend_{s}", lang) for s in gv.STAGES]
    assert [t.marker.color for t in fig.data[:4]] == [vg.stage_colour(s) for s in gv.STAGES]
    revealed = _annotation_texts(vg.create_gru_figure(n, "update", revealed=True, lang=lang))
    assert f"z = {vg.fmt(n.z)}" in revealed and "n = ?" in revealed


def test_the_lines_wear_the_article_colours():
    x, model, trace = _run()
    fig = vg.create_gru_figure(gv.gru_numbers(model, x, trace, 1, 0), "reset", True)
    colours = {s.line.color for s in fig.layout.shapes if s.type == "line"}
    assert {palette.H_LINE, palette.X_LINE, palette.SIGMA_BOX, palette.TANH_BOX} <= colours
    assert palette.C_LINE not in colours  # a GRU has no cell state c
    fills = [s.fillcolor for s in fig.layout.shapes if s.type == "rect" and s.line.width == 2]
    assert sorted(fills) == sorted([palette.SIGMA_BOX, palette.SIGMA_BOX, palette.TANH_BOX])


def test_the_equations_carry_the_numbers_once_revealed():
    x, model, trace = _run()
    n = gv.gru_numbers(model, x, trace, 3, 2)
    hidden = vg.stage_latex(n, "hidden", revealed=True)
    assert vg._k(n.z) in hidden and vg._k(n.h) in hidden and vg._k(n.h_prev) in hidden
    assert r"\begin{aligned}" in hidden
    assert vg.stage_latex(n, "candidate", revealed=False).endswith(r"= \;?")
    cand = vg.stage_latex(n, "candidate", revealed=True)
    assert vg._k(n.xn) in cand and vg._k(n.r) in cand and vg._k(n.n) in cand
    eqs = vg.all_latex()
    assert len(eqs) == 4 and r"(1 - " in eqs[3] and "?" not in "".join(eqs)
    assert "W_{hn}" in eqs[2] and r"\odot (W_{hn}" in eqs[2]  # torch's form: r after W_hn h


def test_side_by_side_plots_the_lstm_and_the_gru_on_the_same_input():
    x, model, trace = _run(T=8, D=3, H=4)
    lstm = LSTM(3, 4, seed=1).eval()
    pair = gv.paired_traces(lstm.trace(x), trace)
    fig = vg.create_side_by_side(pair, 2, [str(t) for t in range(8)], "zh")
    lt = lstm.trace(x).layers[0][0]
    assert np.allclose(fig.data[0].y, lt.h[:, 0, 2])
    assert np.allclose(fig.data[1].y, lt.c[:, 0, 2])
    assert np.allclose(fig.data[2].y, trace.layers[0][0].h[:, 0, 2])
    assert fig.data[2].name == tr("gru.fig_gru_h", "zh")
    with pytest.raises(ValueError, match="unit j"):
        vg.create_side_by_side(pair, 4, [str(t) for t in range(8)])
