"""lstm_core.LSTM / LSTMCell against torch.nn.LSTM / nn.LSTMCell: every option, every combination.

float64: ≤ 1e-12 absolute on output, h_n and c_n. float32: torch runs float32 through oneDNN, so
"within torch's own float32 error" is judged against torch's float32-vs-float64 gap on the same
weights and inputs (see `assert_float32_close`).
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from needs import need_torch

torch = need_torch()

from lstm_core import LSTM, LSTMCell  # noqa: E402
from lstm_core.torch_bridge import run_torch, to_torch  # noqa: E402

T, B, D, H, P = 5, 3, 3, 4, 2  # small sizes: the grid is about options, not scale
LENGTHS = (2, 4, 1)  # unsorted, padded, max(lengths) = 4 < T: the output has 4 steps
ATOL_F64 = 1e-12
FLOOR_F32 = 1e-6  # the "about 1e-6 on ordinary inputs"


def make_inputs(model: LSTM, *, unbatched: bool, with_hx: bool, seed: int, scale: float = 1.0):
    """x (in the model's layout) and hx (or None), standard normal, in the model's dtype."""
    rng = np.random.default_rng(seed)
    LD = model.num_layers * model.num_directions
    H_out = model.output_hidden_size
    if unbatched:
        x, h_shape, c_shape = rng.normal(size=(T, D)), (LD, H_out), (LD, H)
    else:
        x = rng.normal(size=(B, T, D) if model.batch_first else (T, B, D))
        h_shape, c_shape = (LD, B, H_out), (LD, B, H)
    hx = (rng.normal(size=h_shape), rng.normal(size=c_shape)) if with_hx else None
    x = (scale * x).astype(model.dtype)
    hx = None if hx is None else tuple(a.astype(model.dtype) for a in hx)
    return x, hx


def ours_and_torch(model: LSTM, x, hx, lengths, module=None):
    """(ours, torch's) each as output, h_n, c_n NumPy arrays."""
    out, (h_n, c_n) = model(x, hx, lengths)
    t_out, (t_h, t_c) = run_torch(module if module is not None else to_torch(model), x, hx, lengths)
    return (out, h_n, c_n), (t_out, t_h, t_c)


def assert_float64_close(ours, theirs, atol: float = ATOL_F64) -> None:
    for name, a, b in zip(("output", "h_n", "c_n"), ours, theirs):
        assert a.dtype == np.float64 and b.dtype == np.float64
        assert a.shape == b.shape, f"{name}: shape {a.shape} vs torch {b.shape}"
        err = np.abs(a - b).max(initial=0.0)
        assert err <= atol, f"{name}: max |ours - torch| = {err:.3g} > {atol}"


def float32_gaps(model: LSTM, x, hx, lengths):
    """Per result (output, h_n, c_n): (|ours32 − torch32|, |ours32 − torch64|, |torch32 − torch64|).

    torch64 is torch on exactly the same values (float32 weights and inputs widened exactly):
    the ground truth both float32 implementations approximate.
    """
    module32 = to_torch(model)
    module64 = to_torch(model).double()
    ours, t32 = ours_and_torch(model, x, hx, lengths, module32)
    hx64 = None if hx is None else tuple(a.astype(np.float64) for a in hx)
    t64 = run_torch(module64, x.astype(np.float64), hx64, lengths)
    t64 = (t64[0], *t64[1])
    gaps = []
    for a, b, ref in zip(ours, t32, t64):
        assert a.dtype == np.float32 and b.dtype == np.float32 and a.shape == b.shape == ref.shape
        a64, b64 = a.astype(np.float64), b.astype(np.float64)
        gaps.append(
            (
                np.abs(a64 - b64).max(initial=0.0),
                np.abs(a64 - ref).max(initial=0.0),
                np.abs(b64 - ref).max(initial=0.0),
            )
        )
    return gaps


def assert_float32_close(model: LSTM, x, hx, lengths, floor: float = FLOOR_F32) -> None:
    """Within torch's own float32 error: bound = max(floor, 4 × max|torch32 − torch64|).

    Both ours and torch's float32 results must lie within that bound of each other, and ours must
    be no further from the float64 truth than the same bound.
    """
    for name, (ours_vs_t32, ours_vs_t64, t32_vs_t64) in zip(
        ("output", "h_n", "c_n"), float32_gaps(model, x, hx, lengths)
    ):
        bound = max(floor, 4.0 * t32_vs_t64)
        assert ours_vs_t32 <= bound, f"{name}: |ours32 − torch32| = {ours_vs_t32:.3g} > {bound:.3g}"
        assert ours_vs_t64 <= bound, f"{name}: |ours32 − torch64| = {ours_vs_t64:.3g} > {bound:.3g}"


# ----- the full grid ----------------------------------------------------------------------------


def _grid():
    for L, bias, bf, bidir, proj, unbatched, with_hx, with_lengths, dtype in itertools.product(
        (1, 2, 3),
        (True, False),
        (False, True),
        (False, True),
        (0, P),
        (False, True),
        (False, True),
        (False, True),
        (np.float64, np.float32),
    ):
        if unbatched and with_lengths:
            continue  # torch has no packed unbatched input; ours refuses it (test_lstm_errors)
        case_id = "-".join(
            (
                f"L{L}",
                "bias" if bias else "nobias",
                "bfirst" if bf else "tmajor",
                "bidir" if bidir else "unidir",
                f"proj{proj}" if proj else "noproj",
                "unbatched" if unbatched else "batched",
                "hx" if with_hx else "nohx",
                "lengths" if with_lengths else "full",
                np.dtype(dtype).name,
            )
        )
        yield pytest.param(
            L, bias, bf, bidir, proj, unbatched, with_hx, with_lengths, dtype, id=case_id
        )


@pytest.mark.parametrize(
    "L, bias, batch_first, bidirectional, proj_size, unbatched, with_hx, with_lengths, dtype",
    list(_grid()),
)
def test_parity_grid(
    L, bias, batch_first, bidirectional, proj_size, unbatched, with_hx, with_lengths, dtype
):
    model = LSTM(
        D, H, num_layers=L, bias=bias, batch_first=batch_first, bidirectional=bidirectional,
        proj_size=proj_size, dtype=dtype, seed=L * 100 + proj_size,
    ).eval()  # fmt: skip
    x, hx = make_inputs(model, unbatched=unbatched, with_hx=with_hx, seed=L)
    lengths = list(LENGTHS) if with_lengths else None
    if np.dtype(dtype) == np.float64:
        ours, theirs = ours_and_torch(model, x, hx, lengths)
        assert_float64_close(ours, theirs)
        out = ours[0]
    else:
        assert_float32_close(model, x, hx, lengths)
        out = model(x, hx, lengths)[0]
    # The shape torch's pad_packed_sequence gives: max(lengths) steps, not T.
    steps = max(LENGTHS) if with_lengths else T
    width = (proj_size or H) * (2 if bidirectional else 1)
    want = (steps, width) if unbatched else (B, steps, width) if batch_first else (steps, B, width)
    assert out.shape == want


# ----- lengths in more shapes ------------------------------------------------------------------


@pytest.mark.parametrize(
    "lengths",
    [(5, 5, 5), (1, 1, 1), (5, 3, 1), (1, 3, 5), (3, 5, 2), (4, 4, 2)],
    ids=["all-full", "all-one", "sorted-desc", "sorted-asc", "max-is-T", "ties"],
)
@pytest.mark.parametrize("bidirectional", [False, True], ids=["unidir", "bidir"])
def test_parity_lengths_patterns(lengths, bidirectional):
    model = LSTM(D, H, num_layers=2, bidirectional=bidirectional, proj_size=P, seed=7).eval()
    x, hx = make_inputs(model, unbatched=False, with_hx=True, seed=3)
    ours, theirs = ours_and_torch(model, x, hx, list(lengths))
    assert_float64_close(ours, theirs)
    out = ours[0]
    assert out.shape[0] == max(lengths)
    for b, n in enumerate(lengths):
        assert np.all(out[n:, b] == 0.0), "padded outputs are exactly 0, as pad_packed_sequence"


@pytest.mark.parametrize("as_type", [list, tuple, np.array, torch.tensor], ids=lambda f: f.__name__)
def test_lengths_accepts_common_containers(as_type):
    model = LSTM(D, H, seed=1).eval()
    x, _ = make_inputs(model, unbatched=False, with_hx=False, seed=1)
    ours, theirs = ours_and_torch(model, x, None, as_type(list(LENGTHS)))
    assert_float64_close(ours, theirs)


# ----- float32 on larger and saturating inputs --------------------------------------------------


@pytest.mark.parametrize("scale", [1.0, 30.0, 1000.0], ids=["ordinary", "saturating", "extreme"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["unidir", "bidir"])
def test_float32_within_torch_error(scale, bidirectional):
    """Saturating inputs push σ and tanh against 0 and ±1; oneDNN and NumPy round differently
    there, so the bound follows torch's own float32-vs-float64 gap."""
    model = LSTM(8, 16, num_layers=2, bidirectional=bidirectional, dtype=np.float32, seed=5).eval()
    rng = np.random.default_rng(11)
    x = (scale * rng.normal(size=(20, 4, 8))).astype(np.float32)
    assert_float32_close(model, x, None, None)
    if scale >= 30:  # the case really saturates: many gates within float32 rounding of 0 or 1
        gates = model.trace(x).layers[0][0].gates
        assert np.mean((gates == 0) | (gates == 1) | (np.abs(gates) == 1)) > 0.05


def test_float32_ordinary_inputs_within_floor():
    """On ordinary inputs ours and torch's float32 results agree to the issue's ~1e-6."""
    model = LSTM(8, 16, num_layers=2, dtype=np.float32, seed=6).eval()
    x = np.random.default_rng(12).normal(size=(20, 4, 8)).astype(np.float32)
    for name, (ours_vs_t32, ours_vs_t64, _) in zip(
        ("output", "h_n", "c_n"), float32_gaps(model, x, None, None)
    ):
        assert ours_vs_t32 <= FLOOR_F32, f"{name}: {ours_vs_t32:.3g}"
        assert ours_vs_t64 <= FLOOR_F32, f"{name}: {ours_vs_t64:.3g}"


def test_float64_saturating_inputs():
    model = LSTM(8, 16, num_layers=2, bidirectional=True, seed=5).eval()
    x = 1000.0 * np.random.default_rng(13).normal(size=(20, 4, 8))
    ours, theirs = ours_and_torch(model, x, None, None)
    assert_float64_close(ours, theirs)


# ----- the article's example ---------------------------------------------------------------------


def test_article_example():
    """nn.LSTM(10, 20, 2), input (5, 3, 10), h0/c0 (2, 3, 20) → output (5, 3, 20)."""
    model = LSTM(input_size=10, hidden_size=20, num_layers=2, seed=0).eval()
    rng = np.random.default_rng(0)
    x = rng.normal(size=(5, 3, 10))
    hx = (rng.normal(size=(2, 3, 20)), rng.normal(size=(2, 3, 20)))
    ours, theirs = ours_and_torch(model, x, hx, None)
    assert ours[0].shape == (5, 3, 20) and ours[1].shape == ours[2].shape == (2, 3, 20)
    assert_float64_close(ours, theirs)


# ----- dropout -----------------------------------------------------------------------------------


def torch_layer_by_layer(model: LSTM, x_tm, hx, lengths, masks):
    """torch, one single-layer nn.LSTM per layer with our weights, our dropout masks in between.

    x_tm is time-major (T, B, D); masks[k] is (T, B, dirs·H_out) time-major or None.
    Returns output (time-major, max(lengths) steps), h_n, c_n as NumPy arrays.
    """
    sd = model.state_dict()
    ND = model.num_directions
    layer_in = x_tm
    h_n, c_n = [], []
    for k in range(model.num_layers):
        layer = torch.nn.LSTM(
            model.layer_input_size(k), model.hidden_size, bias=model.bias,
            bidirectional=model.bidirectional, proj_size=model.proj_size, dtype=torch.float64,
        ).eval()  # fmt: skip
        layer_sd = {
            name.replace(f"_l{k}", "_l0"): torch.from_numpy(v)
            for name, v in sd.items()
            if name.split("_")[2] == f"l{k}"
        }
        layer.load_state_dict(layer_sd)
        layer_hx = None if hx is None else tuple(a[k * ND : (k + 1) * ND] for a in hx)
        out, (h, c) = run_torch(layer, layer_in, layer_hx, lengths)
        h_n.append(h)
        c_n.append(c)
        if masks[k] is not None:
            out = out * masks[k][: out.shape[0]]
            if out.shape[0] < x_tm.shape[0]:  # pad back to T for the next packed run
                pad = np.zeros((x_tm.shape[0] - out.shape[0],) + out.shape[1:])
                out = np.concatenate([out, pad])
        layer_in = out
    return layer_in, np.concatenate(h_n), np.concatenate(c_n)


@pytest.mark.parametrize("with_lengths", [False, True], ids=["full", "lengths"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["unidir", "bidir"])
@pytest.mark.parametrize("proj_size", [0, P], ids=["noproj", "proj"])
@pytest.mark.parametrize("p", [0.3, 0.7])
def test_dropout_train_mode_matches_torch_with_our_masks(p, proj_size, bidirectional, with_lengths):
    model = LSTM(
        D, H, num_layers=3, dropout=p, bidirectional=bidirectional, proj_size=proj_size, seed=9
    )
    assert model.training
    x, hx = make_inputs(model, unbatched=False, with_hx=True, seed=4)
    lengths = list(LENGTHS) if with_lengths else None
    tr = model.trace(x, hx, lengths)
    masks = tr.dropout_masks
    width = (proj_size or H) * model.num_directions
    assert len(masks) == 3 and masks[-1] is None
    for m in masks[:-1]:
        assert m.shape == (T, B, width)
        kept = m != 0
        assert np.all(m[kept] == 1.0 / (1.0 - p)), "survivors are scaled by 1/(1-p)"
        assert 0 < kept.mean() < 1, "a mask that drops nothing or everything tests nothing"
    out, h_n, c_n = torch_layer_by_layer(model, x, hx, lengths, masks)
    assert_float64_close((tr.output, tr.h_n, tr.c_n), (out, h_n, c_n))
    # and the masks really changed the result: torch without them differs
    no_drop, _ = run_torch(to_torch(model).eval(), x, hx, lengths)
    assert np.abs(no_drop - tr.output).max() > 1e-3


def test_dropout_masks_are_fresh_each_call_and_seeded():
    a = LSTM(D, H, num_layers=2, dropout=0.5, seed=3)
    b = LSTM(D, H, num_layers=2, dropout=0.5, seed=3)
    x, _ = make_inputs(a, unbatched=False, with_hx=False, seed=0)
    m1, m2 = a.trace(x).dropout_masks[0], a.trace(x).dropout_masks[0]
    assert not np.array_equal(m1, m2), "a new mask every forward, as torch"
    assert np.array_equal(m1, b.trace(x).dropout_masks[0]), "same seed, same masks"


def test_dropout_eval_mode_applies_none():
    model = LSTM(D, H, num_layers=3, dropout=0.5, seed=2).eval()
    x, hx = make_inputs(model, unbatched=False, with_hx=True, seed=2)
    tr = model.trace(x, hx)
    assert tr.dropout_masks == (None, None, None)
    module = to_torch(model)
    assert not module.training and module.dropout == 0.5
    assert_float64_close((tr.output, tr.h_n, tr.c_n), ours_and_torch(model, x, hx, None)[1])


def test_dropout_on_one_layer_does_nothing():
    """torch applies dropout between layers only: a 1-layer model is the same in train mode."""
    model = LSTM(D, H, num_layers=1, dropout=0.9, seed=2)
    assert model.training
    x, hx = make_inputs(model, unbatched=False, with_hx=True, seed=2)
    tr = model.trace(x, hx)
    assert tr.dropout_masks == (None,)
    module = to_torch(model)
    assert module.training
    assert_float64_close((tr.output, tr.h_n, tr.c_n), ours_and_torch(model, x, hx, None, module)[1])


@pytest.mark.parametrize("bidirectional", [False, True], ids=["unidir", "bidir"])
def test_dropout_p1_zeroes_every_layer_input_as_torch_train(bidirectional):
    """p = 1 is deterministic: every layer above the first sees zeros; torch's own train-mode
    forward gives the same numbers."""
    model = LSTM(D, H, num_layers=3, dropout=1.0, bidirectional=bidirectional, seed=4)
    x, hx = make_inputs(model, unbatched=False, with_hx=True, seed=5)
    tr = model.trace(x, hx)
    for k in (1, 2):
        assert np.all(tr.layers[k][0].x == 0.0)
    assert all(np.all(m == 0.0) for m in tr.dropout_masks[:-1])
    module = to_torch(model)
    assert module.training
    assert_float64_close((tr.output, tr.h_n, tr.c_n), ours_and_torch(model, x, hx, None, module)[1])


# ----- LSTMCell -----------------------------------------------------------------------------------


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
@pytest.mark.parametrize("with_hx", [False, True], ids=["nohx", "hx"])
@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
@pytest.mark.parametrize("unbatched", [False, True], ids=["batched", "unbatched"])
def test_lstm_cell_parity(unbatched, bias, with_hx, dtype):
    cell = LSTMCell(D, H, bias=bias, dtype=dtype, seed=21)
    module = to_torch(cell)
    assert isinstance(module, torch.nn.LSTMCell) and module.bias == bias
    rng = np.random.default_rng(8)
    lead = () if unbatched else (B,)
    x = rng.normal(size=lead + (D,)).astype(dtype)
    hx = (rng.normal(size=lead + (H,)).astype(dtype), rng.normal(size=lead + (H,)).astype(dtype))
    hx = hx if with_hx else None
    h1, c1 = cell(x, hx)
    with torch.no_grad():
        t_hx = None if hx is None else tuple(torch.from_numpy(a) for a in hx)
        t_h1, t_c1 = module(torch.from_numpy(x), t_hx)
    atol = ATOL_F64 if dtype == np.float64 else FLOOR_F32
    for a, b in ((h1, t_h1.numpy()), (c1, t_c1.numpy())):
        assert a.dtype == np.dtype(dtype) and a.shape == b.shape == lead + (H,)
        np.testing.assert_allclose(a, b, rtol=0, atol=atol)


@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_parity_large_step(dtype):
    """B·H above 4096: the recurrence broadcasts its (4H,) gate scale instead of keeping rows."""
    model = LSTM(4, 128, num_layers=2, bidirectional=True, dtype=dtype, seed=8).eval()
    x = np.random.default_rng(14).normal(size=(3, 40, 4)).astype(dtype)
    if np.dtype(dtype) == np.float64:
        assert_float64_close(*ours_and_torch(model, x, None, [3, 1] * 20))
    else:
        assert_float32_close(model, x, None, [3, 1] * 20)
