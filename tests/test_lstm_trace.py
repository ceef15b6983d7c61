"""The trace: every gate, every layer, direction and timestep, against torch.

Two independent references: `torch_bridge.torch_gates` (torch's equations replayed with torch ops),
and `recompute` below, written here so that the bridge helper is not trusted blindly. `recompute`
runs each sequence alone (which is what lengths mean), takes c_t and h_t from torch's own fused
`nn.LSTMCell` kernel where there is no projection, and everything else from torch.nn.functional.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from needs import need_torch

torch = need_torch()
F = torch.nn.functional

from lstm_core import LSTM, Trace  # noqa: E402
from lstm_core.torch_bridge import to_torch, torch_gates  # noqa: E402

T, B, D, H, P = 5, 3, 3, 4, 2
ATOL = 1e-12
FIELDS = ("x", "z", "gates", "c_prev", "kept", "written", "c", "tanh_c", "h_prev", "h_cell", "h")


def make_model(L=2, bidirectional=False, proj_size=0, bias=True, batch_first=False, **kw) -> LSTM:
    return LSTM(
        D, H, num_layers=L, bidirectional=bidirectional, proj_size=proj_size, bias=bias,
        batch_first=batch_first, seed=L + 10 * proj_size, **kw,
    )  # fmt: skip


def make_inputs(model: LSTM, unbatched: bool, with_hx: bool, seed: int = 0):
    rng = np.random.default_rng(seed)
    LD, H_out = model.num_layers * model.num_directions, model.output_hidden_size
    lead = () if unbatched else (B,)
    x = rng.normal(size=(T, D) if unbatched else (B, T, D) if model.batch_first else (T, B, D))
    hx = (rng.normal(size=(LD, *lead, H_out)), rng.normal(size=(LD, *lead, H)))
    return x, hx if with_hx else None


def to_time_major(model: LSTM, x, hx):
    """x (T, B, D) and h0, c0 (LD, B, ·) whatever the layout, as the trace stores them."""
    LD = model.num_layers * model.num_directions
    if x.ndim == 2:
        x = x[:, None]
        hx = None if hx is None else (hx[0][:, None], hx[1][:, None])
    elif model.batch_first:
        x = x.transpose(1, 0, 2)
    Bx = x.shape[1]
    if hx is None:
        hx = (np.zeros((LD, Bx, model.output_hidden_size)), np.zeros((LD, Bx, model.hidden_size)))
    return x, hx


def recompute(model: LSTM, x, hx, lengths=None) -> list[list[dict[str, np.ndarray]]]:
    """Every trace field, [layer][direction], recomputed with torch one sequence at a time.

    Eval mode. x and hx in the model's own layout. Positions past a sequence's length hold zeros.
    """
    x_tm, (h0, c0) = to_time_major(model, x, hx)
    Tx, Bx, _ = x_tm.shape
    lengths = [Tx] * Bx if lengths is None else list(lengths)
    sd = {k: torch.from_numpy(v) for k, v in model.state_dict().items()}
    ND, Hh = model.num_directions, model.hidden_size
    out = [[{f: [] for f in FIELDS} for _ in range(ND)] for _ in range(model.num_layers)]
    for b, n in enumerate(lengths):
        layer_in = torch.from_numpy(x_tm[:n, b])  # (n, D): this sequence alone
        for k in range(model.num_layers):
            dir_h = []
            for d in range(ND):
                sfx = f"_l{k}" + ("_reverse" if d else "")
                W_ih, W_hh = sd["weight_ih" + sfx], sd["weight_hh" + sfx]
                b_ih = sd.get("bias_ih" + sfx, torch.zeros(4 * Hh, dtype=torch.float64))
                b_hh = sd.get("bias_hh" + sfx, torch.zeros(4 * Hh, dtype=torch.float64))
                W_hr = sd.get("weight_hr" + sfx)
                cell = None
                if W_hr is None:  # torch's fused cell kernel: a second opinion on c_t and h_t
                    cell = torch.nn.LSTMCell(W_ih.shape[1], Hh, dtype=torch.float64)
                    cell.load_state_dict(
                        {"weight_ih": W_ih, "weight_hh": W_hh, "bias_ih": b_ih, "bias_hh": b_hh}
                    )
                h = torch.from_numpy(h0[k * ND + d, b])
                c = torch.from_numpy(c0[k * ND + d, b])
                rec = {f: [None] * n for f in FIELDS}
                for t in reversed(range(n)) if d else range(n):
                    x_t = layer_in[t]
                    z = F.linear(x_t, W_ih, b_ih) + F.linear(h, W_hh, b_hh)
                    z_i, z_f, z_g, z_o = z.chunk(4)
                    i, f, g, o = z_i.sigmoid(), z_f.sigmoid(), z_g.tanh(), z_o.sigmoid()
                    c_new = f * c + i * g
                    h_cell = o * c_new.tanh()
                    if cell is not None:
                        with torch.no_grad():
                            h_k, c_k = cell(x_t[None], (h[None], c[None]))
                        torch.testing.assert_close(c_k[0], c_new, rtol=0, atol=1e-14)
                        torch.testing.assert_close(h_k[0], h_cell, rtol=0, atol=1e-14)
                    h_new = h_cell if W_hr is None else F.linear(h_cell, W_hr)
                    values = (x_t, z, torch.cat([i, f, g, o]), c, f * c, i * g, c_new)
                    values += (c_new.tanh(), h, h_cell, h_new)
                    for name, v in zip(FIELDS, values):
                        rec[name][t] = v.detach().numpy()
                    h, c = h_new, c_new
                for name in FIELDS:
                    out[k][d][name].append(np.stack(rec[name]) if n else None)
                dir_h.append(torch.from_numpy(np.stack(rec["h"])))
            layer_in = torch.cat(dir_h, dim=-1)
    # Stack the sequences along B, padding each to T with zeros.
    result = []
    for k in range(model.num_layers):
        dirs = []
        for d in range(ND):
            fields = {}
            for name in FIELDS:
                per_b = out[k][d][name]
                width = per_b[0].shape[-1]
                a = np.zeros((Tx, Bx, width))
                for b, n in enumerate(lengths):
                    a[:n, b] = per_b[b]
                fields[name] = a
            dirs.append(fields)
        result.append(dirs)
    return result


def assert_trace_matches(tr: Trace, ref, fields=FIELDS, atol=ATOL) -> None:
    for k, layer in enumerate(ref):
        for d, want in enumerate(layer):
            lt = tr.layers[k][d]
            assert (lt.layer, lt.direction) == (k, d)
            for name in fields:
                got = getattr(lt, name)
                assert got.shape == want[name].shape, f"layer {k} dir {d} {name}: shape"
                err = np.abs(got - want[name]).max(initial=0.0)
                assert err <= atol, f"layer {k} dir {d} {name}: max error {err:.3g}"


# ----- against torch_bridge.torch_gates -----------------------------------------------------------


def _grid():
    for L, bidir, proj, bias, bf, unbatched, with_hx in itertools.product(
        (1, 2), (False, True), (0, P), (True, False), (False, True), (False, True), (False, True)
    ):
        yield pytest.param(
            L, bidir, proj, bias, bf, unbatched, with_hx,
            id="-".join((
                f"L{L}", "bidir" if bidir else "unidir", f"proj{proj}" if proj else "noproj",
                "bias" if bias else "nobias", "bfirst" if bf else "tmajor",
                "unbatched" if unbatched else "batched", "hx" if with_hx else "nohx",
            )),
        )  # fmt: skip


GRID_ARGS = "L, bidirectional, proj_size, bias, batch_first, unbatched, with_hx"


@pytest.mark.parametrize(GRID_ARGS, list(_grid()))
def test_trace_gates_match_torch_gates(
    L, bidirectional, proj_size, bias, batch_first, unbatched, with_hx
):
    model = make_model(L, bidirectional, proj_size, bias, batch_first).eval()
    x, hx = make_inputs(model, unbatched, with_hx, seed=L)
    tr = model.trace(x, hx)
    ref = torch_gates(to_torch(model), x, hx)
    for k in range(L):
        for d in range(model.num_directions):
            lt, want = tr.layers[k][d], ref[k][d]
            for name in ("i", "f", "g", "o", "c", "h"):
                got = getattr(lt, name)
                assert got.shape == want[name].shape
                err = np.abs(got - want[name]).max()
                assert err <= ATOL, f"layer {k} dir {d} {name}: {err:.3g}"


# ----- against the recomputation written here -----------------------------------------------------


@pytest.mark.parametrize(GRID_ARGS, list(_grid())[::5])  # every fifth configuration
def test_trace_every_field_matches_recomputation(
    L, bidirectional, proj_size, bias, batch_first, unbatched, with_hx
):
    model = make_model(L, bidirectional, proj_size, bias, batch_first).eval()
    x, hx = make_inputs(model, unbatched, with_hx, seed=L + 1)
    assert_trace_matches(model.trace(x, hx), recompute(model, x, hx))


@pytest.mark.parametrize("lengths", [(2, 5, 1), (3, 3, 4)], ids=["2-5-1", "3-3-4"])
@pytest.mark.parametrize("batch_first", [False, True], ids=["tmajor", "bfirst"])
@pytest.mark.parametrize("proj_size", [0, P], ids=["noproj", "proj"])
def test_trace_with_lengths_matches_each_sequence_alone(lengths, batch_first, proj_size):
    """With lengths each sequence runs alone; the reverse direction starts at its own end;
    padded positions hold zeros and mask is False there."""
    model = make_model(3, True, proj_size, True, batch_first).eval()
    x, hx = make_inputs(model, unbatched=False, with_hx=True, seed=9)
    tr = model.trace(x, hx, lengths)
    assert_trace_matches(tr, recompute(model, x, hx, lengths))
    want_mask = np.arange(T)[:, None] < np.array(lengths)[None, :]
    for layer in tr.layers:
        for lt in layer:
            assert np.array_equal(lt.mask, want_mask)
    assert np.array_equal(tr.lengths, lengths)
    for b, n in enumerate(lengths):  # the reverse direction's first step is at position n - 1
        rev = tr.layers[0][1]
        np.testing.assert_array_equal(rev.h_prev[n - 1, b], hx[0][1, b])
        np.testing.assert_array_equal(rev.c_prev[n - 1, b], hx[1][1, b])


def test_recomputation_can_fail():
    """The reference is not a mirror of the trace: a wrong weight shows up."""
    model = make_model(2, True, P).eval()
    x, hx = make_inputs(model, unbatched=False, with_hx=True)
    tr = model.trace(x, hx)
    sd = model.state_dict()
    sd["weight_hh_l1_reverse"][3, 1] += 1e-6
    model.load_state_dict(sd)
    with pytest.raises(AssertionError, match="layer 1 dir 1 z"):
        assert_trace_matches(tr, recompute(model, x, hx))


# ----- structure ---------------------------------------------------------------------------------


@pytest.mark.parametrize("bidirectional", [False, True], ids=["unidir", "bidir"])
def test_trace_recurrence_links(bidirectional):
    """c_prev and h_prev are the previous step's c and h (from position t+1 in the reverse
    direction); the first step's come from hx; h_n and c_n are the last step's."""
    model = make_model(2, bidirectional, P).eval()
    x, hx = make_inputs(model, unbatched=False, with_hx=True, seed=2)
    tr = model.trace(x, hx)
    ND = model.num_directions
    for k, layer in enumerate(tr.layers):
        for d, lt in enumerate(layer):
            first, last = (T - 1, 0) if d else (0, T - 1)
            assert np.array_equal(lt.c_prev[first], hx[1][k * ND + d])
            assert np.array_equal(lt.h_prev[first], hx[0][k * ND + d])
            if d == 0:
                assert np.array_equal(lt.c_prev[1:], lt.c[:-1])
                assert np.array_equal(lt.h_prev[1:], lt.h[:-1])
            else:
                assert np.array_equal(lt.c_prev[:-1], lt.c[1:])
                assert np.array_equal(lt.h_prev[:-1], lt.h[1:])
            assert np.array_equal(tr.c_n[k * ND + d], lt.c[last])
            assert np.array_equal(tr.h_n[k * ND + d], lt.h[last])
            if k > 0:  # eval mode: this layer's input is the layer below's [forward | reverse]
                below = np.concatenate([b.h for b in tr.layers[k - 1]], axis=-1)
                assert np.array_equal(lt.x, below)


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("proj_size", [0, P], ids=["noproj", "proj"])
def test_trace_parameters_are_the_models(bias, proj_size):
    model = make_model(2, True, proj_size, bias).eval()
    sd = model.state_dict()
    tr = model.trace(make_inputs(model, unbatched=True, with_hx=False)[0])
    for k, layer in enumerate(tr.layers):
        for d, lt in enumerate(layer):
            sfx = f"_l{k}" + ("_reverse" if d else "")
            assert np.array_equal(lt.weight_ih, sd["weight_ih" + sfx])
            assert np.array_equal(lt.weight_hh, sd["weight_hh" + sfx])
            for name in ("bias_ih", "bias_hh"):
                want = sd[name + sfx] if bias else np.zeros(4 * H)
                assert np.array_equal(getattr(lt, name), want)
            if proj_size:
                assert np.array_equal(lt.weight_hr, sd["weight_hr" + sfx])
                np.testing.assert_allclose(lt.h, lt.h_cell @ lt.weight_hr.T, rtol=0, atol=1e-15)
            else:
                assert lt.weight_hr is None
            assert lt.mask.all() and lt.mask.shape == (T, 1)
            assert lt.hidden_size == H
    assert tr.num_layers == 2 and tr.num_directions == 2 and tr.lengths is None


def test_trace_dropout_feeds_masked_output_to_next_layer():
    model = make_model(3, True, P, dropout=0.4).train()
    x, hx = make_inputs(model, unbatched=False, with_hx=True, seed=3)
    tr = model.trace(x, hx)
    for k in (1, 2):
        below = np.concatenate([b.h for b in tr.layers[k - 1]], axis=-1)
        mask = tr.dropout_masks[k - 1]
        for lt in tr.layers[k]:
            assert np.array_equal(lt.x, below * mask)
    top = np.concatenate([b.h for b in tr.layers[2]], axis=-1)
    assert tr.dropout_masks[2] is None and np.array_equal(tr.output, top)  # never on the last


def test_trace_pre_activations_are_true_not_scaled():
    """z is W_ih x + b_ih + W_hh h_prev + b_hh itself (the hot loop scales σ rows by ½ and undoes
    it exactly); gates are σ/tanh of it."""
    model = make_model(1, False, 0).eval()
    x, hx = make_inputs(model, unbatched=False, with_hx=True, seed=4)
    lt = model.trace(x, hx).layers[0][0]
    z = lt.x @ lt.weight_ih.T + lt.bias_ih + lt.h_prev @ lt.weight_hh.T + lt.bias_hh
    np.testing.assert_allclose(lt.z, z, rtol=0, atol=1e-14)
    zt = torch.from_numpy(np.array(lt.z))
    np.testing.assert_allclose(lt.i, zt[..., :H].sigmoid().numpy(), rtol=0, atol=1e-15)
    np.testing.assert_allclose(lt.g, zt[..., 2 * H : 3 * H].tanh().numpy(), rtol=0, atol=1e-15)
