"""The Variant lab's pure logic: the race's checks, training loop, result table, gradients."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

import lstm_core
from app_logic import variant_lab as vl
from app_logic.limits import MAX_RACE_STEPS, MAX_RACE_VARIANTS
from lstm_core import LSTM
from lstm_core.memory import lstm_hidden_grads
from viz import variants as vv

TINY = vl.RaceConfig(variants=("GRU",), steps=150, length=8, hidden_size=4, eval_every=10)


def test_bad_races_get_one_message_per_problem():
    assert vl.check_race(vl.RaceConfig()) == []
    keys = lambda cfg: [k for k, _ in vl.check_race(cfg)]  # noqa: E731
    assert keys(vl.RaceConfig(variants=())) == ["err_no_variant"]
    assert keys(vl.RaceConfig(variants=vl.VARIANTS[:5])) == ["err_too_many"]
    assert keys(vl.RaceConfig(variants=("vanilla", "LSTM2"))) == ["err_unknown"]
    assert keys(vl.RaceConfig(variants=("NFG", "NFG"))) == ["err_twice"]
    assert keys(vl.RaceConfig(task="sine")) == ["err_task"]
    assert keys(vl.RaceConfig(steps=MAX_RACE_STEPS + 1)) == ["err_range"]
    assert keys(vl.RaceConfig(steps=True)) == ["err_range"]
    assert keys(vl.RaceConfig(length=2)) == ["err_range"]
    assert keys(vl.RaceConfig(lr=float("nan"))) == ["err_lr"]
    assert MAX_RACE_VARIANTS == 4
    with pytest.raises(ValueError, match="err_no_variant"):
        vl.Race(vl.RaceConfig(variants=()))


def test_the_training_loop_lowers_the_loss_and_is_a_function_of_the_seed():
    for task in vl.TASKS:
        race = vl.Race(dataclasses.replace(TINY, task=task)).run()
        r = race.racers[0]
        assert race.done and r.step == TINY.steps and r.error is None
        assert r.eval_steps == list(range(10, 151, 10))
        baseline = 1 / 3 if task == "remember" else 1 / 6  # predicting the mean
        assert r.eval_losses[-1] < 0.5 * r.eval_losses[0] and r.eval_losses[-1] < baseline
    again = vl.Race(dataclasses.replace(TINY, task="adding")).run()
    assert again.racers[0].eval_losses == race.racers[0].eval_losses


def test_advance_takes_turns_and_stops_at_the_budget():
    race = vl.Race(dataclasses.replace(TINY, steps=40))
    assert race.advance(0.0) == 1 and race.step == 1  # at least one round
    race.advance(60.0)
    assert race.done and race.step == 40 and race.advance(1.0) == 0


def _race_with(evals: dict[str, list[float]], task="remember") -> vl.Race:
    """A race whose held-out losses are set by hand (the table's arithmetic, no training)."""
    cfg = vl.RaceConfig(task=task, variants=tuple(evals), steps=30, hidden_size=2, length=5)
    race = vl.Race(cfg)
    for r, losses in zip(race.racers, evals.values()):
        r.eval_steps, r.eval_losses = [10, 20, 30][: len(losses)], list(losses)
        r.steps = list(range(1, 31))
    return race


def test_the_result_table_reads_the_held_out_losses():
    race = _race_with({"GRU": [0.3, 0.015, 0.019]})
    (row,) = vl.results(race)
    assert row.final_loss == 0.019 and row.best_loss == 0.015
    assert row.steps_to_target == 20 and row.solved  # first evaluation at or below 0.02
    race = _race_with({"GRU": [0.3, 0.01, 0.05]})
    (row,) = vl.results(race)
    assert row.steps_to_target == 20 and not row.solved  # it got there and lost it again
    assert vl.failed([row]) == ["GRU"] and vl.worst([row]) == "GRU"
    assert vl.judge_prediction([row], "GRU") and not vl.judge_prediction([row], vl.NONE_FAILS)
    solved = dataclasses.replace(row, final_loss=0.001, solved=True)
    assert vl.judge_prediction([solved], vl.NONE_FAILS) and not vl.judge_prediction([solved], "GRU")


def test_hidden_grad_norms_equal_the_from_rnn_to_lstm_pages():
    x = np.random.default_rng(0).normal(size=(9, 2))
    lstm = LSTM(2, 5, seed=3)
    _, dh, _ = lstm_hidden_grads(lstm, x)
    norms = vl.hidden_grad_norms(lstm, x)
    assert norms[0] == pytest.approx(1.0)  # ‖w‖ = 1 at the last step
    assert np.allclose(norms, np.linalg.norm(dh, axis=-1)[::-1], rtol=0, atol=1e-15)


def test_gradient_flows_before_and_after_training_differ_and_start_at_one():
    race = vl.Race(TINY).run()
    before, after = vl.gradient_flows(race, False), vl.gradient_flows(race, True)
    assert list(before) == ["GRU"] and len(before["GRU"]) == TINY.length + 1
    assert before["GRU"][0] == pytest.approx(1) and after["GRU"][0] == pytest.approx(1)
    assert not np.allclose(before["GRU"], after["GRU"])
    fresh = vl.make_model("GRU", 1, 4, 0)
    fresh.load_state_dict(race.racers[0].initial)
    assert np.allclose(before["GRU"], vl.hidden_grad_norms(fresh, race.held_out.x[:, 0]))


def test_the_forget_bias_goes_to_the_rows_that_keep_the_memory():
    gru = vl.make_model("GRU", 2, 3, seed=0, forget_bias=1.0)
    base = lstm_core.GRU(2, 3, seed=0).state_dict()
    diff = gru.state_dict()["bias_ih_l0"] - base["bias_ih_l0"]
    assert np.allclose(diff, [0, 0, 0, 1, 1, 1, 0, 0, 0])  # the z rows (r, z, n)
    with pytest.raises(ValueError, match="kind must be one of"):
        vl.make_model("LSTM", 2, 3, 0)


def test_the_figures_draw_one_line_per_racer_in_its_colour():
    race = vl.Race(TINY).run()
    fig = vv.create_loss_figure(race, 0.02, "zh")
    assert len(fig.data) == 1 and list(fig.data[0].x) == race.racers[0].eval_steps
    assert np.allclose(fig.data[0].y, race.racers[0].eval_losses)
    assert fig.data[0].line.color == vv.racer_colour("GRU")
    assert fig.layout.yaxis.type == "log"
    flows = {"GRU": np.array([1.0, 0.5, 0.0])}
    f2 = vv.create_flow_figure(flows, "en")
    assert list(f2.data[0].y) == [1.0, 0.5, None]  # an underflowed 0 is a gap on a log axis
    assert len({vv.racer_colour(k) for k in vl.RACERS}) == len(vl.RACERS)
