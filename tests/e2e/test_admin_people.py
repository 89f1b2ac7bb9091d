"""Super admin management pages in Chromium, next to a member's open dashboard.

1. The super admin raises a CRITICAL alert on the content page → the member's open dashboard shows the red banner
   without a reload; taking it down removes it there too.
2. The super admin deactivates a member on the users page → that member's open dashboard is signed out (/login).
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import sign_in


def open_member_dashboard(new_page, server, local: str):
    """Open a member's dashboard in its own browser context and wait until it is live."""
    return sign_in(new_page(900, 800), server, local)


def test_a_critical_alert_appears_on_an_open_member_dashboard_and_goes_away(module_deployment, new_page):
    server = module_deployment.servers[0]
    member = open_member_dashboard(new_page, server, "member2")
    expect(member.locator("#panel-savings .panel-body")).not_to_contain_text("Loading")
    admin = new_page(1280, 900)
    sign_in(admin, server, "super-admin", "/dashboard/super-admin/content")
    admin.fill("#alert-title", "Flood warning")
    admin.fill("#alert-message", "Branches in Lokoja close at noon today.")
    admin.select_option("#alert-severity", "CRITICAL")
    admin.locator("#alert-form button[type=submit]").click()  # raise, or replace a seeded one

    expect(admin.locator(".flash-success")).to_contain_text("Flood warning")
    expect(admin.locator("#emergency-alert")).to_contain_text("Take the alert down")
    banner = member.locator("#alert-banner .alert-banner.alert-critical")
    expect(banner).to_contain_text("Flood warning", timeout=3000)
    expect(banner).to_contain_text("Branches in Lokoja close at noon today.")

    admin.locator("summary", has_text="Take the alert down").click()
    admin.get_by_role("button", name="Confirm: take the alert down").click()
    expect(admin.locator(".flash-success")).to_contain_text("taken down")
    expect(member.locator("#alert-banner .alert-banner")).to_have_count(0, timeout=3000)
    assert member.url.endswith("/dashboard/member")  # never reloaded
    assert admin.console_errors == [] and member.console_errors == []


def test_a_member_deactivated_on_the_users_page_is_signed_out_of_their_open_dashboard(module_deployment, new_page):
    server = module_deployment.servers[0]
    member = open_member_dashboard(new_page, server, "member3")
    admin = new_page(1280, 900)
    sign_in(admin, server, "super-admin", "/dashboard/super-admin/users?q=member3@demo.nogalss.ng")
    row = admin.locator("tr", has_text="member3@demo.nogalss.ng")
    expect(row).to_have_count(1)
    row.locator("summary", has_text="Deactivate").click()
    row.get_by_role("button", name=re.compile("^Confirm: deactivate")).click()

    expect(admin.locator(".flash-success")).to_contain_text("deactivated")
    expect(admin.locator("tr", has_text="member3@demo.nogalss.ng")).to_contain_text("Inactive")
    expect(member).to_have_url(re.compile(r"/(login|signed-out)"), timeout=5000)  # live.js leaves the dashboard
    member.goto(f"{server.url}/dashboard/member")
    expect(member).to_have_url(re.compile(r"/signed-out\?next="))  # the old session is gone for good, and says why
    expect(member.locator("h1")).to_have_text("Your account was deactivated")
    member.get_by_role("link", name="Sign in again").click()
    expect(member.locator("input[name=email]")).to_be_visible()
    assert admin.console_errors == []
