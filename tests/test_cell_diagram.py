"""The cell diagram figure: frames, equation numbers, highlighting, colours, stepping."""

from __future__ import annotations

import re

import numpy as np
import pytest

from app_logic.i18n import tr
from lstm_core import LSTM, sigmoid
from viz import cell_geometry as geo
from viz import palette
from viz.cell_diagram import (
    MAX_STEPS,
    PANEL_SIZE,
    SLIDE_ARGS,
    STEP_ARGS,
    TEXT_SLOTS,
    TRACE_BARS,
    TRACE_LABELS,
    TRACE_PANEL,
    TRACE_VEIL,
    Step,
    chain_list,
    create_cell_figure,
    frame_name,
    parse_frame_name,
    step_order,
    wrap_html,
)
from viz.equations import STAGE_BOX, STAGES, fmt, gate_terms

STAGE_INDEX = {s: n for n, s in enumerate(STAGES)}
GATE_ROW = {"i": 0, "f": 1, "g": 2, "o": 3}
LABEL_NAMES = list(geo.LABELS)
HALF_ULP_SHOWN = 0.0005 + 1e-12  # numbers are shown with 3 decimals


def numbers(text: str) -> list[float]:
    """Every number in a shown text, in order ("−0.120" → -0.12); HTML tags dropped first."""
    plain = re.sub(r"<[^>]+>", "", text).replace("\u2212", "-")
    plain = re.sub(r"\[\d+\]", "", plain)  # unit indices like W_if[2]
    return [float(m) for m in re.findall(r"-?\d+\.\d+", plain)]


@pytest.fixture(scope="module")
def model_trace():
    """2 layers, bidirectional, D=3, H=3, float64: every index path is exercised."""
    model = LSTM(3, 3, num_layers=2, bidirectional=True, seed=3).eval()
    x = np.random.default_rng(1).normal(size=(5, 3))  # (T, D) unbatched
    return model, model.trace(x)


def frame_by_name(fig, name):
    return next(f for f in fig.frames if f.name == name)


def panel(frame) -> dict[str, str]:
    data = dict(zip(frame.traces, frame.data))
    return dict(zip(TEXT_SLOTS, data[TRACE_PANEL].text))


def labels(frame) -> dict[str, str]:
    data = dict(zip(frame.traces, frame.data))
    return dict(zip(LABEL_NAMES, data[TRACE_LABELS].text))


# ----- frames ------------------------------------------------------------------------------------


@pytest.mark.parametrize("predict, subs", [(True, 2), (False, 1)])
def test_one_frame_per_timestep_stage_and_substep(model_trace, predict, subs):
    _, trace = model_trace
    fig = create_cell_figure(trace, unit=1, predict=predict)
    T = trace.layers[0][0].c.shape[0]
    assert len(fig.frames) == T * len(STAGES) * subs
    names = [f.name for f in fig.frames]
    assert len(set(names)) == len(names)
    expected = [
        frame_name(t, s, sub) for t in range(T) for s in range(6) for sub in "qa"[2 - subs :]
    ]
    assert names == expected
    assert len(fig.layout.sliders[0].steps) == len(names)
    assert [st.args[0][0] for st in fig.layout.sliders[0].steps] == names


def test_long_sequences_get_a_window_around_t():
    T = 150
    trace = LSTM(1, 2, seed=0).eval().trace(np.linspace(-1, 1, T)[:, None])
    fig = create_cell_figure(trace, t=140, predict=False)
    ts = sorted({int(re.match(r"t(\d+)s", f.name).group(1)) for f in fig.frames})
    assert len(ts) == MAX_STEPS and 140 in ts and ts == list(range(ts[0], ts[0] + MAX_STEPS))
    assert ts[-1] == T - 1  # clamped at the end of the sequence
    assert len(fig.frames) == MAX_STEPS * len(STAGES)


def test_reverse_direction_steps_from_the_last_position(model_trace):
    _, trace = model_trace
    fig = create_cell_figure(trace, layer=0, direction=1, unit=0, t=4)
    assert fig.frames[0].name == frame_name(4, 0, "q") and fig.frames[-1].name == frame_name(0, 5)
    assert "h<sub>t+1</sub>" in panel(frame_by_name(fig, frame_name(2, 0, "a")))["eq_symbolic"]


# ----- the numbers in the equations --------------------------------------------------------------


@pytest.mark.parametrize("layer, direction", [(0, 0), (0, 1), (1, 0), (1, 1)])
def test_gate_terms_sum_to_the_traces_z_and_give_its_gate(model_trace, layer, direction):
    _, trace = model_trace
    lt = trace.layers[layer][direction]
    T, H = lt.c.shape[0], lt.hidden_size
    for t in range(T):
        for j in range(H):
            for g, n in GATE_ROW.items():
                k = gate_terms(lt, t, j, g)
                row = n * H + j
                assert k.wx == pytest.approx(lt.weight_ih[row] @ lt.x[t, 0], abs=1e-14)
                assert k.wh == pytest.approx(lt.weight_hh[row] @ lt.h_prev[t, 0], abs=1e-14)
                assert (k.b_ih, k.b_hh) == (lt.bias_ih[row], lt.bias_hh[row])
                assert k.total == pytest.approx(lt.z[t, 0, row], abs=1e-12)
                act = np.tanh(k.total) if g == "g" else sigmoid(np.float64(k.total))
                assert act == pytest.approx(lt.gates[t, 0, row], abs=1e-12)


