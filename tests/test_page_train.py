"""AppTest of the Train page: a short run lowers the loss, Stop keeps the weights reached, and the
trained model becomes the weights source "trained" of every other page."""

import conftest
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from app_logic import train_settings as ts
from app_logic.i18n import tr
from app_logic.limits import MAX_TRAIN_STEPS
from lstm_core import LSTM
from lstm_core.memory import delay_memory, gates_of, sequence
from lstm_core.tasks import DEFAULT_TEXT, TASK_NAMES
from lstm_core.training import DEFAULT_CONFIGS, TARGETS
from ui import session
from ui import training_runner as runner

PAGE = "pages/train.py"


def open_page(query: dict | None = None, **kept) -> AppTest:
    """The Train page, with page settings pre-set (e.g. train_steps=40 → `_train_steps`)."""
    return conftest.open_page(PAGE, query, state={f"_{k}": v for k, v in kept.items()})


def train_to_the_end(at: AppTest, max_runs: int = 40) -> runner.TrainJob:
    at.button(key="train_start").click().run()
    job = at.session_state[runner.JOB]
    for _ in range(max_runs):  # each run of the page trains one chunk
        if not job.running:
            break
        at.run()
    assert not at.exception, at.exception
    assert not job.running
    return job


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def test_a_short_run_lowers_the_loss_and_offers_the_model_everywhere():
    at = open_page(train_steps=60, train_H=8)
    job = train_to_the_end(at)
    assert job.status == runner.DONE and job.step == 60
    assert job.config.hidden_size == 8 and job.config.lr == DEFAULT_CONFIGS["sine"].lr
    # the loss fell: held-out loss at the end well below the first one, and the batch loss too
    assert job.eval_losses[-1] < 0.5 * job.eval_losses[0]
    assert np.mean(job.losses[-10:]) < 0.5 * np.mean(job.losses[:10])
    m = metrics(at)
    assert m["Step"] == "60 / 60"
    assert m["Held-out loss"] == f"{job.eval_losses[-1]:.4g}"
    assert len(at.success) == 1 and "60 steps" in at.success[0].value
    # the trained model is offered as a weights source: an LSTM with the last step's weights
    model = at.session_state[session.TRAINED_MODEL]
    assert isinstance(model, LSTM) and model.hidden_size == 8
    for k, v in job.params.items():
        np.testing.assert_array_equal(model.state_dict()[k], v)
    # the figures: loss curve, prediction over time, gates before/after
    assert len(at.get("plotly_chart")) == 3

    # "use on every page": the shared settings switch to the trained weights and a task sample
    at.button(key="train_use").click().run()
    cfg = at.session_state["_settings"]
    assert cfg.weights == "trained" and cfg.input_kind == "typed"
    assert at.query_params["weights"] == "trained"
    at.switch_page("pages/cell.py").run()
    assert not at.exception, at.exception
    run = at.session_state[session.LAST_RUN]
    assert run.source == "trained" and run.error is None
    lt = run.trace.layers[0][0]
    np.testing.assert_array_equal(lt.weight_hh, job.params["weight_hh_l0"])
    np.testing.assert_array_equal(lt.bias_ih, job.params["bias_ih_l0"])
    x = sequence(job.held_out().x)
    np.testing.assert_allclose(run.x, x, rtol=1e-5)  # the held-out sequence, typed (6 digits)


def test_stop_keeps_the_weights_reached_and_offers_them():
    at = open_page(train_steps=2000)
    at.button(key="train_start").click().run()  # the first chunk runs with the click
    job = at.session_state[runner.JOB]
    assert job.running and 0 < job.step < 2000
    assert at.button(key="train_stop").label == "Stop"
    at.button(key="train_stop").click().run()
    assert not at.exception, at.exception
    assert job.status == runner.STOPPED
    stopped_at = job.step
    assert stopped_at < 2000
    assert "Stopped at step" in at.info[0].value
    model = at.session_state[session.TRAINED_MODEL]
    np.testing.assert_array_equal(model.state_dict()["weight_ih_l0"], job.params["weight_ih_l0"])
    at.run()
    assert job.step == stopped_at  # nothing trains after Stop
    # the sidebar's weights radio offers it: "trained" runs every page on the stopped weights
    at.radio(key="w_weights").set_value("trained").run()
    run = at.session_state[session.LAST_RUN]
    assert run.source == "trained" and run.error is None
    assert run.x.shape == (12, 1)  # the sidebar's own input (a sine, D = 1 like the task)
    lt = run.trace.layers[0][0]
    np.testing.assert_array_equal(lt.weight_ih, job.params["weight_ih_l0"])
    h = model.trace(run.x).layers[0][0].h
    np.testing.assert_allclose(lt.h, h)  # the same numbers as the stopped model itself


