"""The two palettes: colour-blind-safe distances, the per-session choice, and never colour alone.

ΔE is CIE76 (CIELAB, D65) after simulating protanopia, deuteranopia and tritanopia with the
Machado et al. (2009) matrices at severity 1.0 in linear RGB (tests/colour_vision.py).
"""

from __future__ import annotations

import ast
import json
import re
import threading
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest
from colour_vision import VISIONS, delta_e, lab
from conftest import open_app

from app_logic.pages import PAGES
from app_logic.settings import PALETTE_NAMES, Settings, settings_from_query, settings_to_query
from lstm_core import LSTM
from viz import cell_geometry as geo
from viz import palette
from viz.cell_diagram import create_cell_figure
from viz.compare import create_gate_diff_figure
from viz.gates_time import memory_paths
from viz.legend import cell_svg, legend_html
from viz.network import network_grid

ROOT = Path(__file__).resolve().parent.parent
ARTICLE = palette.PALETTES["article"]
CB = palette.PALETTES["colorblind"]
# Today's (the article's) colours: the default palette must keep them.
ARTICLE_TODAY = {
    "c": "#2e9d4f",
    "h": "#d6336c",
    "x": "#868e96",
    "f": "#1c7ed6",
    "i": "#37b24d",
    "g": "#f59f00",
    "o": "#7048e8",
    "hidden": "#e03131",
    "sigma": "#4dabf7",
    "tanh": "#fd7e14",
}
HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


# ----- the colour science ------------------------------------------------------------------------


def test_the_colour_vision_code_reproduces_known_values():
    # sRGB red in CIELAB (D65): (53.24, 80.09, 67.20)
    np.testing.assert_allclose(lab("#ff0000"), [53.24, 80.09, 67.20], atol=0.05)
    for vision in VISIONS:  # each Machado matrix keeps white white and greys grey
        np.testing.assert_allclose(lab("#ffffff", vision), [100, 0, 0], atol=0.05)
        np.testing.assert_allclose(lab("#777777", vision)[1:], [0, 0], atol=0.05)
    # the measurement: the article's c and h under deuteranopia are only ΔE ≈ 14 apart
    assert 13.5 < delta_e(ARTICLE["c"], ARTICLE["h"], "deuteranopia") < 15.0
    assert delta_e(ARTICLE["c"], ARTICLE["h"]) > 50  # far apart with normal vision


@pytest.mark.parametrize("vision", VISIONS)
def test_the_colorblind_palette_keeps_the_quantities_apart(vision):
    for a, b in combinations("chx", 2):
        assert delta_e(CB[a], CB[b], vision) >= 30, (a, b, vision)
    for a, b in combinations("figo", 2):
        assert delta_e(CB[a], CB[b], vision) >= 20, (a, b, vision)
    # the new-h box's edge too, which the issue found merged with the input gate's
    for a in "figo":
        assert delta_e(CB[a], CB["hidden"], vision) >= 20, (a, vision)
    assert delta_e(CB["sigma"], CB["tanh"], vision) >= 30  # σ boxes against tanh boxes


def test_the_article_palette_fails_that_test():
    """What the colour-blind palette fixes (the check above tells the two apart)."""
    worst = min(
        delta_e(ARTICLE[a], ARTICLE[b], v) for a, b in combinations("chx", 2) for v in VISIONS
    )
    assert worst < 20


def test_the_palettes_have_the_same_roles_and_the_article_keeps_todays_colours():
    assert tuple(palette.PALETTES) == PALETTE_NAMES  # the settings offer exactly these
    assert palette.DEFAULT == Settings().palette == "article"
    assert set(ARTICLE) == set(CB) >= set("chxfigo") | {"sigma", "tanh"}
    for p in palette.PALETTES.values():
        assert all(re.fullmatch(r"#[0-9a-f]{6}", v) for v in p.values()), p
    assert {k: ARTICLE[k] for k in ARTICLE_TODAY} == ARTICLE_TODAY


# ----- the active palette ------------------------------------------------------------------------