@pytest.mark.parametrize("layer, direction, unit", [(0, 0, 0), (1, 1, 2), (0, 1, 1)])
def test_equation_numbers_in_the_frames_equal_the_trace(model_trace, layer, direction, unit):
    _, trace = model_trace
    lt = trace.layers[layer][direction]
    fig = create_cell_figure(trace, layer=layer, direction=direction, unit=unit)
    H = lt.hidden_size
    for t in range(lt.c.shape[0]):
        for stage in ("forget", "input", "candidate", "output"):
            g = {"forget": "f", "input": "i", "candidate": "g", "output": "o"}[stage]
            row = GATE_ROW[g] * H + unit
            eq = panel(frame_by_name(fig, frame_name(t, STAGE_INDEX[stage], "a")))["eq_numeric"]
            wx, b_ih, wh, b_hh, z, value = numbers(eq)
            expect = [
                lt.weight_ih[row] @ lt.x[t, 0],
                lt.bias_ih[row],
                lt.weight_hh[row] @ lt.h_prev[t, 0],
                lt.bias_hh[row],
                lt.z[t, 0, row],
                lt.gates[t, 0, row],
            ]
            assert np.allclose([wx, b_ih, wh, b_hh, z, value], expect, atol=HALF_ULP_SHOWN)
            assert wx + b_ih + wh + b_hh == pytest.approx(z, abs=4 * HALF_ULP_SHOWN + 1e-9)

        update = panel(frame_by_name(fig, frame_name(t, 3, "a")))["eq_numeric"]
        f, c_prev, i, g, kept, written, c = numbers(update)
        expect = [lt.f, lt.c_prev, lt.i, lt.g, lt.kept, lt.written, lt.c]
        assert np.allclose(
            [f, c_prev, i, g, kept, written, c],
            [a[t, 0, unit] for a in expect],
            atol=HALF_ULP_SHOWN,
        )
        hidden = panel(frame_by_name(fig, frame_name(t, 5, "a")))["eq_numeric"]
        o, c2, o2, tanh_c, h = numbers(hidden)
        assert np.allclose(
            [o, c2, tanh_c, h],
            [lt.o[t, 0, unit], lt.c[t, 0, unit], lt.tanh_c[t, 0, unit], lt.h[t, 0, unit]],
            atol=HALF_ULP_SHOWN,
        )
        assert o2 == o


def test_all_units_shows_the_vectors_and_means(model_trace):
    _, trace = model_trace
    lt = trace.layers[0][0]
    fig = create_cell_figure(trace, unit=None)
    fr = frame_by_name(fig, frame_name(2, 0, "a"))
    eq = panel(fr)["eq_numeric"]
    z_f, f = np.array(numbers(eq)).reshape(2, 3)
    assert np.allclose(z_f, lt.z_f[2, 0], atol=0.005) and np.allclose(f, lt.f[2, 0], atol=0.005)
    (mean_f,) = numbers(labels(fr)["f"])
    assert mean_f == pytest.approx(lt.f[2, 0].mean(), abs=HALF_ULP_SHOWN)
    assert "all 3 units" in panel(fr)["status"]


def test_predict_hides_the_numbers_then_reveals_them(model_trace):
    _, trace = model_trace
    fig = create_cell_figure(trace, unit=0)
    for t in range(5):
        for s in range(len(STAGES)):
            q = frame_by_name(fig, frame_name(t, s, "q"))
            a = frame_by_name(fig, frame_name(t, s, "a"))
            assert "Predict:" in panel(q)["prompt"] and "Reveal:" in panel(a)["prompt"]
            assert numbers(panel(q)["eq_numeric"]) == [] and "?" in panel(q)["eq_numeric"]
            assert numbers(panel(a)["eq_numeric"]) and panel(a)["meaning"]
            for name, known in geo.LABEL_STAGE.items():  # later quantities are not shown yet
                if known == s:
                    assert labels(q)[name].endswith("= ?")
                    assert numbers(labels(a)[name]) or name == "h_up"
                if known > s:
                    assert "=" not in labels(a)[name]


def test_shown_values_stay_in_their_ranges(model_trace):
    _, trace = model_trace
    for layer in range(2):
        fig = create_cell_figure(trace, layer=layer, unit=2, predict=False)
        for fr in fig.frames:
            shown = {k: numbers(v) for k, v in labels(fr).items() if "=" in v}
            for name in ("f", "i", "o"):
                if name in shown:
                    assert 0.0 <= shown[name][0] <= 1.0
            for name in ("g", "tanh_c", "h"):
                if name in shown:
                    assert -1.0 <= shown[name][0] <= 1.0
            if "h" in shown:
                assert abs(shown["h"][0]) <= abs(shown["tanh_c"][0]) + HALF_ULP_SHOWN


