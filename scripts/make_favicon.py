"""Draw assets/favicon.png: the cell in miniature, in the article's colours (shipped, not fetched).

.venv/bin/python scripts/make_favicon.py
"""

import sys
from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # viz, when run as a script
from viz import palette  # noqa: E402

N = 64  # pixels


def main() -> None:
    img = Image.new("RGBA", (N, N), (0, 0, 0, 0))
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((1, 1, N - 2, N - 2), radius=12, fill="white", outline="#343a40", width=3)
    d.line((4, 17, N - 5, 17), fill=palette.C_LINE, width=7)  # long-term memory c
    d.line((4, 49, N - 5, 49), fill=palette.H_LINE, width=7)  # short-term memory h
    d.rectangle((12, 27, 28, 41), fill=palette.SIGMA_BOX)  # a σ gate
    d.rectangle((36, 27, 52, 41), fill=palette.TANH_BOX)  # a tanh
    img.save(ROOT / "assets" / "favicon.png", optimize=True)


if __name__ == "__main__":
    main()
