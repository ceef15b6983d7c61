"""Uploaded state_dicts: round trips, inferred configs, misfits listed, hostile files refused."""

from __future__ import annotations

import io
import pickle
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from needs import need_torch

from app_logic import uploads
from lstm_core import LSTM
from lstm_core import torch_bridge as tb


class Payload:
    """Unpickling this runs code: it creates the file at `path`."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (exec, (f"open({self.path!r}, 'w').close()",))


def _sd(**kw) -> tuple[dict, dict]:
    model = LSTM(**kw, seed=3)
    return model.config(), model.state_dict()


def test_npz_round_trip_infers_the_config():
    config, sd = _sd(input_size=3, hidden_size=5, num_layers=2, bidirectional=True, proj_size=2)
    got_cfg, got_sd, prefix = uploads.model_from_upload("w.npz", uploads.npz_bytes(sd))
    assert prefix == ""
    assert got_cfg == config  # input, hidden, layers, bias, bidirectional, proj
    assert list(got_sd) == list(sd)
    for k in sd:
        np.testing.assert_array_equal(got_sd[k], sd[k])


def test_pt_round_trip_without_bias():
    need_torch()
    config, sd = _sd(input_size=4, hidden_size=6, num_layers=3, bias=False)
    got_cfg, got_sd, _ = uploads.model_from_upload("w.pt", tb.save_pt_bytes(sd))
    assert got_cfg == config and got_cfg["bias"] is False and got_cfg["num_layers"] == 3
    np.testing.assert_array_equal(got_sd["weight_hh_l2"], sd["weight_hh_l2"])


def test_a_module_prefix_is_removed():
    _, sd = _sd(input_size=2, hidden_size=3)
    data = uploads.npz_bytes({f"encoder.lstm.{k}": v for k, v in sd.items()})
    cfg, got, prefix = uploads.model_from_upload("m.npz", data)
    assert prefix == "encoder.lstm." and set(got) == set(sd) and cfg["hidden_size"] == 3


def test_every_misfit_is_listed():
    _, sd = _sd(input_size=3, hidden_size=4, num_layers=2)
    del sd["bias_hh_l1"]
    sd["weight_hh_l0"] = sd["weight_hh_l0"][:, :3]
    sd["extra"] = np.zeros(2)
    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload("w.npz", uploads.npz_bytes(sd))
    err = e.value
    assert err.key == "compare.err_upload_misfit"
    assert len(err.problems) == 3
    text = " | ".join(err.problems)
    assert "missing key 'bias_hh_l1'" in text
    assert "'weight_hh_l0' must have shape (16, 4), got (16, 3)" in text
    assert "unexpected key 'extra'" in text


def test_too_large_a_model_is_refused_with_the_limit():
    _, sd = _sd(input_size=70, hidden_size=2)
    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload("w.npz", uploads.npz_bytes(sd))
    assert e.value.key == "compare.err_upload_limits"
    assert e.value.problems == ["input_size = 70 is more than this page's limit of 64"]


def test_no_weight_ih_l0_cannot_be_inferred():
    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload("w.npz", uploads.npz_bytes({"foo": np.zeros(3)}))
    assert e.value.key == "compare.err_upload_infer" and "foo" in e.value.problems[0]


# ----- hostile files -----------------------------------------------------------------------------


def test_pickle_payload_in_a_pt_file_is_refused_and_never_runs(tmp_path):
    torch = need_torch()
    marker = tmp_path / "pwned"
    buf = io.BytesIO()
    torch.save({"weight_ih_l0": Payload(str(marker))}, buf)
    data = buf.getvalue()
    # The file is really hostile: an unsafe load would run the payload.
    control = tmp_path / "control"
    torch.save({"w": Payload(str(control))}, b2 := io.BytesIO())
    torch.load(io.BytesIO(b2.getvalue()), weights_only=False)
    assert control.exists()

    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload("evil.pt", data)
    assert e.value.key == "compare.err_upload_not_pt"
    assert not marker.exists()


def test_raw_pickle_named_pt_is_refused_and_never_runs(tmp_path):
    need_torch()
    marker = tmp_path / "pwned"
    data = pickle.dumps(Payload(str(marker)), protocol=2)
    with pytest.raises(uploads.UploadError):
        uploads.model_from_upload("evil.pt", data)
    assert not marker.exists()


def test_object_array_in_npz_is_refused_and_never_unpickled(tmp_path):
    marker = tmp_path / "pwned"
    buf = io.BytesIO()
    np.savez(buf, weight_ih_l0=np.array([Payload(str(marker))], dtype=object))
    data = buf.getvalue()
    control = tmp_path / "control"
    b2 = io.BytesIO()
    np.savez(b2, w=np.array([Payload(str(control))], dtype=object))
    np.load(io.BytesIO(b2.getvalue()), allow_pickle=True)["w"]
    assert control.exists()  # the payload is live under an unsafe load

    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload("evil.npz", data)
    assert e.value.key == "compare.err_upload_npz_arrays"
    assert "weight_ih_l0" in e.value.problems[0]
    assert not marker.exists()


def test_oversize_file_is_refused_before_parsing(monkeypatch):
    monkeypatch.setattr(tb, "load_pt_bytes", lambda *a, **k: pytest.fail("parsed an oversize file"))
    data = b"\0" * (uploads.MAX_UPLOAD_BYTES + 1)
    for name in ("big.pt", "big.npz"):
        with pytest.raises(uploads.UploadError) as e:
            uploads.model_from_upload(name, data)
        assert e.value.key == "compare.err_upload_too_big"
        assert e.value.fmt["limit"] == f"{uploads.MAX_UPLOAD_BYTES:,}"


def test_zip_bomb_npz_is_refused_from_the_zip_directory(monkeypatch):
    header = io.BytesIO()
    n = 70 * 2**20 // 8
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (n,)}
    )
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("weight_ih_l0.npy", "w") as f,
    ):
        f.write(header.getvalue())
        chunk = bytes(2**20)
        for _ in range(70):
            f.write(chunk)
    data = buf.getvalue()
    assert len(data) < 200_000  # tiny on the wire, 70 MB unpacked
    monkeypatch.setattr(uploads.np, "load", lambda *a, **k: pytest.fail("inflated a zip bomb"))
    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload("bomb.npz", data)
    assert e.value.key == "compare.err_upload_npz_inflated"


@pytest.mark.parametrize(
    ("name", "data", "key"),
    [
        ("w.npz", b"not a zip at all", "compare.err_upload_not_npz"),
        ("w.txt", b"abc", "compare.err_upload_extension"),
        ("w.npz", b"", "compare.err_upload_empty"),
    ],
)
def test_plainly_wrong_files_say_why(name, data, key):
    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload(name, data)
    assert e.value.key == key


def test_npz_with_a_non_array_member_or_complex_numbers_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("weight_ih_l0.npy", b"x")
        zf.writestr("readme.txt", b"hello")
    with pytest.raises(uploads.UploadError) as e:
        uploads.read_npz_bytes(buf.getvalue())
    assert e.value.key == "compare.err_upload_npz_member" and "readme.txt" in e.value.fmt["names"]
    with pytest.raises(uploads.UploadError) as e:
        uploads.read_npz_bytes(uploads.npz_bytes({"weight_ih_l0": np.ones(4, complex)}))
    assert e.value.key == "compare.err_upload_npz_arrays"


def test_pt_without_torch_says_install_it(monkeypatch):
    monkeypatch.setattr(tb, "torch_available", lambda: False)
    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload("w.pt", b"PK\x03\x04")
    assert e.value.key == "compare.err_upload_no_torch"


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["a.npz", "a.pt", "a.pth", "a.bin"]),
    data=st.binary(max_size=400) | st.builds(lambda b: b"PK\x03\x04" + b, st.binary(max_size=300)),
)
def test_fuzz_any_bytes_give_a_result_or_an_upload_error(name, data):
    if name.endswith((".pt", ".pth")) and not tb.torch_available():
        return
    try:
        uploads.model_from_upload(name, data)
    except uploads.UploadError as e:
        assert e.key.startswith("compare.err_upload_")


def test_deflated_pt_zip_bomb_is_refused_before_torch_reads_it(monkeypatch):
    torch = need_torch()
    buf = io.BytesIO()
    torch.save({"weight_ih_l0": torch.zeros(2**23, dtype=torch.float32)}, buf)  # 32 MiB
    src, out = zipfile.ZipFile(io.BytesIO(buf.getvalue())), io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for info in src.infolist():
            zf.writestr(info.filename, src.read(info.filename))
    data = out.getvalue()
    assert len(data) < 100_000
    monkeypatch.setattr(tb, "load_pt_bytes", lambda *a, **k: pytest.fail("torch.load ran"))
    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload("bomb.pt", data)
    assert e.value.key == "compare.err_upload_npz_inflated"


def test_npy_header_that_lies_about_its_size_is_refused_from_the_header(monkeypatch):
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "<f8", "fortran_order": False, "shape": (2**40,)}
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("weight_ih_l0.npy", header.getvalue() + bytes(64))
    monkeypatch.setattr(uploads.np, "load", lambda *a, **k: pytest.fail("allocated 8 TiB"))
    with pytest.raises(uploads.UploadError) as e:
        uploads.model_from_upload("lie.npz", buf.getvalue())
    assert e.value.key == "compare.err_upload_npz_arrays"
    assert "declares 8,796,093,022,208 bytes" in e.value.problems[0]
