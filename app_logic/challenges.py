"""Challenges: set the one-unit cell's 12 numbers so that it does a stated job; a check says
pass or fail with the measured numbers.

Each challenge runs the hand-set cell (`app_logic.hand_cell`) on two or three input sequences
(one feature, so a solution must work on every one of them, not fit one) and turns the run into
target bands: "c (or h) of input k at steps t0..t1 must lie in [lo, hi]". The check passes when
every step of every band is inside; it reports the step that is furthest outside (or, on a pass,
the closest call). The same bands are drawn in the chart. Pure: no Streamlit, no Plotly.
Texts: `assets/i18n/challenges.toml`, keys `challenges.<id>_title`, `_goal`, `_input`, `_hint`,
`_why`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from app_logic import hand_cell
from app_logic.i18n import tr

INF = math.inf


@dataclass(frozen=True)
class Band:
    """A target: `q` ("c" or "h") of input `seq` at steps t0..t1 (inclusive) lies in [lo, hi]."""

    seq: int
    q: str
    t0: int
    t1: int
    lo: float = -INF
    hi: float = INF


@dataclass(frozen=True)
class Reading:
    """One measured step of a band: its value and its margin (< 0: outside, by that much)."""

    band: Band
    t: int
    value: float

    @property
    def margin(self) -> float:
        return min(self.value - self.band.lo, self.band.hi - self.value)


@dataclass(frozen=True, eq=False)
class Challenge:
    """A job for the cell: the inputs (B, T), the bands a run must meet, and a known solution."""

    id: str
    inputs: np.ndarray  # (B, T): B sequences of one feature
    bands: Callable[[np.ndarray, np.ndarray, np.ndarray], list[Band]]  # (x, c, h), each (B, T)
    solution: tuple[float, ...]  # 12 numbers (hand_cell.NAMES) that pass
    quantity: str  # what the job is about: "c" or "h" (the chart's target colour)


@dataclass(frozen=True, eq=False)
class Result:
    """One check: the run (x, c, h, gates, each (B, T)), every band, every step measured."""

    challenge: Challenge
    hand: tuple[float, ...]
    x: np.ndarray
    c: np.ndarray
    h: np.ndarray
    gates: dict[str, np.ndarray]  # "i" "f" "g" "o" → (B, T)
    bands: tuple[Band, ...]
    readings: tuple[Reading, ...]  # one per step of every band

    @property
    def misses(self) -> tuple[Reading, ...]:
        return tuple(r for r in self.readings if r.margin < 0)

    @property
    def passed(self) -> bool:
        return not self.misses

    @property
    def worst(self) -> Reading:
        """The step furthest outside its band (on a pass: the closest call)."""
        return min(self.readings, key=lambda r: (r.margin, r.band.seq, r.t))  # ties: earliest


# ----- running the cell ------------------------------------------------------------------------


def check(ch: Challenge, hand: Sequence[float]) -> Result:
    """Run the cell with `hand` on every input of `ch` and measure every band."""
    hand = hand_cell.check_hand(hand)
    lt = hand_cell.run(hand, ch.inputs.T[:, :, None])  # x (T, B, 1)
    x, c, h = ch.inputs, lt.c[:, :, 0].T, lt.h[:, :, 0].T  # (B, T)
    gates = {g: getattr(lt, g)[:, :, 0].T for g in "ifgo"}
    bands = tuple(ch.bands(x, c, h))
    series = {"c": c, "h": h}
    readings = tuple(
        Reading(b, t, float(series[b.q][b.seq, t])) for b in bands for t in range(b.t0, b.t1 + 1)
    )
    return Result(ch, hand, x, c, h, gates, bands, readings)


# ----- the target bands of each job ------------------------------------------------------------


def _keep_bands(x, c, h) -> list[Band]:
    """c₀ holds x₀'s sign with |c₀| ≥ 0.5, and c at the last step is within 20 % of c₀."""
    out, T = [], x.shape[1]
    for k in range(x.shape[0]):
        sign = 1.0 if x[k, 0] > 0 else -1.0
        out.append(Band(k, "c", 0, 0, 0.5, INF) if sign > 0 else Band(k, "c", 0, 0, -INF, -0.5))
        kept = sorted((0.8 * float(c[k, 0]), 1.2 * float(c[k, 0])))
        out.append(Band(k, "c", T - 1, T - 1, *kept))
    return out


