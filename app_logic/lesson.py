"""The guided lesson: seven chapters that follow the article, each with an example run of lstm_core.

Every chapter has a prediction (asked before its figure reveals the answer), a check question with
an explanation for every option, and a "try it" value that changes the example. The examples are
the lesson's own (independent of the sidebar): small cells with hand-set weights, so each number
makes one point. Pure: no Streamlit, no Plotly. Texts are `lesson.ch{n}_*` in
assets/i18n/lesson.toml, formatted with `numbers(example)`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from lstm_core import LSTM, RNN
from lstm_core.memory import forget_products

N_CHAPTERS = 7
TORCH_SEED = 0  # chapter 7: the model, the input and h0/c0 all come from this seed


@dataclass(frozen=True)
class Question:
    """A multiple-choice question: option ids in the order shown, and the right one."""

    kind: str  # "predict" (before the reveal) or "check" (after it)
    options: tuple[str, ...]
    answer: str


@dataclass(frozen=True)
class TryIt:
    """The one value a learner changes: `name` (what it sets), the values offered, the default."""

    name: str
    values: tuple[float, ...]
    default: float


@dataclass(frozen=True)
class Chapter:
    n: int  # 1-based, as in the URL
    page: str  # the app page that shows the same thing in full
    predict: Question
    check: Question
    try_it: TryIt

    def question(self, kind: str) -> Question:
        return {"predict": self.predict, "check": self.check}[kind]

    def key(self, part: str) -> str:
        """The i18n key of one of this chapter's texts, e.g. key("title") == "lesson.ch3_title"."""
        return f"lesson.ch{self.n}_{part}"


def _q(kind: str, answer: str, *others: str, order: tuple[int, ...] = ()) -> Question:
    options = (answer, *others)
    if order:  # the right answer is not always the first one shown
        options = tuple(options[k] for k in order)
    return Question(kind, options, answer)


_BIASES = tuple(float(b) for b in range(-6, 4))  # a gate from shut (σ ≈ 0.01) to wide open
CHAPTERS = (
    Chapter(
        1, "pages/cell.py",
        _q("predict", "c", "h", "both", "neither"),
        _q("check", "green", "rose", "grey", "blue", order=(1, 0, 2, 3)),
        TryIt("x", (-2.0, -1.0, -0.5, 0.5, 1.0, 2.0), 1.0),
    ),
    Chapter(
        2, "pages/cell.py",
        _q("predict", "shrink", "same", "grow", "flip"),
        _q("check", "keep", "forget", "add", "h", order=(1, 0, 2, 3)),
        TryIt("b_f", (-4.0, -3.0, -2.1, -1.0, 0.0, 1.0, 2.0, 3.0, 4.0), -2.1),
    ),
    Chapter(
        3, "pages/cell.py",
        _q("predict", "product", "sum", "g", "i", order=(1, 0, 2, 3)),
        _q("check", "roles", "convention", "speed", "negative"),
        TryIt("x", (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0), 1.0),
    ),
    Chapter(
        4, "pages/cell.py",
        _q("predict", "sum", "no_forget", "kept", "times", order=(2, 1, 0, 3)),
        _q("check", "same", "decays", "grows", "becomes_h"),
        TryIt("b_i", _BIASES, 1.0),
    ),
    Chapter(
        5, "pages/cell.py",
        _q("predict", "h", "no_tanh", "no_gate", "c", order=(1, 2, 0, 3)),
        _q("check", "kept", "erased", "next_zero", "h_old", order=(1, 0, 2, 3)),
        TryIt("b_o", _BIASES, -2.0),
    ),
    Chapter(
        6, "pages/rnn_vs_lstm.py",
        _q("predict", "product", "one_step", "nothing", "all", order=(1, 0, 2, 3)),
        _q("check", "path", "bigger", "units", "tanh"),
        TryIt("b_f", (0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0), 3.0),
    ),
    Chapter(
        7, "pages/compare.py",
        _q("predict", "output", "state", "features", "last"),
        _q("check", "layers", "directions", "hc", "steps", order=(1, 2, 0, 3)),
        TryIt("b", (0.0, 1.0, 2.0), 0.0),
    ),
)  # fmt: skip


def chapter(n: int) -> Chapter:
    """Chapter n (1-based); ValueError outside 1..N_CHAPTERS."""
    if not 1 <= n <= N_CHAPTERS:
        raise ValueError(f"chapter must be 1..{N_CHAPTERS}, got {n}")
    return CHAPTERS[n - 1]