def test_answers_follow_the_numbers():
    """A 1-unit cell with zero weights: every gate is σ(0) = 0.5 exactly, g = tanh(0) = 0."""
    model = LSTM(1, 1, seed=0)
    model.load_state_dict({k: np.zeros_like(v) for k, v in model.state_dict().items()})
    fig = create_cell_figure(model.eval().trace(np.ones((2, 1))), unit=0)
    fr = frame_by_name(fig, frame_name(1, 0, "a"))
    assert "f = 0.500" in panel(fr)["prompt"] and "50%" in panel(fr)["prompt"]
    assert numbers(panel(fr)["eq_numeric"]) == [0, 0, 0, 0, 0, 0.5]
    hidden = panel(frame_by_name(fig, frame_name(1, 5, "a")))
    assert numbers(hidden["eq_numeric"])[-1] == 0.0 and "keeps the sign" in hidden["prompt"]


# ----- highlighting, colours, opening frame -----------------------------------------------------


def _veil_rects(xs, ys):
    pts = [(x, y) for x, y in zip(xs, ys)]
    rects, cur = [], []
    for p in [*pts, (None, None)]:
        if p[0] is None:
            if cur:
                rx, ry = zip(*cur)
                rects.append((min(rx), min(ry), max(rx), max(ry)))
            cur = []
        else:
            cur.append(p)
    return rects


def _covered(rects, x, y):
    return any(x0 <= x <= x1 and y0 <= y <= y1 for x0, y0, x1, y1 in rects)


def test_each_stage_highlights_its_box_and_dims_the_others(model_trace):
    _, trace = model_trace
    fig = create_cell_figure(trace, unit=0)
    for s, stage in enumerate(STAGES):
        fr = frame_by_name(fig, frame_name(1, s, "q"))
        veil = dict(zip(fr.traces, fr.data))[TRACE_VEIL]
        rects = _veil_rects(veil["x"], veil["y"])
        for name, (x0, y0, x1, y1) in geo.DASHED_BOX.items():
            centre = ((x0 + x1) / 2, (y0 + y1) / 2)
            assert _covered(rects, *centre) is (name != STAGE_BOX[stage]), (stage, name)
        if stage == "update":  # the c line itself is the lit part
            assert not _covered(rects, 80.0, geo.Y_C)
    assert fig.data[TRACE_VEIL].fill == "toself"


def test_colours_come_from_the_palette():
    fig = create_cell_figure(LSTM(1, 2, seed=0).eval().trace(np.ones((3, 1))))
    shapes = fig.layout.shapes
    boxes = shapes[:5]
    assert [b.fillcolor for b in boxes] == [
        palette.STAGE_TINT[n] for n in STAGE_BOX if STAGE_BOX[n]
    ]
    assert all(b.line.dash == "dash" for b in boxes)
    lines = [s for s in shapes if s.type == "line"]
    allowed = {palette.C_LINE, palette.H_LINE, palette.X_LINE, palette.SIGMA_BOX, palette.TANH_BOX}
    assert {s.line.color for s in lines} <= allowed
    c_line = next(s for s in lines if s.y0 == s.y1 == geo.Y_C)
    assert c_line.line.color == palette.C_LINE and c_line.x1 - c_line.x0 > 100
    h_in = next(s for s in lines if s.y0 == s.y1 == geo.Y_BUS and s.x0 == geo.X_IN)
    assert h_in.line.color == palette.H_LINE
    x_in = next(s for s in lines if s.x0 == s.x1 == geo.X_X)
    assert x_in.line.color == palette.X_LINE
    gate_fills = sorted(s.fillcolor for s in shapes if s.type == "rect" and s.line.dash is None)
    assert gate_fills == sorted([palette.SIGMA_BOX] * 3 + [palette.TANH_BOX] * 2)
    label_colors = set(fig.data[TRACE_LABELS].textfont.color)
    assert label_colors <= allowed


@pytest.mark.parametrize("t, stage", [(0, 0), (3, 2), (4, 5)])
def test_opens_at_the_selected_timestep_and_stage(model_trace, t, stage):
    _, trace = model_trace
    fig = create_cell_figure(trace, unit=1, t=t, stage=stage)
    start = fig.layout.sliders[0].active
    assert fig.frames[start].name == frame_name(t, stage, "q")
    assert list(fig.data[TRACE_PANEL].text) == list(panel(fig.frames[start]).values())
    assert list(fig.data[TRACE_LABELS].text) == list(labels(fig.frames[start]).values())
    assert f"t = {t} " in fig.data[TRACE_PANEL].text[0]


@pytest.mark.parametrize("predict", [True, False])
def test_opens_on_the_answer_when_revealed(model_trace, predict):
    _, trace = model_trace
    fig = create_cell_figure(trace, unit=1, t=2, stage=3, reveal=True, predict=predict)
    assert fig.frames[fig.layout.sliders[0].active].name == frame_name(2, 3, "a")


def test_frame_names_parse_back():
    for t, s, sub in [(0, 0, "q"), (12, 5, "a"), (999, 3, "q")]:
        assert parse_frame_name(frame_name(t, s, sub)) == Step(t, s, sub)
    for bad in ["", "t1s6a", "t1s1", "t-1s0q", "x", "t1s1qq", None, 3]:
        with pytest.raises(ValueError, match="not a frame name"):
            parse_frame_name(bad)


