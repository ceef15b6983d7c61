"""The Compare page's work, without Streamlit: one configuration, NumPy and torch.nn.LSTM.

Everything torch does goes through `lstm_core.torch_bridge` and `app_logic.compare_torch` (which
import torch lazily), so this module imports no torch itself and can be read, tested and fuzzed
like any pure module.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field

import numpy as np

from app_logic import compare_torch as ct
from app_logic.limits import COMPARE_LIMITS as LIMITS  # every size the page accepts
from app_logic.limits import MAX_LENGTHS_CHARS
from lstm_core import GRU, LSTM
from lstm_core import torch_bridge as tb
from lstm_core.gradcheck import numerical_grad, weighted_sum_loss

FLOAT64_TOL = 1e-12  # float64: round-off, relative to max(1, max |torch value|)
FLOAT32_FLOOR = 1e-5  # float32: never tighter than this
FLOAT32_SAFETY = 10.0  # float32: times torch's own float32-vs-float64 disagreement
GATE_NAMES = ("i", "f", "g", "o", "c", "h")
TENSOR_NAMES = ("output", "h_n", "c_n")
KINDS = ("lstm", "gru")  # the model compared: torch.nn.LSTM or torch.nn.GRU


class CompareError(ValueError):
    """A bad setting: the English message, plus the i18n key and fields to translate it."""

    def __init__(self, key: str, message: str, **fmt) -> None:
        super().__init__(message)
        self.key = f"compare.err_{key}"
        self.fmt = fmt


@dataclass(frozen=True)
class CompareConfig:
    """Every option of the comparison: nn.LSTM's constructor, dtype, the input and the state."""

    input_size: int = 10
    hidden_size: int = 20
    num_layers: int = 2
    bias: bool = True
    batch_first: bool = False
    bidirectional: bool = False
    proj_size: int = 0
    dropout: float = 0.0
    train: bool = False  # module mode: dropout acts only in train mode
    dtype: str = "float64"
    seq_len: int = 5  # T
    batch: int = 3  # B
    random_state: bool = True  # h0, c0 drawn at random (as in the article) or zeros
    lengths: tuple[int, ...] | None = None  # one length per batch element, or all T
    seed: int = 0
    # A given input x (T rows of D numbers, batch 1), e.g. the other pages' input; None: random
    # from the seed. A tuple, so the configuration stays hashable (a cache key).
    x: tuple[tuple[float, ...], ...] | None = None
    kind: str = "lstm"  # "lstm" (nn.LSTM) or "gru" (nn.GRU: no c, no proj_size)

    @property
    def torch_name(self) -> str:
        return "torch.nn.GRU" if self.kind == "gru" else "torch.nn.LSTM"

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def h_out(self) -> int:
        return self.proj_size or self.hidden_size

    def model_args(self) -> dict:
        """The constructor arguments shared by our model and torch's (nn.GRU has no proj_size)."""
        args = {
            "input_size": self.input_size,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "bias": self.bias,
            "batch_first": self.batch_first,
            "dropout": self.dropout,
            "bidirectional": self.bidirectional,
            "proj_size": self.proj_size,
        }
        if self.kind == "gru":
            del args["proj_size"]
        return args

    @property
    def dropout_active(self) -> bool:
        """Dropout masks are drawn: train mode, p > 0 and a layer above to feed."""
        return self.train and self.dropout > 0 and self.num_layers > 1


