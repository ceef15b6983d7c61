"""What the "Inside a GRU cell" page shows: one GRU timestep, stage by stage (pure, no Streamlit).

torch.nn.GRU's equations for unit j at timestep t (gate order r, z, n in the 3H rows):

    rₜ = σ(W_ir xₜ + b_ir + W_hr hₜ₋₁ + b_hr)          reset gate
    zₜ = σ(W_iz xₜ + b_iz + W_hz hₜ₋₁ + b_hz)          update gate
    nₜ = tanh(W_in xₜ + b_in + rₜ ⊙ (W_hn hₜ₋₁ + b_hn))  candidate
    hₜ = (1 − zₜ) ⊙ nₜ + zₜ ⊙ hₜ₋₁                    new memory: z KEEPS the old h

Every number is recomputed here from the model's weights and compared (in tests) with the core's
trace, so the page's equation and the model can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

STAGES = ("reset", "update", "candidate", "hidden")
SYMBOL = {"reset": "r", "update": "z", "candidate": "n", "hidden": "h"}
GATE_ROW = {"r": 0, "z": 1, "n": 2}  # torch's order in weight_ih / weight_hh (3H rows)

# The prediction asked before each stage is revealed: (option ids), the first is the "low" side.
QUESTIONS = {
    "reset": ("low", "high"),  # r < ½: little of hₜ₋₁ reaches the candidate; r ≥ ½: much
    "update": ("new", "keep"),  # z < ½: hₜ takes mostly n; z ≥ ½: hₜ keeps mostly hₜ₋₁
    "candidate": ("negative", "positive"),  # the sign of n
    "hidden": ("near_n", "near_h"),  # hₜ lands closer to n or to hₜ₋₁
}


@dataclass(frozen=True)
class GruNumbers:
    """Every number of one unit j at one timestep t (layer 0, forward), as the equations use them.

    `x*` are the input parts W_i· xₜ + b_i·, `h*` the hidden parts W_h· hₜ₋₁ + b_h· of each gate.
    """

    t: int
    j: int
    x: np.ndarray  # (D,) xₜ
    h_prev: float  # hₜ₋₁[j]
    xr: float
    hr: float
    r: float
    xz: float
    hz: float
    z: float
    xn: float
    hn: float
    n: float
    h: float  # hₜ[j] = (1 − z) n + z hₜ₋₁

    @property
    def kept(self) -> float:
        """z ⊙ hₜ₋₁: the share of the old memory kept."""
        return self.z * self.h_prev

    @property
    def written(self) -> float:
        """(1 − z) ⊙ n: the share of the candidate written."""
        return (1.0 - self.z) * self.n

    def value(self, stage: str) -> float:
        return getattr(self, SYMBOL[stage])


def _sigmoid(v: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * v))  # = 1 / (1 + e^−v), with no overflow


def _rows(a: np.ndarray, gate: str, H: int) -> np.ndarray:
    g = GATE_ROW[gate]
    return a[g * H : (g + 1) * H]


def gru_numbers(model, x: np.ndarray, trace, t: int, j: int) -> GruNumbers:
    """The numbers of unit j at timestep t for a one-layer GRU `model` run on x (T, D) unbatched.

    The input and hidden parts come from the model's weights; hₜ₋₁ from the trace.
    """
    x = np.asarray(x, dtype=np.float64)
    T, H = x.shape[0], model.hidden_size
    if not 0 <= t < T:
        raise ValueError(f"t must be in [0, {T}), got {t}")
    if not 0 <= j < H:
        raise ValueError(f"j must be in [0, {H}), got {j}")
    sd = model.state_dict()
    w_ih, w_hh = sd["weight_ih_l0"], sd["weight_hh_l0"]
    b_ih = sd.get("bias_ih_l0", np.zeros(3 * H))
    b_hh = sd.get("bias_hh_l0", np.zeros(3 * H))
    lt = trace.layers[0][0]
    h_prev = np.asarray(lt.h_prev[t, 0], dtype=np.float64)  # (H,) hₜ₋₁
    a = w_ih @ x[t] + b_ih  # (3H,) input parts
    b = w_hh @ h_prev + b_hh  # (3H,) hidden parts
    xr, xz, xn = (_rows(a, g, H)[j] for g in "rzn")
    hr, hz, hn = (_rows(b, g, H)[j] for g in "rzn")
    r = _sigmoid(xr + hr)
    z = _sigmoid(xz + hz)
    n = np.tanh(xn + r * hn)
    h = (1.0 - z) * n + z * h_prev[j]
    return GruNumbers(
        t=t,
        j=j,
        x=x[t].copy(),
        h_prev=float(h_prev[j]),
        xr=float(xr),
        hr=float(hr),
        r=float(r),
        xz=float(xz),
        hz=float(hz),
        z=float(z),
        xn=float(xn),
        hn=float(hn),
        n=float(n),
        h=float(h),
    )


def correct_answer(stage: str, nums: GruNumbers) -> str:
    """The option of QUESTIONS[stage] that the revealed numbers make true."""
    low, high = QUESTIONS[stage]
    if stage == "reset":
        return high if nums.r >= 0.5 else low
    if stage == "update":
        return high if nums.z >= 0.5 else low
    if stage == "candidate":
        return high if nums.n >= 0 else low
    # |hₜ − hₜ₋₁| = (1 − z)|n − hₜ₋₁| and |hₜ − n| = z|n − hₜ₋₁|: closer to hₜ₋₁ exactly when z > ½
    return high if abs(nums.h - nums.h_prev) <= abs(nums.h - nums.n) else low


def judge(stage: str, nums: GruNumbers, choice: str | None) -> bool | None:
    """True/False: the prediction was right/wrong; None: no prediction was made."""
    if choice is None:
        return None
    if choice not in QUESTIONS[stage]:
        raise ValueError(f"choice must be one of {QUESTIONS[stage]}, got {choice!r}")
    return choice == correct_answer(stage, nums)


def paired_traces(lstm_trace, gru_trace) -> dict[str, np.ndarray]:
    """The top layer's forward h (and the LSTM's c) over time, (T, H) each, side by side."""
    lt, gt = lstm_trace.layers[-1][0], gru_trace.layers[-1][0]
    return {
        "lstm_h": np.asarray(lt.h[:, 0], dtype=np.float64),
        "lstm_c": np.asarray(lt.c[:, 0], dtype=np.float64),
        "gru_h": np.asarray(gt.h[:, 0], dtype=np.float64),
    }


def param_count(D: int, H: int, gates: int) -> int:
    """Parameters of one layer with biases: gates·H·(D + H + 2) (LSTM gates = 4, GRU gates = 3)."""
    return gates * H * (D + H + 2)


def build_gru(x: np.ndarray, H: int, seed: int):
    """(model, trace): a one-layer GRU with H units, weights from `seed`, run on x (T, D)."""
    from lstm_core import GRU  # the core's twin of torch.nn.GRU

    x = np.asarray(x, dtype=np.float64)
    model = GRU(x.shape[1], H, seed=seed).eval()
    return model, model.trace(x)


def opening_t(trace, clear: float = 0.1) -> int:
    """Where the page opens: the first t whose incoming hₜ₋₁ is clearly non-zero (at t = 0 the
    memory is empty, so z ⊙ hₜ₋₁ would show nothing); 0 if there is none."""
    h_prev = np.abs(np.asarray(trace.layers[0][0].h_prev[:, 0]))  # (T, H)
    hits = np.flatnonzero(h_prev.max(axis=-1) >= clear)
    return int(hits[0]) if hits.size else 0


def opening_unit(trace, t: int) -> int:
    """The unit the page opens on: the one whose incoming memory hₜ₋₁ is largest at t."""
    return int(np.argmax(np.abs(np.asarray(trace.layers[0][0].h_prev[t, 0]))))
