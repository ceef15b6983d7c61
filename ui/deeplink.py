"""The deep-link entries `pages/_<url path>.py`: they make a fresh server's first request for a
page URL (e.g. /step?t=3) run app.py without Streamlit's "Page not found" dialog.

Why: because a `pages/` folder exists, Streamlit (1.67) runs a fresh server's first script run in
its old multipage mode: it lists `pages/*.py` by file name (cell, network, ...), looks the URL's
page up in that list and, not finding `step`, sends "Page not found" before it runs app.py, whose
`st.navigation` then switches the whole server to the new mode and shows the right page. Later runs
never see the old mode. An entry named `_step.py` is listed as `step` in that first run, so the
lookup succeeds and the entry runs app.py: same app.py, same `st.navigation`, no dialog. Outside
that first run (and AppTest, which uses the old mode on every run) nothing lists these files.
"""

from __future__ import annotations

from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app.py"


def run_app() -> None:
    """Run app.py as Streamlit runs the main script (app.py has no magic-displayed expressions)."""
    code = compile(APP.read_bytes(), str(APP), "exec")
    exec(code, {"__name__": "__main__", "__file__": str(APP)})
