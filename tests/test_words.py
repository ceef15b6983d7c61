"""Words for every figure (viz.words, viz.cell_words) and the contrast helpers (viz.contrast).

The numbers in the words must be the figure's numbers: checked against the model's own arrays
(not only against the figure), and the cell's words against the figure's frame texts.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
import pytest

from app_logic.i18n import catalog
from lstm_core import LSTM
from viz import palette
from viz.cell_diagram import TEXT_SLOTS, Step, create_cell_figure
from viz.cell_words import cell_words, frame_texts
from viz.contrast import AA_TEXT, contrast, text_on
from viz.gates_time import GATES, gate_heatmaps, memory_paths
from viz.gradient_flow import gradient_norms
from viz.words import MAX_ROWS, figure_table, figure_words, num, plain, series

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def trace():
    model = LSTM(1, 3, num_layers=1, seed=5).eval()
    return model.trace(np.sin(np.arange(7) / 2)[:, None])


# ----- contrast ---------------------------------------------------------------------------------


def test_contrast_matches_wcag_reference_values():
    assert contrast("#000000", "#ffffff") == pytest.approx(21.0)
    assert contrast("#ffffff", "#ffffff") == pytest.approx(1.0)
    assert contrast("#828180", "#ffffff") == pytest.approx(3.88, abs=0.01)  # axe-core's figure
    assert contrast("#1c83e1", "#f7f7f6") == pytest.approx(3.63, abs=0.01)
    with pytest.raises(ValueError):
        contrast("#fff", "#ffffff")


@pytest.mark.parametrize("role", sorted(palette.UI_TEXT))
def test_every_page_text_colour_passes_aa_on_its_background(role):
    bg = palette.CODE_BACKGROUND if role.startswith("code_") else palette.PAGE_BACKGROUND
    assert contrast(palette.UI_TEXT[role], bg) >= AA_TEXT


@pytest.mark.parametrize(
    "bg", [palette.TANH_BOX, palette.SIGMA_BOX, *palette.STAGE_EDGE.values(), "#000000"]
)
def test_text_on_a_colour_is_the_more_readable_of_white_and_dark(bg):
    chosen = text_on(bg)
    other = palette.DARK_TEXT if chosen == "#ffffff" else "#ffffff"
    assert contrast(chosen, bg) >= contrast(other, bg)
    assert contrast(text_on(palette.TANH_BOX), palette.TANH_BOX) >= AA_TEXT  # the badge axe found


# ----- generic figure words ---------------------------------------------------------------------


def test_plain_turns_figure_markup_into_unicode():
    assert plain("c<sub>t−1</sub>") == "cₜ₋₁"
    assert plain("<b>x</b><br>y<sup>2</sup>") == "x y²"
    assert plain("W<sub>if</sub>") == "Wif"  # no subscript f in Unicode: all or nothing


def numbers(text: str) -> list[str]:
    return re.findall(r"-?\d+(?:\.\d+)?(?:e[+-]\d+)?", text)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_heatmap_words_give_each_gates_lowest_and_highest_value_and_where(trace, lang):
    lt = trace.layers[0][0]
    fig = gate_heatmaps(lt, t_sel=2, unit_sel=None, lang=lang)
    ss = {s.name: s for s in series(fig)}
    assert set(ss) == set(GATES)  # the invisible click markers are not data
    words = figure_words(fig, "WHAT", lang)
    assert words.startswith("WHAT")
    for g in GATES:
        a = getattr(lt, g)[:, 0, :]  # (T, H): the model's own numbers
        s = ss[g]
        assert (s.n, s.lo, s.hi) == (a.size, pytest.approx(a.min()), pytest.approx(a.max()))
        t_lo, j_lo = np.unravel_index(np.argmin(a), a.shape)
        assert s.lo_at.endswith(f"= {t_lo}") and f"= {j_lo}," in s.lo_at
        for v, at in ((a.min(), s.lo_at), (a.max(), s.hi_at)):
            assert re.search(rf"{re.escape(num(v))}\s?[(（]{re.escape(at)}[)）]", words), (v, at)


def test_line_words_give_the_last_value_and_skip_gaps(trace):
    lt = trace.layers[0][0]
    fig = memory_paths(lt, 1, t_sel=3, lang="en")
    by = {s.name: s for s in series(fig)}
    c = by["cₜ"]
    assert c.last == pytest.approx(lt.c[-1, 0, 1]) and c.hi == pytest.approx(lt.c[:, 0, 1].max())
    assert "last" in figure_words(fig, "x", "en")
    gap = go.Figure(go.Scatter(x=[0, 1, 2], y=[1.0, None, 3.0], name="y", mode="lines"))
    (s,) = series(gap)
    assert (s.n, s.lo, s.hi, s.last) == (2, 1.0, 3.0, 3.0)


def test_log_scale_lines_keep_their_tiny_numbers():
    class Flow:  # the fields gradient_norms reads
        distance = np.arange(4)
        rnn_h = np.array([1.0, 1e-3, 1e-6, 1e-9])
        lstm_h = np.array([1.0, 0.5, 0.25, 0.125])
        lstm_c = np.array([1.0, 0.9, 0.8, 0.7])
        forget_product = np.array([1.0, 0.9, 0.81, 0.73])

    fig = gradient_norms(Flow(), "en")
    text = figure_words(fig, "x", "en")
    assert "1.00e-09" in text


def test_the_table_holds_every_point_up_to_its_cap():
    z = np.arange(12.0).reshape(3, 4)
    header, rows, cut = figure_table(go.Figure(go.Heatmap(z=z, name="z")), "en")
    assert len(header) == 4 and len(rows) == 12 and not cut
    assert [float(r[3]) for r in rows] == list(z.ravel())
    big = go.Figure(go.Scatter(y=np.arange(MAX_ROWS + 5.0), mode="lines", name="y"))
    header, rows, cut = figure_table(big, "zh")
    assert len(header) == 3 and len(rows) == MAX_ROWS and cut


def test_the_table_is_one_folded_html_table_with_every_row_escaped():
    from viz.html_blocks import TABLE_CLASS, table_html

    z = np.arange(6.0).reshape(2, 3)
    header, rows, _ = figure_table(go.Figure(go.Heatmap(z=z, name="z")), "en")
    html = table_html(header, rows, "Data & numbers", note="cut at 2")
    assert html.startswith(f'<details class="{TABLE_CLASS}"><summary>Data &amp; numbers</summary>')
    assert html.count('<th scope="col">') == len(header) and html.count("<tr>") == 1 + len(rows)
    cells = re.findall(r"<td>([^<]*)</td>", html)
    assert [float(v) for v in cells[3::4]] == list(z.ravel()) and "cut at 2" in html
    assert "<td>x&lt;y</td>" in table_html(["a"], [["x<y"]], "s")  # cells are text, not markup


def test_a_code_example_is_one_escaped_pre_block_coloured_by_pythons_own_tokens():
    from viz.html_blocks import CODE_CLASS, code_html

    html = code_html('if a < b:  # "less"\n    z = len("x") + 1', "Code & example")
    head = f'<div class="{CODE_CLASS}-box"><pre class="{CODE_CLASS}" tabindex="0" '
    assert html.startswith(head + 'aria-label="Code &amp; example">')
    lines = re.search(r"<pre[^>]*><code>(.*)</code></pre>", html, re.S).group(1).split("\n")
    assert lines == [
        '<span class="k">if</span> a &lt; b:  <span class="c"># &quot;less&quot;</span>',
        '    z = <span class="b">len</span>(<span class="s">&quot;x&quot;</span>) + '
        '<span class="n">1</span>',
    ]
    # text Python cannot read is shown as it is, escaped and uncoloured
    assert code_html("f(<1,", "c").endswith("<code>f(&lt;1,</code></pre></div>")


def test_a_table_of_numbers_shows_integers_as_they_are_and_the_rest_to_fixed_decimals():
    from viz.html_blocks import NUMBERS_CLASS, numbers_html

    cols = {"unit": np.arange(2), "c<t>": [0.5, -1 / 3], "diff": [1e-15, 0.0]}
    cols["ok"] = ["pass", "<b>"]
    html = numbers_html(cols, "Numbers", formats={"diff": "%.2e"}, digits=3)
    assert html.startswith(f'<div class="{NUMBERS_CLASS}" tabindex="0" role="region"')
    assert '<th scope="col">c&lt;t&gt;</th>' in html
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html)
    assert cells == ["0", "0.500", "1.00e-15", "pass", "1", "-0.333", "0.00e+00", "&lt;b&gt;"]
    assert html.count('<td class="t">') == 2  # the words column is aligned left, numbers right


# ----- the cell figure's words ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "unit", "predict"),
    [(Step(2, 0, "q"), None, True), (Step(3, 3, "a"), None, True), (Step(4, 5, "a"), 1, False)],
)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_cell_words_are_the_figures_own_texts_of_that_frame(trace, step, unit, predict, lang):
    fig = create_cell_figure(
        trace, unit=unit, t=step.t, stage=step.s, reveal=step.sub == "a", predict=predict, lang=lang
    )
    frame = next(f for f in fig.frames if f.name == step.name)
    shown = list(frame.data[2].text) + list(frame.data[1].text)  # panel texts, then the labels
    texts = frame_texts(trace, step, unit=unit, predict=predict, lang=lang)
    assert texts == shown
    words = cell_words(texts, lang)
    revealed = [plain(v) for v in frame.data[1].text if "=" in v and "= ?" not in v]
    assert revealed  # the inputs at least
    for value in revealed:  # every "symbol = number" on the diagram, word for word
        assert value in words
    assert plain(texts[TEXT_SLOTS.index("status")]) in words


def test_cell_words_reveal_nothing_the_figure_has_not_revealed(trace):
    q = cell_words(frame_texts(trace, Step(2, 1, "q")), "en")
    a = cell_words(frame_texts(trace, Step(2, 1, "a")), "en")
    i_val = f"{trace.layers[0][0].i[2, 0].mean():.3f}"
    assert i_val not in q and i_val in a


# ----- every figure of the pages has its words --------------------------------------------------


def test_every_chart_on_a_page_is_drawn_with_its_words():
    """No bare st.plotly_chart outside ui/a11y.py: every chart goes through a11y.chart (words)
    or, the cell figure, has its own words (viz.cell_words) next to it; every words key exists
    in both languages."""
    files = [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("ui/*.py")]
    keys = set()
    for f in files:
        src = f.read_text(encoding="utf-8")
        keys |= set(re.findall(r'"(words\.\w+)"', src))
        if f.name == "a11y.py":
            continue
        bare = src.count("st.plotly_chart(")
        if f.name == "cell.py":
            assert bare == 1 and "cell_words(" in src
        else:
            assert bare == 0, f"{f.name}: a chart without words (use ui.a11y.chart)"
    texts = catalog()
    assert len(keys) >= 15
    for k in keys:
        assert texts[k].get("en") and texts[k].get("zh"), k
