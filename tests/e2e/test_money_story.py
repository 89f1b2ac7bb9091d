"""SPEC §9 steps 3 and 6 in Chromium, every dashboard open side by side and none reloaded.

Step 6: member4 (cooperative 4, a loan with two instalments past due in the demo data) repays what is in arrears
through the sandbox checkout in one tab → in the member's other open tab the loan's remaining amount falls,
leader4's `repayments` panel loses the arrears line and its outstanding falls, finance's `loans` panel shows
"repaid this month" up and the late line gone.

Step 3 with four eyes: member1 requests a withdrawal → finance's queue lists it and the member's withdrawable falls
at once; finance approves it, then tries to process it and is refused in place (the approver may not pay out);
the super admin processes it from the finance dashboard → the member's savings balance falls.
"""

from __future__ import annotations

import re

from playwright.sync_api import expect

from nogalss_app.services.money import format_naira
from tests.support.browser import shown_kobo as kobo
from tests.support.browser import sign_in, wait_until_live

LIVE = 5000  # ms: a change must reach the other open dashboards within this, without any reload


def opened(page, server, local: str, slug: str):
    """Sign a demo account in and open a dashboard; remember the document to check it is never reloaded."""
    sign_in(page, server, local, f"/dashboard/{slug}")
    page.loaded_url = page.url
    return page


def assert_not_reloaded(*pages, refused: int | None = None) -> None:
    """Assert the pages are still the documents first loaded and error-free (bar a refusal provoked on purpose)."""
    expected = f"the server responded with a status of {refused}"
    for page in pages:
        assert page.url == page.loaded_url
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
        assert [error for error in page.console_errors if not (refused and expected in error)] == []


def figure(panel, label: str):
    """Return the figure of a panel's figure list with this label."""
    return panel.locator("dl.figures > div", has=panel.page.locator("dt", has_text=label)).locator("dd.figure")


def second_tab(page, server, slug: str):
    """Open another tab of the same signed-in browser context on a dashboard (recording its console errors)."""
    tab = page.context.new_page()
    tab.console_errors = []
    tab.on("console", lambda msg: msg.type == "error" and tab.console_errors.append(msg.text))
    tab.on("pageerror", lambda exc: tab.console_errors.append(str(exc)))
    tab.goto(f"{server.url}/dashboard/{slug}")
    wait_until_live(tab)
    tab.loaded_url = tab.url
    return tab


def test_a_member_repays_the_arrears_at_the_checkout_and_three_dashboards_follow(module_deployment, new_page):
    server = module_deployment.servers[0]
    paying = opened(new_page(1280, 900), server, "member4", "member")
    member = second_tab(paying, server, "member")
    leader = opened(new_page(1280, 900), server, "leader4", "leader")
    finance = opened(new_page(1280, 900), server, "finance", "finance")

    repay_form = paying.locator("#panel-loans form", has=paying.get_by_role("button", name="Repay through the gateway"))
    loan_id = int(repay_form.locator("input[name=form_id]").get_attribute("value").removeprefix("repay-"))
    loan_row = member.locator(f"#my-loan-{loan_id}")
    arrears = kobo(loan_row.locator(".loan-arrears").inner_text())
    left_before = kobo(loan_row.locator("td.num").nth(2).inner_text())
    leader_panel, finance_panel = leader.locator("#panel-repayments"), finance.locator("#panel-loans")
    expect(leader_panel.locator(f"#arrears-{loan_id}")).to_contain_text(format_naira(arrears))
    expect(finance_panel.locator(f"#late-loan-{loan_id}")).to_contain_text(format_naira(arrears))
    outstanding_before = kobo(figure(leader_panel, "Outstanding in the cooperative").inner_text())
    repaid_before = kobo(figure(finance_panel, "Repaid this month").inner_text())
    assert arrears > 0 and left_before > arrears

    repay_form.locator(f"#repay-{loan_id}-amount").fill(format_naira(arrears).removeprefix("₦"))
    repay_form.get_by_role("button", name="Repay through the gateway").click()
    paying.wait_for_url(re.compile(r".*/sandbox/checkout/NGS-RPY-[0-9A-F]+$"))
    paying.get_by_role("button", name=f"Pay {format_naira(arrears)}").click()
    paying.wait_for_url(re.compile(r".*/dashboard/member$"))

    expect(paying.locator(".flash-success")).to_contain_text(f"your repayment of {format_naira(arrears)} was received")
    left_after = format_naira(left_before - arrears)
    expect(loan_row.locator("td.num").nth(2)).to_have_text(left_after, timeout=LIVE)  # the other tab, live
    expect(loan_row.locator(".loan-arrears")).to_have_count(0)
    expect(leader_panel.locator(f"#arrears-{loan_id}")).to_have_count(0, timeout=LIVE)
    expect(figure(leader_panel, "Outstanding in the cooperative")).to_have_text(
        format_naira(outstanding_before - arrears), timeout=LIVE
    )
    expect(finance_panel.locator(f"#late-loan-{loan_id}")).to_have_count(0, timeout=LIVE)
    expect(figure(finance_panel, "Repaid this month")).to_have_text(format_naira(repaid_before + arrears), timeout=LIVE)
    assert_not_reloaded(member, leader, finance)
    assert paying.console_errors == []


