"""axe-core (WCAG 2.1 A/AA) over every page of the app, in English and Chinese.

Used by tests/test_browser_a11y.py, and runnable on its own to print the findings by rule
(the command recorded in docs/ACCESSIBILITY.md):

    /work/main/.venv/bin/python tests/a11y_audit.py [--all]

`--all` lists every finding, the allowed ones below included (the "before" view of the audit).

axe-core comes from the PyPI package axe-playwright-python (it ships axe.min.js); it is injected
into the page and run with `axe.run(context, options)` through Playwright.

What is left out, narrowly, each with its reason (ALLOWED: rule id → CSS selectors of the node
axe reports; a finding is allowed only if its rule AND one of its selectors match):
- the sidebar navigation (EXCLUDE): Streamlit's own page list, which the issue leaves out.
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __name__ == "__main__":  # run as a script: the project and tests/ on the path
    sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from app_logic.pages import HOME_URL, PAGES  # noqa: E402

TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGS = ("en", "zh")
SERIOUS = ("serious", "critical")
# Streamlit's sidebar navigation (its page links), left out of the audit as the issue allows.
EXCLUDE = [["[data-testid='stSidebarNav']"]]

# rule id → {selector (as axe reports the node's target): why it lies in Streamlit itself and
# no theme option or CSS of ours can change it}.
ALLOWED: dict[str, dict[str, str]] = {}


def urls() -> list[tuple[str, str]]:
    """(url path, lang) for the landing page and every entry of app_logic.pages.PAGES."""
    return [(url, lang) for url in (HOME_URL, *(p[1] for p in PAGES)) for lang in LANGS]


def axe_script() -> str:
    from axe_playwright_python.base import AXE_SCRIPT

    return AXE_SCRIPT


def run_axe(page) -> list[dict]:
    """axe-core's violations on the page as it is now (WCAG 2.1 A/AA, sidebar nav left out)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(axe_script())
    result = page.evaluate(
        "([ctx, opts]) => axe.run(ctx, opts)",
        [
            {"exclude": EXCLUDE},
            {"runOnly": {"type": "tag", "values": TAGS}, "resultTypes": ["violations"]},
        ],
    )
    return result["violations"]


def findings(violations: list[dict]) -> list[dict]:
    """One row per node: rule, impact, target selector, html, the first failure message."""
    out = []
    for v in violations:
        for node in v["nodes"]:
            msgs = [m["message"] for k in ("any", "all", "none") for m in node.get(k, [])]
            out.append(
                {
                    "rule": v["id"],
                    "impact": node.get("impact") or v["impact"],
                    "target": " ".join(str(t) for t in node["target"]),
                    "html": node["html"][:200],
                    "message": msgs[0] if msgs else v["help"],
                }
            )
    return out


def allowed(f: dict) -> str | None:
    """The reason a finding is allowed, or None."""
    for sel, why in ALLOWED.get(f["rule"], {}).items():
        if sel in f["target"]:
            return why
    return None


def blocking(rows: list[dict]) -> list[dict]:
    """Serious or critical findings that are not allowed."""
    return [f for f in rows if f["impact"] in SERIOUS and allowed(f) is None]


def wait_helper(page) -> None:
    """The app's accessibility helper (ui/a11y.js) has added its stylesheet."""
    from ui.a11y import STYLE_ID

    page.wait_for_selector(f"style#{STYLE_ID}", state="attached", timeout=30_000)


def fit_viewport(page, width: int = 1400) -> None:
    """Make the viewport as tall as the main area's content: axe checks the contrast of text it
    can see, and Streamlit scrolls inside its own container (text below the fold is "incomplete",
    never a violation)."""
    h = page.evaluate("() => document.querySelector(\"[data-testid='stMain']\").scrollHeight")
    page.set_viewport_size({"width": width, "height": int(min(max(h, 800) + 40, MAX_HEIGHT))})


MAX_HEIGHT = 16_000  # px; Chromium draws far taller pages, and no page of ours is taller


def open_expanders(page) -> int:
    """Open every closed expander and figure data table of the main area (no rerun); how many
    were opened."""
    from viz.html_blocks import TABLE_CLASS

    main = "[data-testid='stMain']"
    closed = page.locator(
        f"{main} [data-testid='stExpander'] details:not([open]), "
        f"{main} details.{TABLE_CLASS}:not([open])"
    )
    n = closed.count()
    for _ in range(n):
        closed.first.locator("summary").click()
    return n


def audit_page(page, base: str, url: str, lang: str) -> list[dict]:
    """Open url in lang, wait for the app to settle, open every expander, make the viewport as
    tall as the page, and run axe once per tab of the main area (inactive tabs are hidden);
    axe's findings, one row per node, the same node in two tabs counted once."""
    from browser_helpers import wait_idle

    page.goto(f"{base}/{url}?lang={lang}")
    wait_idle(page)
    page.wait_for_selector("h1", timeout=60_000)
    wait_helper(page)
    tabs = page.locator("[data-testid='stMain'] [data-baseweb='tab-list'] [role='tab']")
    rows: dict[tuple, dict] = {}
    for n in range(max(1, tabs.count())):
        if tabs.count():
            tabs.nth(n).click()
        wait_idle(page)
        open_expanders(page)
        fit_viewport(page)
        wait_idle(page)
        for f in findings(run_axe(page)):
            rows.setdefault((f["rule"], f["target"]), f)
    return list(rows.values())


def main(argv: list[str]) -> int:
    from browser_helpers import start_server, stop_server
    from playwright.sync_api import sync_playwright

    show_all = "--all" in argv
    proc, base = start_server()
    by_rule: Counter = Counter()
    total = 0
    try:
        with sync_playwright() as pw:
            from browser_helpers import launch_chromium

            browser = launch_chromium(pw)
            warm = browser.new_page()
            warm.goto(base)
            warm.wait_for_selector("h1", timeout=60_000)
            for url, lang in urls():
                ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
                p = ctx.new_page()
                p.set_default_timeout(60_000)
                t0 = time.monotonic()
                rows = audit_page(p, base, url, lang)
                print(f"   ({time.monotonic() - t0:.1f} s)")
                ctx.close()
                shown = [f for f in rows if f["impact"] in SERIOUS]
                if not show_all:
                    shown = [f for f in shown if allowed(f) is None]
                total += len(shown)
                c = Counter((f["rule"], f["impact"]) for f in shown)
                by_rule.update(c)
                print(f"/{url} ?lang={lang}: {len(shown)} serious/critical")
                for f in shown:
                    why = allowed(f)
                    tag = f" [allowed: {why[:60]}]" if why else ""
                    print(f"   {f['rule']:28s} {f['impact']:8s} {f['target'][:70]}{tag}")
                    print(f"      {f['message'][:140]}")
            browser.close()
    finally:
        stop_server(proc)
    print(f"\nTOTAL {total} serious/critical nodes ({'all' if show_all else 'not allowed'})")
    for (rule, impact), n in sorted(by_rule.items()):
        print(f"  {rule:28s} {impact:8s} {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
