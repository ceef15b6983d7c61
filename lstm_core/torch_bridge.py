"""lstm_core's one module that touches torch (imported lazily): our models ⇄ nn.LSTM, nn.LSTMCell,
nn.RNN and nn.GRU (GRUCell), and running them on NumPy inputs.

Also the safe loader for uploaded `.pt` files and torch's gates recomputed with torch operations.
What only the Compare page needs lives in `app_logic.compare_torch`.
"""

from __future__ import annotations

import inspect
import io
from collections.abc import Mapping

import numpy as np

from .lstm import LSTM, LSTMCell

MAX_PT_BYTES = 20 * 1024 * 1024  # a .pt file, as read: app_logic.limits.MAX_UPLOAD_BYTES is this


def _torch():
    import torch  # lazy: importing torch costs seconds and hundreds of MB

    return torch


def torch_available() -> bool:
    try:
        _torch()
    except ImportError:
        return False
    return True


def torch_dtype(dtype: np.dtype):
    torch = _torch()
    return {np.dtype(np.float32): torch.float32, np.dtype(np.float64): torch.float64}[
        np.dtype(dtype)
    ]


def state_dict_to_torch(sd: Mapping[str, np.ndarray]) -> dict:
    """NumPy arrays → torch tensors (same keys, dtypes and values)."""
    torch = _torch()
    return {k: torch.from_numpy(np.array(v)) for k, v in sd.items()}


def state_dict_from_torch(sd: Mapping) -> dict[str, np.ndarray]:
    """torch tensors → NumPy arrays (same keys, dtypes and values)."""
    return {k: v.detach().cpu().numpy().copy() for k, v in sd.items()}


def to_torch(model: LSTM | LSTMCell):
    """A torch.nn.LSTM (or LSTMCell) with the same options, dtype and weights, in eval mode
    unless `model` is training."""
    return _twin_to_torch("LSTM" if isinstance(model, LSTM) else "LSTMCell", model)


def _options(cls, module) -> dict:
    """Our constructor's arguments, which carry torch's names, read from a torch module's
    attributes (dtype and seed aside)."""
    names = inspect.signature(cls).parameters
    return {name: getattr(module, name) for name in names if name not in ("dtype", "seed")}


def _from_module(cls, module):
    """Our `cls` with the options, dtype and weights of a torch module (and its train/eval mode,
    for a whole network)."""
    sd = state_dict_from_torch(module.state_dict())
    model = cls(**_options(cls, module), dtype=next(iter(sd.values())).dtype)
    model.load_state_dict(sd)
    return model.train(module.training) if hasattr(model, "train") else model


def _ours_of(module, kinds: dict):
    """Our twin of a torch module, kinds = {torch class name: our class}; a TypeError otherwise."""
    nn = _torch().nn
    for name, cls in kinds.items():
        if isinstance(module, getattr(nn, name)):
            return _from_module(cls, module)
    expected = " or ".join(f"torch.nn.{name}" for name in kinds)
    raise TypeError(f"expected {expected}, got {type(module).__name__}")


def from_torch(module) -> LSTM | LSTMCell:
    """Our LSTM (or LSTMCell) with the options, dtype and weights of a torch module."""
    return _ours_of(module, {"LSTM": LSTM, "LSTMCell": LSTMCell})


def call_torch(module, x, hx=None, lengths=None):
    """module(x, hx) on NumPy inputs (as tensors of the module's dtype): torch's own results.

    With `lengths`: pack_padded_sequence(enforce_sorted=False) → module → pad_packed_sequence.
    hx is a pair (h_0, c_0) (LSTM), an array h_0 (GRU, RNN) or None. Autograd records the call
    unless it runs under no_grad.
    """
    torch = _torch()
    dt = next(module.parameters()).dtype
    xt = torch.as_tensor(np.asarray(x), dtype=dt)
    as_t = lambda a: torch.as_tensor(np.asarray(a), dtype=dt)  # noqa: E731
    if hx is None:
        hxt = None
    elif isinstance(hx, (tuple, list)):  # an nn.LSTM's pair (h_0, c_0)
        hxt = tuple(map(as_t, hx))
    else:  # an nn.GRU's (or nn.RNN's) h_0 alone
        hxt = as_t(hx)
    if lengths is None:
        return module(xt, hxt)
    rnn = torch.nn.utils.rnn
    packed = rnn.pack_padded_sequence(
        xt, torch.as_tensor(lengths), batch_first=module.batch_first, enforce_sorted=False
    )
    out, states = module(packed, hxt)
    out, _ = rnn.pad_packed_sequence(out, batch_first=module.batch_first)
    return out, states


def run_torch(module, x: np.ndarray, hx=None, lengths=None):
    """Run a torch.nn.LSTM on NumPy inputs like our model's call, under no_grad.

    With `lengths`: pack_padded_sequence(enforce_sorted=False) → LSTM → pad_packed_sequence.
    Returns NumPy output, (h_n, c_n).
    """
    with _torch().no_grad():
        out, (h_n, c_n) = call_torch(module, x, hx, lengths)
    return out.numpy(), (h_n.numpy(), c_n.numpy())