def check_config(cfg: CompareConfig) -> list[CompareError]:
    """Every problem with a configuration (empty when it can run)."""
    problems = []
    for name, (lo, hi) in LIMITS.items():
        v = getattr(cfg, name)
        if not lo <= v <= hi:
            problems.append(
                CompareError(
                    "limit",
                    f"{name} must be between {lo} and {hi}, got {v}",
                    name=name,
                    lo=lo,
                    hi=hi,
                    got=v,
                )
            )
    if cfg.x is not None and (
        cfg.batch != 1 or np.shape(cfg.x) != (cfg.seq_len, cfg.input_size)
    ):  # the page sets these from x: a programming error, said plainly
        problems.append(
            CompareError(
                "given_x",
                f"x has shape {np.shape(cfg.x)}; T = {cfg.seq_len}, D = {cfg.input_size}, "
                f"B = {cfg.batch} (must be 1)",
            )
        )
    if cfg.kind not in KINDS:
        problems.append(CompareError("kind", f"kind must be one of {KINDS}, got {cfg.kind!r}"))
    if cfg.kind == "gru" and cfg.proj_size:
        problems.append(CompareError("gru_proj", f"nn.GRU has no proj_size, got {cfg.proj_size}"))
    elif cfg.proj_size and cfg.proj_size >= cfg.hidden_size:
        problems.append(
            CompareError(
                "proj",
                f"proj_size must be < hidden_size ({cfg.hidden_size}), got {cfg.proj_size}",
                hidden=cfg.hidden_size,
                got=cfg.proj_size,
            )
        )
    if not 0.0 <= cfg.dropout <= 1.0:
        problems.append(
            CompareError(
                "dropout", f"dropout must be in [0, 1], got {cfg.dropout}", got=cfg.dropout
            )
        )
    if cfg.dtype not in ("float32", "float64"):
        problems.append(CompareError("dtype", f"dtype must be float32 or float64, got {cfg.dtype}"))
    if cfg.lengths is not None:
        try:
            check_lengths(cfg.lengths, cfg.batch, cfg.seq_len)
        except CompareError as e:
            problems.append(e)
    return problems


def check_lengths(lengths: tuple[int, ...], B: int, T: int) -> tuple[int, ...]:
    """One length per batch element, each in 1..T."""
    if len(lengths) != B:
        raise CompareError(
            "lengths_count",
            f"give {B} lengths (one per batch element), got {len(lengths)}",
            batch=B,
            got=len(lengths),
        )
    bad = [n for n in lengths if not 1 <= n <= T]
    if bad:
        raise CompareError(
            "lengths_range",
            f"every length must be between 1 and T={T}, got {bad}",
            T=T,
            bad=", ".join(map(str, bad)),
        )
    return tuple(lengths)


def parse_lengths(text: str, B: int, T: int) -> tuple[int, ...] | None:
    """Lengths typed as "5, 3, 4" (commas or spaces); empty means every sequence is T long."""
    text = text.strip()
    if not text:
        return None
    if len(text) > MAX_LENGTHS_CHARS:
        raise CompareError(
            "lengths_text", f"at most {MAX_LENGTHS_CHARS} characters", max=MAX_LENGTHS_CHARS
        )
    tokens = [tok for tok in re.split(r"[,\s;，、]+", text) if tok]
    values = []
    for tok in tokens:
        if not re.fullmatch(r"\d{1,6}", tok):
            raise CompareError(
                "lengths_token", f"{tok[:20]!r} is not a whole number", token=tok[:20]
            )
        values.append(int(tok))
    return check_lengths(tuple(values), B, T)


# ----- the model and its inputs ------------------------------------------------------------------


def build_model(cfg: CompareConfig, state_dict: dict | None = None) -> LSTM | GRU:
    """Our LSTM (or GRU) for `cfg`: weights from the seed, or `state_dict` (ValueError if unfit)."""
    cls = GRU if cfg.kind == "gru" else LSTM
    model = cls(**cfg.model_args(), dtype=np.dtype(cfg.dtype), seed=cfg.seed)
    if state_dict is not None:
        model.load_state_dict(state_dict)
    return model.train(cfg.train)


@dataclass(frozen=True)
class Inputs:
    """What both libraries are given: x as the module takes it, hx or None, lengths or None."""

    x: np.ndarray  # (T, B, D), or (B, T, D) with batch_first
    hx: tuple[np.ndarray, np.ndarray] | np.ndarray | None  # h0 (L·dirs, B, H_out), c0 (L·dirs,
    #   B, H); a GRU's: the array h0 alone
    lengths: np.ndarray | None  # (B,)
    grad_output: np.ndarray  # shaped like the output: the weights of the loss sum(output ⊙ G)

    @property
    def x_time_major(self) -> np.ndarray:
        return self.x.transpose(1, 0, 2) if self._batch_first else self.x

    _batch_first: bool = False


