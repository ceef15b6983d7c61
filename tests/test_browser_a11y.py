"""WCAG 2.1 A/AA with axe-core on every page (the landing page and every entry of
app_logic.pages.PAGES, so a page added there is audited too), in English and Chinese.

A page fails on any serious or critical finding that tests/a11y_audit.py does not allow (its
ALLOWED table: by rule and selector, each with its reason; Streamlit's sidebar navigation is left
out of the audit, as the issue allows). Every expander is opened, every tab of the main area is
visited and the viewport is as tall as the page, so no text escapes the contrast check. The same
audit as a report: `python tests/a11y_audit.py` (docs/ACCESSIBILITY.md).
"""

from __future__ import annotations

import pytest
from a11y_audit import ALLOWED, SERIOUS, allowed, audit_page, blocking, urls
from browser_helpers import assert_no_exception

pytestmark = pytest.mark.browser


def test_the_audit_covers_every_page_in_both_languages():
    from app_logic.pages import PAGES

    audited = urls()
    assert len(audited) == 2 * (1 + len(PAGES))
    assert {u for u, _ in audited} == {"", *(p[1] for p in PAGES)}


def test_every_allowance_names_a_rule_a_selector_and_a_reason():
    for rule, selectors in ALLOWED.items():
        assert rule and selectors, rule
        for selector, why in selectors.items():
            assert selector.strip() and len(why) > 20, (rule, selector)


def test_a_finding_is_blocking_unless_allowed():
    row = {"rule": "color-contrast", "impact": "serious", "target": ".x", "html": "", "message": ""}
    assert blocking([row]) == [row]
    assert blocking([{**row, "impact": "moderate"}]) == []
    assert allowed(row) is None


@pytest.mark.parametrize(("url", "lang"), urls(), ids=[f"/{u}-{lang}" for u, lang in urls()])
def test_no_serious_or_critical_axe_finding(streamlit_server, page, url, lang):
    rows = audit_page(page, streamlit_server, url, lang)
    bad = blocking(rows)
    report = "\n".join(
        f"  {f['rule']} ({f['impact']}) {f['target']}\n    {f['message']}\n    {f['html']}"
        for f in bad
    )
    assert not bad, f"/{url}?lang={lang}: {len(bad)} serious/critical finding(s):\n{report}"
    assert all(f["impact"] not in SERIOUS or allowed(f) for f in rows)
    assert_no_exception(page)
