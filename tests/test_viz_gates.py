"""Figure content of the gates-over-time views: the numbers drawn are the trace's numbers."""

import re
import tomllib
from pathlib import Path

import numpy as np
import pytest

from lstm_core import LSTM
from lstm_core.analysis import contributions, lookback_half_life
from viz import palette
from viz.contributions import MAX_GROUPS, contributions_at_t, contributions_over_time
from viz.gates_time import GATES, gate_heatmaps, memory_paths, saturation_histograms

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def trace():
    """A 2-layer bidirectional model on a sine: the views must work on every layer/direction."""
    model = LSTM(1, 5, num_layers=2, bidirectional=True, seed=3).eval()
    x = np.sin(np.arange(9) / 2)[:, None]
    return model.trace(x)  # unbatched: layer arrays are (T, 1, ·)


def same_scale(a, b) -> bool:
    return [(float(p), c) for p, c in a] == [(float(p), c) for p, c in b]


@pytest.mark.parametrize(("k", "d"), [(0, 0), (1, 1)])
def test_heatmaps_show_the_gates_on_fixed_ranges(trace, k, d):
    lt = trace.layers[k][d]
    fig = gate_heatmaps(lt, t_sel=4, unit_sel=2)
    T, _, H = lt.c.shape
    for n, name in enumerate(GATES):
        heat, targets = fig.data[2 * n], fig.data[2 * n + 1]
        np.testing.assert_array_equal(np.asarray(heat.z), getattr(lt, name)[:, 0, :].T)
        assert (heat.zmin, heat.zmax) == palette.GATE_RANGE[name]
        want = palette.DIVERGING_SCALE if name == "g" else palette.SIGMOID_SCALE
        assert same_scale(heat.colorscale, want)
        # one invisible click target per cell, and the exact value in its hover text
        assert len(targets.x) == T * H and targets.marker.opacity == 0
        cells = [tuple(c[:2]) for c in targets.customdata]
        assert sorted(cells) == [(t, j) for t in range(T) for j in range(H)]
        n_cell = cells.index((6, 3))
        assert (targets.x[n_cell], targets.y[n_cell]) == (6, 3)
        assert targets.text[n_cell] == repr(float(getattr(lt, name)[6, 0, 3]))
        assert targets.hovertext[n_cell] == repr(float(getattr(lt, f"z_{name}")[6, 0, 3]))
    # the selected cell is outlined in each of the four panels
    rects = [s for s in fig.layout.shapes if s.type == "rect"]
    assert len(rects) == 4
    assert all((s.x0, s.x1, s.y0, s.y1) == (3.5, 4.5, 1.5, 2.5) for s in rects)
    assert fig.layout.hoverdistance == -1


def test_heatmaps_outline_the_whole_column_when_no_unit_is_selected(trace):
    fig = gate_heatmaps(trace.layers[0][0], t_sel=1, unit_sel=None)
    H = trace.layers[0][0].hidden_size
    assert {(s.y0, s.y1) for s in fig.layout.shapes} == {(-0.5, H - 0.5)}


def test_memory_paths_split_c_into_kept_and_written(trace):
    lt = trace.layers[1][0]
    j = 3
    fig = memory_paths(lt, j, t_sel=2)
    kept, written, c, o, tanh_c, h = fig.data
    np.testing.assert_array_equal(kept.y, lt.kept[:, 0, j])
    np.testing.assert_array_equal(written.y, lt.written[:, 0, j])
    np.testing.assert_allclose(np.add(kept.y, written.y), c.y, rtol=0, atol=1e-15)
    np.testing.assert_array_equal(c.y, lt.c[:, 0, j])
    np.testing.assert_allclose(h.y, np.asarray(o.y) * np.asarray(tanh_c.y), atol=1e-15)
    assert fig.layout.barmode == "relative"
    assert kept.marker.color == palette.STAGE_EDGE["forget"]
    assert written.marker.color == palette.STAGE_EDGE["candidate"]
    assert c.line.color == palette.C_LINE and h.line.color == palette.H_LINE
    assert tanh_c.line.color == palette.TANH_BOX
    assert list(fig.layout.yaxis2.range) == [-1.08, 1.08]  # h lives in the tanh range
    assert repr(float(lt.c[5, 0, j])) == c.customdata[5][1]  # exact value on hover


@pytest.mark.parametrize(("k", "d"), [(0, 0), (0, 1), (1, 1)])
def test_stacked_contributions_sum_to_c_at_every_t(trace, k, d):
    lt = trace.layers[k][d]
    split = contributions(lt)
    j = 1
    fig = contributions_over_time(split, lt, j, t_sel=3)
    bars = [tr for tr in fig.data if tr.type == "bar"]
    stack = np.nansum([np.asarray(b.y, dtype=float) for b in bars], axis=0)
    np.testing.assert_allclose(stack, lt.c[:, 0, j], rtol=0, atol=1e-12)
    line = fig.data[-1]
    np.testing.assert_array_equal(line.y, lt.c[:, 0, j])
    assert line.line.color == palette.C_LINE
    # each segment coloured by its value on c's scale, symmetric about 0 (one range per figure)
    m = max(np.abs(lt.c[:, 0, j]).max(), np.abs(split.inputs[:, :, 0, j]).max(), 0.25)
    m = max(m, np.abs(split.initial[:, 0, j]).max())
    for b in bars:
        want = palette.scale_colours(np.nan_to_num(np.asarray(b.y, float)), palette.C_SCALE, -m, m)
        assert list(b.marker.color) == want


