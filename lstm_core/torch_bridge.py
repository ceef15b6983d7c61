"""The one module that touches torch (imported lazily): our models ⇄ nn.LSTM / nn.LSTMCell.

Also the safe loader for uploaded `.pt` files and torch's gates recomputed with torch operations.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np

from .lstm import LSTM, LSTMCell

MAX_PT_BYTES = 20 * 1024 * 1024


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
    torch = _torch()
    cls = torch.nn.LSTM if isinstance(model, LSTM) else torch.nn.LSTMCell
    module = cls(**model.config(), dtype=torch_dtype(model.dtype))
    module.load_state_dict(state_dict_to_torch(model.state_dict()))
    if isinstance(model, LSTM):
        module.train(model.training)
    return module


def from_torch(module) -> LSTM | LSTMCell:
    """Our LSTM (or LSTMCell) with the options, dtype and weights of a torch module."""
    torch = _torch()
    sd = state_dict_from_torch(module.state_dict())
    dtype = next(iter(sd.values())).dtype
    if isinstance(module, torch.nn.LSTM):
        model = LSTM(
            module.input_size,
            module.hidden_size,
            num_layers=module.num_layers,
            bias=module.bias,
            batch_first=module.batch_first,
            dropout=module.dropout,
            bidirectional=module.bidirectional,
            proj_size=module.proj_size,
            dtype=dtype,
        )
        model.train(module.training)
    elif isinstance(module, torch.nn.LSTMCell):
        model = LSTMCell(module.input_size, module.hidden_size, bias=module.bias, dtype=dtype)
    else:
        raise TypeError(f"expected torch.nn.LSTM or torch.nn.LSTMCell, got {type(module).__name__}")
    model.load_state_dict(sd)
    return model


def run_torch(module, x: np.ndarray, hx=None, lengths=None):
    """Run a torch.nn.LSTM on NumPy inputs like our model's call, under no_grad.

    With `lengths`: pack_padded_sequence(enforce_sorted=False) → LSTM → pad_packed_sequence.
    Returns NumPy output, (h_n, c_n).
    """
    torch = _torch()
    dt = next(module.parameters()).dtype
    xt = torch.as_tensor(np.asarray(x), dtype=dt)
    hxt = None if hx is None else tuple(torch.as_tensor(np.asarray(a), dtype=dt) for a in hx)
    with torch.no_grad():
        if lengths is None:
            out, (h_n, c_n) = module(xt, hxt)
        else:
            rnn = torch.nn.utils.rnn
            packed = rnn.pack_padded_sequence(
                xt, torch.as_tensor(lengths), batch_first=module.batch_first, enforce_sorted=False
            )
            out, (h_n, c_n) = module(packed, hxt)
            out, _ = rnn.pad_packed_sequence(out, batch_first=module.batch_first)
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


# ----- Compare page (pages/compare.py): layer-by-layer runs and autograd ------------------------


def torch_version() -> str:
    """The installed torch's version string, e.g. '2.13.0+cpu'."""
    return str(_torch().__version__)


def layer_module(module, k: int):
    """Layer k of a torch.nn.LSTM as its own one-layer nn.LSTM (same weights, time-major, eval).

    Running the layers one by one lets a caller put its own dropout masks between them.
    """
    torch = _torch()
    H, P = module.hidden_size, module.proj_size
    ND = 2 if module.bidirectional else 1
    D_k = module.input_size if k == 0 else (P or H) * ND
    dt = next(module.parameters()).dtype
    one = torch.nn.LSTM(D_k, H, num_layers=1, bias=module.bias, bidirectional=module.bidirectional,
                        proj_size=P, dtype=dt)  # fmt: skip
    sd = module.state_dict()
    suffixes = ("", "_reverse") if module.bidirectional else ("",)
    one.load_state_dict(
        {
            f"{base}_l0{sfx}": sd[f"{base}_l{k}{sfx}"]
            for base in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
            for sfx in suffixes
            if f"{base}_l{k}{sfx}" in sd
        }
    )
    return one.eval()


def torch_param_grads(module, x: np.ndarray, hx=None, lengths=None, grad_output=None):
    """torch autograd's d(sum(output ⊙ grad_output))/d(every parameter), keyed like state_dict.

    x and grad_output as the module takes and returns them (with `lengths`: packed, padded back to
    max(lengths)). Dropout follows the module's mode. Returns NumPy arrays.
    """
    torch = _torch()
    dt = next(module.parameters()).dtype
    module.zero_grad(set_to_none=True)
    xt = torch.as_tensor(np.asarray(x), dtype=dt)
    hxt = None if hx is None else tuple(torch.as_tensor(np.asarray(a), dtype=dt) for a in hx)
    if lengths is None:
        out, _ = module(xt, hxt)
    else:
        rnn = torch.nn.utils.rnn
        packed = rnn.pack_padded_sequence(
            xt, torch.as_tensor(lengths), batch_first=module.batch_first, enforce_sorted=False
        )
        out, _ = module(packed, hxt)
        out, _ = rnn.pad_packed_sequence(out, batch_first=module.batch_first)
    g = torch.as_tensor(np.asarray(grad_output), dtype=dt)
    (out * g).sum().backward()
    grads = {
        name: p.grad.detach().numpy().copy()
        if p.grad is not None
        else np.zeros(tuple(p.shape), np.dtype(str(dt).removeprefix("torch.")))
        for name, p in module.named_parameters()
    }
    module.zero_grad(set_to_none=True)
    return grads


# ----- end of the Compare page's block ----------------------------------------------------------


# ----- RNN ⇄ torch.nn.RNN (lstm_core.rnn) -------------------------------------------------------


def rnn_to_torch(model):
    """A torch.nn.RNN with the options, dtype, weights and train/eval mode of our `RNN`."""
    torch = _torch()
    module = torch.nn.RNN(**model.config(), dtype=torch_dtype(model.dtype))
    module.load_state_dict(state_dict_to_torch(model.state_dict()))
    module.train(model.training)
    return module


def rnn_from_torch(module):
    """Our `RNN` with the options, dtype, weights and train/eval mode of a torch.nn.RNN."""
    from .rnn import RNN

    torch = _torch()
    if not isinstance(module, torch.nn.RNN):
        raise TypeError(f"expected torch.nn.RNN, got {type(module).__name__}")
    sd = state_dict_from_torch(module.state_dict())
    model = RNN(
        module.input_size,
        module.hidden_size,
        num_layers=module.num_layers,
        nonlinearity=module.nonlinearity,
        bias=module.bias,
        batch_first=module.batch_first,
        dropout=module.dropout,
        bidirectional=module.bidirectional,
        dtype=next(iter(sd.values())).dtype,
    )
    model.load_state_dict(sd)
    model.train(module.training)
    return model
