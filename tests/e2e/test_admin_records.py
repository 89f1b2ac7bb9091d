"""In Chromium: a super admin decides an expense while finance watches, and creates a hostile-named cooperative."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.support.browser import sign_in

SEEDED_PENDING_EXPENSE = "Printing of member passbooks"
HOSTILE_NAME = "<img src=x onerror=alert(1)>"


def test_finance_sees_the_super_admins_expense_decisions_without_reloading(module_deployment, new_page):
    finance = new_page()
    admin = new_page()
    sign_in(finance, module_deployment.servers[0], "finance", "/dashboard/finance")
    sign_in(admin, module_deployment.servers[0], "super-admin", "/dashboard/super-admin")
    finance_item = finance.locator("#panel-expenses li", has_text=SEEDED_PENDING_EXPENSE)
    admin_row = admin.locator("#panel-expenses tr", has_text=SEEDED_PENDING_EXPENSE)
    expect(finance_item).to_contain_text("Pending", timeout=5000)
    expect(finance.locator("#conn-badge")).to_have_class("conn-badge conn-live", timeout=5000)
    expect(admin.locator("#conn-badge")).to_have_class("conn-badge conn-live", timeout=5000)

    admin_row.get_by_role("button", name="Approve").click()

    expect(admin.locator("#panel-expenses")).to_contain_text("Expense approved.", timeout=3000)
    expect(admin_row).to_contain_text("Approved", timeout=3000)
    expect(finance_item).to_contain_text("Approved", timeout=3000)

    admin_row.locator("summary", has_text="Mark paid").click()  # the confirm step states the amount
    admin_row.get_by_role("button", name=re.compile(r"^Confirm: mark .* as paid, ₦")).click()

    expect(admin.locator("#panel-expenses")).to_contain_text("Expense marked as paid.", timeout=3000)
    expect(admin_row).to_contain_text("Paid", timeout=3000)
    expect(finance_item).to_contain_text("Paid", timeout=3000)
    assert finance.url.endswith("/dashboard/finance")  # never reloaded or left
    assert admin.console_errors == [] and finance.console_errors == []


def test_a_cooperative_named_like_markup_is_shown_as_text(module_deployment, new_page):
    admin = new_page()
    dialogs: list[str] = []
    admin.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    sign_in(admin, module_deployment.servers[0], "super-admin", "/dashboard/super-admin/cooperatives")

    form = admin.locator("#new-cooperative form")
    form.locator("input[name=name]").fill(HOSTILE_NAME)
    form.locator("input[name=registration_number]").fill("E2E-IMG-1")
    form.locator("select[name=parent_organization_id]").select_option(index=1)
    form.locator("input[name=city]").fill("Ilorin")
    form.get_by_role("button", name="Create cooperative").click()

    expect(admin.locator(".flash-success")).to_contain_text(f"Cooperative {HOSTILE_NAME} (E2E-IMG-1) created.")
    row = admin.locator("#cooperatives-table tr", has_text="E2E-IMG-1")
    expect(row.get_by_role("link", name=HOSTILE_NAME)).to_be_visible()
    assert admin.locator("#cooperatives-table img").count() == 0
    row.get_by_role("link", name=HOSTILE_NAME).click()
    expect(admin.locator("h1")).to_have_text(HOSTILE_NAME)
    expect(admin.locator("input[name=name]")).to_have_value(HOSTILE_NAME)
    assert admin.locator("main img").count() == 0
    assert dialogs == []
    assert admin.console_errors == []