def make_inputs(cfg: CompareConfig) -> Inputs:
    """Random x (and h0, c0 if asked) from the seed, in the layout the options ask for."""
    rng = np.random.default_rng([cfg.seed, 1])  # apart from the weights' stream
    dt = np.dtype(cfg.dtype)
    T, B, LD = cfg.seq_len, cfg.batch, cfg.num_layers * cfg.num_directions
    x = rng.standard_normal((T, B, cfg.input_size)).astype(dt)
    if cfg.x is not None:  # check_config: shape (seq_len, input_size), batch 1
        x = np.asarray(cfg.x, dtype=dt)[:, None, :]
    hx = None
    if cfg.random_state:
        hx = (
            rng.standard_normal((LD, B, cfg.h_out)).astype(dt),
            rng.standard_normal((LD, B, cfg.hidden_size)).astype(dt),
        )
        if cfg.kind == "gru":
            hx = hx[0]  # one state: h0 (c0 drawn all the same: x and G stay those of the LSTM)
    lengths = None if cfg.lengths is None else np.array(cfg.lengths, dtype=np.int64)
    T_out = T if lengths is None else int(lengths.max())
    grad_output = rng.standard_normal((T_out, B, cfg.h_out * cfg.num_directions)).astype(dt)
    if cfg.batch_first:
        x, grad_output = x.transpose(1, 0, 2).copy(), grad_output.transpose(1, 0, 2).copy()
    return Inputs(x, hx, lengths, grad_output, _batch_first=cfg.batch_first)


def as_float64(hx):
    """hx (a pair, a GRU's single array, or None) in float64."""
    if hx is None:
        return None
    if isinstance(hx, tuple):
        return tuple(a.astype(np.float64) for a in hx)
    return hx.astype(np.float64)


def twin(model):
    """torch's module with our model's options, weights and mode (nn.LSTM or nn.GRU)."""
    return tb.gru_to_torch(model) if isinstance(model, GRU) else tb.to_torch(model)


# ----- the comparison ----------------------------------------------------------------------------


@dataclass(frozen=True)
class TensorCheck:
    """One result tensor from both libraries, and the verdict."""

    name: str
    core: np.ndarray
    torch: np.ndarray
    max_diff: float
    tol: float
    ref_diff: float | None  # float32: torch float32 vs torch float64 on the same weights
    passed: bool

    @property
    def diff(self) -> np.ndarray:
        return np.abs(self.core.astype(np.float64) - self.torch.astype(np.float64))


@dataclass(frozen=True)
class GateCheck:
    """One gate (or c, h) of one layer and direction: max |diff| overall and per timestep."""

    layer: int
    direction: int
    gate: str
    max_diff: float
    per_t: np.ndarray  # (T,) max over the batch and units; NaN where no sequence ran
    tol: float
    passed: bool


@dataclass(frozen=True)
class CompareResult:
    cfg: CompareConfig
    tensors: dict[str, TensorCheck]
    gates: tuple[GateCheck, ...]
    torch_layerwise: bool  # dropout in train mode: torch ran layer by layer with our masks
    core_shapes: dict[str, tuple[int, ...]]
    torch_shapes: dict[str, tuple[int, ...]]
    bias_demo: dict[str, float] | None
    torch_version: str
    extra: dict = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return all(t.passed for t in self.tensors.values()) and all(g.passed for g in self.gates)


def tolerance(dtype: str, torch_value: np.ndarray, ref_diff: float | None) -> float:
    """float64: 1e-12 · max(1, max|value|); float32: max(1e-5, 10 × torch's own f32-vs-f64 gap)."""
    if dtype == "float64":
        scale = max(1.0, float(np.max(np.abs(torch_value), initial=0.0)))
        return FLOAT64_TOL * scale
    return max(FLOAT32_FLOOR, FLOAT32_SAFETY * float(ref_diff or 0.0))


def _time_major(a: np.ndarray, batch_first: bool) -> np.ndarray:
    return a.transpose(1, 0, 2) if batch_first else a


def _hx_slice(hx, k: int, ND: int, bs) -> tuple | None:
    """Layer k's rows of (h0, c0), for the batch elements bs."""
    if hx is None:
        return None
    return tuple(a[k * ND : (k + 1) * ND][:, bs] for a in hx)


