"""What only the Compare page asks of torch (imported lazily): its version, an nn.LSTM's (or
nn.GRU's) layers as modules of their own, the GRU's gates replayed, torch autograd's gradients.

The general bridge (our models ⇄ torch modules, running them) is `lstm_core.torch_bridge`.
"""

from __future__ import annotations

import numpy as np

from lstm_core import torch_bridge as tb


def torch_version() -> str:
    """The installed torch's version string, e.g. '2.13.0+cpu'."""
    import torch  # lazy: importing torch costs seconds and hundreds of MB

    return str(torch.__version__)


def layer_module(module, k: int):
    """Layer k of a torch.nn.LSTM as its own one-layer nn.LSTM (same weights, time-major, eval).

    Running the layers one by one lets a caller put its own dropout masks between them.
    """
    import torch

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


def gru_layer_module(module, k: int):
    """Layer k of a torch.nn.GRU as its own one-layer nn.GRU (same weights, time-major, eval)."""
    import torch

    H, ND = module.hidden_size, 2 if module.bidirectional else 1
    D_k = module.input_size if k == 0 else H * ND
    dt = next(module.parameters()).dtype
    one = torch.nn.GRU(D_k, H, num_layers=1, bias=module.bias, bidirectional=module.bidirectional,
                       dtype=dt)  # fmt: skip
    sd = module.state_dict()
    one.load_state_dict(
        {
            f"{base}_l0{sfx}": sd[f"{base}_l{k}{sfx}"]
            for base in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")
            for sfx in (("", "_reverse") if module.bidirectional else ("",))
            if f"{base}_l{k}{sfx}" in sd
        }
    )
    return one.eval()


def torch_gru_gates(module, x_tm: np.ndarray, h0: np.ndarray | None):
    """r, z, n, h of every direction of a one-layer nn.GRU, replayed with torch operations from
    its own weights (nn.GRU does not expose its gates). x_tm (T, B, D) time-major, no lengths;
    h0 (dirs, B, H) or None. Returns [direction] dicts of (T, B, H) NumPy arrays."""
    import torch

    dt = next(module.parameters()).dtype
    xt = torch.as_tensor(np.asarray(x_tm), dtype=dt)
    T, B, _ = xt.shape
    H, ND = module.hidden_size, 2 if module.bidirectional else 1
    h0t = torch.zeros(ND, B, H, dtype=dt) if h0 is None else torch.as_tensor(h0, dtype=dt)
    out = []
    with torch.no_grad():
        for d in range(ND):
            sfx = "_l0" + ("_reverse" if d else "")
            w_ih, w_hh = getattr(module, "weight_ih" + sfx), getattr(module, "weight_hh" + sfx)
            zero = torch.zeros(3 * H, dtype=dt)
            b_ih = getattr(module, "bias_ih" + sfx) if module.bias else zero
            b_hh = getattr(module, "bias_hh" + sfx) if module.bias else zero
            h = h0t[d]
            rec = {n: [None] * T for n in ("r", "z", "n", "h")}
            for t in range(T - 1, -1, -1) if d else range(T):
                gi = xt[t] @ w_ih.T + b_ih
                gh = h @ w_hh.T + b_hh
                i_r, i_z, i_n = gi.chunk(3, 1)
                h_r, h_z, h_n = gh.chunk(3, 1)
                r = torch.sigmoid(i_r + h_r)
                z = torch.sigmoid(i_z + h_z)
                n = torch.tanh(i_n + r * h_n)
                h = (1 - z) * n + z * h
                for name, v in zip(rec, (r, z, n, h)):
                    rec[name][t] = v
            out.append({name: torch.stack(v).numpy() for name, v in rec.items()})
    return out


def torch_param_grads(module, x: np.ndarray, hx=None, lengths=None, grad_output=None):
    """torch autograd's d(sum(output ⊙ grad_output))/d(every parameter), keyed like state_dict.

    x and grad_output as the module takes and returns them, hx as `tb.call_torch` takes it (with
    `lengths`: packed, padded back to max(lengths)). Dropout follows the module's mode. Returns
    NumPy arrays.
    """
    import torch

    dt = next(module.parameters()).dtype
    module.zero_grad(set_to_none=True)
    out, _ = tb.call_torch(module, x, hx, lengths)
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