RESET = -1.0  # the reset signal of the "reset" challenge


def _reset_bands(x, c, h) -> list[Band]:
    """After a write (x = 1) c ≥ 0.5 until a reset (x = −1); from a reset on |c| ≤ 0.15."""
    out = []
    for k in range(x.shape[0]):
        state = None
        for t, xt in enumerate(x[k]):
            if xt > 0:
                state = "kept"
            elif xt == RESET:
                state = "reset"
            if state == "kept":
                out.append(Band(k, "c", t, t, 0.5, INF))
            elif state == "reset":
                out.append(Band(k, "c", t, t, -0.15, 0.15))
    return _merge(out)


def _positive_bands(x, c, h) -> list[Band]:
    """c is the last positive input (±0.25), and about 0 (±0.25) before the first one."""
    out = []
    for k in range(x.shape[0]):
        last = 0.0
        for t, xt in enumerate(x[k]):
            if xt > 0:
                last = float(xt)
            out.append(Band(k, "c", t, t, last - 0.25, last + 0.25))
    return _merge(out)


ASK = -1.0  # the "show me" signal of the "ask" challenge


def _ask_bands(x, c, h) -> list[Band]:
    """At an ask (x = −1), h shows the memory: h ≥ 0.4 if a value was written, |h| ≤ 0.1 if not;
    at every other step the output is shut: |h| ≤ 0.1."""
    out = []
    for k in range(x.shape[0]):
        written = False
        for t, xt in enumerate(x[k]):
            written = written or xt > 0
            if xt == ASK and written:
                out.append(Band(k, "h", t, t, 0.4, INF))
            else:
                out.append(Band(k, "h", t, t, -0.1, 0.1))
    return _merge(out)


def _count_bands(x, c, h) -> list[Band]:
    """c is the number of 1s so far, within ±0.4, at every step."""
    counts = np.cumsum(x > 0.5, axis=1)
    return _merge(
        [
            Band(k, "c", t, t, float(n) - 0.4, float(n) + 0.4)
            for k in range(x.shape[0])
            for t, n in enumerate(counts[k])
        ]
    )


BIG = 0.8  # |x| from which an input counts as large in the "sign" challenge


def _sign_bands(x, c, h) -> list[Band]:
    """c has the sign of the last large input (|x| ≥ 0.8), with |c| ≥ 0.3; small inputs do not
    change it."""
    out = []
    for k in range(x.shape[0]):
        sign = 0.0
        for t, xt in enumerate(x[k]):
            if abs(xt) >= BIG:
                sign = math.copysign(1.0, xt)
            if sign > 0:
                out.append(Band(k, "c", t, t, 0.3, INF))
            elif sign < 0:
                out.append(Band(k, "c", t, t, -INF, -0.3))
    return _merge(out)


def _merge(bands: list[Band]) -> list[Band]:
    """Neighbouring one-step bands with the same limits become one band (fewer, clearer boxes)."""
    out: list[Band] = []
    for b in bands:
        p = out[-1] if out else None
        if p and (p.seq, p.q, p.lo, p.hi, p.t1 + 1) == (b.seq, b.q, b.lo, b.hi, b.t0):
            out[-1] = Band(p.seq, p.q, p.t0, b.t1, p.lo, p.hi)
        else:
            out.append(b)
    return out


def _seq(*values: float, T: int) -> list[float]:
    """A sequence of T steps: `values` then zeros."""
    return [*values, *[0.0] * (T - len(values))]


def _pulses(T: int, **at: float) -> list[float]:
    """A sequence of T zeros with x[t] = v for every t_<t>=v given."""
    x = [0.0] * T
    for key, v in at.items():
        x[int(key[1:])] = v
    return x


def _array(rows) -> np.ndarray:
    a = np.array(rows, dtype=np.float64)
    a.flags.writeable = False
    return a


