"""A training loop that yields its progress, step by step, so a page can stream it and stop it.

One step: forward (trace) → readout → loss → backward through the readout and BPTT → clip →
optimizer update. Everything is a function of `config.seed`: the same seed gives the same run.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from .lstm import LSTM
from .optim import SGD, Adam, Readout, clip_grad_norm_, grad_norm
from .rnn import RNN
from .tasks import Batch, Task

READOUT = "readout."  # prefix of the readout's parameters in the optimizer's dict


@dataclass(frozen=True)
class TrainConfig:
    """Everything that defines a training run (primitives only: hashable, cacheable)."""

    model: str = "lstm"  # "lstm" or "rnn"
    hidden_size: int = 32
    num_layers: int = 1
    optimizer: str = "adam"  # "adam" or "sgd"
    lr: float = 1e-2
    momentum: float = 0.9  # SGD only
    clip: float | None = 1.0  # max gradient norm, or None
    steps: int = 300
    seed: int = 0
    snapshot_every: int = 50  # parameters in the progress every N steps (and at the last step)
    eval_every: int = 25  # loss on a fixed held-out batch every N steps (and at the last step)
    dtype: str = "float64"  # "float64" or "float32"
    forget_bias: float = 0.0  # LSTM only: added to b_if at init (> 0 starts the forget gate open)


@dataclass(frozen=True, eq=False)
class Progress:
    """What one training step reports."""

    step: int  # updates done so far (1 after the first)
    loss: float  # the training batch's loss, before this step's update
    grad_norm: float  # total gradient norm before clipping
    eval_loss: float | None  # loss on the held-out batch after this update, every eval_every
    elapsed: float  # seconds since training started
    params: dict[str, np.ndarray] | None  # model state_dict after this update, every N steps
    readout: dict[str, np.ndarray] | None  # readout weight (O, H) and bias (O,), with params


class TrainingDiverged(ValueError):
    """The loss, gradients or weights became NaN or infinite: the learning rate is too high."""


def check_config(config: TrainConfig) -> None:
    """ValueError naming the first bad field."""
    if config.model not in ("lstm", "rnn"):
        raise ValueError(f"model must be 'lstm' or 'rnn', got {config.model!r}")
    if config.optimizer not in ("adam", "sgd"):
        raise ValueError(f"optimizer must be 'adam' or 'sgd', got {config.optimizer!r}")
    if config.dtype not in ("float64", "float32"):
        raise ValueError(f"dtype must be 'float64' or 'float32', got {config.dtype!r}")
    for name in ("hidden_size", "num_layers", "steps", "snapshot_every", "eval_every"):
        v = getattr(config, name)
        if isinstance(v, bool) or not isinstance(v, int) or v < 1:
            raise ValueError(f"{name} must be an integer ≥ 1, got {v!r}")
    if not config.lr > 0:
        raise ValueError(f"lr must be > 0, got {config.lr}")
    if config.clip is not None and not config.clip > 0:
        raise ValueError(f"clip must be > 0 or None, got {config.clip}")


# Independent random streams of one run, each derived from (config.seed, stream, k).
MODEL_INIT, READOUT_INIT, HELD_OUT, BATCH = 1, 2, 3, 4


def derive_seed(seed: int, stream: int, k: int = 0) -> int:
    """An independent seed for one use in a run (e.g. stream BATCH, k = step)."""
    return int(np.random.SeedSequence([seed, stream, k]).generate_state(1)[0])


def build_model(task: Task, config: TrainConfig) -> tuple[LSTM | RNN, Readout]:
    """The recurrent model and its readout, initialised from config.seed."""
    check_config(config)
    cls = LSTM if config.model == "lstm" else RNN
    model = cls(
        task.input_size, config.hidden_size, config.num_layers,
        dtype=np.dtype(config.dtype), seed=derive_seed(config.seed, MODEL_INIT),
    )  # fmt: skip
    if config.forget_bias and config.model == "lstm":
        H = config.hidden_size
        sd = model.state_dict()
        for name in sd:
            if name.startswith("bias_ih"):
                sd[name][H : 2 * H] += config.forget_bias  # the f rows of b_ih: f = σ(z_f + bias)
        model.load_state_dict(sd)
    readout = Readout(
        config.hidden_size, task.output_size, config.dtype, derive_seed(config.seed, READOUT_INIT)
    )
    return model, readout


def loss_and_grad(task: Task, y_hat: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """The task's loss (torch's mean reduction) and ∂L/∂ŷ.

    mse: L = mean((ŷ − y)²). cross_entropy: L = mean over steps of −log softmax(ŷ)[y].
    """
    if task.loss == "mse":
        diff = y_hat - y
        return float(np.mean(diff * diff)), 2 * diff / diff.size
    logits = y_hat.reshape(-1, y_hat.shape[-1])  # (N, V)
    labels = y.reshape(-1)  # (N,)
    shifted = logits - logits.max(axis=1, keepdims=True)  # the same softmax, no overflow
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))  # log softmax
    N = len(labels)
    loss = -float(log_p[np.arange(N), labels].mean())
    grad = np.exp(log_p)  # softmax
    grad[np.arange(N), labels] -= 1  # ∂(−log p_y)/∂logits = softmax − onehot(y)
    return loss, (grad / N).reshape(y_hat.shape)


def predict(model, readout: Readout, task: Task, x: np.ndarray) -> tuple[object, np.ndarray]:
    """(trace, ŷ): ŷ (T, B, O) for tasks scored at every step, (B, O) for the last step only."""
    trace = model.trace(x)
    h = trace.output if task.where == "every" else trace.output[-1]
    return trace, readout(h)


def evaluate(model, readout: Readout, task: Task, batch: Batch) -> float:
    """The task's loss on one batch (no update)."""
    _, y_hat = predict(model, readout, task, batch.x.astype(model.dtype))
    return loss_and_grad(task, y_hat, batch.y)[0]