def test_remember_task_the_memory_unit_learns_to_keep_its_forget_gate_open():
    at = open_page({"lang": "zh"})
    at.selectbox(key="train_task").set_value("remember").run()
    d = DEFAULT_CONFIGS["remember"]
    assert at.slider(key="train_H").value == d.hidden_size
    assert at.slider(key="train_fb").value == d.forget_bias
    at.session_state["_train_steps"] = 150
    job = train_to_the_end(at)
    assert job.config.forget_bias == d.forget_bias and job.task.name == "remember"
    assert job.eval_losses[-1] < 0.1 * job.eval_losses[0]
    m0, _ = job.initial()
    m1, _ = job.trained()
    x = sequence(job.held_out().x)
    d1 = delay_memory(gates_of(m1, x)["f"])
    d0 = delay_memory(gates_of(m0, x)["f"], unit=d1.best_unit)
    assert d1.best_mean_f > d0.best_mean_f + 0.02  # the memory unit's f moved towards 1
    assert d1.best_kept > 1.5 * d0.best_kept
    m = metrics(at)
    label = tr("train.metric_f_best", "zh", j=d1.best_unit)
    assert m[label] == f"{d1.best_mean_f:.3f}"
    assert m[tr("train.metric_kept", "zh", j=d1.best_unit)] == f"{d1.best_kept:.3f}"
    assert at.title[0].value == tr("train.title", "zh")
    assert len(at.get("plotly_chart")) == 4  # loss, scatter, f over time, gates


def test_a_bad_text_gets_a_message_and_no_training():
    at = open_page(train_task="text", train_text="aaaa")
    at.button(key="train_start").click().run()
    assert not at.exception
    assert runner.JOB not in at.session_state
    assert at.error[0].value == tr("train.text_one_char", "en", ch="a")
    at.session_state["_train_text"] = "  "
    at.button(key="train_start").click().run()
    assert at.error[0].value == tr("train.text_empty", "en")
    at.session_state["_train_text"] = "x y " * 60
    at.button(key="train_start").click().run()
    assert "239 characters" in at.error[0].value  # counted after stripping the ends
    # a good text trains, and its model runs on the sidebar's text input
    at.session_state["_train_text"] = " abcab "
    at.session_state["_train_steps"] = 30
    job = train_to_the_end(at)
    assert job.text == "abcab" and job.task.vocab == ("a", "b", "c")
    assert job.eval_losses[-1] < job.eval_losses[0]
    at.button(key="train_use").click().run()
    at.switch_page("pages/gates.py").run()
    run = at.session_state[session.LAST_RUN]
    assert run.source == "trained" and run.D == 3 and run.T == 5 and not run.notes


def test_targets_shown_are_the_cores():
    at = open_page()
    target, budget = TARGETS["sine"]
    note = tr(
        "train.target_note", "en", target=f"{target:g}", budget=f"{budget:g}",
        loss=tr("train.loss_mse", "en"),
    )  # fmt: skip
    assert note in [c.value for c in at.caption]
    assert "0.01" in note and "30 s" in note
    assert at.number_input(key="train_steps").value == DEFAULT_CONFIGS["sine"].steps


