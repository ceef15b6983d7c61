"""The app's pages: (file, url path, title key in common.toml, icon). Pure data.

A url path never equals a file stem in pages/: Streamlit's old auto-discovery would run that file
directly, skipping app.py. Each url path has an entry
pages/_<url path>.py that runs app.py: a deep link as a fresh server's first request shows no
"Page not found" (ui/deeplink.py).
"""

from __future__ import annotations

PAGES = (
    ("pages/guided_lesson.py", "lesson", "lesson.nav", ":material/school:"),
    ("pages/cell.py", "step", "common.nav_cell", ":material/memory:"),
    ("pages/gate_challenges.py", "challenges", "challenges.nav_title", ":material/emoji_events:"),
    ("pages/network.py", "unrolled", "common.nav_network", ":material/view_column:"),
    ("pages/gates.py", "time", "common.nav_time", ":material/timeline:"),
    ("pages/compare.py", "torch", "common.nav_torch", ":material/fact_check:"),
    ("pages/train.py", "training", "common.nav_train", ":material/model_training:"),
    ("pages/rnn_vs_lstm.py", "why", "common.nav_why", ":material/compare_arrows:"),
    ("pages/gru_cell.py", "gru", "gru.nav", ":material/join_inner:"),
    ("pages/variant_lab.py", "variants", "variants.nav", ":material/science:"),
)
HOME_URL = ""  # the landing page is the app's root
# The sidebar menu's sections: (title key, its pages in order).
SECTIONS = (
    ("common.nav_section_learn", ("pages/guided_lesson.py", "pages/cell.py",
     "pages/gate_challenges.py", "pages/network.py", "pages/gates.py", "pages/gru_cell.py")),
    ("common.nav_section_check", ("pages/compare.py", "pages/train.py", "pages/rnn_vs_lstm.py",
     "pages/variant_lab.py")),
)  # fmt: skip
# The landing page's cards ("the way around"): each page's caption (the lesson has its own call).
CARDS = {
    "pages/cell.py": "home.around_cell",
    "pages/gate_challenges.py": "challenges.around",
    "pages/network.py": "home.around_network",
    "pages/gates.py": "home.around_time",
    "pages/compare.py": "home.around_torch",
    "pages/train.py": "home.around_train",
    "pages/rnn_vs_lstm.py": "home.around_why",
    "pages/gru_cell.py": "gru.around",
    "pages/variant_lab.py": "variants.around",
}


def page_url(file: str) -> str:
    """The url path of a page file, e.g. page_url("pages/cell.py") == "step"."""
    for f, url, _, _ in PAGES:
        if f == file:
            return url
    raise KeyError(f"no page {file!r}; pages are {[p[0] for p in PAGES]}")
