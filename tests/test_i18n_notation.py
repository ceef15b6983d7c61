"""Plain texts write indices as Unicode subscripts (xₜ, hₜ₋₁), never raw TeX (h_{t-1}).

No text in assets/i18n is rendered as LaTeX (the KaTeX equations are built in the pages), so a
"_{" or a "x_t"-style index in any of them reaches the user verbatim.
"""

import re

import pytest

from app_logic.i18n import LANGS, catalog

# The files this check covers (cell.toml, home.toml, … are to follow).
STEMS = ("common", "gates", "why", "compare", "train", "lesson", "challenges", "gru", "variants")

# A time-indexed symbol in TeX style: x_t, h_k, c_0, f_1, h_{t-1}, h_{t−1}, c_(t−1), h_{k-1}.
# Parameter names (W_hh, b_f, h_n, weight_ih_l0, proj_size) are torch's own and stay.
RAW_INDEX = re.compile(
    r"(?<![A-Za-z_`])[xhcfigo]_(\{[tk][-−]1\}|\([tk][-−]1\)|[tk]|[0-9])(?![A-Za-z0-9_])"
)


def texts(stem: str) -> list[tuple[str, str, str]]:
    return [
        (key, lang, entry[lang])
        for key, entry in catalog().items()
        if key.startswith(f"{stem}.")
        for lang in LANGS
    ]


def test_the_pattern_finds_what_it_should_and_leaves_torch_names_alone():
    hits = "x_t h_{t-1} h_{t−1} c_(t−1) ‖∂L/∂h_{k-1}‖ f_t h_k c_0 wᵀh_t"
    assert len(RAW_INDEX.findall(hits)) == 9
    names = "W_ih x W_hh b_f h_n c_n `h_0` proj_size weight_ih_l0 state_dict bias_hh_l0"
    assert RAW_INDEX.findall(names) == []


@pytest.mark.parametrize("stem", STEMS)
def test_no_raw_tex_indices_in_plain_texts(stem):
    found = texts(stem)
    assert len(found) > 10
    bad = [
        (key, lang, m.group(0))
        for key, lang, text in found
        for m in [*re.finditer(r"_\{", text), *RAW_INDEX.finditer(text)]
    ]
    assert bad == []
    assert not [key for key, _, text in found if "$" in text]  # no text is LaTeX


@pytest.mark.parametrize(
    ("key", "symbols"),
    [
        ("common.hand_x_weights", ["xₜ"]),
        ("common.hand_h_weights", ["hₜ₋₁"]),
        ("why.factors_explain", ["‖∂L/∂hₖ₋₁‖", "‖∂L/∂hₖ‖", "fₖ"]),
        ("why.forget_bias_help", ["fₜ = σ(W_if xₜ + W_hf hₜ₋₁ + b_f)"]),
        ("compare.bias_text", ["W_ih xₜ", "W_hh hₜ₋₁"]),
        ("train.forget_plot_explain", ["fₜ"]),
    ],
)
def test_the_symbols_are_written_with_subscripts(key, symbols):
    for lang in LANGS:
        for s in symbols:
            assert s in catalog()[key][lang], (key, lang, s)
