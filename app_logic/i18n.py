"""Every user-facing text, in English and Chinese, from `assets/i18n/*.toml`.

Each file holds tables `[name]` with `en = "..."` and `zh = "..."`; the key of a text is
`"<file stem>.<name>"`, e.g. `tr("cell.forget_title", "zh")`. Texts may hold `{placeholders}`.
"""

from __future__ import annotations

import functools
import tomllib
from collections.abc import Callable
from pathlib import Path

I18N_DIR = Path(__file__).resolve().parent.parent / "assets" / "i18n"
LANGS = ("en", "zh")


@functools.cache
def catalog() -> dict[str, dict[str, str]]:
    """key → {"en": ..., "zh": ...} for every text in assets/i18n."""
    out: dict[str, dict[str, str]] = {}
    for path in sorted(I18N_DIR.glob("*.toml")):
        try:
            with path.open("rb") as f:
                table = tomllib.load(f)
        except tomllib.TOMLDecodeError as e:  # name the file: one broken file must be findable
            raise ValueError(f"{path.name}: {e}") from None
        for name, texts in table.items():
            out[f"{path.stem}.{name}"] = texts
    return out


_variant_source: Callable[[], str | None] | None = None


def set_variant_source(source: Callable[[], str | None]) -> None:
    """Where `tr` learns the colour palette in use (the UI registers it: this floor cannot know).

    A text that names a colour may have a variant per palette, `<lang>_<palette>` (e.g.
    `en_colorblind`, where h is vermillion, not rose-red); `tr` prefers it when that palette is
    in use."""
    global _variant_source
    _variant_source = source


def tr(key: str, lang: str = "en", **fmt) -> str:
    """The text for `key` in `lang` (falling back to English), formatted with `fmt`: its variant
    for the palette in use, if it has one."""
    texts = catalog().get(key)
    if texts is None:
        return key  # visible in the page, and caught by the test that checks every key
    variant = _variant_source() if _variant_source is not None else None
    text = texts.get(f"{lang}_{variant}") or texts.get(lang) or texts["en"]
    return text.format(**fmt) if fmt else text
