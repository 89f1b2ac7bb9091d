"""axe-core in the browser tests: inject the vendored file with page.evaluate (the pages' CSP blocks script tags)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from playwright.sync_api import Page

AXE_VERSION = "4.14.1"
AXE_FILE = Path(__file__).resolve().parent / "vendor" / f"axe-{AXE_VERSION}.min.js"
BLOCKING = ("serious", "critical")


@cache
def axe_source() -> str:
    """Return the vendored axe-core source."""
    return AXE_FILE.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict]:
    """Run axe-core (WCAG 2.x A and AA rules) on the page; return its serious and critical violations, summarised."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    result = page.evaluate(
        """async () => {
          const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
          const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
          return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                         nodes: v.nodes.slice(0, 5).map(n => n.target.join(' '))}));
        }"""
    )
    return [v for v in result if v["impact"] in BLOCKING]