def test_the_colour_names_follow_the_active_palette():
    assert palette.active() == "article"
    assert (palette.C_LINE, palette.GATE_COLOR["f"]) == (ARTICLE["c"], ARTICLE["f"])
    with palette.using("colorblind"):
        assert palette.active() == "colorblind"
        assert palette.C_LINE == CB["c"] and palette.H_LINE == CB["h"]
        assert palette.GATE_COLOR == {k: CB[k] for k in "figochx"}
        assert palette.STAGE_EDGE["hidden"] == CB["hidden"]
        assert palette.STAGE_TINT["forget"] == CB["tint_forget"]
        assert palette.C_SCALE[-1] == [1.0, CB["c"]]
        assert CB["f"] in palette.latex("f", "f_t")
        assert geo.LABELS["c"][3] == CB["c"] and geo.LABELS["h"][3] == CB["h"]
        edited = palette.STAGE_EDGE
        edited["forget"] = "#000000"  # a copy: the palette itself is unchanged
        assert palette.STAGE_EDGE["forget"] == CB["f"]
    assert palette.C_LINE == ARTICLE["c"] and ARTICLE["c"] in palette.latex("c", "c_t")
    with pytest.raises(ValueError):
        palette.use("sepia")
    with pytest.raises(AttributeError):
        palette.NO_SUCH_COLOUR  # noqa: B018


def _cell_colours(trace) -> set[str]:
    fig = create_cell_figure(trace, t=1, lang="en")
    return {s.line.color for s in fig.layout.shapes if s.type == "line"}


def test_two_threads_with_different_palettes_do_not_see_each_others():
    """Streamlit runs each session's script on a thread of its own: the choice must not leak."""
    trace = LSTM(1, 2, seed=0).trace(np.sin(np.arange(4.0))[:, None])
    barrier = threading.Barrier(2)
    seen: dict[str, set] = {}

    def session(name: str) -> None:
        palette.use(name)
        barrier.wait()  # both have chosen before either draws
        colours = set()
        for _ in range(3):
            colours |= _cell_colours(trace) & {ARTICLE["c"], CB["c"]}
            colours.add(palette.H_LINE)
        seen[name] = colours

    threads = [threading.Thread(target=session, args=(n,)) for n in PALETTE_NAMES]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"article": {ARTICLE["c"], ARTICLE["h"]}, "colorblind": {CB["c"], CB["h"]}}
    fresh: list[str] = []  # a thread that never chose draws in the default
    t = threading.Thread(target=lambda: fresh.append(palette.C_LINE))
    t.start(), t.join()
    assert fresh == [ARTICLE["c"]]


def _module_level(tree: ast.Module):
    """Nodes evaluated at import: everything outside function bodies (defaults included)."""

    def walk(node):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            args = node.args
            for d in [*args.defaults, *[k for k in args.kw_defaults if k]]:
                yield from walk(d)
            for d in getattr(node, "decorator_list", []):
                yield from walk(d)
            return
        yield node
        for child in ast.iter_child_nodes(node):
            yield from walk(child)

    yield from walk(tree)


def _code_files(*dirs: str) -> list[Path]:
    return [p for d in dirs for p in sorted((ROOT / d).glob("*.py"))]


def test_no_module_copies_a_palette_colour_at_import():
    """viz/ and ui/ modules are imported once: a colour read at import would freeze the default
    palette. (Pages and app.py run afresh on every script run, so they may.)"""
    colour_names = set(palette.COLOUR_NAMES) | {"latex"}
    bad = []
    for path in _code_files("viz", "ui", "app_logic"):
        if path.name == "palette.py":
            continue
        tree = ast.parse(path.read_text())
        aliases = {"palette", "pal"}
        for node in _module_level(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("palette"):
                bad.append(f"{path.name}:{node.lineno}: from ...palette import")
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id in aliases
                and node.attr in colour_names
            ):
                bad.append(f"{path.name}:{node.lineno}: {node.value.id}.{node.attr}")
    for path in _code_files("viz", "ui", "pages", "app_logic") + [ROOT / "app.py"]:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "viz.palette":
                bad.append(f"{path.name}:{node.lineno}: from viz.palette import (use palette.X)")
    assert bad == []


def _cached_functions(path: Path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef):
            continue
        for d in node.decorator_list:
            target = d.func if isinstance(d, ast.Call) else d
            if isinstance(target, ast.Attribute) and target.attr in (
                "cache_data",
                "cache_resource",
            ):
                yield tree, node