def gradients(model, readout: Readout, task: Task, batch: Batch):
    """(loss, grads) for one batch; grads keyed like the optimizer's dict."""
    trace, y_hat = predict(model, readout, task, batch.x.astype(model.dtype))
    loss, dy_hat = loss_and_grad(task, y_hat, batch.y)
    if not (np.isfinite(loss) and np.all(np.isfinite(dy_hat))):
        raise TrainingDiverged(f"the loss is {loss}")
    h = trace.output if task.where == "every" else trace.output[-1]
    readout_grads, dh = readout.backward(h, dy_hat)  # through ŷ = h W^T + b
    if not np.all(np.isfinite(dh)):
        raise TrainingDiverged("the gradient overflowed")
    if task.where == "every":
        grad_output = dh  # (T, B, H)
    else:
        grad_output = np.zeros_like(trace.output)
        grad_output[-1] = dh  # only the last step feeds the loss
    grads = dict(model.backward(trace, grad_output).params)
    grads |= {READOUT + k: v for k, v in readout_grads.items()}
    return loss, grads


def train(task: Task, config: TrainConfig) -> Iterator[Progress]:
    """Train a fresh model on `task`; yield a `Progress` after every update (stop by not iterating).

    Raises TrainingDiverged if the loss or gradients stop being finite.
    """
    check_config(config)
    model, readout = build_model(task, config)
    params = model.state_dict() | {READOUT + k: v for k, v in readout.state_dict().items()}
    if config.optimizer == "adam":
        opt = Adam(params, lr=config.lr)
    else:
        opt = SGD(params, lr=config.lr, momentum=config.momentum)
    held_out = task.sample(derive_seed(config.seed, HELD_OUT))
    model_keys = list(model.state_dict())
    start = time.perf_counter()
    for step in range(1, config.steps + 1):
        batch = task.sample(derive_seed(config.seed, BATCH, step))
        with np.errstate(over="ignore", invalid="ignore"):  # divergence is reported, not warned
            try:
                loss, grads = gradients(model, readout, task, batch)
            except TrainingDiverged as e:
                raise TrainingDiverged(f"training diverged at step {step} ({e})") from None
            clip = config.clip
            norm = grad_norm(grads) if clip is None else clip_grad_norm_(grads, clip)  # unclipped
            if not np.isfinite(norm):
                raise TrainingDiverged(f"training diverged at step {step} (gradient norm {norm})")
            params = opt.step(grads)
            if not all(np.all(np.isfinite(p)) for p in params.values()):
                raise TrainingDiverged(f"training diverged at step {step}: a weight overflowed")
        model.load_state_dict({k: params[k] for k in model_keys})
        readout.load_state_dict({k: params[READOUT + k] for k in ("weight", "bias")})
        last = step == config.steps
        eval_loss = None
        if step % config.eval_every == 0 or last:
            eval_loss = evaluate(model, readout, task, held_out)
        snap = step % config.snapshot_every == 0 or last
        yield Progress(
            step=step,
            loss=loss,
            grad_norm=norm,
            eval_loss=eval_loss,
            elapsed=time.perf_counter() - start,
            params=model.state_dict() if snap else None,
            readout=readout.state_dict() if snap else None,
        )


# ----- default configurations and their measured targets (see docs/BENCHMARKS.md) --------------

DEFAULT_CONFIGS: dict[str, TrainConfig] = {
    "sine": TrainConfig(hidden_size=16, lr=2e-2, steps=400),
    "adding": TrainConfig(hidden_size=16, lr=2e-2, steps=800),
    # σ(0) = ½ at init would shrink the memory's gradient by ½ per step (½²⁰ ≈ 1e-6 over the delay):
    # starting the forget gate at σ(2) ≈ 0.88 lets it learn to stay near 1.
    "remember": TrainConfig(hidden_size=16, lr=1e-2, steps=600, forget_bias=2.0),
    "text": TrainConfig(hidden_size=64, lr=1e-2, steps=200),
}

# task → (held-out loss to reach, seconds allowed on the 2-core machine); bench/bench_training.py
# measures the time to reach each with the default task and configuration.
TARGETS: dict[str, tuple[float, float]] = {
    "sine": (0.01, 30.0),  # MSE; predicting 0 scores ≈ 0.5
    "adding": (0.01, 30.0),  # MSE; predicting 1 scores ≈ 0.167
    "remember": (0.01, 30.0),  # MSE; predicting 0 scores 1
    "text": (0.05, 10.0),  # cross-entropy in nats; uniform guessing scores ln V
}