def torch_forward(module, cfg: CompareConfig, inp: Inputs, masks) -> tuple[np.ndarray, ...]:
    """torch's output, h_n, c_n. With active dropout: layer by layer, our masks in between."""
    if not cfg.dropout_active:
        out, (h_n, c_n) = tb.run_torch(module, inp.x, inp.hx, inp.lengths)
        return out, h_n, c_n
    ND = cfg.num_directions
    layer_in, hs, cs = inp.x_time_major, [], []
    for k in range(cfg.num_layers):
        one = ct.layer_module(module, k)
        out, (h_k, c_k) = tb.run_torch(
            one, layer_in, _hx_slice(inp.hx, k, ND, slice(None)), inp.lengths
        )
        hs.append(h_k)
        cs.append(c_k)
        if masks[k] is not None:
            out = out * masks[k][: out.shape[0]]  # the NumPy run's dropout mask of layer k
        layer_in = out
    return _time_major(layer_in, cfg.batch_first), np.concatenate(hs), np.concatenate(cs)


def torch_gate_chain(module, cfg: CompareConfig, inp: Inputs, masks) -> list[list[dict]]:
    """torch's gates, layer by layer, from torch's own weights and torch's own layer outputs.

    Sequences of equal length run together (torch_gates knows no lengths); padding stays zero.
    Returns [layer][direction] dicts of (T, B, ·) arrays: i, f, g, o, c, h.
    """
    x_tm = inp.x_time_major
    T, B, _ = x_tm.shape
    ND, H, H_out = cfg.num_directions, cfg.hidden_size, cfg.h_out
    sizes = {"i": H, "f": H, "g": H, "o": H, "c": H, "h": H_out}
    dt = np.dtype(cfg.dtype)
    result = [
        [{n: np.zeros((T, B, s), dt) for n, s in sizes.items()} for _ in range(ND)]
        for _ in range(cfg.num_layers)
    ]
    lengths = np.full(B, T) if inp.lengths is None else inp.lengths
    modules = [ct.layer_module(module, k) for k in range(cfg.num_layers)]
    for L in sorted(set(lengths.tolist())):
        bs = np.flatnonzero(lengths == L)
        layer_in = x_tm[:L, bs]
        for k, one in enumerate(modules):
            g = tb.torch_gates(one, layer_in, _hx_slice(inp.hx, k, ND, bs))[0]
            for d in range(ND):
                for n in sizes:
                    result[k][d][n][:L, bs] = g[d][n]
            layer_in = np.concatenate([g[d]["h"] for d in range(ND)], axis=-1)
            if masks[k] is not None:
                layer_in = layer_in * masks[k][:L, bs]
    return result


def _masks_as(masks, dtype: str) -> tuple:
    return tuple(None if m is None else m.astype(dtype) for m in masks)


def _gate_checks(cfg, trace, torch_g, ref_g) -> tuple[GateCheck, ...]:
    checks = []
    active = trace.layers[0][0].mask  # (T, B)
    for k in range(cfg.num_layers):
        for d in range(cfg.num_directions):
            lt = trace.layers[k][d]
            for n in GATE_NAMES:
                core = getattr(lt, n).astype(np.float64)
                tv = torch_g[k][d][n].astype(np.float64)
                diff = np.where(active[..., None], np.abs(core - tv), 0.0)  # (T, B, ·)
                per_t = diff.max(axis=(1, 2))
                per_t[~active.any(axis=1)] = np.nan
                ref = None
                if ref_g is not None:
                    ref = float(np.max(np.abs(tv - ref_g[k][d][n])))
                tol = tolerance(cfg.dtype, tv, ref)
                m = float(np.nanmax(per_t))
                checks.append(GateCheck(k, d, n, m, per_t, tol, m <= tol))
    return tuple(checks)