def test_train_job_chunks_stop_and_divergence_without_streamlit():
    job = runner.TrainJob("adding", None, runner.page_config("adding", steps=30, hidden_size=4))
    assert job.advance(budget_s=0.0) == 1  # at least one step per chunk
    assert job.step == 1 and job.has_model and job.running
    job.advance(budget_s=60.0)
    assert job.status == runner.DONE and job.step == 30 and job.chunks == 2
    assert job.eval_steps[-1] == 30
    m0, _ = job.initial()
    m1, r1 = job.trained()
    assert not np.array_equal(m0.state_dict()["weight_hh_l0"], m1.state_dict()["weight_hh_l0"])
    np.testing.assert_array_equal(r1.weight, job.readout_params["weight"])
    # Stop: the generator is closed, nothing more runs
    job = runner.TrainJob("sine", None, runner.page_config("sine", steps=500, hidden_size=4))
    job.advance(budget_s=0.0)
    job.stop()
    assert job.status == runner.STOPPED and job.advance() == 0 and job.step == 1
    # a learning rate far too high: reported, not raised
    cfg = runner.page_config("sine", steps=50, optimizer="sgd", lr=1e8, clip=None)
    job = runner.TrainJob("sine", None, cfg)
    job.advance(budget_s=60.0)
    assert job.status == runner.DIVERGED and "diverged" in job.error


def test_a_task_sample_typed_into_the_sidebar_reads_back():
    from app_logic import inputs

    x = np.array([[0.5, 1.0], [-0.25, 0.0], [0.123456, 1.0]])
    np.testing.assert_allclose(inputs.parse_typed(runner.sample_as_typed(x)), x, rtol=1e-5)
    np.testing.assert_allclose(
        inputs.parse_typed(runner.sample_as_typed(x[:, :1])), x[:, :1], rtol=1e-5
    )


# ----- the page's settings in the URL ----------------------------------------------------------

train_values = st.fixed_dictionaries(
    {
        ts.TASK: st.sampled_from(TASK_NAMES),
        "train_H": st.integers(1, ts.MAX_H),
        "train_layers": st.sampled_from((1, 2)),
        "train_opt": st.sampled_from(("adam", "sgd")),
        "train_lr": st.one_of(st.sampled_from(ts.LRS), st.floats(*ts.LR_RANGE)),
        "train_steps": st.integers(1, MAX_TRAIN_STEPS),
        "train_seed": st.integers(0, ts.MAX_SEED),
        "train_fb": st.integers(0, 8).map(lambda n: n / 2),
        ts.TEXT: st.text(min_size=1, max_size=40).filter(str.strip),
    }
)


@settings(max_examples=150, deadline=None)
@given(train_values)
def test_train_settings_round_trip_through_the_url(values):
    back, problems = ts.from_query(ts.to_query(values))
    assert problems == []
    expected = dict(values) if values[ts.TASK] == "text" else {**values, ts.TEXT: DEFAULT_TEXT}
    assert ts.defaults(back.get(ts.TASK, ts.DEFAULT_TASK)) | back == expected


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from([*ts.KEYS, "zz"]), st.text(max_size=30)))
def test_train_url_fuzz_gives_values_in_range_or_messages(params):
    values, problems = ts.from_query(params)
    assert set(values) | {f["param"] for _, f in problems} == set(params) - {"zz"}
    assert set(ts.to_query(values)) <= set(ts.KEYS)
    for key, fields in problems:
        assert tr(key, "en", **fields) and tr(key, "zh", **fields)


def test_a_link_opens_the_page_with_its_settings_and_each_change_lands_in_it():
    query = {"train_task": "remember", "train_H": "32", "train_lr": "0.003", "train_fb": "9"}
    at = open_page(query)
    assert at.selectbox(key="train_task").value == "remember"
    assert at.slider(key="train_H").value == 32
    assert at.select_slider(key="train_lr").value == 0.003
    default_fb = DEFAULT_CONFIGS["remember"].forget_bias
    assert at.slider(key="train_fb").value == default_fb  # the bad value: the task's default …
    assert [w.body for w in at.warning] == [  # … and why
        tr("common.msg_bad_url", "en", param="train_fb", value="9", default=f"{default_fb:g}")
    ]
    assert dict(at.query_params) == {"train_task": "remember", "train_H": "32", "train_lr": "0.003"}

    at.slider(key="train_H").set_value(8).run()
    assert at.query_params["train_H"] == "8" and not at.warning  # answered: the message goes
    at.button(key="train_start").click().run()
    assert at.session_state[runner.JOB].config.hidden_size == 8  # what the link says is what trains
    at.session_state[runner.JOB].stop()
    at.run()
    # a new task: its defaults, so the link holds the task alone
    at.selectbox(key="train_task").set_value("adding").run()
    assert dict(at.query_params) == {"train_task": "adding"}
    at.selectbox(key="train_task").set_value("sine").run()
    assert not any(k in at.query_params for k in ts.KEYS)


