"""Figure content of the learning pages: loss, predictions, gates before/after, gradient flow."""

import numpy as np
import pytest

from app_logic.i18n import tr
from lstm_core.memory import gradient_flow, paired_models
from viz import palette
from viz.gradient_flow import gradient_norms, step_factors
from viz.training import (
    forget_over_time,
    gates_before_after,
    loss_curve,
    next_char_probability,
    prediction_over_time,
    prediction_scatter,
)


def test_loss_curve_holds_both_losses_on_a_log_axis_with_the_target():
    fig = loss_curve([1, 2, 3], [0.5, 0.2, 0.1], [3], [0.12], target=0.01, total_steps=100)
    assert list(fig.data[0].x) == [1, 2, 3] and list(fig.data[0].y) == [0.5, 0.2, 0.1]
    assert list(fig.data[1].x) == [3] and list(fig.data[1].y) == [0.12]
    assert fig.layout.yaxis.type == "log"
    assert list(fig.layout.xaxis.range) == [0, 100]
    assert [s.y0 for s in fig.layout.shapes] == [0.01]
    assert fig.data[1].line.color == palette.STAGE_EDGE["forget"]
    zh = loss_curve([1], [0.5], [], [], lang="zh")
    assert zh.data[1].name == tr("train.fig_eval_loss", "zh") != fig.data[1].name
    assert len(zh.layout.shapes) == 0  # no target given, no line


def test_gates_before_after_are_six_heatmaps_of_the_gates_with_the_sigmoid_range():
    rng = np.random.default_rng(0)
    before = {g: rng.uniform(size=(5, 3)) for g in ("f", "i", "o")}
    after = {g: rng.uniform(size=(5, 3)) for g in ("f", "i", "o")}
    fig = gates_before_after(before, after, lang="en")
    assert [d.type for d in fig.data] == ["heatmap"] * 6
    for n, g in enumerate(("f", "i", "o")):
        np.testing.assert_array_equal(fig.data[2 * n].z, before[g].T)  # (H, T)
        np.testing.assert_array_equal(fig.data[2 * n + 1].z, after[g].T)
    assert all((d.zmin, d.zmax) == (0.0, 1.0) for d in fig.data)
    titles = [a.text for a in fig.layout.annotations]
    assert tr("train.heat_f_before", "en") in titles and tr("train.heat_o_after", "en") in titles


def test_forget_over_time_shows_the_memory_units_gate_and_what_it_keeps():
    f0 = np.array([[0.5, 0.1], [0.5, 0.3], [0.5, 0.2]])
    f1 = np.array([[0.9, 0.2], [1.0, 0.4], [0.8, 0.4]])
    fig = forget_over_time(f0, f1, unit=0)
    np.testing.assert_allclose(fig.data[0].y, [0.5, 0.5, 0.5])
    np.testing.assert_allclose(fig.data[1].y, [0.9, 1.0, 0.8])
    np.testing.assert_allclose(fig.data[2].y, [1.0, 0.5, 0.25])  # ∏ f from t = 1
    np.testing.assert_allclose(fig.data[3].y, [1.0, 1.0, 0.8])
    assert fig.data[3].line.color == palette.C_LINE
    assert fig.data[1].line.color == palette.GATE_COLOR["f"]
    assert "1" in forget_over_time(f0, f1, unit=1, lang="zh").data[0].name


def test_prediction_figures_hold_the_numbers():
    fig = prediction_over_time(np.arange(4.0), np.ones(4), np.zeros(4), np.full(4, 0.9))
    np.testing.assert_allclose(fig.data[0].y, np.arange(4.0))
    np.testing.assert_allclose(fig.data[3].y, np.full(4, 0.9))
    assert fig.data[1].line.color == palette.C_LINE  # the target, green
    sc = prediction_scatter(np.array([0.1, 0.5]), np.array([0.0, 0.0]), np.array([0.1, 0.4]))
    assert list(sc.data[0].x) == [0.0, 0.5]  # the diagonal spans every value
    np.testing.assert_allclose(sc.data[2].y, [0.1, 0.4])
    bars = next_char_probability(["a", "b", "a"], np.full(3, 0.3), np.array([0.9, 0.8, 0.7]))
    assert list(bars.data[1].x) == ["0:a", "1:b", "2:a"]
    np.testing.assert_allclose(bars.data[1].y, [0.9, 0.8, 0.7])


@pytest.fixture(scope="module")
def flow():
    rnn, lstm = paired_models(1, 6, seed=0, forget_bias=3.0, weight_scale=0.25)
    return gradient_flow(rnn, lstm, np.sin(np.arange(60.0))[:, None])