def bias_demo(model: LSTM, inp: Inputs, cfg: CompareConfig, delta: float = 0.5) -> dict:
    """Move δ from bias_ih_l0[0] to bias_hh_l0[0]: torch's output moves by round-off only.

    Also, for contrast, add δ to bias_ih_l0[0] alone. Returns max |Δ output| for both.
    """
    sd = model.state_dict()
    base = tb.run_torch(tb.to_torch(model.eval()), inp.x, inp.hx, inp.lengths)[0]
    moved = {k: v.copy() for k, v in sd.items()}
    moved["bias_ih_l0"][0] += delta
    moved["bias_hh_l0"][0] -= delta
    alone = {k: v.copy() for k, v in sd.items()}
    alone["bias_ih_l0"][0] += delta
    out = {}
    for name, sd2 in (("moved", moved), ("alone", alone)):
        m2 = build_model(dataclasses.replace(cfg, train=False), sd2)
        o2 = tb.run_torch(tb.to_torch(m2), inp.x, inp.hx, inp.lengths)[0]
        out[name] = float(np.max(np.abs(o2.astype(np.float64) - base)))
    out["delta"] = delta
    out["b_ih"] = float(sd["bias_ih_l0"][0])
    out["b_hh"] = float(sd["bias_hh_l0"][0])
    out["sum"] = out["b_ih"] + out["b_hh"]
    return out


def run_comparison(cfg: CompareConfig, state_dict: dict | None = None) -> CompareResult:
    """Our LSTM and torch.nn.LSTM on the same weights and inputs; every tensor and gate judged."""
    problems = check_config(cfg)
    if problems:
        raise problems[0]
    model = build_model(cfg, state_dict)
    inp = make_inputs(cfg)
    trace = model.trace(inp.x, inp.hx, inp.lengths)
    masks = trace.dropout_masks
    module = tb.to_torch(model)
    t_out = torch_forward(module, cfg, inp, masks)
    torch_g = torch_gate_chain(module, cfg, inp, masks)

    ref_out = ref_g = None
    if cfg.dtype == "float32":  # torch's own float32-vs-float64 gap on the very same numbers
        cfg64 = dataclasses.replace(cfg, dtype="float64")
        model64 = build_model(
            cfg64, {k: v.astype(np.float64) for k, v in model.state_dict().items()}
        )
        inp64 = Inputs(
            inp.x.astype(np.float64),
            None if inp.hx is None else tuple(a.astype(np.float64) for a in inp.hx),
            inp.lengths,
            inp.grad_output.astype(np.float64),
            _batch_first=cfg.batch_first,
        )
        module64 = tb.to_torch(model64)
        masks64 = _masks_as(masks, "float64")
        ref_out = torch_forward(module64, cfg64, inp64, masks64)
        ref_g = torch_gate_chain(module64, cfg64, inp64, masks64)

    tensors = {}
    for j, (name, core) in enumerate(zip(TENSOR_NAMES, (trace.output, trace.h_n, trace.c_n))):
        tv = t_out[j]
        ref = None if ref_out is None else float(np.max(np.abs(tv - ref_out[j]), initial=0.0))
        diff = np.abs(core.astype(np.float64) - tv.astype(np.float64))
        m = float(diff.max(initial=0.0)) if core.shape == tv.shape else float("inf")
        tol = tolerance(cfg.dtype, tv, ref)
        tensors[name] = TensorCheck(name, core, tv, m, tol, ref, m <= tol)

    torch_sd = tb.state_dict_from_torch(module.state_dict())
    return CompareResult(
        cfg=cfg,
        tensors=tensors,
        gates=_gate_checks(cfg, trace, torch_g, ref_g),
        torch_layerwise=cfg.dropout_active,
        core_shapes={k: tuple(v.shape) for k, v in model.state_dict().items()},
        torch_shapes={k: tuple(v.shape) for k, v in torch_sd.items()},
        bias_demo=bias_demo(model, inp, cfg) if cfg.bias else None,
        torch_version=ct.torch_version(),
    )


# ----- the code shown on the page ----------------------------------------------------------------


def _non_default_args(cfg: CompareConfig) -> list[str]:
    defaults = CompareConfig(
        bias=True, batch_first=False, dropout=0.0, bidirectional=False, proj_size=0
    ).model_args()
    args = [f"input_size={cfg.input_size}", f"hidden_size={cfg.hidden_size}"]
    for name in ("num_layers", "bias", "batch_first", "dropout", "bidirectional", "proj_size"):
        v = getattr(cfg, name)
        if name == "num_layers" or v != defaults[name]:
            args.append(f"{name}={v!r}")
    return args