def test_the_page_reads_its_link_once_and_keeps_its_settings_across_page_switches():
    at = open_page({"train_H": "5"})
    at.switch_page("pages/cell.py").run()
    at.query_params.clear()  # a browser drops a page's query string on a page switch
    at.switch_page(PAGE).run()
    assert at.slider(key="train_H").value == 5 and at.query_params["train_H"] == "5"


# ----- before the first click: the task, its target and the untrained answer -------------------


def _array(v) -> np.ndarray:
    """A trace's numbers from the chart JSON (Plotly 7 sends numpy arrays as base64)."""
    import base64

    if isinstance(v, dict) and "bdata" in v:
        a = np.frombuffer(base64.b64decode(v["bdata"]), dtype=np.dtype(v["dtype"]))
        return a.reshape([int(n) for n in str(v.get("shape", len(a))).split(",")])
    return np.asarray(v)


def preview_traces(at: AppTest) -> dict[str, dict]:
    """The one chart before training, its traces by role (meta)."""
    import json

    charts = at.get("plotly_chart")
    assert len(charts) == 1, len(charts)
    spec = json.loads(charts[0].proto.spec)
    return {t["meta"]: t for t in spec["data"]}


def untrained(task_name: str, b: int = 0, text: str | None = None, **changes):
    """Computed here from the core alone: the held-out batch's sequence b, its target and the
    untrained model's answer, for the core's default configuration of the task with `changes`."""
    import dataclasses

    from lstm_core.tasks import get_task
    from lstm_core.training import HELD_OUT, build_model, derive_seed, predict

    task = get_task(task_name, **({"text": text} if text else {}))
    cfg = dataclasses.replace(DEFAULT_CONFIGS[task_name], **changes)
    model, readout = build_model(task, cfg)
    held = task.sample(derive_seed(cfg.seed, HELD_OUT))
    x = held.x[:, b : b + 1]
    _, y_hat = predict(model.eval(), readout, task, x)
    y = held.y[:, b : b + 1] if task.where == "every" else held.y[b : b + 1]
    return x[:, 0], y, y_hat


def texts_of(at: AppTest) -> list[str]:
    return [m.value for m in at.markdown]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_before_training_the_page_shows_an_example_its_target_and_the_untrained_answer(lang):
    at = open_page({"lang": lang})
    assert not at.exception, at.exception
    assert tr("train.section_task", lang) in [s.value for s in at.subheader]
    traces = preview_traces(at)
    assert set(traces) == {"input", "target", "untrained"}
    x, y, y_hat = untrained("sine")
    np.testing.assert_allclose(_array(traces["input"]["y"]), x[:, 0])
    np.testing.assert_allclose(_array(traces["target"]["y"]), y[:, 0, 0])
    np.testing.assert_allclose(_array(traces["untrained"]["y"]), y_hat[:, 0, 0], rtol=1e-12)
    assert traces["untrained"]["name"] == tr("train.fig_untrained", lang)
    mse = float(np.mean((y_hat - y) ** 2))
    assert mse > TARGETS["sine"][0]  # wrong, and the line says by how much
    line = tr("train.preview_sine", lang, loss=f"{mse:.4g}", target="0.01")
    assert line in texts_of(at)
    assert tr("train.how_to_start", lang) in [i.value for i in at.info]


