"""torch's results and gradients for our one-state networks (RNN, GRU), for the parity tests."""

from __future__ import annotations

from needs import need_torch

torch = need_torch()

from lstm_core.torch_bridge import state_dict_to_torch  # noqa: E402


def run_packed(module, x, h0, lengths, batch_first):
    """module(x, h0), through pack_padded_sequence / pad_packed_sequence when lengths are given."""
    if lengths is None:
        return module(x, h0)
    rnn = torch.nn.utils.rnn
    packed = rnn.pack_padded_sequence(
        x, torch.as_tensor(lengths), batch_first=batch_first, enforce_sorted=False
    )
    out, h_n = module(packed, h0)
    return rnn.pad_packed_sequence(out, batch_first=batch_first)[0], h_n


def one_state_reference(model, to_torch, x, h0, lengths, trace, go, gh) -> dict:
    """output, h_n and every gradient from torch for `model` (an RNN or GRU): its torch twin
    `to_torch(model)`, or, when the trace holds dropout masks (ours), the twin's layers one by one
    with our masks in between."""
    dt = torch.float64 if model.dtype.name == "float64" else torch.float32
    xt = torch.tensor(x, dtype=dt, requires_grad=True)
    h0t = torch.tensor(h0, dtype=dt, requires_grad=True)
    if all(m is None for m in trace.dropout_masks):
        module = to_torch(model)
        out, h_n = run_packed(module, xt, h0t, lengths, model.batch_first)
        named = dict(module.named_parameters())
    else:
        ND, named, hs = model.num_directions, {}, []
        layer_in = xt.transpose(0, 1) if model.batch_first else xt
        for k in range(model.num_layers):
            cfg = model.config() | {"num_layers": 1, "dropout": 0.0, "batch_first": False}
            cfg["input_size"] = model.layer_input_size(k)
            module = getattr(torch.nn, type(model).__name__)(**cfg, dtype=dt)
            sd = {
                n.replace(f"_l{k}", "_l0"): v
                for n, v in model.state_dict().items()
                if n.endswith(f"_l{k}") or n.endswith(f"_l{k}_reverse")
            }
            module.load_state_dict(state_dict_to_torch(sd))
            named |= {n.replace("_l0", f"_l{k}"): p for n, p in module.named_parameters()}
            out, h_k = run_packed(module, layer_in, h0t[k * ND : (k + 1) * ND], lengths, False)
            hs.append(h_k)
            if k < model.num_layers - 1:
                out = out * torch.tensor(trace.dropout_masks[k][: out.shape[0]])
            layer_in = out
        out = layer_in.transpose(0, 1) if model.batch_first else layer_in
        h_n = torch.cat(hs)
    torch.autograd.backward([out, h_n], [torch.tensor(go, dtype=dt), torch.tensor(gh, dtype=dt)])
    return {
        "output": out.detach().numpy(),
        "h_n": h_n.detach().numpy(),
        "params": {n: p.grad.numpy() for n, p in named.items()},
        "input": xt.grad.numpy(),
        "h0": h0t.grad.numpy(),
    }
