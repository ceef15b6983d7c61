"""The Train page before the first click: one example of the task, its target, and the answer of
the untrained model built from the page's settings (so the learner sees what must be learnt).

The example is the first sequence of the run's held-out batch on which the untrained answer
misses the training target (in practice the first one: an untrained model is wrong nearly
everywhere; the rule only keeps a lucky near-zero target of the remember task from being the
picture of "wrong"). For the sine task that is the sequence the page shows again after training,
where this untrained answer reappears as "before". Pure: no Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lstm_core.memory import true_class_probability
from lstm_core.tasks import get_task
from lstm_core.training import (
    HELD_OUT,
    TARGETS,
    TrainConfig,
    build_model,
    derive_seed,
    loss_and_grad,
    predict,
)


@dataclass(frozen=True, eq=False)
class Preview:
    """One example of a task and the untrained model's answer to it.

    x (T, D) the input; for tasks scored at every step target and answer are (T,) (values, or
    class indices for the text task), for tasks scored at the last step they are single numbers.
    """

    task: str
    index: int  # b: which sequence of the held-out batch
    where: str  # "every" timestep or only the "last"
    x: np.ndarray  # (T, D)
    target: np.ndarray  # (T,) or ()
    answer: np.ndarray  # (T,) or (): the untrained model's prediction (text: its argmax class)
    loss: float  # the task's loss on this one example (MSE, or cross-entropy in nats)
    target_loss: float  # the held-out loss training aims below
    vocab: tuple[str, ...] | None = None  # text task: the characters of the class indices
    p_true: np.ndarray | None = None  # text task (T,): probability given to the true next char

    @property
    def accuracy(self) -> float | None:
        """Text task: the share of next characters the untrained model guesses right."""
        if self.vocab is None:
            return None
        return float(np.mean(self.answer == self.target))

    @property
    def wrong(self) -> bool:
        """The untrained answer misses the goal (its loss is above the training target)."""
        return self.loss >= self.target_loss

    @property
    def marked(self) -> list[int]:
        """The timesteps the answer depends on: the adding task's two markers, remember's x₀."""
        if self.task == "adding":
            return [int(t) for t in np.flatnonzero(self.x[:, 1] > 0.5)]
        return [0] if self.task == "remember" else []


def untrained_preview(task_name: str, text: str | None, config: TrainConfig) -> Preview:
    """The example and the untrained answer for `task_name` (text: its `text`) under `config`
    (the model's init depends on hidden_size, num_layers, seed and forget_bias only).

    ValueError when the text is unusable or the configuration is bad.
    """
    task = get_task(task_name, **({"text": text} if task_name == "text" else {}))
    model, readout = build_model(task, config)
    held = task.sample(derive_seed(config.seed, HELD_OUT))
    target_loss = TARGETS[task.name][0]
    for b in range(held.x.shape[1]):
        x = held.x[:, b : b + 1].astype(model.dtype)  # one sequence, kept as a batch of one
        y = held.y[:, b : b + 1] if task.where == "every" else held.y[b : b + 1]
        _, y_hat = predict(model.eval(), readout, task, x)
        loss, _ = loss_and_grad(task, y_hat, y)
        if loss >= target_loss:  # (were every example within the target: the last one)
            break
    fields = dict(task=task.name, where=task.where, x=np.asarray(x[:, 0], np.float64), loss=loss)
    fields |= {"target_loss": target_loss, "index": b}
    if task.loss == "cross_entropy":
        logits = y_hat[:, 0]  # (T, V)
        return Preview(
            **fields, target=np.asarray(y[:, 0]), answer=logits.argmax(axis=-1),
            vocab=task.vocab, p_true=true_class_probability(logits, y[:, 0]),
        )  # fmt: skip
    if task.where == "every":
        return Preview(**fields, target=np.asarray(y[:, 0, 0]), answer=y_hat[:, 0, 0])
    return Preview(**fields, target=np.asarray(y[0, 0]), answer=np.asarray(y_hat[0, 0]))


def sentence(p: Preview) -> tuple[str, dict]:
    """The one line under the figure, as (train.toml key, fields): what the model must learn and
    how wrong the untrained answer is (values to 3 decimals, losses to 4 significant digits)."""
    fields = {"loss": f"{p.loss:.4g}", "target": f"{p.target_loss:g}"}
    if p.task == "text":
        V = len(p.vocab)
        right = int(np.sum(p.answer == p.target))
        fields |= {"right": right, "T": len(p.target), "acc": f"{p.accuracy:.0%}"}
        return "preview_text", fields | {"V": V, "ln_v": f"{np.log(V):.3f}"}
    if p.where == "every":
        return f"preview_{p.task}", fields
    fields |= {"y": f"{float(p.target):.3f}", "answer": f"{float(p.answer):.3f}"}
    if p.task == "adding":
        a, b = (f"{p.x[t, 0]:.3f}" for t in p.marked)
        return "preview_adding", fields | {"a": a, "b": b}
    return f"preview_{p.task}", fields | {"delay": p.x.shape[0] - 1}
