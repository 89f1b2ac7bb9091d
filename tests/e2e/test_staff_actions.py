"""Staff decisions in a real browser: two dashboards side by side, each sees the other's change without a reload.

(a) member1 applies for a loan over the JSON API while leader1's dashboard is open → leader1's `loans` panel lists
    it; leader1 approves it in the panel → member1's open dashboard shows the loan approved.
(b) the super admin pays out member3's approved withdrawal from finance's queue (a confirmed second step; finance
    approved it, and four eyes keep the approver from paying out) → member3's savings balance and withdrawal status
    change; finance rejects member8's pending request → member8's withdrawable balance goes back up.
(c) finance records an expense: a refused amount is shown at the field with what was typed kept; once corrected,
    the super admin's open `expenses` panel lists it.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.support.browser import sign_in

LIVE = 3000  # ms: a change must reach the other open dashboard within this, without any reload


def open_dashboard(new_page, deployment, local: str, slug: str):
    """Sign in as a demo account in a fresh context and open its dashboard with every panel loaded."""
    page = sign_in(new_page(1100, 900), deployment.servers[0], local, f"/dashboard/{slug}")
    page.loaded_url = page.url
    return page


def post_json(page, path: str, body: dict):
    """Send a JSON write with the page's own cookies and CSRF token (as a script on that session would)."""
    token = page.locator("meta[name=csrf-token]").get_attribute("content")
    origin = page.url.split("/dashboard")[0]
    return page.request.post(f"{origin}{path}", data=body, headers={"X-CSRFToken": token})


def assert_not_reloaded(*pages, refused: int | None = None) -> None:
    """Assert the pages are still the documents first loaded (no navigation happened) and error-free.

    `refused`: a status the test provoked on purpose (Chromium logs every 4xx answer as a console error).
    """
    expected = f"the server responded with a status of {refused}"
    for page in pages:
        assert page.url == page.loaded_url
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
        assert [error for error in page.console_errors if not (refused and expected in error)] == []


@pytest.mark.slow
def test_a_loan_application_reaches_the_leader_and_the_approval_reaches_the_member(module_deployment, new_page):
    leader = open_dashboard(new_page, module_deployment, "leader1", "leader")
    member = open_dashboard(new_page, module_deployment, "member1", "member")
    expect(leader.locator("#panel-loans")).not_to_contain_text("Loom for the e2e test")

    applied = post_json(
        member,
        "/api/member/loans",
        {"amount_kobo": 12_345_00, "purpose": "Loom for the e2e test", "duration_months": 6},
    )

    assert applied.status == 201, applied.text()
    row = leader.locator("#panel-loans tr", has_text="Loom for the e2e test")
    expect(row).to_contain_text("₦12,345.00", timeout=LIVE)
    row.locator("input[name=notes]").fill("Approved in the browser test")
    row.locator("summary", has_text="Approve").click()  # the confirm step states the amount
    row.get_by_role("button", name="Confirm: approve ₦12,345.00").click()

    expect(leader.locator("#panel-loans .flash-success")).to_contain_text("₦12,345.00 loan was approved", timeout=LIVE)
    expect(leader.locator("#panel-loans")).not_to_contain_text("Loom for the e2e test")
    member_row = member.locator("#panel-loans tr", has_text="Loom for the e2e test")
    expect(member_row).to_contain_text("Approved", timeout=LIVE)
    expect(member.locator("#panel-loans")).to_contain_text("₦12,345.00")
    assert_not_reloaded(leader, member)


@pytest.mark.slow
def test_finance_pays_out_and_rejects_and_the_members_balances_follow(module_deployment, new_page):
    finance = open_dashboard(new_page, module_deployment, "finance", "finance")
    admin = open_dashboard(new_page, module_deployment, "super-admin", "finance")
    payee = open_dashboard(new_page, module_deployment, "member3", "member")
    refused = open_dashboard(new_page, module_deployment, "member8", "member")
    balance = payee.locator("#panel-savings .figure").first
    before_balance = balance.inner_text()
    withdrawable = refused.locator("#panel-withdrawals .figure").first
    before_withdrawable = withdrawable.inner_text()

    approved = admin.locator("#panel-withdrawals tr", has_text="₦4,000.00").filter(has_text="Approved")
    approved.locator("summary", has_text="Mark processed").click()
    approved.get_by_role("button", name="Confirm: pay out ₦4,000.00").click()

    expect(admin.locator("#panel-withdrawals .flash-success")).to_contain_text("paid out", timeout=LIVE)
    expect(payee.locator("#panel-withdrawals")).to_contain_text("Processed", timeout=LIVE)
    expect(balance).not_to_have_text(before_balance, timeout=LIVE)
    assert naira(before_balance) - naira(balance.inner_text()) == 4_000_00

    pending = finance.locator("#panel-withdrawals tr", has_text="₦2,500.00").filter(has_text="Pending")
    pending.get_by_role("button", name="Reject").click()

    expect(finance.locator("#panel-withdrawals .flash-success")).to_contain_text("was rejected", timeout=LIVE)
    expect(withdrawable).not_to_have_text(before_withdrawable, timeout=LIVE)
    assert naira(withdrawable.inner_text()) - naira(before_withdrawable) == 2_500_00
    expect(refused.locator("#panel-withdrawals")).to_contain_text("Rejected")
    assert_not_reloaded(finance, admin, payee, refused)


@pytest.mark.slow
def test_a_refused_expense_is_explained_in_place_and_the_saved_one_reaches_the_super_admin(module_deployment, new_page):
    finance = open_dashboard(new_page, module_deployment, "finance", "finance")
    admin = open_dashboard(new_page, module_deployment, "super-admin", "super-admin")
    panel = finance.locator("#panel-expenses")
    panel.locator("summary", has_text="Record an expense").click()
    panel.locator("#expense-new-title").fill("Generator diesel (e2e)")
    panel.locator("#expense-new-category").fill("Fuel")
    panel.locator("#expense-new-amount").fill("100.005")

    panel.get_by_role("button", name="Save expense").click()

    expect(panel.locator("#expense-new-amount-error")).to_contain_text("at most 2 decimal places", timeout=LIVE)
    expect(panel.locator("#expense-new-title")).to_have_value("Generator diesel (e2e)")
    expect(panel.locator("#expense-new-amount")).to_have_attribute("aria-invalid", "true")
    expect(admin.locator("#panel-expenses")).not_to_contain_text("Generator diesel (e2e)")

    panel.locator("#expense-new-amount").fill("1,250.50")
    panel.get_by_role("button", name="Save expense").click()

    expect(panel.locator(".flash-success")).to_contain_text("recorded", timeout=LIVE)
    expect(panel.locator("#expense-new-amount-error")).to_have_count(0)
    expect(admin.locator("#panel-expenses")).to_contain_text("Generator diesel (e2e)", timeout=LIVE)
    expect(admin.locator("#panel-expenses")).to_contain_text("₦1,250.50")
    assert_not_reloaded(finance, admin, refused=422)


def naira(text: str) -> int:
    """Return the kobo of a shown amount like ₦1,234.50."""
    whole, _, frac = text.strip().lstrip("₦").replace(",", "").partition(".")
    return int(whole) * 100 + int(frac or 0)