def parse_chapter(raw: str) -> int:
    """The chapter number of a URL value like "3"; ValueError for anything else ("abc", "99")."""
    text = str(raw).strip()
    if not (text.isascii() and text.isdigit()):  # no sign, no point, no spaces inside
        raise ValueError(f"chapter must be a whole number 1..{N_CHAPTERS}, got {raw!r}")
    return chapter(int(text)).n


# ----- answers ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Feedback:
    right: bool
    why_key: str  # the explanation of the chosen option (i18n key)


def check(n: int, kind: str, choice: str) -> Feedback:
    """Is `choice` the right answer of chapter n's question `kind`, and why (or why not)."""
    q = chapter(n).question(kind)
    if choice not in q.options:
        raise ValueError(f"{choice!r} is not an option of chapter {n}'s {kind}: {q.options}")
    return Feedback(choice == q.answer, f"lesson.ch{n}_{kind}_{choice}_why")


def option_key(n: int, kind: str, choice: str) -> str:
    return f"lesson.ch{n}_{kind}_{choice}"


def progress(answers: Mapping[int, Mapping[str, str]]) -> tuple[bool | None, ...]:
    """Per chapter: True (check question answered right), False (answered wrong), None (not yet)."""
    out = []
    for ch in CHAPTERS:
        choice = answers.get(ch.n, {}).get("check")
        out.append(None if choice is None else choice == ch.check.answer)
    return tuple(out)


# ----- the examples ----------------------------------------------------------------------------


@dataclass(frozen=True)
class CellStep:
    """Every value of one timestep t of a 1-unit cell (floats, from the core's trace)."""

    t: int
    x: float
    h_prev: float
    c_prev: float
    i: float
    f: float
    g: float
    o: float
    kept: float  # fₜ × cₜ₋₁
    written: float  # iₜ × gₜ
    c: float
    tanh_c: float
    h: float


@dataclass(frozen=True, eq=False)
class Example:
    """A chapter's run of a 1-unit cell: the series over time and the step the chapter shows."""

    n: int
    value: float  # the try-it value it was run with
    x: np.ndarray  # (T,) the input
    c: np.ndarray  # (T,) long-term memory cₜ
    h: np.ndarray  # (T,) short-term memory hₜ
    f: np.ndarray  # (T,) forget gate fₜ
    step: CellStep  # the timestep the chapter talks about
    share: np.ndarray | None = None  # (T,) chapter 6: ∏ f₁…fₜ, the share of c₀ still in cₜ
    rnn_share: np.ndarray | None = None  # (T,) chapter 6: hₜ / h₀ of the plain RNN

    @property
    def T(self) -> int:
        return len(self.x)


@dataclass(frozen=True, eq=False)
class ShapesExample:
    """Chapter 7: the article's nn.LSTM(10, 20, num_layers=2) on (5, 3, 10), in our core."""

    n: int
    value: float  # the sequence b of the batch the figure shows
    x: np.ndarray  # (5, 3, 10) input: (T, B, D)
    h0: np.ndarray  # (2, 3, 20) (layers, B, H)
    c0: np.ndarray  # (2, 3, 20)
    output: np.ndarray  # (5, 3, 20) the top layer's h at every step
    h_n: np.ndarray  # (2, 3, 20) each layer's last h
    c_n: np.ndarray  # (2, 3, 20) each layer's last c

    @property
    def b(self) -> int:
        return int(self.value)


# The hand-set 1-unit cells, 12 numbers in torch's gate order i, f, g, o (like the sidebar's
# "hand" weights): x-weights w, h-weights u, biases b.
HAND = ("w_i", "w_f", "w_g", "w_o", "u_i", "u_f", "u_g", "u_o", "b_i", "b_f", "b_g", "b_o")
# Chapter 1: i = σ(1), f = σ(1.5), g = tanh(x), o = σ(1): c adds up what each step writes.
MEMORIES_CELL = (0, 0, 1, 0, 0, 0, 0, 0, 1, 1.5, 0, 1)
# Chapters 2–5: one cell at one moment, in the middle of a sequence (it holds something already).
STEP_CELL = (1, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 1, -0.75, 0, -2)
STEP_STATE = {"x": 1.0, "h_prev": 0.5, "c_prev": 1.5}
# Chapter 6: one input at t = 0, then zeros: nothing is written after t = 0 (g = tanh(0) = 0)
# and fₜ = σ(b_f) at every step, so cₜ = f₁ ⋯ fₜ × c₀ exactly.
TIME_CELL = (2, 0, 2, 0, 0, 0, 0, 0, 0, 3, 0, 1)
TIME_T = 21  # t = 0 … 20
RNN_WEIGHTS = (2.0, 0.9)  # the plain RNN: hₜ = tanh(2 xₜ + 0.9 hₜ₋₁)


