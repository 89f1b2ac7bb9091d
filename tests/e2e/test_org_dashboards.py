"""In Chromium: a member's notification arrives live and is marked read; the cooperative and parent-organization
dashboards render cleanly on a desktop and on a 390 px phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in
from tests.support.live import run_job

TITLE = "Your loan application was approved"


def test_a_members_notification_appears_live_and_is_marked_read(module_deployment, new_page):
    server = module_deployment.servers[0]
    member = new_page()
    sign_in(member, server, "member3", "/dashboard/member")
    panel = member.locator("#panel-notifications")
    expect(panel).to_be_visible()
    navigations = []
    member.on("framenavigated", lambda frame: navigations.append(frame.url))

    run_job(
        module_deployment,
        f"""
from nogalss_app.services import notifications
notifications.notify_users([user_id("member3")], {TITLE!r}, "Your loan of ₦20,000.00 was approved")
realtime.commit()
""",
    )

    item = panel.locator("li", has_text=TITLE)
    expect(item).to_have_class(re.compile("is-unread"), timeout=5_000)
    item.get_by_role("button", name=re.compile("Mark read")).click()
    expect(panel.locator("li", has_text=TITLE)).to_have_class(re.compile("is-read"), timeout=5_000)
    assert navigations == []  # live, and marked read in place
    assert member.console_errors == []


@pytest.mark.parametrize(
    ("local", "path"), [("coop1", "/dashboard/cooperative"), ("org1", "/dashboard/parent-organization")]
)
@pytest.mark.parametrize("width", [1440, 390])
def test_the_cooperative_and_organization_dashboards_render_without_errors(
    module_deployment, new_page, local, path, width
):
    server = module_deployment.servers[0]
    page = new_page(width=width, height=900)
    sign_in(page, server, local, path)
    panels = page.locator("[data-panel]")
    assert panels.count() >= 3
    assert page.locator(".panel-error").count() == 0
    expect(page.locator("[data-share]")).to_contain_text("₦")
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 1, f"the page scrolls sideways by {overflow}px at {width}px"
    assert page.console_errors == []
