"""Colour-vision-deficiency simulation and CIELAB distances, NumPy only (for tests/test_palette.py).

sRGB (IEC 61966-2-1) → linear RGB → Machado, Oliveira & Fernandes (2009) matrix at severity 1.0
(applied in linear RGB, clipped to [0, 1]) → CIE XYZ (D65) → CIELAB; ΔE is CIE76, the Euclidean
distance in CIELAB.
"""

from __future__ import annotations

import numpy as np

# Machado et al. 2009, Table: severity 1.0 (protanopia, deuteranopia, tritanopia).
MACHADO = {
    "protanopia": np.array(
        [
            [0.152286, 1.052583, -0.204868],
            [0.114503, 0.786281, 0.099216],
            [-0.003882, -0.048116, 1.051998],
        ]
    ),
    "deuteranopia": np.array(
        [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ]
    ),
    "tritanopia": np.array(
        [
            [1.255528, -0.076749, -0.178779],
            [-0.078411, 0.930809, 0.147602],
            [0.004733, 0.691367, 0.303900],
        ]
    ),
}
VISIONS = ("normal", "protanopia", "deuteranopia", "tritanopia")

# linear sRGB → XYZ (D65), IEC 61966-2-1
SRGB_TO_XYZ = np.array(
    [
        [0.4124564, 0.3575761, 0.1804375],
        [0.2126729, 0.7151522, 0.0721750],
        [0.0193339, 0.1191920, 0.9503041],
    ]
)
WHITE_D65 = SRGB_TO_XYZ @ np.ones(3)


def srgb(hex_colour: str) -> np.ndarray:
    """'#rrggbb' → sRGB in [0, 1]."""
    h = hex_colour.lstrip("#")
    if len(h) != 6:
        raise ValueError(hex_colour)
    return np.array([int(h[k : k + 2], 16) for k in (0, 2, 4)]) / 255.0


def to_linear(s: np.ndarray) -> np.ndarray:
    return np.where(s <= 0.04045, s / 12.92, ((s + 0.055) / 1.055) ** 2.4)


def simulate(linear_rgb: np.ndarray, vision: str) -> np.ndarray:
    """Linear RGB as seen with `vision` (Machado 2009, severity 1), clipped to the gamut."""
    if vision == "normal":
        return linear_rgb
    return np.clip(MACHADO[vision] @ linear_rgb, 0.0, 1.0)


def lab_of_linear(linear_rgb: np.ndarray) -> np.ndarray:
    """Linear sRGB → CIELAB (D65 white)."""
    xyz = (SRGB_TO_XYZ @ linear_rgb) / WHITE_D65
    d = 6 / 29
    f = np.where(xyz > d**3, np.cbrt(xyz), xyz / (3 * d**2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def lab(hex_colour: str, vision: str = "normal") -> np.ndarray:
    return lab_of_linear(simulate(to_linear(srgb(hex_colour)), vision))


def delta_e(a: str, b: str, vision: str = "normal") -> float:
    """CIE76 ΔE between two colours as seen with `vision`."""
    return float(np.linalg.norm(lab(a, vision) - lab(b, vision)))