def test_many_steps_are_grouped_and_still_sum_to_c():
    model = LSTM(1, 2, bidirectional=True, seed=5).eval()
    T = 60
    tr = model.trace(np.cos(np.arange(T) / 5)[:, None])
    for lt in tr.layers[0]:
        fig = contributions_over_time(contributions(lt), lt, 0)
        bars = [b for b in fig.data if b.type == "bar"]
        assert len(bars) == MAX_GROUPS + 1  # the groups and c_0
        stack = np.nansum([np.asarray(b.y, dtype=float) for b in bars], axis=0)
        np.testing.assert_allclose(stack, lt.c[:, 0, 0], rtol=0, atol=1e-12)


@pytest.mark.parametrize(("k", "d"), [(0, 0), (1, 1)])
def test_contributions_at_t_bars_sum_to_c_t_with_their_kept_weights(trace, k, d):
    lt = trace.layers[k][d]
    split = contributions(lt)
    t, j = 5, 2
    lookback = lookback_half_life(lt)[t, 0, j]
    fig = contributions_at_t(split, lt, t, j, lookback=lookback)
    bars, kept = fig.data[0], fig.data[1]
    np.testing.assert_allclose(np.sum(bars.y), lt.c[t, 0, j], rtol=0, atol=1e-12)
    sources = [int(s) for s in np.asarray(bars.customdata)[:, 0]]
    # c_0 first, then the positions in processing order, ending at t itself (kept weight 1)
    steps = list(range(t + 1)) if d == 0 else list(range(lt.c.shape[0] - 1, t - 1, -1))
    assert sources == [-1, *steps]
    assert kept.y[-1] == 1.0
    np.testing.assert_allclose(kept.y[1:], split.retention[t, steps, 0, j])
    assert kept.line.color == palette.SIGMA_BOX
    colours = set(np.asarray(bars.marker.color))
    assert colours <= {palette.C_LINE, palette.C_SCALE[0][1]}
    if np.isfinite(lookback):  # the half-life line sits `lookback` steps back from t
        (vline,) = [s for s in fig.layout.shapes if s.x0 == s.x1]
        assert vline.x0 == len(bars.y) - 1 - lookback


def test_saturation_histograms_name_the_saturated_share():
    """A forget gate pinned near 1 (bias 6): every f value in the top 5 %."""
    model = LSTM(1, 3, seed=0).eval()
    sd = model.state_dict()
    sd["bias_ih_l0"][3:6] = 6.0  # f = σ(6 + small) > 0.99
    model.load_state_dict(sd)
    lt = model.trace(np.zeros((10, 1))).layers[0][0]
    fig = saturation_histograms(lt)
    for n, name in enumerate(GATES):
        assert np.sum(fig.data[n].y) == pytest.approx(100.0)
        assert fig.data[n].marker.color == palette.GATE_COLOR[name]
        assert fig.layout[f"xaxis{'' if n == 0 else n + 1}"].range == palette.GATE_RANGE[name]
    f_title = fig.layout.annotations[0].text
    assert f_title == "f: 0% near 0 · 100% near 1"
    assert fig.data[0].y[-1] == pytest.approx(100.0)  # all in the last bin


def test_figures_speak_both_languages(trace):
    lt = trace.layers[0][0]
    for fig_en, fig_zh in [
        (gate_heatmaps(lt, lang="en"), gate_heatmaps(lt, lang="zh")),
        (memory_paths(lt, 0, lang="en"), memory_paths(lt, 0, lang="zh")),
        (saturation_histograms(lt, lang="en"), saturation_histograms(lt, lang="zh")),
    ]:
        en = [a.text for a in fig_en.layout.annotations]
        zh = [a.text for a in fig_zh.layout.annotations]
        assert en != zh
        assert any(re.search(r"[\u4e00-\u9fff]", s) for s in zh)
    split = contributions(lt)
    fig = contributions_at_t(split, lt, 3, 0, lang="zh")
    assert re.search(r"[\u4e00-\u9fff]", fig.layout.title.text)


@pytest.mark.parametrize("stem", ["gates", "network"])
def test_every_text_used_exists_in_both_languages(stem):
    texts = tomllib.loads((ROOT / "assets" / "i18n" / f"{stem}.toml").read_text())
    for name, t in texts.items():
        assert {"en", "zh"} <= set(t) <= {"en", "zh", "en_colorblind", "zh_colorblind"}, name
        assert t["en"].strip() and t["zh"].strip(), name
        fields = [sorted(re.findall(r"\{(\w+)\}", t[lang])) for lang in ("en", "zh")]
        assert fields[0] == fields[1], name
    files = {
        "gates": ["pages/gates.py", "viz/gates_time.py", "viz/contributions.py"],
        "network": ["pages/network.py", "viz/network.py"],
    }[stem]
    for f in files:
        src = (ROOT / f).read_text()
        for name in re.findall(rf'"{stem}\.(\w+)"', src):
            assert name in texts, f"{f}: {stem}.{name} is missing"
        for prefix in re.findall(rf'f"{stem}\.(\w+)\{{', src):  # f"gates.heat_title_{name}"
            assert any(n.startswith(prefix) for n in texts), f"{f}: {stem}.{prefix}…"
