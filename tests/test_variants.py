"""VariantLSTM: each variant against its own equations recomputed step by step, its gradients
against central differences; vanilla against LSTM to the last bit; what each variant fixes."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstm_core import LSTM, VARIANTS, VariantLSTM
from lstm_core.gradcheck import gradient_check, weighted_sum_loss
from lstm_core.recurrence import sigmoid

T, B, D, H = 5, 3, 2, 4
LENGTHS = [5, 2, 4]
PROPS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def inputs(seed: int = 0, batch_first: bool = False, dtype=np.float64):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(B, T, D) if batch_first else (T, B, D))
    hx = (rng.normal(size=(4, B, H)), rng.normal(size=(4, B, H)))  # 2 layers × 2 directions
    return x.astype(dtype), tuple(a.astype(dtype) for a in hx)


def reference_step(variant: str, x, h_prev, c_prev, p):
    """One step of `variant`, straight from its definition (Greff et al., Table/§3)."""
    z = x @ p["weight_ih"].T + p["bias_ih"] + h_prev @ p["weight_hh"].T + p["bias_hh"]
    z_i, z_f, z_g, z_o = np.split(z, 4, axis=-1)
    if variant == "peephole":
        z_i = z_i + p["weight_ci"] * c_prev
        z_f = z_f + p["weight_cf"] * c_prev
    f = np.ones_like(z_f) if variant == "NFG" else sigmoid(z_f)
    i = {"NIG": np.ones_like(z_i), "CIFG": 1 - f}.get(variant, sigmoid(z_i))
    g = z_g if variant == "NIAF" else np.tanh(z_g)
    c = f * c_prev + i * g
    if variant == "peephole":
        z_o = z_o + p["weight_co"] * c
    o = np.ones_like(z_o) if variant == "NOG" else sigmoid(z_o)
    h = o * (c if variant == "NOAF" else np.tanh(c))
    return i, f, g, o, c, h


# ----- vanilla is LSTM ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "bias, batch_first, lengths, dtype",
    [
        (True, False, None, np.float64),
        (False, True, LENGTHS, np.float64),
        (True, False, LENGTHS, np.float32),
    ],
    ids=["plain", "nobias-bfirst-lengths", "float32-lengths"],
)
def test_vanilla_is_lstm_to_the_last_bit(bias, batch_first, lengths, dtype):
    kw = dict(num_layers=2, bias=bias, batch_first=batch_first, bidirectional=True, dtype=dtype)
    lstm = LSTM(D, H, seed=3, **kw).eval()
    vanilla = VariantLSTM(D, H, "vanilla", seed=3, **kw)
    assert list(vanilla.state_dict()) == list(lstm.state_dict())
    for k, v in lstm.state_dict().items():  # the same seed draws the same weights
        assert np.array_equal(vanilla.state_dict()[k], v)
    x, hx = inputs(1, batch_first, dtype)
    a, b = lstm.trace(x, hx, lengths), vanilla.trace(x, hx, lengths)
    for name in ("output", "h_n", "c_n"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
    for la, lb in zip(itertools.chain(*a.layers), itertools.chain(*b.layers)):
        for name in ("z", "gates", "c_prev", "kept", "written", "c", "tanh_c", "h_prev", "h"):
            assert np.array_equal(getattr(la, name), getattr(lb, name)), name
    rng = np.random.default_rng(2)
    go, gh, gc = (
        rng.normal(size=s).astype(dtype) for s in (a.output.shape, a.h_n.shape, a.h_n.shape)
    )
    ga, gb = lstm.backward(a, go, gh, gc), vanilla.backward(b, go, gh, gc)
    for k in ga.params:
        assert np.array_equal(ga.params[k], gb.params[k]), k
    for name in ("input", "h0", "c0"):
        assert np.array_equal(getattr(ga, name), getattr(gb, name)), name


def test_vanilla_loads_lstm_weights():
    lstm = LSTM(D, H, num_layers=2, seed=8).eval()
    vanilla = VariantLSTM(D, H, "vanilla", num_layers=2, seed=0)
    vanilla.load_state_dict(lstm.state_dict())
    x, _ = inputs(4)
    assert np.array_equal(vanilla(x)[0], lstm(x)[0])


# ----- every variant against its definition and central differences ------------------------------


@pytest.mark.parametrize("variant", VARIANTS)
def test_each_step_follows_the_definition(variant):
    """Every step of every layer and direction, recomputed from the trace's own inputs to it."""
    model = VariantLSTM(D, H, variant, num_layers=2, bidirectional=True, seed=5)
    x, hx = inputs(6)
    tr = model.trace(x, hx)
    sd = model.state_dict()
    for lt in itertools.chain(*tr.layers):
        sfx = f"_l{lt.layer}" + ("_reverse" if lt.direction else "")
        p = {k[: -len(sfx)]: v for k, v in sd.items() if k.endswith(sfx)}
        want = reference_step(variant, lt.x, lt.h_prev, lt.c_prev, p)
        for name, w in zip("ifgoch", want):
            np.testing.assert_allclose(getattr(lt, name), w, rtol=0, atol=1e-14, err_msg=name)
    n_peep = 6 * 2 if variant == "peephole" else 0  # 3 (H,) per layer and direction
    assert len(sd) == 4 * 2 * 2 + n_peep


