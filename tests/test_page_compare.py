"""The Compare page in Streamlit's AppTest: verdicts with numbers, bad input, uploads, no torch."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import conftest
import numpy as np
import pytest
from needs import need_torch
from streamlit.testing.v1 import AppTest

from app_logic import compare_logic as cl
from app_logic import uploads
from lstm_core import LSTM
from ui import session

need_torch()

ROOT = Path(__file__).resolve().parent.parent
PAGE = str(ROOT / "pages" / "compare.py")
TIMEOUT = 120


TAB_GATES, TAB_LAYOUT, TAB_GRADS, TAB_FILES = (
    "Every gate", "Weight layout", "Gradients", "Upload / download weights",
)  # fmt: skip


def _page(tab: str | None = None) -> AppTest:
    """The page after its first run; `tab` opens that tab (only the open tab runs)."""
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    if tab is not None:
        at.session_state["cmp_tab"] = tab
    return at.run()


def _open(at: AppTest, tab: str) -> AppTest:
    at.session_state["cmp_tab"] = tab
    return at.run()


def _verdict_rows(at: AppTest) -> dict[str, dict]:
    df = conftest.html_tables(at)[0]
    return {row["tensor"]: row for row in df.to_dict("records")}


def _assert_pass(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.success[0].value.startswith("PASS")


def test_default_is_the_article_example_and_passes():
    at = _page()
    _assert_pass(at)
    rows = _verdict_rows(at)
    assert list(rows) == ["output", "h_n", "c_n"]
    assert rows["output"]["shape (NumPy)"] == rows["output"]["shape (torch)"] == "(5, 3, 20)"
    assert rows["h_n"]["shape (torch)"] == rows["c_n"]["shape (torch)"] == "(2, 3, 20)"
    for row in rows.values():
        assert isinstance(row["max |diff|"], float) and 0 <= row["max |diff|"] <= 1e-14
        assert row["tolerance"] == pytest.approx(1e-12) and row["verdict"] == "pass"
    assert "15 checks" in at.success[0].value  # 3 tensors + 2 layers × 6 gate quantities
    torch_code = conftest.code_blocks(at)[0]
    assert "nn.LSTM(input_size=10, hidden_size=20, num_layers=2)" in torch_code
    assert "x = torch.randn(5, 3, 10)" in torch_code
    assert "h0 = torch.randn(2, 3, 20)" in torch_code and "c0 = torch.randn(2, 3, 20)" in torch_code
    assert "torch.Size([5, 3, 20])" in torch_code
    shapes = next(m.value for m in at.markdown if m.value.startswith("**Shapes.**"))
    assert "(5, 3, 10) = (T, B, D)" in shapes and "batch_first=False" in shapes
    assert len(at.get("plotly_chart")) == 3  # output, h_n, c_n: only the open tab runs
    _open(at, TAB_GATES)
    assert not at.exception
    gates = conftest.html_tables(at)[1]
    diffs = [f"max |diff| {g}" for g in "ifgoch"]
    assert len(gates) == 2 and set(diffs) <= set(gates.columns)
    assert float(gates[diffs].to_numpy().max()) <= 1e-14
    assert len(at.get("plotly_chart")) == 1  # max |diff| over timesteps
    _open(at, TAB_LAYOUT)
    assert not at.exception
    assert any("Identical keys, order and shapes" in s.value for s in at.success)
    demo = next(m.value for m in at.markdown if m.value.startswith("Demonstrated on torch"))
    moved, alone = (float(v) for v in re.findall(r"\*\*([0-9.e+-]+)\*\*", demo))
    assert moved <= 1e-14 and alone > 1e-4  # only b_ih + b_hh matters
    _open(at, TAB_GRADS)
    assert not at.exception
    assert any(s.value.startswith("PASS: BPTT, autograd and central") for s in at.success)
    grads = conftest.html_tables(at)[1]
    assert grads["max |diff|"].iloc[0] <= 1e-12 and grads["max |diff|"].iloc[1] <= 1e-7


def test_bidirectional_projection_and_lengths_pass():
    at = _page(TAB_GATES)
    at.checkbox(key="cmp_bidirectional").check()
    at.number_input(key="cmp_proj_size").set_value(5)
    at.text_input(key="cmp_lengths").input("5, 3, 4")
    at.run()
    _assert_pass(at)
    rows = _verdict_rows(at)
    assert rows["output"]["shape (torch)"] == "(5, 3, 10)"
    assert rows["h_n"]["shape (torch)"] == "(4, 3, 5)"
    assert rows["c_n"]["shape (torch)"] == "(4, 3, 20)"
    assert all(0 <= r["max |diff|"] <= 1e-14 and r["verdict"] == "pass" for r in rows.values())
    assert len(conftest.html_tables(at)[1]) == 4  # 2 layers × 2 directions
    assert any("pack_padded_sequence" in c for c in conftest.code_blocks(at))
    assert any("Variable lengths 5, 3, 4" in i.value for i in at.info)


def test_float32_with_dropout_in_train_mode():
    at = _page(TAB_GRADS)
    at.radio(key="cmp_dtype").set_value("float32")
    at.number_input(key="cmp_dropout").set_value(0.5)
    at.radio(key="cmp_mode").set_value("train")
    at.run()
    _assert_pass(at)
    rows = _verdict_rows(at)
    assert all(
        r["tolerance"] >= 1e-5 and 0 < r["max |diff|"] <= r["tolerance"] for r in rows.values()
    )
    assert any("layer by layer" in i.value for i in at.info)
    assert any("compared in eval mode" in i.value for i in at.info)  # the gradient section


def test_bad_settings_give_messages_not_tracebacks():
    at = _page()
    at.text_input(key="cmp_lengths").input("5, x, 4").run()
    assert not at.exception
    assert any("'x' is not one" in e.value for e in at.error)
    at.text_input(key="cmp_lengths").input("5, 9, 4").run()
    assert any("between 1 and T = 5" in e.value and "9" in e.value for e in at.error)
    at.text_input(key="cmp_lengths").input("").run()
    at.number_input(key="cmp_proj_size").set_value(20).run()
    assert not at.exception
    assert any("proj_size must be smaller than hidden_size (20)" in e.value for e in at.error)
    assert not at.success or not at.success[0].value.startswith("PASS")


def test_upload_npz_drives_the_comparison_and_the_session():
    model = LSTM(4, 7, num_layers=1, bidirectional=True, seed=5)
    at = _page(TAB_FILES)
    at.file_uploader(key="cmp_upload").set_value(
        ("mine.npz", uploads.npz_bytes(model.state_dict()), "application/octet-stream")
    )
    at.run()
    _assert_pass(at)
    assert _verdict_rows(at)["output"]["shape (torch)"] == "(5, 3, 14)"
    sd = at.session_state[session.UPLOADED_STATE_DICT]
    assert list(sd) == list(model.state_dict())
    np.testing.assert_array_equal(
        sd["weight_hh_l0_reverse"], model.state_dict()["weight_hh_l0_reverse"]
    )
    assert at.session_state[session.UPLOADED_CONFIG] == {
        "input_size": 4, "hidden_size": 7, "num_layers": 1, "bias": True, "batch_first": False,
        "dropout": 0.0, "bidirectional": True, "proj_size": 0,
    }  # fmt: skip
    assert at.session_state["_settings"].weights == "uploaded"  # every page now uses them
    assert any(s.value.startswith("Loaded mine.npz") for s in at.success)
    # back to the seed's weights: the article example again
    at.radio(key="cmp_weights").set_value("seed").run()
    _assert_pass(at)
    assert _verdict_rows(at)["output"]["shape (torch)"] == "(5, 3, 20)"


class _Payload:
    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (exec, (f"open({self.path!r}, 'w').close()",))


def test_malicious_pt_upload_is_refused_and_runs_nothing(tmp_path):
    import torch

    marker = tmp_path / "pwned"
    buf = io.BytesIO()
    torch.save({"weight_ih_l0": _Payload(str(marker))}, buf)
    at = _page(TAB_FILES)
    at.file_uploader(key="cmp_upload").set_value(
        ("evil.pt", buf.getvalue(), "application/octet-stream")
    )
    at.run()
    assert not at.exception
    assert any("Refused, nothing was run" in e.value for e in at.error)
    assert not marker.exists()
    assert session.UPLOADED_STATE_DICT not in at.session_state
    assert at.success[0].value.startswith("PASS")  # the page keeps working on its own weights
    npz = io.BytesIO()
    np.savez(npz, weight_ih_l0=np.array([_Payload(str(marker))], dtype=object))
    at.file_uploader(key="cmp_upload").set_value(("evil.npz", npz.getvalue(), "x")).run()
    assert not at.exception
    assert any("object arrays would need pickle" in e.value for e in at.error)
    assert not marker.exists()
    assert session.UPLOADED_STATE_DICT not in at.session_state


def test_zip_bomb_and_misfit_uploads_are_refused_with_reasons():
    at = _page(TAB_FILES)
    sd = LSTM(3, 4, seed=0).state_dict()
    del sd["bias_hh_l0"]
    sd["weight_ih_l0"] = np.zeros((16, 3))
    sd["weight_hh_l0"] = np.zeros((16, 5))
    at.file_uploader(key="cmp_upload").set_value(("bad.npz", uploads.npz_bytes(sd), "x")).run()
    err = next(e.value for e in at.error if "does not fit" in e.value)
    assert "missing key 'bias_hh_l0'" in err and "'weight_hh_l0' must have shape (16, 4)" in err
    buf = io.BytesIO()
    with zipfile_writer(buf) as f:
        f.write(bytes(70 * 2**20))
    at.file_uploader(key="cmp_upload").set_value(("bomb.npz", buf.getvalue(), "x")).run()
    assert not at.exception
    assert any("Refused before unpacking" in e.value for e in at.error)
    assert session.UPLOADED_STATE_DICT not in at.session_state


def zipfile_writer(buf):
    import zipfile

    zf = zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED)

    class _W:
        def __enter__(self):
            self.f = zf.open("weight_ih_l0.npy", "w")
            return self.f

        def __exit__(self, *exc):
            self.f.close()
            zf.close()

    return _W()


def test_chinese_texts():
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception
    assert at.title[0].value == "与 PyTorch 对照验证"
    assert at.success[0].value.startswith("通过（PASS）")


def test_through_the_app_shell():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT).run()
    at.switch_page("pages/compare.py").run()
    _assert_pass(at)


NO_TORCH = textwrap.dedent(
    """
    import json, sys
    sys.modules["torch"] = None  # `import torch` now raises ImportError, as if not installed
    sys.path.insert(0, {root!r})
    sys.path.insert(0, {root!r} + "/tests")
    import conftest
    import numpy as np
    from streamlit.testing.v1 import AppTest
    from lstm_core import LSTM
    from app_logic import uploads

    at = AppTest.from_file({page!r}, default_timeout=60).run()
    out = {{
        "exceptions": [e.value for e in at.exception],
        "warnings": [w.value for w in at.warning],
        "codes": conftest.code_blocks(at),
        "success": [s.value for s in at.success],
    }}
    at.session_state["cmp_tab"] = "Weight layout"
    at.run()
    out["charts"] = len(at.get("plotly_chart"))
    out["exceptions"] += [e.value for e in at.exception]
    at.session_state["cmp_tab"] = "Upload / download weights"
    at.run()
    sd = LSTM(2, 3, seed=0).state_dict()
    at.file_uploader(key="cmp_upload").set_value(("w.npz", uploads.npz_bytes(sd), "x")).run()
    out["upload_ok"] = "uploaded_state_dict" in at.session_state
    out["upload_exceptions"] = [e.value for e in at.exception]
    home = AppTest.from_file({app!r}, default_timeout=60).run()
    out["home_exceptions"] = [e.value for e in home.exception]
    out["torch_imported"] = sys.modules.get("torch") is not None
    print(json.dumps(out))
    """
)


def test_without_torch_the_page_says_how_to_install_it_and_the_app_works():
    code = NO_TORCH.format(root=str(ROOT), page=PAGE, app=str(ROOT / "app.py"))
    res = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr[-3000:]
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert out["exceptions"] == [] and out["home_exceptions"] == []
    assert any("PyTorch is not installed" in w for w in out["warnings"])
    assert any("pip install torch==2.13.0" in c for c in out["codes"])
    assert out["charts"] >= 1  # the weight layout still works
    assert not any(s.startswith("PASS") for s in out["success"])
    assert out["upload_ok"] and out["upload_exceptions"] == []  # .npz needs no torch
    assert out["torch_imported"] is False


# English words that once reached the Chinese page from hard-coded labels.
ENGLISH = ("central differences", "tolerance", "forward", "reverse", "|diff|", "row ", "column")


def _chart_texts(at: AppTest) -> list[str]:
    """Every trace name, hover template, title and colour-bar title of the open tab's charts."""
    out = []
    for chart in at.get("plotly_chart"):
        spec = json.loads(chart.proto.spec)
        for trace in spec["data"]:
            out += [trace.get("name") or "", trace.get("hovertemplate") or ""]
            out.append(((trace.get("colorbar") or {}).get("title") or {}).get("text") or "")
        layout = spec["layout"]
        out.append((layout.get("title") or {}).get("text") or "")
        out += [a.get("text") or "" for a in layout.get("annotations", [])]
    return out