def test_chinese_texts(model_trace):
    _, trace = model_trace
    fig = create_cell_figure(trace, unit=0, lang="zh")
    p = panel(frame_by_name(fig, frame_name(0, 0, "a")))
    assert "遗忘门" in p["status"] and "揭晓" in p["prompt"] and "长期记忆" in p["meaning"]
    assert "预测" in panel(frame_by_name(fig, frame_name(0, 1, "q")))["prompt"]


def test_bad_arguments_raise_clear_errors(model_trace):
    _, trace = model_trace
    with pytest.raises(ValueError, match="t must be"):
        create_cell_figure(trace, t=5)
    with pytest.raises(ValueError, match="unit must be"):
        create_cell_figure(trace, unit=3)
    with pytest.raises(ValueError, match="layer must be"):
        create_cell_figure(trace, layer=2)


# ----- stepping on the client: the buttons' frame lists ------------------------------------------


def plotly_animate(frame_list: list, current: str | None) -> str:
    """The frame Plotly ends up showing for animate(list, {fromcurrent, durations [0, ∞]}).

    A port of plotly.js `Plotly.animate`: with a current frame whose first occurrence is neither
    first nor last, keep the non-name entries and the names after it; then play until the first
    named frame (it then waits "forever").
    """
    entries = list(frame_list)
    if current is not None:
        idx = next((n for n, e in enumerate(entries) if e == current), -1)
        if 0 < idx < len(entries) - 1:
            entries = [e for n, e in enumerate(entries) if not isinstance(e, str) or n > idx]
    shown = [e for e in entries[:2] if isinstance(e, str)]  # durations: [0, forever]
    return shown[-1] if shown else current


@pytest.mark.parametrize("start", [0, 1, 17, 70, 71])
def test_button_lists_step_exactly_one_frame(start):
    order = step_order(T=6, t=0, predict=True)  # 72 frames
    names = [s.name for s in order]
    per_t = 12
    for delta in (-per_t, -1, 1, per_t):
        succ = {
            names[n]: names[n + delta] if 0 <= n + delta < len(names) else None
            for n in range(len(names))
        }
        lst = chain_list(names, succ, names[start])
        assert isinstance(lst[0], dict)  # the instant empty frame
        # before any step, the figure shows `start`
        expect0 = succ[names[start]] or names[start]
        assert plotly_animate(lst, None) == expect0
        for name in names:
            expect = succ[name] or name
            assert plotly_animate(lst, name) == expect, (delta, name)


def test_figure_buttons_use_chain_lists(model_trace):
    _, trace = model_trace
    fig = create_cell_figure(trace, unit=0, t=2, stage=1)
    buttons = fig.layout.updatemenus[0].buttons
    labels_ = [b.label for b in buttons]
    assert labels_ == ["◀◀ previous t", "◀ back", "next ▶", "next t ▶▶", "play", "pause"]
    start = fig.layout.sliders[0].active
    nxt, prev = buttons[2].args[0], buttons[1].args[0]
    assert plotly_animate(nxt, None) == fig.frames[start + 1].name
    assert plotly_animate(prev, None) == fig.frames[start - 1].name
    assert plotly_animate(buttons[3].args[0], None) == fig.frames[start + 12].name
    assert buttons[2].args[1] == STEP_ARGS and STEP_ARGS["fromcurrent"] is True
    assert all(st.args[1] == SLIDE_ARGS for st in fig.layout.sliders[0].steps)
    # no step needs a full redraw: frames change traces only
    assert all(f.layout.to_plotly_json() == {} for f in fig.frames)
    assert all(set(f.traces) == {TRACE_VEIL, TRACE_LABELS, TRACE_PANEL} for f in fig.frames)


def test_fmt_uses_a_real_minus_and_no_negative_zero():
    assert fmt(-0.12) == "\u22120.120" and fmt(-0.0001) == "0.000" and fmt(0.5) == "0.500"


@pytest.mark.parametrize("unit", [1, None])
def test_projection_and_float32(unit):
    model = LSTM(2, 4, proj_size=2, dtype="float32", seed=5).eval()
    trace = model.trace(np.random.default_rng(0).normal(size=(4, 2)).astype(np.float32))
    lt = trace.layers[0][0]
    fig = create_cell_figure(trace, unit=unit)
    hidden = panel(frame_by_name(fig, frame_name(2, 5, "a")))
    assert "W<sub>hr</sub>" in hidden["eq_numeric"] and "projection" in hidden["prompt"]
    h_up = numbers(labels(frame_by_name(fig, frame_name(2, 5, "a")))["h_up"])
    if unit is None:  # the whole vector: its mean, as every label
        assert h_up == pytest.approx([float(lt.h[2, 0].mean())], abs=HALF_ULP_SHOWN)
    else:  # one unit j, but h has P values: all of them, not a mean that passes for unit j's
        assert h_up == pytest.approx(lt.h[2, 0], abs=0.005)
    if unit is not None:
        k = gate_terms(lt, 2, unit, "f")
        assert k.total == pytest.approx(float(lt.z[2, 0, 4 + unit]), abs=1e-5)  # float32 round-off
        eq = panel(frame_by_name(fig, frame_name(2, 0, "a")))["eq_numeric"]
        assert numbers(eq)[-1] == pytest.approx(float(lt.f[2, 0, unit]), abs=HALF_ULP_SHOWN)