def test_every_cached_function_that_draws_has_the_palette_in_its_key():
    """st.cache_data / cache_resource are shared by every session: a cached figure must be keyed
    by the palette it was drawn in (a parameter `palette_name`), or one session would get the
    other's colours. A cached function that draws is one that uses viz or plotly."""
    checked, bad = [], []
    for path in _code_files("ui", "pages") + [ROOT / "app.py"]:
        for tree, fn in _cached_functions(path):
            drawing = set()
            for node in ast.walk(tree):
                if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("viz"):
                    drawing |= {a.asname or a.name for a in node.names}
                if isinstance(node, ast.Import):
                    drawing |= {
                        (a.asname or a.name).split(".")[0]
                        for a in node.names
                        if a.name.startswith(("viz", "plotly"))
                    }
            used = {n.id for n in ast.walk(fn) if isinstance(n, ast.Name)}
            params = {a.arg for a in fn.args.args + fn.args.kwonlyargs}
            checked.append(f"{path.name}:{fn.name}")
            if used & (drawing | {"go"}) and "palette_name" not in params:
                bad.append(f"{path.name}:{fn.name} draws ({sorted(used & drawing)})")
    assert "cell.py:_figure" in checked  # the scan finds the cached figure
    assert bad == []


# ----- never colour alone: c solid, h dashed ------------------------------------------------------


@pytest.fixture(scope="module")
def trace():
    model = LSTM(1, 3, seed=1).eval()
    return model.trace(np.sin(np.arange(6) / 2)[:, None])


@pytest.mark.parametrize("name", PALETTE_NAMES)
def test_memory_paths_draw_c_solid_and_h_dashed(trace, name):
    with palette.using(name):
        fig = memory_paths(trace.layers[0][0], unit=1)
    p = palette.PALETTES[name]
    lines = {d.line.color: d.line.dash for d in fig.data if d.type == "scatter"}
    assert lines[p["c"]] == "solid" and lines[p["h"]] == "dash"
    others = [d for d in fig.data if d.type == "scatter" and d.line.color not in (p["c"], p["h"])]
    assert others and all(d.line.dash not in ("dash", "solid", None) for d in others)


@pytest.mark.parametrize("name", PALETTE_NAMES)
def test_the_gradient_chart_draws_c_solid_and_every_h_dashed(name):
    from lstm_core.memory import gradient_flow, paired_models
    from viz.gradient_flow import gradient_norms

    rnn, lstm = paired_models(1, 4, 0, 3.0, 1.0)
    with palette.using(name):
        fig = gradient_norms(gradient_flow(rnn, lstm, np.sin(np.arange(8.0))[:, None]))
    rnn_h, lstm_h, lstm_c, prod_f = fig.data
    p = palette.PALETTES[name]
    assert (lstm_c.line.color, lstm_c.line.dash) == (p["c"], "solid")
    assert (lstm_h.line.color, lstm_h.line.dash) == (p["h"], "dash")
    assert rnn_h.line.dash == "dash" and rnn_h.marker.symbol != lstm_h.marker.symbol
    assert prod_f.line.dash == "dot"


@pytest.mark.parametrize("name", PALETTE_NAMES)
def test_the_torch_difference_chart_draws_c_solid_h_dashed_gates_dotted(name):
    per_t = {k: np.full(4, 1e-12) for k in ("i", "f", "g", "o", "c", "h")}
    with palette.using(name):
        fig = create_gate_diff_figure(per_t, 1e-6, "t", "x", "y")
    dash = {d.name: (d.line.color, d.line.dash) for d in fig.data}
    p = palette.PALETTES[name]
    assert dash["c"] == (p["c"], "solid") and dash["h"] == (p["h"], "dash")
    assert {dash[g][1] for g in "ifgo"} == {"dot"}
    assert [d.line.dash for d in fig.data if d.name not in per_t] == ["dashdot"]  # tolerance


@pytest.mark.parametrize("name", PALETTE_NAMES)
def test_the_network_draws_the_c_path_solid_and_the_h_paths_dashed(trace, name):
    with palette.using(name):
        fig = network_grid(trace)
    p = palette.PALETTES[name]
    lines = [d for d in fig.data if d.type == "scatter" and d.mode == "lines"]
    by_colour = {}
    for d in lines:
        by_colour.setdefault(d.line.color, set()).add(d.line.dash)
    assert by_colour[p["c"]] == {"solid"} and by_colour[p["h"]] == {"dash"}


