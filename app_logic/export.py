"""Pure exports of a run: the trace as long-format CSV or NPZ, the weights as an NPZ state_dict."""

from __future__ import annotations

import io
from collections.abc import Mapping

import numpy as np

from lstm_core import Trace

# Per-unit quantities of a LayerTrace, in the order of one step inside the cell.
UNIT_QUANTITIES = (
    "z_i", "z_f", "z_g", "z_o", "i", "f", "g", "o",
    "c_prev", "kept", "written", "c", "tanh_c", "h_prev", "h_cell", "h",
)  # fmt: skip
CSV_HEADER = "layer,direction,t,unit,quantity,value"


def _fmt(dtype: np.dtype) -> str:
    """Enough digits to read the exact number back: 17 for float64, 9 for float32."""
    return "%.17g" if np.dtype(dtype) == np.float64 else "%.9g"


def trace_csv(trace: Trace) -> bytes:
    """Every number of an unbatched-style run (B = 1) as CSV: layer,direction,t,unit,quantity,value.

    `x` rows use the feature index as `unit`. Values are written with round-trip precision.
    """
    out = io.StringIO()
    out.write(CSV_HEADER + "\n")
    for per_layer in trace.layers:
        for lt in per_layer:
            if lt.c.shape[1] != 1:
                raise ValueError(f"trace_csv needs batch size 1, got {lt.c.shape[1]}")
            for q in ("x",) + UNIT_QUANTITIES:
                a = np.asarray(getattr(lt, q))[:, 0, :]  # (T, n)
                T, n = a.shape
                t_col = np.repeat(np.arange(T), n)
                j_col = np.tile(np.arange(n), T)
                prefix = f"{lt.layer},{lt.direction},"
                vals = np.char.mod(_fmt(a.dtype), a.reshape(-1))
                lines = [
                    f"{prefix}{t},{j},{q},{v}"
                    for t, j, v in zip(t_col.tolist(), j_col.tolist(), vals.tolist())
                ]
                out.write("\n".join(lines) + "\n")
    return out.getvalue().encode("utf-8")


def trace_arrays(trace: Trace) -> dict[str, np.ndarray]:
    """Every array of a trace, keyed `l{k}[_reverse].{quantity}`, plus output, h_n, c_n."""
    arrays = {"output": trace.output, "h_n": trace.h_n, "c_n": trace.c_n}
    for per_layer in trace.layers:
        for lt in per_layer:
            sfx = f"l{lt.layer}" + ("_reverse" if lt.direction else "")
            for q in ("x", "mask", "z", "gates") + UNIT_QUANTITIES:
                arrays[f"{sfx}.{q}"] = np.asarray(getattr(lt, q))
            for p in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr"):
                a = getattr(lt, p)
                if a is not None:
                    arrays[f"{sfx}.{p}"] = np.asarray(a)
    return arrays


def _npz(arrays: Mapping[str, np.ndarray]) -> bytes:
    buf = io.BytesIO()
    np.savez_compressed(buf, **{k: np.asarray(v) for k, v in arrays.items()})
    return buf.getvalue()


def trace_npz(trace: Trace) -> bytes:
    """`trace_arrays` as the bytes of a compressed .npz file (np.load reads it back)."""
    return _npz(trace_arrays(trace))


def state_dict_npz(sd: Mapping[str, np.ndarray]) -> bytes:
    """A state_dict as .npz bytes: torch's parameter names, shapes and dtypes."""
    return _npz(sd)


def read_csv_rows(data: bytes) -> list[tuple[int, int, int, int, str, float]]:
    """`trace_csv` bytes back into rows (layer, direction, t, unit, quantity, value)."""
    lines = data.decode("utf-8").splitlines()
    if not lines or lines[0] != CSV_HEADER:
        raise ValueError(f"expected the header {CSV_HEADER!r}")
    rows = []
    for ln in lines[1:]:
        k, d, t, j, q, v = ln.split(",")
        rows.append((int(k), int(d), int(t), int(j), q, float(v)))
    return rows