def test_cell_texts_exist_in_both_languages_with_the_same_placeholders():
    import string

    from app_logic.i18n import catalog

    texts = {k: v for k, v in catalog().items() if k.startswith("cell.")}
    needed = [f"cell.{p}_{s}" for s in STAGES for p in ("q", "m", "stage")]
    needed += [f"cell.box_{b}" for b in STAGE_BOX.values() if b]
    assert set(needed) <= set(texts)

    def fields(s: str) -> set[str]:
        return {f for _, f, _, _ in string.Formatter().parse(s) if f}

    for key, t in texts.items():
        assert t.get("en") and t.get("zh"), key
        assert fields(t["en"]) == fields(t["zh"]), key


# ----- whole vector: one small bar per unit at every label ---------------------------------------

GLYPH_NAMES = list(geo.LABELS)
N_BAR_TRACES = len(set(geo.LABEL_STAGE.values()))  # one bar trace per revealing stage
BAR_TRACES = list(range(TRACE_BARS, TRACE_BARS + N_BAR_TRACES))
HALF_DECIMAL = 0.0005 + 1e-9  # bar heights are sent with 3 decimals (data units)


def resolved(fig, name) -> dict[int, dict]:
    """trace index → data of frame `name` after Plotly's baseframe merge (plots.computeFrame)."""
    by_name = {f.name: f for f in fig.frames}
    stack, fr = [], by_name[name]
    while True:
        stack.append(fr)
        if not fr.baseframe:
            break
        fr = by_name[fr.baseframe]
    out: dict[int, dict] = {}
    for fr in reversed(stack):  # the base first, then each frame on top
        for k, d in zip(fr.traces, fr.data):
            out[k] = {**out.get(k, {}), **d.to_plotly_json()}
    return out


def glyph_meta(fig) -> dict[str, tuple[int, dict]]:
    """label → (trace index, its glyph's meta: kind, scale, n, offset into the trace's bars)."""
    return {m["label"]: (k, m) for k in BAR_TRACES for m in fig.data[k].meta["glyphs"]}


def glyph_slice(fig, label: str, key: str, data=None) -> np.ndarray:
    """One glyph's part of its bar trace's array `key` (x, y, base, width, marker.color)."""
    k, m = glyph_meta(fig)[label]
    d = fig.data[k].to_plotly_json() if data is None else data[k]
    a = d["marker"]["color"] if key == "color" else d[key]
    return np.asarray(a[m["offset"] : m["offset"] + m["n"]])


def trace_vectors(lt, t: int) -> dict[str, np.ndarray]:
    """The vector behind each glyph, read straight from the trace (float64, batch entry 0)."""
    arrays = dict(
        c_prev=lt.c_prev, kept=lt.kept, c=lt.c, h_prev=lt.h_prev, x=lt.x, f=lt.f, i=lt.i,
        g=lt.g, written=lt.written, o=lt.o, tanh_c=lt.tanh_c, h=lt.h_cell, h_up=lt.h,
    )  # fmt: skip
    return {k: np.asarray(a[t, 0], np.float64) for k, a in arrays.items()}


def bar_values(fig, name: str) -> dict[str, np.ndarray]:
    """Each glyph's bars in frame `name` turned back into values: height / span * scale."""
    data = resolved(fig, name)
    out = {}
    for g, (_, m) in glyph_meta(fig).items():
        span = geo.GLYPH_H if m["kind"] == "sigma" else geo.GLYPH_H / 2
        out[g] = glyph_slice(fig, g, "y", data).astype(np.float64) / span * m["scale"]
    return out


@pytest.mark.parametrize("layer, direction", [(0, 0), (1, 1)])
def test_bars_equal_every_units_value_once_revealed(model_trace, layer, direction):
    _, trace = model_trace
    lt = trace.layers[layer][direction]
    fig = create_cell_figure(trace, layer=layer, direction=direction, unit=None)
    scale = {g: m["scale"] for g, (_, m) in glyph_meta(fig).items()}
    assert sorted(scale) == sorted(GLYPH_NAMES)
    c_max = max(np.abs(lt.c).max(), np.abs(lt.c_prev).max())
    assert scale["c"] == scale["kept"] == scale["c_prev"] >= c_max
    assert scale["c"] <= c_max * 1.01  # ±max|c|, rounded up to 3 significant digits
    assert np.abs(lt.x).max() <= scale["x"] <= np.abs(lt.x).max() * 1.01
    assert all(scale[g] == 1.0 for g in ("f", "i", "o", "g", "written", "tanh_c", "h", "h_up"))
    for fr in fig.frames:
        step = parse_frame_name(fr.name)
        want = trace_vectors(lt, step.t)
        got = bar_values(fig, fr.name)
        for g in GLYPH_NAMES:
            known = geo.LABEL_STAGE[g]
            if known < step.s or (known == step.s and step.sub == "a"):
                tol = HALF_DECIMAL / (geo.GLYPH_H / 2) * scale[g]
                assert got[g] == pytest.approx(want[g], abs=tol), (fr.name, g)
            else:  # not computed yet, or the question of its own stage: zero-height bars
                assert got[g].shape == want[g].shape and not got[g].any(), (fr.name, g)


