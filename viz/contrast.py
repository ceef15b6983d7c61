"""WCAG 2.1 contrast, pure: relative luminance, contrast ratio, the readable text on a colour."""

from __future__ import annotations

from viz import palette

AA_TEXT = 4.5  # WCAG 2.1 AA, normal text (1.4.3)


def luminance(hex_color: str) -> float:
    """Relative luminance of "#rrggbb" (WCAG 2.1 definition)."""
    h = hex_color.lstrip("#")
    if len(h) != 6:
        raise ValueError(f"expected #rrggbb, got {hex_color!r}")

    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (lin(int(h[i : i + 2], 16) / 255) for i in (0, 2, 4))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """The contrast ratio of two colours, 1 … 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def text_on(background: str) -> str:
    """White or dark text, whichever contrasts more with `background`."""
    white, dark = contrast("#ffffff", background), contrast(palette.DARK_TEXT, background)
    return "#ffffff" if white >= dark else palette.DARK_TEXT
