"""What only the Compare page asks of torch (imported lazily): its version, an nn.LSTM's layers as
modules of their own, and torch autograd's parameter gradients.

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


def torch_param_grads(module, x: np.ndarray, hx=None, lengths=None, grad_output=None):
    """torch autograd's d(sum(output ⊙ grad_output))/d(every parameter), keyed like state_dict.

    x and grad_output as the module takes and returns them (with `lengths`: packed, padded back to
    max(lengths)). Dropout follows the module's mode. Returns NumPy arrays.
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