def _cell(hand: tuple[float, ...]) -> LSTM:
    """The 1-unit LSTM of 12 hand-set numbers (bias_hh is zero)."""
    w = np.asarray(hand, dtype=np.float64)
    model = LSTM(1, 1)
    model.load_state_dict(
        {
            "weight_ih_l0": w[0:4, None],  # (4, 1)
            "weight_hh_l0": w[4:8, None],  # (4, 1)
            "bias_ih_l0": w[8:12].copy(),  # (4,)
            "bias_hh_l0": np.zeros(4),
        }
    )
    return model.eval()


def _with(hand: tuple[float, ...], name: str, value: float) -> tuple[float, ...]:
    out = list(hand)
    out[HAND.index(name)] = float(value)
    return tuple(out)


def _cell_step(lt, t: int) -> CellStep:
    def v(name: str) -> float:
        return float(getattr(lt, name)[t, 0, 0])

    return CellStep(
        t=t, x=v("x"), h_prev=v("h_prev"), c_prev=v("c_prev"), i=v("i"), f=v("f"), g=v("g"),
        o=v("o"), kept=v("kept"), written=v("written"), c=v("c"), tanh_c=v("tanh_c"), h=v("h"),
    )  # fmt: skip


def _run(n: int, value: float, hand, x: np.ndarray, t: int, hx=None, **extra) -> Example:
    lt = _cell(hand).trace(x[:, None], hx=hx).layers[0][0]
    series = {name: np.asarray(getattr(lt, name)[:, 0, 0]).copy() for name in ("c", "h", "f")}
    return Example(n, float(value), x.copy(), step=_cell_step(lt, t), **series, **extra)


def _memories(a: float) -> Example:
    """x = a for five steps, then 0 for five: c adds up, h stays inside −1…1."""
    x = np.array([a] * 5 + [0.0] * 5)
    return _run(1, a, MEMORIES_CELL, x, t=4)


def _one_step(n: int, name: str, value: float) -> Example:
    """One step of STEP_CELL (with `name` set to `value`) from the state STEP_STATE."""
    s = STEP_STATE
    x = np.array([s["x"] if name != "x" else value])
    hx = (np.array([[s["h_prev"]]]), np.array([[s["c_prev"]]]))  # (layers, H), unbatched
    return _run(n, value, _with(STEP_CELL, name, value) if name != "x" else STEP_CELL, x, 0, hx)


def _rnn_share() -> np.ndarray:
    """hₜ / h₀ of a 1-unit RNN on the same input: what is left of what it saw at t = 0."""
    w, u = RNN_WEIGHTS
    rnn = RNN(1, 1)
    rnn.load_state_dict(
        {"weight_ih_l0": np.array([[w]]), "weight_hh_l0": np.array([[u]]),
         "bias_ih_l0": np.zeros(1), "bias_hh_l0": np.zeros(1)}
    )  # fmt: skip
    h = rnn.eval().trace(_impulse()[:, None]).output[:, 0]
    return h / h[0]


def _impulse() -> np.ndarray:
    x = np.zeros(TIME_T)
    x[0] = 1.0
    return x


def _over_time(b_f: float) -> Example:
    """One input at t = 0, then zeros, through the LSTM (fₜ = σ(b_f)) and the plain RNN."""
    x = _impulse()
    ex = _run(6, b_f, _with(TIME_CELL, "b_f", b_f), x, t=0)  # the step that writes c₀
    # share[t] = f₁ ⋯ fₜ: forget_products of the first t+1 steps, read at k = 0.
    share = np.array([forget_products(ex.f[: t + 1, None])[0, 0] for t in range(TIME_T)])
    return Example(
        ex.n, ex.value, ex.x, ex.c, ex.h, ex.f, ex.step, share=share, rnn_share=_rnn_share()
    )


def _shapes(b: float) -> ShapesExample:
    """The article's example: nn.LSTM(10, 20, num_layers=2), input (5, 3, 10), h0/c0 (2, 3, 20)."""
    model, x, h0, c0 = torch_example_inputs()
    output, (h_n, c_n) = model(x, (h0, c0))
    return ShapesExample(7, float(b), x, h0, c0, output, h_n, c_n)