CHALLENGES: tuple[Challenge, ...] = (
    Challenge(
        "keep",
        _array([_seq(1.0, T=21), _seq(-1.0, T=21), _seq(0.5, T=21)]),
        _keep_bands,
        (0, 0, 5, 0, 0, 0, 0, 0, 5, 5, 0, 1),
        "c",
    ),
    Challenge(
        "reset",
        _array(
            [
                _pulses(14, t0=1.0, t8=RESET),
                _pulses(14, t0=1.0, t4=RESET, t7=1.0, t11=RESET),
                _pulses(14, t2=1.0),
            ]
        ),
        _reset_bands,
        (5, 5, 5, 0, 0, 0, 0, 0, 0, 3, 0, 1),
        "c",
    ),
    Challenge(
        "positive",
        _array(
            [
                [-1, -0.8, 1, -1, -0.8, -1, 0.6, -1, -1, -0.8, 1, -1],
                [-0.8, -1, -1, 0.6, -0.8, -1, -1, -1, 1, -0.8, -1, -1],
            ]
        ),
        _positive_bands,
        (5, -5, 1.5, 0, 0, 0, 0, 0, -1, 0, 0, 1),
        "c",
    ),
    Challenge(
        "ask",
        _array(
            [
                _pulses(12, t0=1.0, t4=ASK, t8=ASK),
                _pulses(12, t1=1.0, t3=ASK, t6=ASK, t10=ASK),
                _pulses(12, t3=ASK, t9=ASK),
            ]
        ),
        _ask_bands,
        (5, 0, 5, -5, 0, 0, 0, 0, 0, 5, 0, -3),
        "h",
    ),
    Challenge(
        "count",
        _array(
            [
                [1, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0, 1],
                [0, 0, 1, 0, 1, 1, 1, 1, 0, 1, 0, 0],
                [1, 1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1],
            ]
        ),
        _count_bands,
        (0, 0, 5, 0, 0, 0, 0, 0, 5, 5, 0, 1),
        "c",
    ),
    Challenge(
        "sign",
        _array(
            [
                [1, 0.2, -0.3, 0.3, -1, 0.3, 0.2, -0.2, 0.3, 1, -0.3, -0.2, 0.3, -0.3],
                [-1, -0.3, 0.3, 1, 0.2, -0.3, -0.3, 0.2, -1, 0.3, 0.3, 0.2, 1, -0.2],
            ]
        ),
        _sign_bands,
        (0, 0, 5, 0, 0, 0, 4, 0, 5, -3, 0, 5),
        "c",
    ),
)
IDS = tuple(ch.id for ch in CHALLENGES)
BY_ID = {ch.id: ch for ch in CHALLENGES}


def get(challenge_id: str) -> Challenge:
    """A challenge by id; KeyError naming the ids if there is none."""
    if challenge_id not in BY_ID:
        raise KeyError(f"no challenge {challenge_id!r}; the challenges are {list(IDS)}")
    return BY_ID[challenge_id]


# ----- what the check says ---------------------------------------------------------------------


def num(v: float, near: Sequence[float] = ()) -> str:
    """v with 2 decimals, more if that would read equal to a limit it is compared with."""
    for digits in (2, 3, 4):
        s = f"{v:.{digits}f}"
        if all(s != f"{n:.{digits}f}" for n in near if math.isfinite(n)) or digits == 4:
            return s.replace("-", "−")
    return str(v)


def needed(band: Band, lang: str, value: float | None = None) -> str:
    """The band as the learner reads it: "≥ 0.50", "≤ −0.50", "between −0.10 and 0.10"."""
    near = () if value is None else (value,)
    lo, hi = num(band.lo, near), num(band.hi, near)
    if band.hi == INF:
        return f"≥ {lo}"
    if band.lo == -INF:
        return f"≤ {hi}"
    return tr("challenges.between", lang, lo=lo, hi=hi)


def reading_text(r: Reading, lang: str) -> str:
    """ "input 2: c at t = 20 is 0.31, needed ≥ 0.80" """
    b = r.band
    return tr(
        "challenges.reading",
        lang,
        seq=b.seq + 1,
        q=b.q,
        t=r.t,
        value=num(r.value, (b.lo, b.hi)),
        need=needed(b, lang, r.value),
    )


def verdict(result: Result, lang: str) -> str:
    """Pass or fail, with the measured numbers of the step that decides it."""
    n_in = result.x.shape[0]
    if result.passed:
        return tr("challenges.pass", lang, n=n_in, reading=reading_text(result.worst, lang))
    return tr(
        "challenges.fail",
        lang,
        reading=reading_text(result.worst, lang),
        missed=len(result.misses),
        steps=len(result.readings),
    )
