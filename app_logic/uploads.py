"""Uploaded state_dicts (.pt, .npz) read safely: no pickles, bounded sizes, every misfit listed.

No Streamlit here, so every reader can be fuzzed. `.pt` goes through
`torch_bridge.load_pt_bytes` (torch.load with weights_only=True); `.npz` through NumPy with
allow_pickle=False, after the zip directory's uncompressed sizes are checked (a zip bomb is
refused before a byte is inflated). Errors are `UploadError`s whose `key`/`fmt` name a text in
`assets/i18n/compare.toml` and whose `problems` list every misfit.
"""

from __future__ import annotations

import io
import math
import re
import zipfile

import numpy as np

from app_logic.limits import (
    COMPARE_LIMITS,
    MAX_INFLATED_BYTES,
    MAX_PARAM_VALUES,
    MAX_UPLOAD_BYTES,
    MAX_ZIP_MEMBERS,
)
from lstm_core import LSTM
from lstm_core import torch_bridge as tb

# The sizes the Compare page can run.
MODEL_LIMITS = {k: COMPARE_LIMITS[k][1] for k in ("input_size", "hidden_size", "num_layers")}
_KEY = re.compile(r"(weight_ih|weight_hh|bias_ih|bias_hh|weight_hr)_l(\d+)(_reverse)?")


class UploadError(ValueError):
    """A refused upload: the English message, the i18n key and fields, and each problem."""

    def __init__(self, key: str, message: str, problems: list[str] | None = None, **fmt) -> None:
        super().__init__(message)
        self.key = f"compare.err_upload_{key}"
        self.fmt = fmt
        self.problems = list(problems or [])


def _check_size(data: bytes, limit: int = MAX_UPLOAD_BYTES) -> None:
    if len(data) > limit:
        raise UploadError(
            "too_big",
            f"the file is {len(data):,} bytes; the limit is {limit:,}",
            size=f"{len(data):,}",
            limit=f"{limit:,}",
        )
    if not data:
        raise UploadError("empty", "the file is empty")


def _check_zip_directory(zf: zipfile.ZipFile, max_inflated: int) -> list[zipfile.ZipInfo]:
    """Refuse a zip bomb from its directory alone, before a byte is inflated."""
    infos = zf.infolist()
    if len(infos) > MAX_ZIP_MEMBERS:
        raise UploadError(
            "npz_members",
            f"{len(infos)} members; the limit is {MAX_ZIP_MEMBERS}",
            got=len(infos),
            limit=MAX_ZIP_MEMBERS,
        )
    total = sum(info.file_size for info in infos)  # declared in the zip directory
    if total > max_inflated:
        raise UploadError(
            "npz_inflated",
            f"the contents would take {total:,} bytes unpacked; the limit is {max_inflated:,}",
            size=f"{total:,}",
            limit=f"{max_inflated:,}",
        )
    return infos


def _npy_header_problem(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> str | None:
    """What is wrong with one .npy member, read from its header only (None: nothing)."""
    name = repr(info.filename.removesuffix(".npy"))
    fmt = np.lib.format
    try:
        with zf.open(info) as f:
            version = fmt.read_magic(f)
            if version == (1, 0):
                shape, _, dtype = fmt.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, _, dtype = fmt.read_array_header_2_0(f)
            else:
                return f"{name}: unsupported .npy format version {version}"
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as e:
        return f"{name}: not a NumPy array ({str(e).splitlines()[0][:120]})"
    if dtype.hasobject:
        return f"{name}: an object array (it would need pickle, which is never loaded)"
    if dtype.kind not in "fiu":
        return f"{name}: not an array of real numbers ({dtype})"
    need = math.prod(shape) * dtype.itemsize
    if need > info.file_size:
        return (
            f"{name}: its header declares {need:,} bytes of data, the file holds {info.file_size:,}"
        )
    return None


def read_npz_bytes(data: bytes, max_inflated: int = MAX_INFLATED_BYTES) -> dict:
    """name → float64 array from .npz bytes; object arrays, pickles and zip bombs are refused."""
    _check_size(data)
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise UploadError("not_npz", "not an .npz file (not a zip archive)") from None
    with zf:
        infos = _check_zip_directory(zf, max_inflated)
        bad = [info.filename for info in infos if not info.filename.endswith(".npy")]
        if bad:
            raise UploadError(
                "npz_member", f"not NumPy arrays: {', '.join(bad[:5])}", names=", ".join(bad[:5])
            )
        problems = [p for info in infos if (p := _npy_header_problem(zf, info))]
    if problems:  # refused from the headers alone: nothing allocated, nothing unpickled
        raise UploadError("npz_arrays", "; ".join(problems), problems=problems)
    out = {}
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            for name in npz.files:
                try:
                    a = npz[name]
                except ValueError as e:  # object arrays need pickle: refused, never unpickled
                    problems.append(f"{name!r}: {str(e).splitlines()[0][:200]}")
                    continue
                if a.dtype.kind not in "fiu":
                    problems.append(f"{name!r}: not an array of real numbers ({a.dtype})")
                    continue
                out[name] = np.asarray(a, dtype=np.float64)
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as e:
        raise UploadError("not_npz", f"not a readable .npz file: {str(e)[:200]}") from None
    if problems:
        raise UploadError("npz_arrays", "; ".join(problems), problems=problems)
    return out


def read_pt_bytes(data: bytes) -> dict:
    """name → float64 array from .pt bytes (torch.load with weights_only=True: no code runs)."""
    _check_size(data)
    if not tb.torch_available():
        raise UploadError("no_torch", "reading a .pt file needs PyTorch, which is not installed")
    if data[:4] == b"PK\x03\x04":  # torch.save's zip format: check its directory first
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, ValueError, OSError):
            zf = None  # not a readable zip after all: torch.load refuses it with its own reason
        if zf is not None:
            with zf:
                _check_zip_directory(zf, MAX_INFLATED_BYTES)
    try:
        return tb.load_pt_bytes(data, max_bytes=MAX_UPLOAD_BYTES)
    except ValueError as e:
        raise UploadError("not_pt", str(e), reason=str(e)) from None


