"""lstm_core.torch_bridge: our models ⇄ torch modules, state_dicts both ways, safe .pt loading."""

from __future__ import annotations

import io
import itertools
import pickle

import numpy as np
import pytest
from needs import need_torch

torch = need_torch()

from lstm_core import LSTM, LSTMCell  # noqa: E402
from lstm_core import torch_bridge as tb  # noqa: E402

D, H = 3, 5


def _configs():
    for L, bias, bidir, proj, bf in itertools.product(
        (1, 2, 3), (True, False), (False, True), (0, 2), (False, True)
    ):
        kw = dict(num_layers=L, bias=bias, bidirectional=bidir, proj_size=proj, batch_first=bf)
        name = f"L{L}-{'bias' if bias else 'nobias'}-{'bidir' if bidir else 'unidir'}-proj{proj}"
        yield pytest.param(kw, id=name + ("-bfirst" if bf else ""))


CONFIGS = list(_configs())


# ----- state_dict keys, order, shapes ------------------------------------------------------------


@pytest.mark.parametrize("kw", CONFIGS)
def test_state_dict_keys_order_and_shapes_are_torchs(kw):
    ours = LSTM(D, H, seed=0, **kw).state_dict()
    theirs = torch.nn.LSTM(D, H, **kw).state_dict()
    assert list(ours) == list(theirs)
    for k in ours:
        assert ours[k].shape == tuple(theirs[k].shape), k
        assert ours[k].dtype == np.float64


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_cell_state_dict_keys_order_and_shapes_are_torchs(bias):
    ours = LSTMCell(D, H, bias=bias, seed=0).state_dict()
    theirs = torch.nn.LSTMCell(D, H, bias=bias).state_dict()
    assert list(ours) == list(theirs)
    assert all(ours[k].shape == tuple(theirs[k].shape) for k in ours)


def test_state_dict_is_a_copy():
    model = LSTM(D, H, seed=0)
    sd = model.state_dict()
    sd["weight_ih_l0"][0, 0] = 123.0
    assert model.state_dict()["weight_ih_l0"][0, 0] != 123.0


# ----- loading torch's weights gives torch's numbers ---------------------------------------------


@pytest.mark.filterwarnings("error")  # torch tensors convert without NumPy's copy-keyword warning
@pytest.mark.parametrize("kw", CONFIGS[::3])
def test_torch_state_dict_loaded_gives_torchs_outputs(kw):
    torch.manual_seed(0)
    module = torch.nn.LSTM(D, H, dtype=torch.float64, **kw).eval()
    model = LSTM(D, H, seed=99, **kw).eval()
    model.load_state_dict(module.state_dict())  # torch tensors are accepted as they are
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 2, D))
    out, (h_n, c_n) = model(torch.from_numpy(x))  # and torch tensors as input
    t_out, (t_h, t_c) = tb.run_torch(module, x)
    for a, b in ((out, t_out), (h_n, t_h), (c_n, t_c)):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


def test_state_dict_conversions_both_ways():
    model = LSTM(D, H, num_layers=2, proj_size=2, seed=1)
    sd = model.state_dict()
    t_sd = tb.state_dict_to_torch(sd)
    assert list(t_sd) == list(sd)
    for k, v in t_sd.items():
        assert isinstance(v, torch.Tensor) and v.dtype == torch.float64
        assert np.array_equal(v.numpy(), sd[k])
    t_sd["weight_ih_l0"][0, 0] = 7.0  # a copy: our model is untouched
    assert model.state_dict()["weight_ih_l0"][0, 0] != 7.0
    back = tb.state_dict_from_torch(t_sd)
    assert list(back) == list(sd) and back["weight_ih_l0"][0, 0] == 7.0
    assert all(isinstance(v, np.ndarray) for v in back.values())
    f32 = tb.state_dict_to_torch(LSTM(D, H, dtype=np.float32, seed=0).state_dict())
    assert all(v.dtype == torch.float32 for v in f32.values())


# ----- to_torch / from_torch ---------------------------------------------------------------------


@pytest.mark.parametrize("kw", CONFIGS[::2])
@pytest.mark.parametrize("dtype", [np.float64, np.float32], ids=["float64", "float32"])
def test_to_torch_same_options_dtype_weights_mode(kw, dtype):
    model = LSTM(D, H, dropout=0.25, dtype=dtype, seed=3, **kw)
    for training in (True, False):
        model.train(training)
        module = tb.to_torch(model)
        assert isinstance(module, torch.nn.LSTM) and module.training == training
        for name, value in model.config().items():
            assert getattr(module, name) == value, name
        sd = model.state_dict()
        for k, v in module.state_dict().items():
            assert v.dtype == tb.torch_dtype(dtype) and np.array_equal(v.numpy(), sd[k])


@pytest.mark.parametrize("kw", CONFIGS[1::2])
@pytest.mark.parametrize("dtype", [torch.float64, torch.float32], ids=["float64", "float32"])
def test_from_torch_same_options_dtype_weights_mode_outputs(kw, dtype):
    torch.manual_seed(1)
    module = torch.nn.LSTM(D, H, dropout=0.5, dtype=dtype, **kw)
    for training in (True, False):
        module.train(training)
        model = tb.from_torch(module)
        assert isinstance(model, LSTM) and model.training == training
        assert model.dtype == (np.float64 if dtype == torch.float64 else np.float32)
        assert model.config() == {n: getattr(module, n) for n in model.config()}
        t_sd = module.state_dict()
        assert all(np.array_equal(v, t_sd[k].numpy()) for k, v in model.state_dict().items())
    model.eval()
    x = np.random.default_rng(2).normal(size=(2, 4, D) if module.batch_first else (4, 2, D))
    out, _ = model(x)
    t_out, _ = tb.run_torch(module.eval(), x.astype(model.dtype))
    np.testing.assert_allclose(out, t_out, rtol=0, atol=1e-12 if dtype == torch.float64 else 1e-6)