@pytest.mark.parametrize("name", PALETTE_NAMES)
def test_the_cell_diagram_draws_c_solid_h_dashed_and_labels_both(trace, name):
    with palette.using(name):
        fig = create_cell_figure(trace, t=2, lang="en")
    p = palette.PALETTES[name]
    shapes = [s for s in fig.layout.shapes if s.type == "line"]
    dash = {}
    for s in shapes:
        dash.setdefault(s.line.color, set()).add(s.line.dash)
    assert dash[p["c"]] == {"solid"} and dash[p["h"]] == {"dash"}
    # the key along the bottom names both, with their line's look
    keys = [a.text for a in fig.layout.annotations if a.font.color in (p["c"], p["h"])]
    assert any("━━" in k and "c" in k for k in keys) and any("━ ━" in k for k in keys)
    # every c and h path carries a label in its colour (c_{t-1}, c_t, h_{t-1}, h_t)
    label_colours = list(fig.data[2].textfont.color)
    names = list(geo.LABELS)
    assert {names[n] for n, c in enumerate(label_colours) if c == p["c"]} >= {"c_prev", "c"}
    assert {names[n] for n, c in enumerate(label_colours) if c == p["h"]} >= {"h_prev", "h", "h_up"}


@pytest.mark.parametrize("name", PALETTE_NAMES)
def test_the_landing_sketch_and_legend_draw_h_dashed(name):
    with palette.using(name):
        svg, html = cell_svg(), legend_html({k: k for k in _legend_keys()})
    p = palette.PALETTES[name]
    strokes = re.findall(r'<(?:line|path)[^>]*stroke="(#[0-9a-f]{6})"[^>]*>', svg)
    tags = re.findall(r"<(?:line|path)[^>]*>", svg)
    h_tags = [t for t in tags if f'stroke="{p["h"]}"' in t]
    c_tags = [t for t in tags if f'stroke="{p["c"]}"' in t]
    assert h_tags and all("stroke-dasharray" in t for t in h_tags)
    assert c_tags and not any("stroke-dasharray" in t for t in c_tags)
    assert p["x"] in strokes and _only(_other(name)).isdisjoint(HEX.findall(svg + html))
    assert f"4px dashed {p['h']}" in html and f"4px solid {p['c']}" in html


def _legend_keys():
    return ("c", "h", "x", "sigma", "tanh", "forget", "input", "candidate", "output", "hidden")


def _only(name: str) -> set[str]:
    """The colours that belong to palette `name` and not to the other one."""
    other = palette.PALETTES["colorblind" if name == "article" else "article"]
    return set(palette.PALETTES[name].values()) - set(other.values())


def _other(name: str) -> str:
    return "colorblind" if name == "article" else "article"


# ----- the setting: URL, sidebar, pages --------------------------------------------------------


def test_the_palette_round_trips_through_the_url():
    assert "palette" not in settings_to_query(Settings())  # the default is left out
    cfg, problems = settings_from_query({"palette": "colorblind"})
    assert cfg.palette == "colorblind" and problems == []
    assert settings_to_query(cfg) == {"palette": "colorblind"}
    cfg, problems = settings_from_query({"palette": "rainbow"})
    assert cfg.palette == "article"
    assert problems == [
        ("common.msg_bad_url", {"param": "palette", "value": "rainbow", "default": "article"})
    ]


def test_a_bad_palette_in_the_link_says_so_and_draws_the_article():
    at = open_app(query={"palette": "rainbow"})
    assert not at.exception
    warnings = " ".join(w.value for w in at.warning)
    assert "palette" in warnings and "rainbow" in warnings and "article" in warnings
    assert at.sidebar.radio(key="w_palette").value == "article"


def test_the_sidebar_choice_is_kept_in_the_url_and_survives_reset():
    at = open_app("pages/gates.py")
    assert "palette" not in at.query_params
    at.sidebar.radio(key="w_palette").set_value("colorblind").run()
    assert not at.exception
    assert at.query_params["palette"] == "colorblind"
    assert _page_colours(at) & _only("colorblind")
    at.sidebar.button(key="w_reset").click().run()
    assert at.query_params["palette"] == "colorblind"  # like the language, it stays
    at.sidebar.radio(key="w_palette").set_value("article").run()
    assert "palette" not in at.query_params


def _page_colours(at) -> set[str]:
    """Every #rrggbb in the page's charts, HTML, markdown and KaTeX."""
    out = set()
    for chart in at.get("plotly_chart"):
        out |= {h.lower() for h in HEX.findall(chart.proto.spec)}
    for kind in ("markdown", "html", "latex"):
        for e in at.get(kind):
            out |= {h.lower() for h in HEX.findall(getattr(e.proto, "body", "") or "")}
    return out