def _table_texts(at: AppTest) -> list[str]:
    out = []
    for df in conftest.html_tables(at):
        out += [str(c) for c in df.columns]
        out += [v for v in df.to_numpy().ravel() if isinstance(v, str)]
    return out


def test_chinese_tabs_have_no_english_labels_in_tables_and_charts():
    from app_logic.i18n import tr

    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    at.query_params["lang"] = "zh"
    at.run()
    at.checkbox(key="cmp_bidirectional").check().run()  # both direction names show
    seen = {}
    for tab in ("tab_outputs", "tab_gates", "tab_layout", "tab_grads"):
        _open(at, tr(f"compare.{tab}", "zh"))
        assert not at.exception, [e.value for e in at.exception]
        seen[tab] = (_table_texts(at), _chart_texts(at))
        for text in seen[tab][0] + seen[tab][1]:
            words = re.sub(r"\w*_reverse\w*", "", text)  # torch's parameter names stay
            assert not any(w in words for w in ENGLISH), (tab, text)
    table, charts = seen["tab_grads"]
    central = "中心差分"
    assert tr("compare.method_central", "zh") == central
    pairs = [t for t in table if " − " in t]
    assert pairs == [
        "lstm_core 随时间反向传播 − torch 自动求导",
        f"lstm_core 随时间反向传播 − {central}",
        f"torch 自动求导 − {central}",
    ]
    assert central in charts  # the chart's legend entry
    gate_table, gate_charts = seen["tab_gates"]
    assert {"正向 →", "反向 ←"} <= set(gate_table)
    assert "容差" in gate_charts  # the tolerance line of the per-timestep chart
    assert "键" in seen["tab_layout"][0] and "键" in table  # the state_dict key columns


