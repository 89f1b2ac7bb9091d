"""The apex officer's forms, seen live by another role (SPEC §5 and §6)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.support.browser import sign_in


def test_apex_changes_the_member_fee_and_the_super_admin_sees_it_without_reload(module_deployment, new_page):
    server = module_deployment.servers[0]
    apex, admin = new_page(), new_page()
    sign_in(apex, server, "apex", "/dashboard/apex")
    sign_in(admin, server, "super-admin", "/dashboard/super-admin")
    navigations = []
    admin.on("framenavigated", lambda frame: navigations.append(frame.url))

    panel = apex.locator("#panel-member_fee")
    panel.locator("input[name=member_fee]").fill("6,250.50")
    panel.locator("button[type=submit]").click()

    expect(panel).to_contain_text("₦6,250.50")
    expect(admin.locator("#panel-overview")).to_contain_text("₦6,250.50")
    assert navigations == []
    assert apex.console_errors == [] and admin.console_errors == []


def test_a_refused_fee_is_explained_in_place_and_changes_nothing(module_deployment, new_page):
    server = module_deployment.servers[0]
    apex = new_page()
    sign_in(apex, server, "apex", "/dashboard/apex")
    panel = apex.locator("#panel-member_fee")
    before = panel.locator("dl.figures").inner_text()

    panel.locator("input[name=member_fee]").fill("100.005")
    panel.locator("button[type=submit]").click()

    expect(panel).to_contain_text("at most 2 decimal places")
    expect(panel.locator("input[name=member_fee]")).to_have_value("100.005")
    assert panel.locator("dl.figures").inner_text() == before
