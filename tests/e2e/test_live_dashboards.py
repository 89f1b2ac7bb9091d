"""Open dashboards update themselves (SPEC §6): targeted refetches, catch-up after an outage, bursts coalesced."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from nogalss_app.services.money import format_naira
from tests.support.browser import sign_in
from tests.support.live import Deployment, contribute

# Finance panels whose figures depend on a contribution (written here, independently of the registry).
FINANCE_PANELS_FOR_CONTRIBUTIONS = {"overview", "recent", "monthly"}


def stats(page, server, dashboard: str) -> dict:
    """Read the dashboard's JSON figures with the page's own session."""
    return page.context.request.get(f"{server.url}/api/{dashboard}/dashboard-stats").json()


def panel_requests(page) -> list[str]:
    """Record the names of the panels this page fetches from now on."""
    seen: list[str] = []
    page.on("request", lambda req: (m := re.search(r"/panels/([a-z_]+)", req.url)) and seen.append(m.group(1)))
    return seen


@pytest.fixture(params=["gevent", "eventlet"])
def deployment(request, tmp_path):
    """A seeded deployment served under each green library."""
    deployment = Deployment(tmp_path, async_mode=request.param).prepare()
    deployment.start_server()
    yield deployment
    deployment.stop()


def test_a_contribution_updates_finance_and_the_member_without_reload(deployment, new_page):
    server = deployment.servers[0]
    finance, member = new_page(), new_page()
    sign_in(finance, server, "finance", "/dashboard/finance")
    sign_in(member, server, "member1", "/dashboard/member")
    before_finance = stats(finance, server, "finance")["overview"]["contributions_kobo"]
    before_member = stats(member, server, "member")["savings"]["balance_kobo"]
    finance_fetches = panel_requests(finance)
    navigations = []
    finance.on("framenavigated", lambda frame: navigations.append(frame.url))

    contribute(deployment, "member1", 2_500)

    expect(finance.locator("#panel-overview")).to_contain_text(format_naira(before_finance + 250_000))
    expect(member.locator("#panel-savings")).to_contain_text(format_naira(before_member + 250_000))
    expect(finance.locator("#panel-overview")).to_have_class(re.compile("panel-changed"))
    finance.wait_for_timeout(600)  # let any stray refetch show itself before counting
    # The changed panels arrive pushed (rendered once for the view): none of them is fetched again.
    assert set(finance_fetches) & FINANCE_PANELS_FOR_CONTRIBUTIONS == set(), finance_fetches
    assert navigations == []  # no reload
    assert finance.console_errors == [] and member.console_errors == []


def test_after_an_outage_the_badge_says_offline_and_the_page_catches_up(deployment, new_page):
    server = deployment.servers[0]
    finance = new_page()
    sign_in(finance, server, "finance", "/dashboard/finance")
    before = stats(finance, server, "finance")["overview"]["contributions_kobo"]

    server.stop()
    try:
        expect(finance.locator("#conn-badge")).to_contain_text("offline since", timeout=10_000)
        contribute(deployment, "member2", 7_000)  # the change happens while the dashboard is cut off
    finally:
        server.start()  # a failure while offline must not leave the module's later tests without a server

    expect(finance.locator("#conn-badge")).to_have_text("live", timeout=15_000)
    expect(finance.locator("#panel-overview")).to_contain_text(format_naira(before + 700_000))


def test_a_burst_of_100_changes_causes_few_refetches_and_ends_right(deployment, new_page):
    server = deployment.servers[0]
    finance = new_page()
    sign_in(finance, server, "finance", "/dashboard/finance")
    before = stats(finance, server, "finance")["overview"]["contributions_kobo"]
    fetches = panel_requests(finance)

    contribute(deployment, "member3", 1_000, times=100)

    expect(finance.locator("#panel-overview")).to_contain_text(format_naira(before + 100 * 100_000), timeout=5_000)
    finance.wait_for_timeout(1_000)
    assert fetches.count("overview") <= 5, fetches  # pushed; a refetch only where a push was skipped
    assert "users_by_role" not in fetches and "expenses" not in fetches