@pytest.mark.parametrize("variant", VARIANTS)
def test_gradients_match_central_differences(variant):
    model = VariantLSTM(D, H, variant, num_layers=2, bidirectional=True, seed=7)
    x, _ = inputs(8)
    R = np.random.default_rng(9).normal(size=(T, B, 2 * H))
    entries = gradient_check(model, x, weighted_sum_loss(R), lengths=LENGTHS, n_samples=48)
    assert {e.name for e in entries} == set(model.state_dict()) | {"input"}
    for e in entries:
        assert e.abs_error <= 1e-8 + 1e-6 * abs(e.numeric), e


def test_peephole_gradients_against_central_differences_entry_by_entry():
    """Every entry of every peephole weight (the random sampling above may miss some)."""
    from lstm_core.gradcheck import numerical_grad

    model = VariantLSTM(D, H, "peephole", seed=2)
    x, _ = inputs(3)
    R = np.random.default_rng(4).normal(size=(T, B, H))
    tr = model.trace(x)
    g = model.backward(tr, R)
    for name in ("weight_ci_l0", "weight_cf_l0", "weight_co_l0"):
        for j in range(H):
            n = numerical_grad(model, x, weighted_sum_loss(R), name, (j,))
            assert abs(g.params[name][j] - n) <= 1e-8, (name, j)


# ----- what each variant fixes ------------------------------------------------------------------


def test_removed_and_coupled_gates_are_exact():
    x, hx = inputs(10)
    lts = {
        v: VariantLSTM(D, H, v, seed=1).trace(x, (hx[0][:1], hx[1][:1])).layers[0][0]
        for v in VARIANTS
    }
    assert np.all(lts["NFG"].f == 1.0) and np.all(lts["NFG"].z_f == 0.0)
    assert np.all(lts["NIG"].i == 1.0) and np.all(lts["NIG"].z_i == 0.0)
    assert np.all(lts["NOG"].o == 1.0) and np.all(lts["NOG"].z_o == 0.0)
    cifg = lts["CIFG"]
    assert np.array_equal(cifg.i, 1.0 - cifg.f)
    assert np.array_equal(cifg.z_i, -cifg.z_f)
    assert np.array_equal(lts["NIAF"].g, lts["NIAF"].z_g)
    noaf = lts["NOAF"]
    assert np.array_equal(noaf.h, noaf.o * noaf.c) and np.array_equal(noaf.tanh_c, noaf.c)


@pytest.mark.parametrize(
    "variant, rows", [("NIG", (0,)), ("NFG", (1,)), ("NOG", (3,)), ("CIFG", (0,))]
)
def test_unused_rows_have_zero_gradient(variant, rows):
    model = VariantLSTM(D, H, variant, num_layers=2, bidirectional=True, seed=2)
    x, hx = inputs(11)
    tr = model.trace(x, hx, LENGTHS)
    g = model.backward(tr, np.ones(tr.output.shape))
    used = [n for n in range(4) if n not in rows]
    for name, grad in g.params.items():
        for n in rows:
            assert np.all(grad[n * H : (n + 1) * H] == 0.0), (name, n)
        assert np.any(grad[used[0] * H : (used[0] + 1) * H] != 0.0), name
    for lg in itertools.chain(*g.layers):
        for n in rows:
            assert np.all(lg.z[..., n * H : (n + 1) * H] == 0.0)


