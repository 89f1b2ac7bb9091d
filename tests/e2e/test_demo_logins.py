"""`make run`'s path end to end: migrate, seed, serve; every demo account signs in in Chromium."""

from __future__ import annotations

import urllib.request

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in
from tests.support.live import DEMO_PASSWORD

DASHBOARDS = [
    "super-admin",
    "finance",
    "apex-funds",
    "nogalss-funds",
    "apex",
    "leader",
    "member",
    "cooperative",
    "parent-organization",
]
ACCOUNTS = {
    "super-admin": "super-admin",
    "finance": "finance",
    "apex": "apex",
    "apex-funds": "apex-funds",
    "nogalss-funds": "nogalss-funds",
    **{f"leader{n}": "leader" for n in range(1, 6)},
    **{f"member{k}": "member" for k in (1, 2, 7, 35)},
    **{f"coop{n}": "cooperative" for n in range(1, 6)},
    **{f"org{n}": "parent-organization" for n in (1, 2)},
}


def panel_of(url: str) -> str:
    """The panel a panel URL asks for, without its options."""
    return url.split("/panels/")[1].split("?")[0]


def status_of(page, url: str) -> int:
    """Fetch a URL with the page's cookies and return the status."""
    return page.context.request.get(url, max_redirects=0).status


def test_seeding_prints_the_demo_logins(seeded_deployment):
    out = seeded_deployment.seed_output
    assert "super-admin@demo.nogalss.ng" in out and "leader5@demo.nogalss.ng" in out
    assert "coop5@demo.nogalss.ng" in out and "org2@demo.nogalss.ng" in out
    assert DEMO_PASSWORD in out


def test_the_login_page_is_served(seeded_deployment):
    with urllib.request.urlopen(f"{seeded_deployment.servers[0].url}/login", timeout=10) as response:
        assert response.status == 200
        assert b"Sign in to Nogalss" in response.read()


@pytest.mark.parametrize(("local", "own"), ACCOUNTS.items())
def test_every_demo_account_lands_on_its_own_dashboard_and_gets_403_elsewhere(seeded_deployment, page, local, own):
    fetched: list[str] = []
    page.on("requestfinished", lambda req: "/panels/" in req.url and fetched.append(panel_of(req.url)))
    sign_in(page, seeded_deployment.servers[0], local)
    # Every panel on the page loaded through its own request and finished loading (a later refetch, e.g. for a
    # change signalled on a busy machine, carries the panel's options in its query: it is the same panel).
    expect(page.locator("[aria-busy=true]")).to_have_count(0, timeout=15_000)  # room for one retry
    on_page = sorted(el.get_attribute("data-panel") for el in page.locator("[data-panel]").all())
    assert on_page and sorted(set(fetched)) == on_page
    assert page.locator(".panel-error").count() == 0
    assert page.url == f"{seeded_deployment.servers[0].url}/dashboard/{own}", page.url
    assert page.locator(".topbar").is_visible()
    for other in DASHBOARDS:
        expected = 200 if other == own or own == "super-admin" else 403
        assert status_of(page, f"{seeded_deployment.servers[0].url}/dashboard/{other}") == expected, other
    assert page.console_errors == []


def test_a_wrong_password_shows_the_generic_message(seeded_deployment, page):
    page.goto(f"{seeded_deployment.servers[0].url}/login")
    page.fill("input[name=email]", "finance@demo.nogalss.ng")
    page.fill("input[name=password]", "wrong-password")
    page.click("button[type=submit], input[type=submit]")
    assert page.locator(".form-error").inner_text().strip() == "Wrong email or password."
    assert page.url.startswith(f"{seeded_deployment.servers[0].url}/login")


def test_a_panel_whose_request_fails_is_fetched_again(seeded_deployment, page):
    failed: list[str] = []

    def fail_once(route):
        """Drop the first request for the panel as a broken connection would; let later ones through."""
        if not failed:
            failed.append(route.request.url)
            route.abort("connectionreset")
        else:
            route.continue_()

    page.route("**/panels/overview*", fail_once)
    sign_in(page, seeded_deployment.servers[0], "finance")
    expect(page.locator("#panel-overview")).to_contain_text("Total inflow", timeout=10_000)
    assert len(failed) == 1
