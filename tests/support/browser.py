"""Headless Chromium for the browser tests, and the one way they sign in to a served deployment."""

from __future__ import annotations

import os
import re
from urllib.parse import quote

from playwright.sync_api import Page, expect

from nogalss_app.services.money import parse_naira
from tests.support.live import DEMO_PASSWORD, Server

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-quic",
]
# A dashboard page (as opposed to a management page, which has no panels and no live connection).
DASHBOARD = re.compile(r"/dashboard/[a-z-]+(\?.*)?")
# Every panel must have loaded within this: live.js asks again for a panel whose first answer was lost (after its
# 4 s request timeout; there is no watchdog), so this leaves room for one retry on a busy machine.
PANELS_MS = 15_000
LIVE_MS = 5_000


def shown_kobo(text: str) -> int:
    """Return the kobo of the first amount shown in a text, like '₦133,000.00'."""
    return parse_naira(re.search(r"₦([0-9,]+(?:\.[0-9]+)?)", text).group(1))


def sign_in(page: Page, server: Server, local: str, path: str | None = None) -> Page:
    """Sign the demo account `local` in through the login form and land on `path` (default: its own dashboard).

    On a dashboard, return once every panel has loaded and the live connection is up (see wait_until_live).
    """
    page.goto(f"{server.url}/login" + (f"?next={quote(path)}" if path else ""))
    page.fill("input[name=email]", f"{local}@demo.nogalss.ng")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("button[type=submit], input[type=submit]")
    landing = re.escape(f"{server.url}{path}") if path else re.escape(server.url) + DASHBOARD.pattern
    expect(page).to_have_url(re.compile(f"^{landing}$"))
    if DASHBOARD.fullmatch(page.url.removeprefix(server.url)):
        wait_until_live(page)
    return page


def wait_until_live(page: Page) -> None:
    """Wait until every panel of the open dashboard has loaded (one retry allowed) and its socket is live."""
    expect(page.locator("[aria-busy]")).to_have_count(0, timeout=PANELS_MS)
    expect(page.locator("#conn-badge")).to_have_class("conn-badge conn-live", timeout=LIVE_MS)
    expect(page.locator("#conn-badge")).to_have_text("live")