def torch_gates(module, x: np.ndarray, hx=None) -> list[list[dict[str, np.ndarray]]]:
    """Every gate recomputed with torch operations from a torch.nn.LSTM's own weights.

    nn.LSTM does not expose its gates; this replays its equations step by step in torch
    (eval mode, no lengths). Returns [layer][direction] dicts of (T, B, ·) NumPy arrays, time-major,
    indexed by input position: i, f, g, o, c, h.
    """
    torch = _torch()
    dt = next(module.parameters()).dtype
    xt = torch.as_tensor(np.asarray(x), dtype=dt)
    if xt.dim() == 2:
        xt = xt.unsqueeze(1)
        hx = None if hx is None else tuple(np.asarray(a)[:, None] for a in hx)
    elif module.batch_first:
        xt = xt.transpose(0, 1)
    T, B, _ = xt.shape
    H, P = module.hidden_size, module.proj_size
    ND = 2 if module.bidirectional else 1
    H_out = P or H
    if hx is None:
        h0 = torch.zeros(module.num_layers * ND, B, H_out, dtype=dt)
        c0 = torch.zeros(module.num_layers * ND, B, H, dtype=dt)
    else:
        h0, c0 = (torch.as_tensor(np.asarray(a), dtype=dt) for a in hx)
    result, layer_in = [], xt
    with torch.no_grad():
        for k in range(module.num_layers):
            dirs, outs = [], []
            for d in range(ND):
                sfx = f"_l{k}" + ("_reverse" if d else "")
                w_ih, w_hh = getattr(module, "weight_ih" + sfx), getattr(module, "weight_hh" + sfx)
                b = (
                    getattr(module, "bias_ih" + sfx) + getattr(module, "bias_hh" + sfx)
                    if module.bias
                    else torch.zeros(4 * H, dtype=dt)
                )
                w_hr = getattr(module, "weight_hr" + sfx) if P else None
                h, c = h0[k * ND + d], c0[k * ND + d]
                rec = {n: [None] * T for n in ("i", "f", "g", "o", "c", "h")}
                order = range(T - 1, -1, -1) if d else range(T)
                for t in order:
                    gates = layer_in[t] @ w_ih.T + h @ w_hh.T + b
                    i, f, g, o = gates.chunk(4, 1)
                    i, f, g, o = torch.sigmoid(i), torch.sigmoid(f), torch.tanh(g), torch.sigmoid(o)
                    c = f * c + i * g
                    h = o * torch.tanh(c)
                    if w_hr is not None:
                        h = h @ w_hr.T
                    for n, v in zip(rec, (i, f, g, o, c, h)):
                        rec[n][t] = v
                stacked = {n: torch.stack(v) for n, v in rec.items()}
                outs.append(stacked["h"])
                dirs.append({n: v.numpy() for n, v in stacked.items()})
            result.append(dirs)
            layer_in = torch.cat(outs, dim=-1)
    return result


def load_pt_bytes(data: bytes, max_bytes: int = MAX_PT_BYTES) -> dict[str, np.ndarray]:
    """A state_dict from an uploaded .pt file, never unpickling anything but tensors.

    torch.load(weights_only=True) refuses every pickle global outside plain tensors and containers,
    so a hostile file cannot run code. Raises ValueError with a reason for anything else.
    """
    if len(data) > max_bytes:
        raise ValueError(f"the file is {len(data):,} bytes; the limit is {max_bytes:,}")
    torch = _torch()
    try:
        obj = torch.load(io.BytesIO(data), map_location="cpu", weights_only=True)
    except Exception as e:  # torch raises many types for malformed or hostile files
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise ValueError(f"not a safe torch state_dict file: {first[:300]}") from None
    if not isinstance(obj, Mapping):
        raise ValueError(
            f"expected a state_dict (a mapping of names to tensors), got {type(obj).__name__}"
        )
    out = {}
    for k, v in obj.items():
        if not isinstance(k, str) or not isinstance(v, torch.Tensor):
            raise ValueError(f"entry {k!r} is not a named tensor")
        if not v.is_floating_point():
            raise ValueError(f"{k!r} is not a floating-point tensor ({v.dtype})")
        out[k] = v.detach().to(torch.float64).numpy().copy()
    return out


def save_pt_bytes(sd: Mapping[str, np.ndarray]) -> bytes:
    """A state_dict as .pt bytes that torch.load(weights_only=True) reads."""
    torch = _torch()
    buf = io.BytesIO()
    torch.save(state_dict_to_torch(sd), buf)
    return buf.getvalue()


# ----- RNN ⇄ torch.nn.RNN, GRU ⇄ torch.nn.GRU (lstm_core.rnn, lstm_core.gru) --------------------


def _twin_to_torch(name: str, model):
    """torch.nn.<name> with the options, dtype and weights of our model (and its train/eval mode,
    for a whole network)."""
    module = getattr(_torch().nn, name)(**model.config(), dtype=torch_dtype(model.dtype))
    module.load_state_dict(state_dict_to_torch(model.state_dict()))
    if hasattr(model, "training"):
        module.train(model.training)
    return module


def rnn_to_torch(model):
    """A torch.nn.RNN with the options, dtype, weights and train/eval mode of our `RNN`."""
    return _twin_to_torch("RNN", model)


def rnn_from_torch(module):
    """Our `RNN` with the options, dtype, weights and train/eval mode of a torch.nn.RNN."""
    from .rnn import RNN

    return _ours_of(module, {"RNN": RNN})


def gru_to_torch(model):
    """A torch.nn.GRU (or GRUCell) with the options, dtype and weights of our `GRU` (or `GRUCell`),
    in the same train/eval mode."""
    from .gru import GRU

    return _twin_to_torch("GRU" if isinstance(model, GRU) else "GRUCell", model)


def gru_from_torch(module):
    """Our `GRU` (or `GRUCell`) with the options, dtype and weights of a torch.nn.GRU (GRUCell)."""
    from .gru import GRU, GRUCell

    return _ours_of(module, {"GRU": GRU, "GRUCell": GRUCell})