def test_gradient_norms_figure_plots_the_flow_on_a_log_axis(flow):
    fig = gradient_norms(flow, "en")
    assert fig.layout.yaxis.type == "log"
    names = [d.name for d in fig.data]
    assert names == [
        tr(f"why.{k}", "en") for k in ("fig_rnn_h", "fig_lstm_h", "fig_lstm_c", "fig_prod_f")
    ]
    np.testing.assert_allclose(fig.data[1].y, flow.lstm_h)
    np.testing.assert_allclose(fig.data[3].y, flow.forget_product)
    assert list(fig.data[0].x) == list(range(60))
    assert fig.data[1].line.color == palette.H_LINE and fig.data[2].line.color == palette.C_LINE
    # an underflowed RNN norm is a gap on the log axis, never a 0
    rnn_y = list(fig.data[0].y)
    assert all(v is None or v > 0 for v in rnn_y)
    kept = [v for v, ref in zip(rnn_y, flow.rnn_h) if ref > 1e-300]
    np.testing.assert_allclose(kept, flow.rnn_h[flow.rnn_h > 1e-300])
    assert gradient_norms(flow, "zh").data[2].name == tr("why.fig_lstm_c", "zh")


def test_step_factors_figure(flow):
    fig = step_factors(flow, "en")
    np.testing.assert_allclose(fig.data[1].y, flow.forget_mean)
    assert list(fig.data[0].x) == list(range(1, 60))
    assert [s.y0 for s in fig.layout.shapes] == [1.0]


def test_every_text_of_the_learning_pages_exists_in_both_languages_with_the_same_fields():
    import re
    import string
    from pathlib import Path

    from app_logic.i18n import catalog
    from lstm_core.tasks import TASK_NAMES

    root = Path(__file__).resolve().parent.parent
    files = ("pages/train.py", "pages/rnn_vs_lstm.py", "viz/training.py", "viz/gradient_flow.py")
    files += ("ui/train_form.py", "ui/train_view.py")
    keys = set()
    for f in files:
        keys |= set(re.findall(r'"((?:train|why)\.[a-z0-9_]+)"', (root / f).read_text()))
    keys |= {f"train.task_{k}" for k in TASK_NAMES} | {
        f"train.task_{k}_explain" for k in TASK_NAMES
    }
    keys |= {"train.opt_adam", "train.opt_sgd", "train.loss_ce", "train.loss_mse"}
    keys |= {f"train.heat_{g}_{w}" for g in "fio" for w in ("before", "after")}
    for w in ("before", "after"):
        keys |= {f"train.fig_{w}", f"train.fig_f_unit_{w}", f"train.fig_kept_{w}"}
    keys |= {"train.prediction_last_explain_adding", "train.prediction_last_explain_remember"}
    keys |= {f"train.text_{k}" for k in ("empty", "too_long", "one_char", "too_many")}
    keys |= {"train.start_failed"} | {f"why.input_{k}" for k in ("sine", "noise", "impulse")}
    keys |= {"why.input_sidebar"}
    assert len(keys) > 100
    fields = string.Formatter()
    for k in sorted(keys):
        assert k in catalog(), k
        en, zh = catalog()[k].get("en"), catalog()[k].get("zh")
        assert en and zh, k
        names = [{f for _, f, _, _ in fields.parse(t) if f} for t in (en, zh)]
        assert names[0] == names[1], k


# ----- the Train page before training: one example, its target, the untrained answer ---------


def _preview(task, x, target, answer, loss, **extra):
    from app_logic.train_preview import Preview

    where = "every" if task in ("sine", "text") else "last"
    return Preview(
        task=task, index=0, where=where, x=np.asarray(x, float), target=np.asarray(target),
        answer=np.asarray(answer), loss=loss, target_loss=0.01, **extra,
    )  # fmt: skip


def test_task_example_every_step_draws_input_target_and_the_untrained_answer():
    from viz.training import task_example

    x = np.array([[0.1], [0.5], [0.9]])
    p = _preview("sine", x, [0.5, 0.9, 1.0], [0.02, -0.01, 0.03], 0.6)
    fig = task_example(p, "zh")
    assert [t.meta for t in fig.data] == ["input", "target", "untrained"]
    assert list(fig.data[0].y) == [0.1, 0.5, 0.9]
    assert list(fig.data[1].y) == [0.5, 0.9, 1.0] and list(fig.data[2].y) == [0.02, -0.01, 0.03]
    assert list(fig.data[2].x) == [0, 1, 2]
    assert fig.data[1].line.color == palette.C_LINE and fig.data[0].line.color == palette.X_LINE
    assert fig.data[2].line.dash == "dot"
    assert fig.data[2].name == tr("train.fig_untrained", "zh")