def test_round_trip_through_torch_is_exact():
    model = LSTM(D, H, num_layers=2, bidirectional=True, proj_size=3, seed=4).eval()
    back = tb.from_torch(tb.to_torch(model))
    assert repr(back) == repr(model)
    a, b = model.state_dict(), back.state_dict()
    assert list(a) == list(b) and all(np.array_equal(a[k], b[k]) for k in a)


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "nobias"])
def test_cell_both_ways(bias):
    cell = LSTMCell(D, H, bias=bias, dtype=np.float32, seed=5)
    module = tb.to_torch(cell)
    assert isinstance(module, torch.nn.LSTMCell) and module.bias == bias
    assert module.weight_ih.dtype == torch.float32
    back = tb.from_torch(module)
    assert isinstance(back, LSTMCell) and back.config() == cell.config()
    assert back.dtype == np.float32
    a, b = cell.state_dict(), back.state_dict()
    assert list(a) == list(b) and all(np.array_equal(a[k], b[k]) for k in a)


def test_from_torch_refuses_other_modules():
    with pytest.raises(TypeError, match="expected torch.nn.LSTM or torch.nn.LSTMCell, got GRU"):
        tb.from_torch(torch.nn.GRU(D, H))


def test_torch_available():
    assert tb.torch_available() is True


# ----- .pt bytes ---------------------------------------------------------------------------------


def test_pt_bytes_round_trip():
    model = LSTM(D, H, num_layers=2, bidirectional=True, seed=6)
    sd = model.state_dict()
    data = tb.save_pt_bytes(sd)
    assert isinstance(data, bytes) and len(data) > 0
    loaded = tb.load_pt_bytes(data)
    assert list(loaded) == list(sd)
    assert all(loaded[k].dtype == np.float64 and np.array_equal(loaded[k], sd[k]) for k in sd)
    assert torch.load(io.BytesIO(data), weights_only=True).keys() == sd.keys()  # torch reads it


def test_pt_bytes_from_torch_save_loads_into_our_model():
    torch.manual_seed(2)
    module = torch.nn.LSTM(D, H, num_layers=2, dtype=torch.float32).eval()
    buf = io.BytesIO()
    torch.save(module.state_dict(), buf)
    model = LSTM(D, H, num_layers=2, seed=0).eval()
    model.load_state_dict(tb.load_pt_bytes(buf.getvalue()))  # float32 widened exactly
    x = np.random.default_rng(3).normal(size=(4, 2, D))
    t_out, _ = tb.run_torch(module.double(), x)
    np.testing.assert_allclose(model(x)[0], t_out, rtol=0, atol=1e-12)


class _Payload:
    """Unpickling this calls open(path, "w"): a file appears if the loader runs pickled code."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


@pytest.mark.parametrize("container", ["raw-pickle", "torch-save-zip"])
def test_load_pt_bytes_refuses_malicious_pickle(tmp_path, container):
    def payload(marker):
        obj = {"weight_ih_l0": torch.zeros(2), "evil": _Payload(str(marker))}
        if container == "raw-pickle":
            return pickle.dumps(obj, protocol=2)  # the protocol torch.load expects
        buf = io.BytesIO()
        torch.save(obj, buf)
        return buf.getvalue()

    # Control: the payload is live. An unsafe load really creates the file.
    control = tmp_path / "control"
    data = payload(control)
    if container == "raw-pickle":
        pickle.loads(data)
    else:
        torch.load(io.BytesIO(data), weights_only=False)
    assert control.exists()

    marker = tmp_path / "marker"
    with pytest.raises(ValueError, match="not a safe torch state_dict file"):
        tb.load_pt_bytes(payload(marker))
    assert not marker.exists(), "the loader ran code from the file"


def test_load_pt_bytes_refuses_oversize_before_reading():
    with pytest.raises(ValueError, match="the file is 101 bytes; the limit is 100"):
        tb.load_pt_bytes(b"\0" * 101, max_bytes=100)
    big = b"\0" * (tb.MAX_PT_BYTES + 1)
    with pytest.raises(
        ValueError, match=f"the file is {len(big):,} bytes; the limit is 20,971,520"
    ):
        tb.load_pt_bytes(big)


@pytest.mark.parametrize(
    "obj, message",
    [
        ([torch.zeros(2)], "expected a state_dict (a mapping of names to tensors), got list"),
        (torch.zeros(2), "expected a state_dict (a mapping of names to tensors), got Tensor"),
        ({"w": torch.arange(3)}, "'w' is not a floating-point tensor (torch.int64)"),
        ({1: torch.zeros(2)}, "entry 1 is not a named tensor"),
        ({"w": 3.0}, "entry 'w' is not a named tensor"),
    ],
    ids=["list", "tensor", "int-tensor", "int-key", "float-value"],
)
def test_load_pt_bytes_refuses_what_is_not_a_state_dict(obj, message):
    buf = io.BytesIO()
    torch.save(obj, buf)
    with pytest.raises(ValueError) as e:
        tb.load_pt_bytes(buf.getvalue())
    assert str(e.value) == message


@pytest.mark.parametrize("data", [b"", b"not a torch file", b"PK\x03\x04garbage"])
def test_load_pt_bytes_refuses_garbage(data):
    with pytest.raises(ValueError, match="^not a safe torch state_dict file: "):
        tb.load_pt_bytes(data)