def torch_example_inputs() -> tuple[LSTM, np.ndarray, np.ndarray, np.ndarray]:
    """The model and the numbers of chapter 7, all from TORCH_SEED (nothing from the sidebar)."""
    model = LSTM(input_size=10, hidden_size=20, num_layers=2, seed=TORCH_SEED).eval()
    rng = np.random.default_rng(TORCH_SEED)
    x = rng.standard_normal((5, 3, 10))  # input = torch.randn(5, 3, 10)
    h0 = rng.standard_normal((2, 3, 20))  # h0 = torch.randn(2, 3, 20)
    c0 = rng.standard_normal((2, 3, 20))  # c0 = torch.randn(2, 3, 20)
    return model, x, h0, c0


@functools.lru_cache(maxsize=64)
def example(n: int, value: float | None = None) -> Example | ShapesExample:
    """Chapter n's example run with its try-it value (default: the chapter's own)."""
    ch = chapter(n)
    value = ch.try_it.default if value is None else float(value)
    if value not in ch.try_it.values:
        raise ValueError(
            f"chapter {n}'s {ch.try_it.name} is one of {ch.try_it.values}, got {value}"
        )
    if n == 1:
        return _memories(value)
    if n in (2, 3, 4, 5):
        return _one_step(n, ch.try_it.name, value)
    if n == 6:
        return _over_time(value)
    return _shapes(value)


def torch_differences() -> dict[str, float]:
    """max |ours − torch| of output, h_n and c_n for chapter 7's example (imports torch)."""
    from lstm_core import torch_bridge  # torch itself is imported inside, lazily

    model, x, h0, c0 = torch_example_inputs()
    ours, (h_n, c_n) = model(x, (h0, c0))
    theirs, (t_h, t_c) = torch_bridge.run_torch(torch_bridge.to_torch(model), x, (h0, c0))
    return {
        "output": float(np.max(np.abs(ours - theirs))),
        "h_n": float(np.max(np.abs(h_n - t_h))),
        "c_n": float(np.max(np.abs(c_n - t_c))),
    }


# ----- numbers for the texts -------------------------------------------------------------------


def _fmt(v: float) -> str:
    return f"{v:.2f}"


def _pct(v: float) -> str:
    return f"{100 * v:.0f}%" if v >= 0.01 else "< 1%"


def _vec(a: np.ndarray) -> str:
    return "[" + ", ".join(f"{v:.3f}" for v in a) + "]"


def numbers(ex: Example | ShapesExample) -> dict[str, str]:
    """The example's numbers as the texts show them (placeholders of lesson.ch{n}_* texts)."""
    if isinstance(ex, ShapesExample):
        b = ex.b
        return {
            "b": str(b), "seed": str(TORCH_SEED),
            "out": _vec(ex.output[-1, b, :3]), "hn": _vec(ex.h_n[-1, b, :3]),
            "output_shape": str(ex.output.shape), "state_shape": str(ex.h_n.shape),
            "input_shape": str(ex.x.shape), "features_shape": str(ex.output.shape[:2] + (10,)),
            "last_shape": str(ex.output.shape[1:]),
        }  # fmt: skip
    s = ex.step
    out = {
        "t": str(s.t), "x": _fmt(s.x), "h_prev": _fmt(s.h_prev), "c_prev": _fmt(s.c_prev),
        "i": _fmt(s.i), "f": _fmt(s.f), "g": _fmt(s.g), "o": _fmt(s.o), "kept": _fmt(s.kept),
        "written": _fmt(s.written), "c": _fmt(s.c), "tanh_c": _fmt(s.tanh_c), "h": _fmt(s.h),
        "value": f"{ex.value:g}",
        # the wrong answers of the predictions: each a real mistake, computed the mistaken way
        "i_plus_g": _fmt(s.i + s.g), "no_forget": _fmt(s.c_prev + s.written),
        "times": _fmt(s.kept * s.written), "o_times_c": _fmt(s.o * s.c),
        "c_max": _fmt(float(np.max(np.abs(ex.c)))), "h_max": _fmt(float(np.max(np.abs(ex.h)))),
    }  # fmt: skip
    if ex.share is not None:
        out |= {
            "f_pct": _pct(s.f), "share": _fmt(ex.share[-1]), "share_pct": _pct(ex.share[-1]),
            "c0": _fmt(ex.c[0]), "c_last": _fmt(ex.c[-1]), "steps": str(ex.T - 1),
            "rnn_share": _fmt(ex.rnn_share[-1]), "rnn_pct": _pct(ex.rnn_share[-1]),
            "rnn_u": f"{RNN_WEIGHTS[1]:g}",
        }  # fmt: skip
    return out


def question_numbers(n: int) -> dict[str, str]:
    """The numbers a chapter's questions quote: those of its default example (what the learner
    predicts on, before any try-it change)."""
    return numbers(example(n))