def test_task_example_last_step_marks_what_the_answer_depends_on():
    from app_logic.train_preview import sentence
    from viz.training import task_example

    x = np.zeros((6, 2))
    x[:, 0] = [0.2, 0.7, 0.1, 0.4, 0.3, 0.9]
    x[[1, 4], 1] = 1.0  # the two markers
    p = _preview("adding", x, 1.0, -0.25, 1.5625)
    assert p.marked == [1, 4] and p.wrong
    fig = task_example(p)
    assert [t.meta for t in fig.data] == ["input", "marked", "target", "untrained"]
    assert list(fig.data[1].x) == [1, 4] and list(fig.data[1].y) == [0.7, 0.3]
    assert list(fig.data[2].x) == [5] and list(fig.data[2].y) == [1.0]
    assert list(fig.data[3].x) == [5] and list(fig.data[3].y) == [-0.25]
    assert list(fig.data[2].text) == ["1.000"] and list(fig.data[3].text) == ["-0.250"]
    assert fig.data[1].name == tr("train.fig_marked_adding", "en")
    key, fields = sentence(p)
    assert key == "preview_adding"
    assert fields == {
        "a": "0.700", "b": "0.300", "y": "1.000", "answer": "-0.250", "loss": "1.562",
        "target": "0.01",
    }  # fmt: skip
    r = _preview("remember", x[:, :1], 0.2, 0.0, 0.04)
    assert r.marked == [0] and sentence(r) == (
        "preview_remember",
        {"loss": "0.04", "target": "0.01", "y": "0.200", "answer": "0.000", "delay": 5},
    )
    assert len(fig.layout.shapes) == 0
    lo, hi = fig.layout.yaxis.range
    assert lo < -0.25 and hi > 1.0  # both labelled points inside the plot, with room
    rfig = task_example(r)
    assert [t.meta for t in rfig.data] == ["input", "marked", "target", "untrained"]
    (guide,) = rfig.layout.shapes  # x₀ carried from t = 0 to the last step
    assert (guide.x0, guide.x1, guide.y0, guide.y1) == (0, 5, 0.2, 0.2)


def test_task_example_text_shows_three_rows_of_characters_right_guesses_in_green():
    from app_logic.train_preview import sentence
    from viz.training import GUESS_WRONG, task_example

    vocab = ("a", " ", "b")
    x = np.eye(3)[[0, 1, 2]]  # "a", " ", "b"
    p = _preview(
        "text", x, [1, 2, 0], [1, 0, 0], 1.2, vocab=vocab, p_true=np.array([0.4, 0.3, 0.5])
    )
    assert p.accuracy == pytest.approx(2 / 3)
    fig = task_example(p)
    assert [t.meta for t in fig.data] == ["input", "target", "untrained"]
    assert list(fig.data[0].text) == ["a", "␣", "b"]  # a blank made visible
    assert list(fig.data[1].text) == ["␣", "b", "a"] and list(fig.data[2].text) == ["␣", "a", "a"]
    assert list(fig.data[2].textfont.color) == [palette.C_LINE, GUESS_WRONG, palette.C_LINE]
    assert list(fig.data[0].customdata) == [0.4, 0.3, 0.5]
    names = [tr(f"train.{k}", "en") for k in ("fig_text_input", "fig_text_target", "fig_untrained")]
    assert [a.text for a in fig.layout.annotations] == names  # each row named
    key, fields = sentence(p)
    assert key == "preview_text" and fields["right"] == 2 and fields["acc"] == "67%"
    assert fields["ln_v"] == f"{np.log(3):.3f}" and fields["T"] == 3 and fields["V"] == 3


def test_the_example_is_one_the_untrained_model_gets_wrong():
    """Seed 36 of the remember task: the untrained answer happens to be within the target on the
    held-out batch's first sequence; the preview shows the next one instead."""
    import dataclasses

    from app_logic.train_preview import untrained_preview
    from lstm_core.tasks import get_task
    from lstm_core.training import DEFAULT_CONFIGS, HELD_OUT, build_model, derive_seed, predict

    cfg = dataclasses.replace(DEFAULT_CONFIGS["remember"], seed=36)
    task = get_task("remember")
    model, readout = build_model(task, cfg)
    held = task.sample(derive_seed(36, HELD_OUT))
    _, y_hat = predict(model.eval(), readout, task, held.x)
    err = (y_hat[:, 0] - held.y[:, 0]) ** 2
    assert err[0] < 0.01 <= err[1]  # the first example is a lucky one
    p = untrained_preview("remember", None, cfg)
    assert p.index == 1 and p.wrong and p.loss == pytest.approx(err[1])
    assert float(p.target) == held.y[1, 0] and float(p.answer) == pytest.approx(y_hat[1, 0])
    np.testing.assert_array_equal(p.x, held.x[:, 1])


def test_every_preview_text_exists_in_both_languages():
    keys = [f"train.preview_{t}" for t in ("sine", "adding", "remember", "text")]
    keys += [f"train.fig_marked_{t}" for t in ("adding", "remember")]
    import string

    from app_logic.i18n import catalog

    for k in keys:
        en, zh = catalog()[k]["en"], catalog()[k]["zh"]
        assert en and zh and en != zh, k
        fields = [{f for _, f, _, _ in string.Formatter().parse(t) if f} for t in (en, zh)]
        assert fields[0] == fields[1], k