def read_upload(filename: str, data: bytes) -> dict:
    """A state_dict from an uploaded file, by its extension (.pt, .pth or .npz)."""
    name = filename.lower()
    if name.endswith((".pt", ".pth")):
        return read_pt_bytes(data)
    if name.endswith(".npz"):
        return read_npz_bytes(data)
    raise UploadError("extension", f"expected a .pt or .npz file, got {filename!r}", name=filename)


def strip_prefix(sd: dict) -> tuple[dict, str]:
    """Drop a common module prefix such as 'lstm.' (a state_dict saved from a larger model)."""
    keys = list(sd)
    if keys and all("." in k for k in keys):
        prefixes = {k.rsplit(".", 1)[0] + "." for k in keys}
        if len(prefixes) == 1:
            p = prefixes.pop()
            return {k[len(p) :]: v for k, v in sd.items()}, p
    return sd, ""


def infer_config(sd: dict) -> dict:
    """nn.LSTM's constructor arguments read from a state_dict's keys and shapes."""
    problems = []
    w = sd.get("weight_ih_l0")
    if w is None or np.ndim(w) != 2:
        raise UploadError(
            "infer",
            "no 2-D 'weight_ih_l0': cannot tell input_size and hidden_size",
            problems=[f"keys found: {', '.join(sorted(sd)[:12])}"],
        )
    if w.shape[0] % 4:
        raise UploadError(
            "infer", f"'weight_ih_l0' has {w.shape[0]} rows, not 4·hidden_size (i, f, g, o)"
        )
    layers = {int(m.group(2)) for k in sd if (m := _KEY.fullmatch(k))}
    hr = sd.get("weight_hr_l0")
    cfg = {
        "input_size": int(w.shape[1]),
        "hidden_size": int(w.shape[0] // 4),
        "num_layers": max(layers) + 1,
        "bias": "bias_ih_l0" in sd or "bias_hh_l0" in sd,
        "batch_first": False,
        "dropout": 0.0,
        "bidirectional": any(k.endswith("_reverse") for k in sd),
        "proj_size": int(hr.shape[0]) if hr is not None and np.ndim(hr) == 2 else 0,
    }
    for name, limit in MODEL_LIMITS.items():
        if cfg[name] > limit:
            problems.append(f"{name} = {cfg[name]} is more than this page's limit of {limit}")
    if cfg["proj_size"] >= cfg["hidden_size"]:
        problems.append(
            f"proj_size = {cfg['proj_size']} must be < hidden_size = {cfg['hidden_size']}"
        )
    if problems:
        raise UploadError("limits", "; ".join(problems), problems=problems)
    return cfg


def model_from_upload(filename: str, data: bytes) -> tuple[dict, dict, str]:
    """(config, state_dict float64, stripped prefix) from an upload, checked against the model.

    A state_dict that does not fit gets every problem listed (LSTM.load_state_dict's message).
    """
    sd = read_upload(filename, data)
    if not sd:
        raise UploadError("empty", "the file holds no arrays")
    if sum(int(np.size(v)) for v in sd.values()) > MAX_PARAM_VALUES:
        raise UploadError(
            "too_many", f"more than {MAX_PARAM_VALUES:,} numbers", limit=f"{MAX_PARAM_VALUES:,}"
        )
    sd, prefix = strip_prefix(sd)
    cfg = infer_config(sd)
    model = LSTM(**cfg, dtype=np.float64)
    try:
        model.load_state_dict(sd)
    except ValueError as e:
        msg = str(e).split(": ", 1)[-1]
        raise UploadError("misfit", str(e), problems=msg.split("; ")) from None
    return cfg, model.state_dict(), prefix


def npz_bytes(sd: dict) -> bytes:
    """A state_dict as .npz bytes (plain arrays, readable with allow_pickle=False)."""
    buf = io.BytesIO()
    np.savez(buf, **{k: np.asarray(v) for k, v in sd.items()})
    return buf.getvalue()
