"""The Variant lab's work, without Streamlit: LSTM variants (and the GRU) raced on one task.

Every racer gets the same task, the same batches, the same held-out batch, the same seed for its
weights (the rows a variant shares with the vanilla LSTM start equal) and the same budget. One
training step is the core's: `lstm_core.training.gradients` (forward, readout, loss, BPTT),
clipping, `lstm_core.optim.Adam`. Any model with `trace`, `backward`, `state_dict` and
`load_state_dict` can race.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np

from app_logic.limits import MAX_RACE_HIDDEN, MAX_RACE_STEPS, MAX_RACE_VARIANTS, RACE_LENGTH
from lstm_core.memory import sequence, unit_readout
from lstm_core.optim import Adam, Readout, clip_grad_norm_
from lstm_core.tasks import Task, adding_task, remember_task
from lstm_core.training import (
    BATCH,
    HELD_OUT,
    MODEL_INIT,
    READOUT,
    READOUT_INIT,
    TrainingDiverged,
    derive_seed,
    evaluate,
    gradients,
)

VARIANTS = ("vanilla", "peephole", "NIG", "NFG", "NOG", "NIAF", "NOAF", "CIFG")
RACERS = (*VARIANTS, "GRU")
TASKS = ("remember", "adding")
# Held-out MSE that counts as solved (predicting the mean: 1/3 on remember, ≈ 0.167 on adding).
TARGET = {"remember": 0.02, "adding": 0.02}
# Greff et al. (2017), "LSTM: A Search Space Odyssey": what THEY found (texts: variants.toml).
GREFF = {
    "vanilla": "baseline",
    "peephole": "little",
    "NIG": "hurts",
    "NFG": "hurts_most",
    "NOG": "hurts",
    "NIAF": "hurts",
    "NOAF": "hurts_most",
    "CIFG": "little",
    "GRU": "not_in_study",
}


@dataclass(frozen=True)
class RaceConfig:
    """Everything that defines a race (primitives: hashable, comparable)."""

    task: str = "remember"
    variants: tuple[str, ...] = ("vanilla", "NIG", "NFG", "NOAF")
    length: int = 20  # remember: the delay; adding: T
    hidden_size: int = 8
    steps: int = 300
    lr: float = 2e-2
    seed: int = 0
    forget_bias: float = 2.0  # added to the f rows of b_ih (the GRU: to its z rows, z keeps h)
    batch_size: int = 32
    eval_every: int = 10
    clip: float = 1.0


def check_race(cfg: RaceConfig) -> list[tuple[str, dict]]:
    """Every problem with a race, as (variants.toml key, fields); empty when it can run."""
    problems: list[tuple[str, dict]] = []
    if cfg.task not in TASKS:
        problems.append(("err_task", {"got": str(cfg.task)[:40], "tasks": ", ".join(TASKS)}))
    if not cfg.variants:
        problems.append(("err_no_variant", {}))
    if len(cfg.variants) > MAX_RACE_VARIANTS:
        problems.append(("err_too_many", {"n": len(cfg.variants), "max": MAX_RACE_VARIANTS}))
    bad = [v for v in cfg.variants if v not in RACERS]
    if bad:
        problems.append(("err_unknown", {"bad": ", ".join(map(str, bad))[:80]}))
    if len(set(cfg.variants)) != len(cfg.variants):
        problems.append(("err_twice", {}))
    for name, lo, hi in (
        ("steps", 1, MAX_RACE_STEPS),
        ("hidden_size", 1, MAX_RACE_HIDDEN),
        ("length", *RACE_LENGTH),
    ):
        v = getattr(cfg, name)
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            problems.append(("err_range", {"name": name, "lo": lo, "hi": hi, "got": v}))
    if not (np.isfinite(cfg.lr) and 0 < cfg.lr <= 1):
        problems.append(("err_lr", {"got": cfg.lr}))
    return problems


def race_task(cfg: RaceConfig) -> Task:
    """The race's task with its sequence length and batch size."""
    if cfg.task == "remember":
        return remember_task(batch_size=cfg.batch_size, delay=cfg.length)
    return adding_task(batch_size=cfg.batch_size, T=cfg.length)