def test_bar_heights_in_data_units_and_fixed_ranges(model_trace):
    _, trace = model_trace
    lt = trace.layers[0][0]
    fig = create_cell_figure(trace, unit=None, t=2, stage=5, reveal=True)
    H = lt.hidden_size
    for g in GLYPH_NAMES:
        x0, y0 = geo.GLYPHS[g]
        xs = glyph_slice(fig, g, "x")
        assert len(xs) == (lt.x.shape[-1] if g == "x" else H)
        assert xs[0] > x0 and xs[-1] < x0 + geo.GLYPH_W and list(xs) == sorted(xs)  # j=0 left
        assert set(glyph_slice(fig, g, "color")) == {geo.LABELS[g][3]}  # the label's colour
        kind = glyph_meta(fig)[g][1]["kind"]
        base = y0 if kind == "sigma" else y0 + geo.GLYPH_H / 2  # σ: up from the bottom
        assert set(glyph_slice(fig, g, "base")) == {base}
    f_y, c_y = glyph_slice(fig, "f", "y"), glyph_slice(fig, "c", "y")
    assert np.allclose(f_y, np.round(lt.f[2, 0] * geo.GLYPH_H, 3))  # σ: 1 = the full height
    c_scale = glyph_meta(fig)["c"][1]["scale"]  # c: around the midline, ±max|c|
    assert np.allclose(c_y, np.round(lt.c[2, 0] / c_scale * geo.GLYPH_H / 2, 3))
    g_y = glyph_slice(fig, "g", "y")
    assert np.allclose(g_y, np.round(lt.g[2, 0] * geo.GLYPH_H / 2, 3))  # tanh: ±1
    for fr in fig.frames:  # every bar stays inside its glyph
        data = resolved(fig, fr.name)
        for g, (_, m) in glyph_meta(fig).items():
            y = glyph_slice(fig, g, "y", data)
            lo = 0.0 if m["kind"] == "sigma" else -geo.GLYPH_H / 2
            hi = geo.GLYPH_H if m["kind"] == "sigma" else geo.GLYPH_H / 2
            assert ((lo <= y) & (y <= hi)).all(), (fr.name, g)


def test_bars_start_on_the_opening_frame_and_frames_only_change_y(model_trace):
    _, trace = model_trace
    fig = create_cell_figure(trace, unit=None, t=3, stage=2, reveal=True)
    start = fig.frames[fig.layout.sliders[0].active].name
    opening = resolved(fig, start)
    for k in BAR_TRACES:
        assert list(fig.data[k].y) == list(opening[k]["y"])
    assert list(fig.data[TRACE_PANEL].text) == list(opening[TRACE_PANEL]["text"])
    assert len(fig.data) == TRACE_BARS + N_BAR_TRACES
    assert all(d.type == "bar" for d in fig.data[TRACE_BARS:])
    scatters = [n for n, d in enumerate(fig.data) if d.type == "scatter"]
    assert scatters[-1] == TRACE_PANEL  # the panel stays the last scatter trace
    for fr in fig.frames:
        assert fr.layout is None or not fr.layout.to_plotly_json()
        for k, d in zip(fr.traces, fr.data):
            if k >= TRACE_BARS:
                assert set(d.to_plotly_json()) == {"type", "y"} and d.type == "bar"
        full = resolved(fig, fr.name)  # a jump to any frame gets every trace's state
        assert sorted(full) == [TRACE_VEIL, TRACE_LABELS, TRACE_PANEL, *BAR_TRACES]
        if fr.baseframe:  # a base is always a frame at the same timestep
            assert parse_frame_name(fr.baseframe).t == parse_frame_name(fr.name).t
    for args in (STEP_ARGS, SLIDE_ARGS):
        frame = args["frame"]
        assert all(not f["redraw"] for f in (frame if isinstance(frame, list) else [frame]))


def test_each_value_is_sent_once_per_timestep(model_trace):
    _, trace = model_trace
    fig = create_cell_figure(trace, unit=None)
    T = trace.layers[0][0].c.shape[0]
    sent = sum(1 for fr in fig.frames for k in fr.traces if k >= TRACE_BARS)
    assert sent == T * (N_BAR_TRACES + len(STAGES))  # first frame of t: every trace; then reveals


def test_no_bars_with_a_unit_selected(model_trace):
    _, trace = model_trace
    fig = create_cell_figure(trace, unit=1)
    assert len(fig.data) == TRACE_BARS and not any(d.type == "bar" for d in fig.data)
    assert all(max(fr.traces) == TRACE_PANEL and not fr.baseframe for fr in fig.frames)
    assert not any("Bars:" in (a.text or "") for a in fig.layout.annotations)
    n_shapes = len(fig.layout.shapes)
    assert len(create_cell_figure(trace, unit=None).layout.shapes) == n_shapes + 2 * 13


def test_the_bars_key_states_every_scale(model_trace):
    _, trace = model_trace
    fig = create_cell_figure(trace, unit=None)
    note = bars_note(fig)
    meta = {g: m for g, (_, m) in glyph_meta(fig).items()}
    assert "j = 0…2" in note and "σ 0…1" in note and "tanh −1…1" in note
    assert f"c ±{meta['c']['scale']:.3g}" in note and f"x ±{meta['x']['scale']:.3g}" in note
    assert "h ±" not in note
    assert note.startswith(tr("bars.note_means", "en"))  # the labels are means, said first
    zh = create_cell_figure(trace, unit=None, lang="zh")
    assert any("小条" in (a.text or "") for a in zh.layout.annotations)