def torch_code(cfg: CompareConfig) -> str:
    """The torch code of this configuration, as the article (and torch's docs) write it."""
    LD, B, T = cfg.num_layers * cfg.num_directions, cfg.batch, cfg.seq_len
    args = ", ".join(_non_default_args(cfg))
    lines = ["import torch", "import torch.nn as nn", ""]
    if cfg.dtype == "float64":
        lines.append("torch.set_default_dtype(torch.float64)")
    lines.append(f"lstm = nn.LSTM({args})")
    lines.append(f"lstm.{'train' if cfg.train else 'eval'}()")
    shape_x = (B, T, cfg.input_size) if cfg.batch_first else (T, B, cfg.input_size)
    note_x = "(B, T, D): batch first" if cfg.batch_first else "(T, B, D): length, batch, features"
    if cfg.x is not None:
        lines.append(f"x = torch.tensor(x_pages)  # the other pages' input, {shape_x}: {note_x}")
    else:
        lines.append(f"x = torch.randn{shape_x}  # {note_x}")
    call = "lstm(x)"
    if cfg.random_state:
        lines.append(f"h0 = torch.randn({LD}, {B}, {cfg.h_out})  # (layers·dirs, B, H_out)")
        lines.append(f"c0 = torch.randn({LD}, {B}, {cfg.hidden_size})  # (layers·dirs, B, H)")
        call = "lstm(x, (h0, c0))"
    if cfg.lengths is not None:
        lines.append(
            "packed = nn.utils.rnn.pack_padded_sequence("
            f"x, {list(cfg.lengths)}, batch_first={cfg.batch_first}, enforce_sorted=False)"
        )
        lines.append(f"output, (hn, cn) = {call.replace('(x', '(packed')}")
        lines.append(
            "output, lens = nn.utils.rnn.pad_packed_sequence("
            f"output, batch_first={cfg.batch_first})"
        )
    else:
        lines.append(f"output, (hn, cn) = {call}")
    out_shape = output_shape(cfg)
    lines.append(f"output.shape  # torch.Size({list(out_shape)})")
    lines.append(f"hn.shape      # torch.Size({[LD, B, cfg.h_out]})")
    lines.append(f"cn.shape      # torch.Size({[LD, B, cfg.hidden_size]})")
    return "\n".join(lines)


def numpy_code(cfg: CompareConfig) -> str:
    """The same run with lstm_core: the same arguments; to_torch hands its weights to torch."""
    args = ", ".join(_non_default_args(cfg))
    dt = "" if cfg.dtype == "float64" else ", dtype=np.float32"
    hx = ", (h0.numpy(), c0.numpy())" if cfg.random_state else ""
    ln = f", lengths={list(cfg.lengths)}" if cfg.lengths is not None else ""
    if ln and not hx:
        hx = ", None"
    return "\n".join(
        [
            "import numpy as np",
            "from lstm_core import LSTM",
            "from lstm_core.torch_bridge import to_torch",
            "",
            f"model = LSTM({args}{dt}, seed={cfg.seed})",
            f"model.{'train' if cfg.train else 'eval'}()",
            "lstm = to_torch(model)  # the nn.LSTM on the left, with these very weights",
            f"output, (hn, cn) = model(x.numpy(){hx}{ln})  # the same x, h0, c0",
            "trace = model.trace(x.numpy()" + hx + ln + ")  # and every gate, every step",
        ]
    )


def output_shape(cfg: CompareConfig) -> tuple[int, int, int]:
    """The output's shape: (T_out, B, dirs·H_out), batch first when asked."""
    T = cfg.seq_len if cfg.lengths is None else max(cfg.lengths)
    F = cfg.num_directions * cfg.h_out
    return (cfg.batch, T, F) if cfg.batch_first else (T, cfg.batch, F)


# ----- gradients: core BPTT vs torch autograd vs central differences ----------------------------

CENTRAL_EPS = 1e-6  # step of the central differences (always in float64)
CENTRAL_TOL = 1e-6  # central differences: truncation ε² and round-off/ε, relative to max(1, |g|)