def make_model(kind: str, D: int, H: int, seed: int, forget_bias: float = 0.0):
    """A racer's recurrent model: VariantLSTM(kind) or GRU, weights from `seed`.

    `forget_bias` is added to the rows that decide how much of the old memory is kept: f's rows
    of b_ih (H..2H; CIFG's f, whose i = 1 − f) and, for the GRU, z's rows (z keeps hₜ₋₁). NFG has
    no forget gate: nothing to add.
    """
    import lstm_core  # the core's models

    if kind not in RACERS:
        raise ValueError(f"kind must be one of {RACERS}, got {kind!r}")
    if kind == "GRU":
        model = lstm_core.GRU(D, H, seed=seed)
    else:
        model = lstm_core.VariantLSTM(D, H, kind, seed=seed)
    if forget_bias and kind != "NFG":
        sd = model.state_dict()
        sd["bias_ih_l0"][H : 2 * H] += forget_bias  # f (LSTM order i, f, g, o) or z (r, z, n)
        model.load_state_dict(sd)
    return model


@dataclass(eq=False)
class Racer:
    """One variant in the race: its model, readout, optimizer and history."""

    kind: str
    task: Task
    cfg: RaceConfig
    steps: list[int] = field(default_factory=list)  # step of each training loss
    losses: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_losses: list[float] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None  # TrainingDiverged's message

    def __post_init__(self) -> None:
        cfg = self.cfg
        self.model = make_model(
            self.kind,
            self.task.input_size,
            cfg.hidden_size,
            derive_seed(cfg.seed, MODEL_INIT),
            cfg.forget_bias,
        )
        self.readout = Readout(
            cfg.hidden_size, self.task.output_size, "float64", derive_seed(cfg.seed, READOUT_INIT)
        )
        self.initial = {k: v.copy() for k, v in self.model.state_dict().items()}
        params = self.model.state_dict() | {
            READOUT + k: v for k, v in self.readout.state_dict().items()
        }
        self.opt = Adam(params, lr=cfg.lr)
        self._keys = list(self.model.state_dict())

    @property
    def step(self) -> int:
        return self.steps[-1] if self.steps else 0

    @property
    def done(self) -> bool:
        return self.error is not None or self.step >= self.cfg.steps

    def advance(self, held_out) -> None:
        """One training step (the batch of this step is the same for every racer)."""
        if self.done:
            return
        start = time.perf_counter()
        step = self.step + 1
        batch = self.task.sample(derive_seed(self.cfg.seed, BATCH, step))
        try:
            with np.errstate(over="ignore", invalid="ignore"):
                loss, grads = gradients(self.model, self.readout, self.task, batch)
                norm = clip_grad_norm_(grads, self.cfg.clip)
                if not np.isfinite(norm):
                    raise TrainingDiverged(f"gradient norm {norm}")
                params = self.opt.step(grads)
        except TrainingDiverged as e:
            self.error = f"step {step}: {e}"
            return
        self.model.load_state_dict({k: params[k] for k in self._keys})
        self.readout.load_state_dict({k: params[READOUT + k] for k in ("weight", "bias")})
        self.steps.append(step)
        self.losses.append(loss)
        if step % self.cfg.eval_every == 0 or step == self.cfg.steps:
            self.eval_steps.append(step)
            self.eval_losses.append(evaluate(self.model, self.readout, self.task, held_out))
        self.seconds += time.perf_counter() - start