@pytest.mark.parametrize("dtype", ["float64", "float32"])
def test_bars_with_a_projection(dtype):
    model = LSTM(2, 5, proj_size=3, seed=4, dtype=dtype).eval()
    lt = model.trace(np.random.default_rng(0).normal(size=(4, 2)) * 3).layers[0][0]
    fig = create_cell_figure(lt, unit=None, t=3, stage=5, reveal=True)
    meta = {g: m for g, (_, m) in glyph_meta(fig).items()}
    assert meta["h_up"]["n"] == meta["h_prev"]["n"] == 3 and meta["h"]["n"] == 5
    h_scale = meta["h_up"]["scale"]
    assert h_scale >= max(np.abs(lt.h).max(), np.abs(lt.h_prev).max())  # h is unbounded here
    assert meta["h"]["scale"] == 1.0  # o ⊙ tanh(c) stays in (−1, 1)
    got = bar_values(fig, frame_name(3, 5, "a"))
    want = trace_vectors(lt, 3)
    for g in GLYPH_NAMES:
        tol = HALF_DECIMAL / (geo.GLYPH_H / 2) * meta[g]["scale"] + 1e-6
        assert got[g] == pytest.approx(want[g], abs=tol), g
    assert f"h ±{bars_note(fig).split('<br>')[1].split('h ±')[1]}" == f"h ±{h_scale:.3g}"


def bars_note(fig) -> str:
    return next(a.text for a in fig.layout.annotations if "Bars:" in (a.text or ""))