def test_english_gradients_tab_names_the_three_methods():
    at = _page(TAB_GRADS)
    assert not at.exception
    pairs = list(conftest.html_tables(at)[1]["compared"])
    assert pairs == [
        "lstm_core BPTT − torch autograd",
        "lstm_core BPTT − central differences",
        "torch autograd − central differences",
    ]
    names = [n for n in _chart_texts(at) if n in ("lstm_core BPTT", "torch autograd")]
    assert names == ["lstm_core BPTT", "torch autograd"]
    assert "central differences" in _chart_texts(at)


# ----- the other pages' model ----------------------------------------------------------------


def test_the_other_pages_model_and_input_are_checked_against_torch():
    """Weights "the other pages' model": the sidebar's model on the sidebar's input, batch 1,
    zero state — the very numbers the step-through shows — in lstm_core and in torch."""
    import conftest

    at = conftest.open_page(
        "pages/compare.py", {"H": "5", "T": "7", "layers": "2", "bi": "1", "seed": "3"}
    )
    at.radio(key="cmp_weights").set_value("pages").run()
    _assert_pass(at)
    run = at.session_state[session.LAST_RUN]
    assert "hidden_size` = **5**" in " ".join(m.value for m in at.markdown)
    assert "T = **7** · B = **1**" in " ".join(m.value for m in at.markdown)
    assert _verdict_rows(at)["output"]["shape (torch)"] == "(7, 1, 10)"  # 2 directions × H

    # the compared numbers are the pages' own: same weights, same input, same output
    cfg = cl.CompareConfig(
        input_size=run.D, hidden_size=5, num_layers=2, bidirectional=True, seq_len=7, batch=1,
        random_state=False, x=tuple(map(tuple, run.x.tolist())),
    )  # fmt: skip
    result = cl.run_comparison(cfg, run.model.state_dict())
    assert result.passed
    pages_output = run.trace.output.reshape(7, 10)  # (T, 2H) of the unbatched run
    assert np.array_equal(result.tensors["output"].core[:, 0], pages_output)


def test_a_given_input_must_fit_the_options():
    cfg = cl.CompareConfig(input_size=2, seq_len=3, batch=2, x=((0.0, 1.0),) * 3)
    assert [e.key for e in cl.check_config(cfg)] == ["compare.err_given_x"]