@dataclass(eq=False)
class Race:
    """Every racer on one task; `advance` steps them in turn for a time budget."""

    cfg: RaceConfig
    racers: list[Racer] = field(init=False)

    def __post_init__(self) -> None:
        problems = check_race(self.cfg)
        if problems:
            key, fmt = problems[0]
            raise ValueError(f"{key}: {fmt}")
        self.task = race_task(self.cfg)
        self.held_out = self.task.sample(derive_seed(self.cfg.seed, HELD_OUT))
        self.racers = [Racer(kind, self.task, self.cfg) for kind in self.cfg.variants]

    @property
    def done(self) -> bool:
        return all(r.done for r in self.racers)

    @property
    def step(self) -> int:
        return min(r.step for r in self.racers)

    def advance(self, budget_s: float = 0.5) -> int:
        """One step of every unfinished racer, again, until `budget_s` seconds have passed (at
        least one round); returns the rounds run."""
        start, rounds = time.perf_counter(), 0
        while not self.done:
            for r in self.racers:
                r.advance(self.held_out)
            rounds += 1
            if time.perf_counter() - start >= budget_s:
                break
        return rounds

    def run(self) -> Race:
        """Run to the end (tests and scripts)."""
        while not self.done:
            self.advance(60.0)
        return self


@dataclass(frozen=True)
class RaceRow:
    """One line of the result table."""

    kind: str
    final_loss: float  # held-out MSE at the last evaluation (nan before the first)
    best_loss: float
    steps_to_target: int | None  # the first evaluated step at or below the target
    solved: bool
    seconds: float
    diverged: bool


def results(race: Race) -> list[RaceRow]:
    """The result table: one row per racer, in the order they were picked."""
    target = TARGET[race.cfg.task]
    rows = []
    for r in race.racers:
        ev = np.asarray(r.eval_losses, dtype=np.float64)
        hit = [s for s, v in zip(r.eval_steps, r.eval_losses) if v <= target]
        rows.append(
            RaceRow(
                kind=r.kind,
                final_loss=float(ev[-1]) if ev.size else float("nan"),
                best_loss=float(ev.min()) if ev.size else float("nan"),
                steps_to_target=hit[0] if hit else None,
                solved=bool(ev.size) and float(ev[-1]) <= target,
                seconds=r.seconds,
                diverged=r.error is not None,
            )
        )
    return rows


def failed(rows: list[RaceRow]) -> list[str]:
    """The racers that did not end at or below the target (the ones that "fail to remember")."""
    return [row.kind for row in rows if not row.solved]


NONE_FAILS = "none"  # the prediction "every one of them remembers"


def judge_prediction(rows: list[RaceRow], pick: str) -> bool:
    """The learner's pick was right: it is among the failures, or "none" and nobody failed."""
    fails = failed(rows)
    return pick in fails if pick != NONE_FAILS else not fails


def worst(rows: list[RaceRow]) -> str:
    """The racer with the highest final held-out loss (a diverged one counts as worst)."""
    return max(rows, key=lambda r: (r.diverged, np.nan_to_num(r.final_loss, nan=np.inf))).kind


# ----- how far back the gradient reaches, per variant ---------------------------------------------


def hidden_grad_norms(model, x: np.ndarray) -> np.ndarray:
    """‖∂L/∂hₖ‖ (T,) by distance d = T − 1 − k, for L = wᵀh_{T−1}, ‖w‖ = 1, x (T, D) one sequence.

    As on the From RNN to LSTM page (lstm_core.memory): the core's BPTT, loss on the last step.
    """
    x = np.asarray(x, dtype=np.float64)
    trace = model.trace(x)
    g = np.zeros_like(trace.output)
    g[-1] = unit_readout(trace.output.shape[-1], trace.output.dtype)
    grads = model.backward(trace, g)
    dh = grads.layers[-1][0].h[:, 0]  # (T, H) by timestep
    return np.linalg.norm(dh, axis=-1)[::-1].copy()


def gradient_flows(race: Race, trained: bool) -> dict[str, np.ndarray]:
    """kind → ‖∂L/∂hₖ‖ by distance on the held-out batch's first sequence: with the racers'
    current weights (trained) or the weights they started from."""
    x = sequence(race.held_out.x)
    out = {}
    for r in race.racers:
        model = r.model
        if not trained:
            model = make_model(r.kind, race.task.input_size, race.cfg.hidden_size, 0)
            model.load_state_dict(r.initial)
        out[r.kind] = hidden_grad_norms(model, x)
    return out
