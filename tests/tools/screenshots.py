"""`make screenshots [NAMES]`: PNGs of each dashboard at desktop and phone widths, from a freshly seeded server."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from tests.support.browser import CHROMIUM, CHROMIUM_FLAGS, sign_in
from tests.support.live import Deployment

OUT = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
SHOTS = [
    ("login", None, "/login"),
    ("super-admin", "super-admin", "/dashboard/super-admin"),
    ("finance", "finance", "/dashboard/finance"),
    ("apex-funds", "apex-funds", "/dashboard/apex-funds"),
    ("nogalss-funds", "nogalss-funds", "/dashboard/nogalss-funds"),
    ("apex", "apex", "/dashboard/apex"),
    ("leader", "leader1", "/dashboard/leader"),
    ("member", "member1", "/dashboard/member"),
    ("cooperative", "coop1", "/dashboard/cooperative"),
    ("parent-organization", "org1", "/dashboard/parent-organization"),
]
WIDTHS = {"desktop": (1440, 900), "phone": (390, 844)}


def main(only: list[str]) -> int:
    """Seed a throwaway deployment, then save one PNG per dashboard and width (only the named ones, if any)."""
    shots = [shot for shot in SHOTS if not only or shot[0] in only]
    OUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        deployment = Deployment(Path(tmp)).prepare()
        server = deployment.start_server()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
                for width_name, (width, height) in WIDTHS.items():
                    for name, account, path in shots:
                        context = browser.new_context(viewport={"width": width, "height": height})
                        page = context.new_page()
                        if account:
                            sign_in(page, server, account, path)
                        else:
                            page.goto(f"{server.url}{path}")
                        page.wait_for_load_state("networkidle")
                        expect(page.locator("[aria-busy=true]")).to_have_count(0, timeout=30_000)
                        # not mid-highlight (a panel refreshed on connect flashes for 1.6 s)
                        expect(page.locator(".panel-changed")).to_have_count(0, timeout=10_000)
                        target = OUT / f"{name}-{width_name}.png"
                        page.screenshot(path=str(target), full_page=True)
                        print(target.relative_to(OUT.parent))
                        context.close()
                browser.close()
        finally:
            deployment.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