def _rects_overlap(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _segment_hits_rect(x0, y0, x1, y1, r, pad) -> bool:
    """Axis-parallel segments (every line of the cell is one) against a rectangle grown by pad."""
    rx0, ry0, rx1, ry1 = r[0] - pad, r[1] - pad, r[2] + pad, r[3] + pad
    return min(x0, x1) < rx1 and max(x0, x1) > rx0 and min(y0, y1) < ry1 and max(y0, y1) > ry0


def test_glyphs_sit_clear_of_lines_boxes_nodes_and_each_other():
    frame_pad = 0.3  # Glyph.shapes draws the frame this much wider than the bars
    rects = {
        g: (x0 - frame_pad, y0, x0 + geo.GLYPH_W + frame_pad, y0 + geo.GLYPH_H)
        for g, (x0, y0) in geo.GLYPHS.items()
    }
    assert set(rects) == set(geo.LABELS)
    names = list(rects)
    for n, a in enumerate(names):
        for b in names[n + 1 :]:
            assert not _rects_overlap(rects[a], rects[b]), (a, b)
    for g, r in rects.items():
        assert geo.X_RANGE[0] <= r[0] and r[2] <= geo.X_RANGE[1] and 0 <= r[1] and r[3] <= 74
        for ln in geo.static_lines():  # half the line's width (≈ 6.2 px a unit), plus a bit
            pad = ln["line"]["width"] / 6.2 / 2 + 0.05
            assert not _segment_hits_rect(ln["x0"], ln["y0"], ln["x1"], ln["y1"], r, pad), g
        for x, y, _, _ in geo.gate_boxes():
            box = (x - geo.BOX_W / 2, y - geo.BOX_H / 2, x + geo.BOX_W / 2, y + geo.BOX_H / 2)
            assert not _rects_overlap(r, box), g
        for x, y, _ in geo.NODES.values():
            circle = (x - geo.NODE_R, y - geo.NODE_R, x + geo.NODE_R, y + geo.NODE_R)
            assert not _rects_overlap(r, circle), g
        for x0, y0, x1, y1 in geo.DASHED_BOX.values():  # inside a dashed box or outside it
            edges = [(x0, y0, x1, y0), (x0, y1, x1, y1), (x0, y0, x0, y1), (x1, y0, x1, y1)]
            assert not any(_segment_hits_rect(*e, r, 0.0) for e in edges), g
        for other, (lx, ly, _, _) in geo.LABELS.items():  # no label's anchor under a glyph
            assert not (r[0] <= lx <= r[2] and r[1] - 1.0 <= ly <= r[3] + 1.0), (g, other)


def test_bars_cost_little_even_at_the_largest_sizes():
    """H = 64, 60 timesteps with predictions (720 frames): the bars add well under 2× the JSON."""
    model = LSTM(1, 64, seed=0).eval()
    lt = model.trace(np.sin(np.arange(MAX_STEPS, dtype=float))[:, None]).layers[0][0]
    whole = len(create_cell_figure(lt, unit=None).to_json())
    one = len(create_cell_figure(lt, unit=0).to_json())
    assert whole < 1.6 * one, (whole, one)


# ----- the whole vector's answers, long texts, the timestep scrubber ---------------------------


def answer(fig, t: int, stage: str) -> str:
    """The reveal's text, without tags or its "Reveal:" head."""
    text = panel(frame_by_name(fig, frame_name(t, STAGE_INDEX[stage], "a")))["prompt"]
    return re.sub(r"<b>[^<]*</b>\s*|<[^>]+>", "", text)


def test_whole_vector_answers_count_the_units_as_the_labels_show_them(model_trace):
    """ "Will c grow?" and "same sign?" are per-unit questions: over all units the answer counts
    units, and says when the means on the labels disagree with the per-unit rule."""
    _, trace = model_trace
    lt = trace.layers[1][0]
    fig = create_cell_figure(lt, unit=None)
    for t in range(5):
        before, after = np.abs(lt.c_prev[t, 0]), np.abs(lt.c[t, 0])
        text = answer(fig, t, "update")
        grow, shrink = int(np.sum(after > before)), int(np.sum(after < before))
        assert f"grows in {grow} of the 3 units and shrinks in {shrink}" in text, text
        assert f"{fmt(lt.c_prev[t, 0].mean())} → {fmt(lt.c[t, 0].mean())}" in text
        hidden = answer(fig, t, "hidden")
        assert "in each of the 3 units" in hidden
        differ = lt.h[t, 0].mean() * lt.c[t, 0].mean() < 0
        assert ("Not so for the means" in hidden) == differ, (t, hidden)
    one = create_cell_figure(lt, unit=1)
    before, after = abs(lt.c_prev[2, 0, 1]), abs(lt.c[2, 0, 1])
    word = "grows" if after > before else "shrinks"
    assert answer(one, 2, "update").endswith(
        f"{word}: |c| goes from {fmt(before)} to {fmt(after)}."
    )


def test_an_unchanged_memory_neither_grows_nor_shrinks():
    model = LSTM(1, 1, seed=0)
    model.load_state_dict({k: np.zeros_like(v) for k, v in model.state_dict().items()})
    fig = create_cell_figure(model.eval().trace(np.ones((2, 1))), unit=None)  # g = 0: c stays 0
    assert answer(fig, 1, "update") == "neither: |c| stays at 0.000."
    # one unit is the whole vector: its own terms, never "averages over the 1 units"
    assert "unit j = 0" in panel(fig.frames[0])["status"]
    assert not any("averages" in panel(fr)["meaning"] for fr in fig.frames)


def test_wrap_breaks_at_spaces_and_between_cjk_characters_never_inside_a_tag():
    text = "word " * 30 + "c<sub>t−1</sub> end"
    lines = wrap_html(text, 40).split("<br>")
    assert all(len(re.sub(r"<[^>]+>", "", line)) <= 40 for line in lines)
    assert " ".join(lines) == text.replace("word  ", "word ").strip()  # only spaces became breaks
    zh = wrap_html("遗忘门" * 20, 21)
    assert [len(line) for line in zh.split("<br>")] == [10] * 6  # 2 columns per character
    assert wrap_html("short") == "short"


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("proj", [0, 3])
def test_every_panel_line_fits_the_figure(lang, proj):
    """Columns × font size ≤ 1800 a line (a CJK character: 2 columns), about the 930 px of the
    figure at a 1400 px window (measured: 9 px a column at 18 px); wider lines ran off it."""
    model = LSTM(2, 64, proj_size=proj, seed=1).eval()
    trace = model.trace(np.random.default_rng(0).normal(size=(6, 2)))
    fig = create_cell_figure(trace, unit=None, lang=lang)

    def cols(line: str) -> int:
        plain = re.sub(r"<[^>]+>", "", line)
        return sum(2 if "\u2e80" <= ch <= "\uffef" else 1 for ch in plain)

    for fr in fig.frames:
        for slot, text in panel(fr).items():
            for line in text.split("<br>"):
                assert cols(line) * PANEL_SIZE[slot] <= 1800, (slot, line)


@pytest.mark.parametrize("predict", [True, False])
def test_the_scrubber_names_its_timesteps_under_their_first_frames(predict):
    model = LSTM(1, 2, seed=0).eval()
    fig = create_cell_figure(model.trace(np.zeros((40, 1))), unit=0, predict=predict)
    steps = fig.layout.sliders[0].steps
    assert all(st.label == "" for st in steps)  # Plotly would show only every k-th label
    names = [st.args[0][0] for st in steps]
    marks = [a for a in fig.layout.annotations if a.yref == "paper" and a.y == 0.0]
    assert [a.text for a in marks] == [str(t) for t in range(0, 40, 2)]  # ≤ 20 names
    for a in marks:
        n = names.index(frame_name(int(a.text), 0, "q" if predict else "a"))
        assert a.x == pytest.approx(n / (len(names) - 1))
        assert a.xshift == pytest.approx(10 * (1 - 2 * a.x))  # Plotly's step inset


def test_with_a_projection_one_unit_shows_h_as_the_vector_it_is():
    model = LSTM(2, 5, proj_size=2, seed=4).eval()
    lt = model.trace(np.random.default_rng(0).normal(size=(4, 2))).layers[0][0]
    fig = create_cell_figure(lt, unit=1, t=3, stage=5, reveal=True)
    shown = labels(frame_by_name(fig, frame_name(3, 5, "a")))
    assert numbers(shown["h_up"]) == pytest.approx(lt.h[3, 0], abs=0.005)  # both P = 2 values
    assert numbers(shown["h_prev"]) == pytest.approx(lt.h_prev[3, 0], abs=0.005)
    assert numbers(shown["h"]) == pytest.approx([lt.h_cell[3, 0, 1]], abs=0.0005)  # unit j's own
