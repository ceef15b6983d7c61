"""Toy tasks (pure functions of a seed) and the streaming training loop: it really learns."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from needs import need_torch

from lstm_core.tasks import (
    MAX_TEXT_CHARS,
    adding_problem,
    get_task,
    next_char,
    noisy_sine,
    remember_first,
    text_task,
)
from lstm_core.training import (
    DEFAULT_CONFIGS,
    TARGETS,
    TrainConfig,
    TrainingDiverged,
    build_model,
    gradients,
    loss_and_grad,
    train,
)

# ----- tasks ------------------------------------------------------------------------------------


def test_tasks_are_pure_functions_of_the_seed():
    for make in (noisy_sine, adding_problem, remember_first):
        a, b, c = make(3), make(3), make(4)
        np.testing.assert_array_equal(a.x, b.x)
        np.testing.assert_array_equal(a.y, b.y)
        assert not np.array_equal(a.x, c.x)


def test_noisy_sine_targets_are_the_next_clean_value():
    batch = noisy_sine(0, batch_size=5, T=30, noise=0.05)
    assert batch.x.shape == (30, 5, 1) and batch.y.shape == (30, 5, 1)
    np.testing.assert_allclose(batch.x[1:], batch.y[:-1], atol=0.05 * 5)  # x_{t+1} = y_t + noise
    assert 0.02 < np.std(batch.x[1:] - batch.y[:-1]) < 0.08
    clean = noisy_sine(0, batch_size=5, T=30, noise=0.0)
    np.testing.assert_allclose(clean.x[1:], clean.y[:-1], atol=1e-15)


def test_adding_problem_target_is_the_sum_of_the_marked_values():
    batch = adding_problem(1, batch_size=64, T=20)
    assert batch.x.shape == (20, 64, 2) and batch.y.shape == (64, 1)
    markers = batch.x[..., 1]
    assert np.all(markers.sum(axis=0) == 2)
    assert np.all(markers[:10].sum(axis=0) == 1)  # one mark in each half
    np.testing.assert_allclose(batch.y[:, 0], (batch.x[..., 0] * markers).sum(axis=0))


def test_remember_first_target_is_the_first_input():
    batch = remember_first(2, batch_size=256, delay=12, noise=0.2)
    assert batch.x.shape == (13, 256, 1) and batch.y.shape == (256, 1)
    np.testing.assert_array_equal(batch.y[:, 0], batch.x[0, :, 0])
    assert np.all(np.abs(batch.y) <= 1) and batch.y.std() > 0.5  # U(-1, 1): std ≈ 0.58
    assert 0.15 < batch.x[1:].std() < 0.25  # the distracting noise


@pytest.mark.parametrize("text", ["hello world", "你好，世界！你好"])
def test_next_char_one_hot(text):
    batch = next_char(text)
    task = text_task(text)
    V = len(set(text))
    assert task.vocab[0] == text[0] and len(task.vocab) == V == task.input_size
    assert batch.x.shape == (len(text) - 1, 1, V) and batch.y.shape == (len(text) - 1, 1)
    assert np.all(batch.x.sum(axis=-1) == 1)
    decoded_in = "".join(task.vocab[j] for j in batch.x[:, 0].argmax(-1))
    decoded_out = "".join(task.vocab[j] for j in batch.y[:, 0])
    assert decoded_in == text[:-1] and decoded_out == text[1:]


@pytest.mark.parametrize(
    "text,message",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("aaaa", "at least 2 different"),
        ("ab" * (MAX_TEXT_CHARS // 2 + 1), "too long"),
        (None, "must be a string"),
    ],
)
def test_bad_text_raises_with_a_message(text, message):
    with pytest.raises(ValueError, match=message):
        text_task(text)


def test_get_task_by_name():
    assert get_task("adding").input_size == 2
    assert get_task("remember", delay=5).sample(0).x.shape[0] == 6
    with pytest.raises(ValueError, match="unknown task"):
        get_task("chess")


# ----- losses and gradients against torch ----------------------------------------------------


def test_losses_match_torch():
    torch = need_torch()
    F = torch.nn.functional
    rng = np.random.default_rng(0)
    y_hat, y = rng.normal(size=(6, 2, 1)), rng.normal(size=(6, 2, 1))
    yt = torch.tensor(y_hat, requires_grad=True)
    ref = F.mse_loss(yt, torch.tensor(y))
    ref.backward()
    loss, grad = loss_and_grad(get_task("sine"), y_hat, y)
    assert loss == pytest.approx(ref.item(), rel=1e-14)
    np.testing.assert_allclose(grad, yt.grad.numpy(), atol=1e-15)

    logits, labels = rng.normal(size=(7, 1, 5)) * 30, rng.integers(0, 5, size=(7, 1))
    lt = torch.tensor(logits, requires_grad=True)
    ref = F.cross_entropy(lt.reshape(-1, 5), torch.tensor(labels.reshape(-1)))
    ref.backward()
    loss, grad = loss_and_grad(text_task("abcde"), logits, labels)
    assert loss == pytest.approx(ref.item(), rel=1e-13)
    np.testing.assert_allclose(grad, lt.grad.numpy(), atol=1e-15)


@pytest.mark.parametrize("name", ["adding", "text"])
def test_training_gradients_match_torch_end_to_end(name):
    """One batch: model + readout + loss, every gradient against torch autograd."""
    torch = need_torch()
    from lstm_core.torch_bridge import to_torch

    task = get_task(name)
    model, readout = build_model(task, TrainConfig(hidden_size=5, num_layers=2))
    batch = task.sample(0)
    loss, grads = gradients(model, readout, task, batch)

    tm = to_torch(model)
    lin = torch.nn.Linear(5, task.output_size, dtype=torch.float64)
    lin.load_state_dict({k: torch.tensor(v) for k, v in readout.state_dict().items()})
    out, _ = tm(torch.tensor(batch.x))
    h = out if task.where == "every" else out[-1]
    y_hat = lin(h)
    if task.loss == "mse":
        ref = torch.nn.functional.mse_loss(y_hat, torch.tensor(batch.y))
    else:
        ref = torch.nn.functional.cross_entropy(
            y_hat.reshape(-1, task.output_size), torch.tensor(batch.y.reshape(-1))
        )
    ref.backward()
    assert loss == pytest.approx(ref.item(), rel=1e-12)
    for n, p in tm.named_parameters():
        np.testing.assert_allclose(grads[n], p.grad.numpy(), rtol=0, atol=1e-12, err_msg=n)
    np.testing.assert_allclose(grads["readout.weight"], lin.weight.grad.numpy(), atol=1e-12)
    np.testing.assert_allclose(grads["readout.bias"], lin.bias.grad.numpy(), atol=1e-12)


# ----- the training loop -------------------------------------------------------------------


def _run(task, config):
    return list(train(task, config))


def test_training_is_deterministic_and_streams_progress():
    task = get_task("sine", batch_size=4, T=12)
    cfg = TrainConfig(hidden_size=6, steps=10, snapshot_every=4, eval_every=5, seed=3)
    a, b = _run(task, cfg), _run(task, cfg)
    assert [p.step for p in a] == list(range(1, 11))
    assert [p.loss for p in a] == [p.loss for p in b]
    assert [p.grad_norm for p in a] == [p.grad_norm for p in b]
    assert [p.step for p in a if p.params is not None] == [4, 8, 10]  # every 4 and the last
    assert [p.step for p in a if p.eval_loss is not None] == [5, 10]
    snap = a[3].params
    model, _ = build_model(task, cfg)
    assert list(snap) == list(model.state_dict())
    assert not np.array_equal(snap["weight_hh_l0"], model.state_dict()["weight_hh_l0"])  # moved
    assert set(a[3].readout) == {"weight", "bias"}
    other = _run(task, dataclasses.replace(cfg, seed=4))
    assert other[0].loss != a[0].loss
    # stopping early is just not iterating further
    gen = train(task, cfg)
    first = next(gen)
    gen.close()
    assert first.loss == a[0].loss


@pytest.mark.parametrize(
    "name,kwargs,config,factor",
    [
        ("sine", {"batch_size": 8, "T": 20}, TrainConfig(hidden_size=12, steps=80), 0.1),
        ("text", {"text": "hello world"}, TrainConfig(hidden_size=16, steps=60), 0.1),
        ("remember", {"delay": 5}, TrainConfig(hidden_size=8, steps=150), 0.05),
        ("adding", {"T": 6}, TrainConfig(hidden_size=12, steps=250, lr=2e-2), 0.2),
        (
            "sine",
            {"batch_size": 8, "T": 20},
            TrainConfig(model="rnn", hidden_size=12, steps=80),
            0.2,
        ),
        (
            "sine",
            {"batch_size": 8, "T": 20},
            TrainConfig(optimizer="sgd", lr=0.1, hidden_size=12, steps=80),
            0.5,
        ),
    ],
)
def test_training_learns(name, kwargs, config, factor):
    """The held-out loss falls far below where it started (small configs, about a second each)."""
    task = get_task(name, **kwargs)
    model, readout = build_model(task, config)
    from lstm_core.training import HELD_OUT, derive_seed, evaluate

    start = evaluate(model, readout, task, task.sample(derive_seed(config.seed, HELD_OUT)))
    final = _run(task, config)[-1]
    assert final.eval_loss < factor * start, (start, final.eval_loss)


def test_remember_task_opens_the_forget_gate():
    """Learning to remember x_0 over the delay pushes the forget gate of the unit that carries it
    towards 1 (from σ(1 + ·) ≈ 0.7 at init)."""
    task = get_task("remember", delay=10)
    cfg = TrainConfig(hidden_size=8, steps=250, forget_bias=1.0)
    final = _run(task, cfg)[-1]
    assert final.eval_loss < 0.02  # predicting 0 scores 1/3
    batch = task.sample(0)
    f_mean = []
    for params in (build_model(task, cfg)[0].state_dict(), final.params):
        model, _ = build_model(task, cfg)
        model.load_state_dict(params)
        lt = model.trace(batch.x).layers[0][0]
        f_mean.append(lt.f[1:].mean(axis=(0, 1)))  # (H,) forget gate over the delay
    corr = [abs(np.corrcoef(lt.c[-1, :, j], batch.x[0, :, 0])[0, 1]) for j in range(8)]
    j = int(np.argmax(corr))  # the unit whose final c_T tracks x_0 best carries the memory
    assert corr[j] > 0.98
    assert f_mean[1][j] > f_mean[0][j] + 0.1
    assert f_mean[1].max() > 0.9


def test_defaults_and_targets_cover_every_task():
    assert set(DEFAULT_CONFIGS) == set(TARGETS) == {"sine", "adding", "remember", "text"}


def test_bad_configs_and_divergence():
    task = get_task("sine", batch_size=2, T=5)
    for bad, match in [
        ({"model": "gru"}, "model"),
        ({"optimizer": "rmsprop"}, "optimizer"),
        ({"hidden_size": 0}, "hidden_size"),
        ({"lr": -1.0}, "lr"),
        ({"clip": 0.0}, "clip"),
        ({"dtype": "float16"}, "dtype"),
    ]:
        with pytest.raises(ValueError, match=match):
            next(train(task, TrainConfig(**bad)))
    with pytest.raises(TrainingDiverged, match="diverged at step"):
        _run(task, TrainConfig(optimizer="sgd", lr=1e300, clip=None, steps=20, hidden_size=4))
    with pytest.raises(TrainingDiverged, match="diverged at step"):
        _run(task, TrainConfig(optimizer="sgd", lr=1e300, clip=1.0, steps=20, hidden_size=4))