def test_the_example_follows_the_task_and_the_settings():
    at = open_page({"lang": "zh"})
    at.number_input(key="train_seed").set_value(5).run()
    at.slider(key="train_H").set_value(3).run()
    _, _, y_hat = untrained("sine", seed=5, hidden_size=3)
    np.testing.assert_allclose(_array(preview_traces(at)["untrained"]["y"]), y_hat[:, 0, 0])

    at.selectbox(key="train_task").set_value("remember").run()  # the task's defaults again
    traces = preview_traces(at)
    assert set(traces) == {"input", "marked", "target", "untrained"}
    x, y, y_hat = untrained("remember")
    T = len(x)
    assert list(_array(traces["target"]["x"])) == [T - 1] == list(_array(traces["untrained"]["x"]))
    assert _array(traces["target"]["y"])[0] == pytest.approx(x[0, 0]) == y[0, 0]
    assert _array(traces["untrained"]["y"])[0] == pytest.approx(y_hat[0, 0])
    assert list(_array(traces["marked"]["x"])) == [0]
    err = float((y_hat[0, 0] - y[0, 0]) ** 2)
    line = tr(
        "train.preview_remember", "zh", y=f"{y[0, 0]:.3f}", delay=T - 1,
        answer=f"{y_hat[0, 0]:.3f}", loss=f"{err:.4g}", target="0.01",
    )  # fmt: skip
    assert line in texts_of(at)

    at.selectbox(key="train_task").set_value("adding").run()
    traces = preview_traces(at)
    x, y, y_hat = untrained("adding")
    marked = list(np.flatnonzero(x[:, 1] == 1))
    assert len(marked) == 2 and list(_array(traces["marked"]["x"])) == marked
    np.testing.assert_allclose(_array(traces["marked"]["y"]), x[marked, 0])
    assert y[0, 0] == pytest.approx(x[marked, 0].sum())
    assert _array(traces["untrained"]["y"])[0] == pytest.approx(y_hat[0, 0])
    a, b = (f"{v:.3f}" for v in x[marked, 0])
    err = float((y_hat[0, 0] - y[0, 0]) ** 2)
    line = tr(
        "train.preview_adding", "zh", a=a, b=b, y=f"{y[0, 0]:.3f}", answer=f"{y_hat[0, 0]:.3f}",
        loss=f"{err:.4g}", target="0.01",
    )  # fmt: skip
    assert line in texts_of(at)


def test_the_text_task_shows_the_untrained_guesses_character_by_character():
    at = open_page(train_task="text", train_text=" abcab ")
    traces = preview_traces(at)
    assert [traces[r]["text"] for r in ("input", "target")] == [list("abca"), list("bcab")]
    _, y, logits = untrained("text", text="abcab")
    vocab = ("a", "b", "c")
    guess = [vocab[k] for k in logits[:, 0].argmax(axis=-1)]
    assert traces["untrained"]["text"] == guess
    right = int(np.sum(logits[:, 0].argmax(axis=-1) == y[:, 0]))
    shifted = logits[:, 0] - logits[:, 0].max(axis=-1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
    ce = -float(log_p[np.arange(4), y[:, 0]].mean())
    line = tr(
        "train.preview_text", "en", right=right, T=4, acc=f"{right / 4:.0%}", loss=f"{ce:.4g}",
        V=3, ln_v=f"{np.log(3):.3f}", target="0.05",
    )  # fmt: skip
    assert line in texts_of(at)
    # a text that cannot train: no example (the Train button says why), the page still works
    at.text_area(key="train_text").set_value("aaaa").run()
    assert not at.exception and not at.get("plotly_chart") and not at.error


def test_the_example_goes_when_training_starts_and_comes_back_on_discard():
    at = open_page(train_steps=1, train_H=2)
    assert len(preview_traces(at)) == 3
    job = train_to_the_end(at)
    assert job.step == 1
    assert tr("train.section_task", "en") not in [s.value for s in at.subheader]
    assert len(at.get("plotly_chart")) == 3  # loss, prediction, gates: the example is gone
    at.button(key="train_discard").click().run()
    assert set(preview_traces(at)) == {"input", "target", "untrained"}