PAGE_FILES = [None, *(file for file, *_ in PAGES)]  # the landing page and every page


@pytest.mark.parametrize("page_file", PAGE_FILES)  # not `page`: that is the browser fixture
def test_every_page_draws_in_the_palette_of_its_link(page_file):
    """palette=colorblind in the URL: the page's colours are the colour-blind ones only, and
    without it the article's only (colours the two share, e.g. the heatmaps' middle, aside)."""
    for name in ("colorblind", "article"):
        at = open_app(page_file, {"palette": name} if name != "article" else {})
        assert not at.exception, at.exception
        colours = _page_colours(at)
        if at.get("plotly_chart"):  # (the Variant lab draws nothing before its race)
            assert colours & _only(name), (page_file, name)
        assert not colours & _only(_other(name)), (page_file, name, colours & _only(_other(name)))


def _figure_json(at, n: int = 0) -> dict:
    return json.loads(at.get("plotly_chart")[n].proto.spec)


def _line_colours(spec: dict) -> set[str]:
    shapes = spec["layout"].get("shapes", [])
    return {s["line"]["color"] for s in shapes if s.get("type") == "line"}


def test_two_sessions_with_different_palettes_share_no_colours():
    """The cell figure's cache is shared by every session: keyed by the palette, each session
    gets its own colours, in either order."""
    first = open_app("pages/cell.py", {"palette": "colorblind"})
    second = open_app("pages/cell.py")  # same settings, the article's colours
    again = open_app("pages/cell.py", {"palette": "colorblind"})
    for at, p in ((first, CB), (second, ARTICLE), (again, CB)):
        lines = _line_colours(_figure_json(at))
        assert p["c"] in lines and p["h"] in lines
        other = CB if p is ARTICLE else ARTICLE
        assert other["c"] not in lines and other["h"] not in lines
    # the first session, run again after the other's: still its own colours
    first.run()
    assert CB["c"] in _line_colours(_figure_json(first))


def test_the_gates_page_c_and_h_lines_in_the_colorblind_colours():
    at = open_app("pages/gates.py", {"palette": "colorblind"})
    for n in range(len(at.get("plotly_chart"))):
        spec = _figure_json(at, n)
        lines = {
            t["line"]["color"]: t["line"].get("dash")
            for t in spec["data"]
            if t.get("type") == "scatter" and "line" in t and "color" in t["line"]
        }
        if CB["c"] in lines and CB["h"] in lines:
            assert (lines[CB["c"]], lines[CB["h"]]) == ("solid", "dash")
            break
    else:
        pytest.fail("no chart on the gates page draws both c and h")


def test_texts_that_name_h_s_colour_follow_the_palette():
    """h is rose-red in the article's colours and vermillion in the colour-blind ones: every text
    that names the colour has a colour-blind variant, and tr picks it while that palette is on."""
    from app_logic import i18n
    from ui import session  # noqa: F401  (registers the palette as tr's variant source)

    named = {k: t for k, t in i18n.catalog().items() if "rose-red" in t["en"].lower()}
    named = {k: t for k, t in named.items() if not k.startswith("common.")}  # the palette help
    assert len(named) >= 10
    for key, texts in named.items():
        cb = texts["en_colorblind"].lower()
        assert "rose-red" not in cb and "vermillion" in cb, key
        assert "玫" not in texts["zh_colorblind"], key
    with palette.using("colorblind"):
        assert "vermillion" in i18n.tr("gates.short_title", "en")
        assert "朱红" in i18n.tr("gates.short_title", "zh")
    with palette.using("article"):
        assert "rose-red" in i18n.tr("gates.short_title", "en")


def test_scale_colours_map_values_as_plotly_does_and_clip_outside_the_range():
    scale = [[0.0, "#000000"], [0.5, "#808080"], [1.0, "#ffffff"]]
    got = palette.scale_colours([-2.0, -1.0, 0.0, 0.5, 1.0, 3.0], scale, -1.0, 1.0)
    assert got == [
        "rgb(0, 0, 0)",  # below the range: the low end
        "rgb(0, 0, 0)",
        "rgb(128, 128, 128)",  # the middle of a symmetric range: the middle colour
        "rgb(192, 192, 192)",  # linear in RGB between the stops (rounded), as Plotly.js
        "rgb(255, 255, 255)",
        "rgb(255, 255, 255)",  # above: the high end
    ]