def test_zero_peepholes_equal_vanilla():
    vanilla = VariantLSTM(D, H, "vanilla", num_layers=2, bidirectional=True, seed=4)
    peep = VariantLSTM(D, H, "peephole", num_layers=2, bidirectional=True, seed=0)
    sd = vanilla.state_dict()
    shapes = peep.param_shapes()
    peep.load_state_dict({k: sd.get(k, np.zeros(shapes[k])) for k in shapes})
    x, hx = inputs(12)
    a, b = vanilla.trace(x, hx, LENGTHS), peep.trace(x, hx, LENGTHS)
    for name in ("output", "h_n", "c_n"):
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=0, atol=1e-15)
    ga, gb = vanilla.backward(a, a.output), peep.backward(b, b.output)
    for k, v in ga.params.items():
        np.testing.assert_allclose(gb.params[k], v, rtol=0, atol=1e-14, err_msg=k)


def test_nfg_cell_state_only_adds():
    """Without a forget gate c_t = c_{t-1} + i_t ⊙ g_t: all of c_{t-1} is kept, always."""
    lt = VariantLSTM(D, H, "NFG", seed=3).trace(inputs(13)[0]).layers[0][0]
    np.testing.assert_array_equal(lt.kept, lt.c_prev)
    np.testing.assert_array_equal(lt.c, lt.c_prev + lt.written)


@PROPS
@given(
    variant=st.sampled_from(VARIANTS),
    seed=st.integers(0, 2**16),
    scale=st.sampled_from([0.1, 1.0, 30.0]),
    bias=st.booleans(),
)
def test_gates_in_range(variant, seed, scale, bias):
    model = VariantLSTM(D, H, variant, num_layers=2, bias=bias, seed=seed)
    x = scale * np.random.default_rng(seed).normal(size=(T, B, D))
    for lt in itertools.chain(*model.trace(x).layers):
        for gate in (lt.i, lt.f, lt.o):
            assert np.all((0 <= gate) & (gate <= 1))
        if variant != "NIAF":
            assert np.all(np.abs(lt.g) <= 1)
        if variant not in ("NOAF",):
            assert np.all(np.abs(lt.h) <= np.abs(np.tanh(lt.c)) + 1e-15)


# ----- parameters and arguments -----------------------------------------------------------------


def test_state_dict_names_shapes_and_order():
    peep = VariantLSTM(3, H, "peephole", num_layers=2, bidirectional=True, bias=False, seed=0)
    names = list(peep.state_dict())
    assert names[:5] == [
        "weight_ih_l0",
        "weight_hh_l0",
        "weight_ci_l0",
        "weight_cf_l0",
        "weight_co_l0",
    ]
    assert names[5:7] == ["weight_ih_l0_reverse", "weight_hh_l0_reverse"]
    assert peep.state_dict()["weight_co_l1_reverse"].shape == (H,)
    assert peep.state_dict()["weight_ih_l1"].shape == (4 * H, 2 * H)
    lstm_names = list(LSTM(3, H, num_layers=2, bidirectional=True, bias=False).state_dict())
    assert [n for n in names if not n.startswith(("weight_c",))] == lstm_names
    for v in VARIANTS[2:]:
        assert list(VariantLSTM(3, H, v, num_layers=2, bidirectional=True).state_dict()) == [
            n for n in LSTM(3, H, num_layers=2, bidirectional=True).state_dict()
        ]
    assert max(np.abs(a).max() for a in peep.state_dict().values()) <= 1 / np.sqrt(H)


def test_bad_arguments_raise():
    with pytest.raises(ValueError, match="variant must be one of vanilla, peephole"):
        VariantLSTM(2, 3, "GRU")
    model = VariantLSTM(2, 3, "NIG")
    assert model.config()["variant"] == "NIG" and "dropout" not in model.config()
    with pytest.raises(ValueError, match="hx must be a pair"):
        model(np.zeros((4, 1, 2)), np.zeros((1, 1, 3)))
    tr = model.trace(np.zeros((4, 1, 2)))
    with pytest.raises(ValueError, match="grad_c_n must have shape"):
        model.backward(tr, np.zeros((4, 1, 3)), None, np.zeros((2, 1, 3)))