@dataclass(frozen=True)
class GradCheck:
    """∂L/∂(one parameter) for L = sum(output ⊙ G), by three methods, and the verdicts."""

    name: str
    index: np.ndarray  # (n,) flat indices where central differences were taken
    core: np.ndarray  # the parameter's shape: lstm_core's BPTT
    torch: np.ndarray  # the parameter's shape: torch autograd
    central: np.ndarray  # (n,) central differences at `index`
    max_core_torch: float
    tol_torch: float
    max_core_central: float
    max_torch_central: float
    tol_central: float
    all_params: dict[str, float]  # max |core − torch| for every parameter
    all_tols: dict[str, float]
    eval_forced: bool  # dropout was active: gradients taken in eval mode

    @property
    def passed(self) -> bool:
        return (
            self.max_core_torch <= self.tol_torch
            and self.max_core_central <= self.tol_central
            and all(self.all_params[k] <= self.all_tols[k] for k in self.all_params)
        )


def central_differences(
    model: LSTM, inp: Inputs, name: str, index: np.ndarray, eps: float = CENTRAL_EPS
) -> np.ndarray:
    """(L(θ + ε) − L(θ − ε)) / 2ε, L = sum(output ⊙ G), at the flat entries `index` of `name`.

    The core's own check (`lstm_core.gradcheck.numerical_grad`, float64, eval mode).
    """
    shape = model.param_shapes()[name]
    loss = weighted_sum_loss(inp.grad_output)
    return np.array(
        [
            numerical_grad(
                model, inp.x, loss, name, np.unravel_index(j, shape), eps, inp.hx, inp.lengths
            )
            for j in index
        ]
    )


def gradient_check(
    cfg: CompareConfig, state_dict: dict | None, name: str, n_entries: int = 12
) -> GradCheck:
    """BPTT, autograd and central differences for parameter `name`; BPTT vs autograd for all."""
    eval_forced = cfg.dropout_active  # torch's masks are its own: compare without dropout
    cfg = dataclasses.replace(cfg, train=cfg.train and not eval_forced)
    model = build_model(cfg, state_dict)
    if name not in model.param_shapes():
        raise CompareError("param", f"no parameter {name!r}", name=name)
    inp = make_inputs(cfg)
    trace = model.trace(inp.x, inp.hx, inp.lengths)
    core = model.backward(trace, inp.grad_output).params
    t_grads = ct.torch_param_grads(twin(model), inp.x, inp.hx, inp.lengths, inp.grad_output)

    refs = {k: None for k in core}
    cfg64 = dataclasses.replace(cfg, dtype="float64")
    sd64 = {k: v.astype(np.float64) for k, v in model.state_dict().items()}
    model64 = build_model(cfg64, sd64)
    inp64 = Inputs(
        inp.x.astype(np.float64),
        as_float64(inp.hx),
        inp.lengths,
        inp.grad_output.astype(np.float64),
        _batch_first=cfg.batch_first,
    )
    if cfg.dtype == "float32":  # torch's own float32-vs-float64 gap, per parameter
        g64 = ct.torch_param_grads(
            twin(model64), inp64.x, inp64.hx, inp64.lengths, inp64.grad_output
        )
        refs = {k: float(np.max(np.abs(t_grads[k] - g64[k]), initial=0.0)) for k in core}
    all_params, all_tols = {}, {}
    for k in core:
        all_params[k] = float(np.max(np.abs(core[k].astype(np.float64) - t_grads[k]), initial=0.0))
        all_tols[k] = tolerance(cfg.dtype, t_grads[k], refs[k])

    size = int(np.prod(model.param_shapes()[name]))
    index = np.unique(np.linspace(0, size - 1, min(n_entries, size)).round().astype(int))
    central = central_differences(model64, inp64, name, index)
    c_core = core[name].astype(np.float64).ravel()[index]
    c_torch = t_grads[name].astype(np.float64).ravel()[index]
    scale = max(1.0, float(np.max(np.abs(c_torch), initial=0.0)))
    tol_c = CENTRAL_TOL * scale if cfg.dtype == "float64" else max(1e-4 * scale, all_tols[name])
    return GradCheck(
        name=name,
        index=index,
        core=core[name],
        torch=t_grads[name],
        central=central,
        max_core_torch=all_params[name],
        tol_torch=all_tols[name],
        max_core_central=float(np.max(np.abs(c_core - central))),
        max_torch_central=float(np.max(np.abs(c_torch - central))),
        tol_central=tol_c,
        all_params=all_params,
        all_tols=all_tols,
        eval_forced=eval_forced,
    )