def test_a_withdrawal_needs_two_people_and_the_members_balances_follow(module_deployment, new_page):
    server = module_deployment.servers[0]
    member = opened(new_page(1280, 900), server, "member1", "member")
    finance = opened(new_page(1280, 900), server, "finance", "finance")
    admin = opened(new_page(1280, 900), server, "super-admin", "finance")
    withdrawable = member.locator("#panel-withdrawals .figure").first
    savings = member.locator("#panel-savings .figure").first
    withdrawable_before, savings_before = kobo(withdrawable.inner_text()), kobo(savings.inner_text())
    reason = "Rent (four eyes e2e)"
    assert withdrawable_before >= 1_000_00

    actions = member.locator("#panel-actions")
    actions.locator("#withdrawal-withdrawal_amount").fill("1,000")
    actions.locator("#withdrawal-reason").fill(reason)
    actions.get_by_role("button", name="Request the withdrawal").click()

    expect(actions.locator(".flash-success")).to_contain_text("withdrawal request for ₦1,000.00 was sent", timeout=LIVE)
    expect(withdrawable).to_have_text(format_naira(withdrawable_before - 1_000_00), timeout=LIVE)
    queue = finance.locator("#panel-withdrawals")
    row = queue.locator("tr", has_text=reason)
    expect(row).to_contain_text("₦1,000.00", timeout=LIVE)
    # The request reaches finance as a push or a refetch that may land as the step opens: the step stays open.
    row.locator("summary", has_text="Approve").click()  # approving moves money: two steps, the amount stated
    row.get_by_role("button", name=re.compile(r"^Confirm: approve")).click()
    expect(queue.locator(".flash-success")).to_contain_text("₦1,000.00 withdrawal was approved", timeout=LIVE)

    row.locator("summary", has_text="Mark processed").click()
    row.get_by_role("button", name="Confirm: pay out ₦1,000.00").click()

    refusal = "You approved this withdrawal: another staff member must process it."
    expect(queue).to_contain_text(refusal, timeout=LIVE)
    expect(row).to_contain_text("Approved")
    expect(savings).to_have_text(format_naira(savings_before))

    admin_row = admin.locator("#panel-withdrawals tr", has_text=reason)
    expect(admin_row).to_contain_text("Approved", timeout=LIVE)
    admin_row.locator("summary", has_text="Mark processed").click()
    admin_row.get_by_role("button", name="Confirm: pay out ₦1,000.00").click()

    expect(admin.locator("#panel-withdrawals .flash-success")).to_contain_text("paid out", timeout=LIVE)
    expect(savings).to_have_text(format_naira(savings_before - 1_000_00), timeout=LIVE)
    expect(withdrawable).to_have_text(format_naira(withdrawable_before - 1_000_00))
    expect(member.locator("#panel-withdrawals")).to_contain_text("Processed", timeout=LIVE)
    expect(queue.locator("tr", has_text=reason)).to_have_count(0, timeout=LIVE)
    assert_not_reloaded(member, admin)
    assert_not_reloaded(finance, refused=409)
