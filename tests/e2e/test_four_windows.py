"""The story of SPEC §9, steps 1–4, in four windows side by side, with pushed fragments on (issue 12).

Super admin, finance, leader 1 and member 1 (cooperative 1) keep their dashboards open; leader 2 watches as the leader
of another cooperative. Every change is made through the UI. The panels each change moves arrive as pushed
fragments (`dashboard:panels`, counted by live.js in `data-pushes`) and are not requested again; nobody reloads;
leader 2 sees nothing of cooperative 1's loan.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from nogalss_app.services.money import format_naira
from tests.support.browser import shown_kobo as kobo
from tests.support.browser import sign_in

LIVE = 5_000  # ms a change may take to reach another open window on a busy machine (the bar is far lower)
PANEL = re.compile(r"/dashboard/(?:[a-z-]+/panels/([a-z_]+)|(alert-banner))")


def window(new_page, server, local: str, slug: str):
    """Sign in and open a dashboard; record which panels the page requests from then on."""
    page = sign_in(new_page(1280, 900), server, local, f"/dashboard/{slug}")
    page.loaded_url = page.url
    page.fetched = []
    page.on("request", lambda req: (m := PANEL.search(req.url)) and page.fetched.append(m.group(1) or m.group(2)))
    return page


def pushes(page, panel: str) -> int:
    """How many pushed fragments live.js swapped into a panel (or the alert banner)."""
    target = "#alert-banner" if panel == "banner" else f"#panel-{panel}"
    return int(page.locator(target).get_attribute("data-pushes") or 0)


def not_reloaded(*pages) -> None:
    for page in pages:
        assert page.url == page.loaded_url
        assert page.evaluate("performance.getEntriesByType('navigation').length") == 1
        assert page.console_errors == []


@pytest.mark.slow
def test_four_windows_follow_the_story_by_pushed_fragments(module_deployment, new_page):
    server = module_deployment.servers[0]
    admin = window(new_page, server, "super-admin", "super-admin")
    finance = window(new_page, server, "finance", "finance")
    leader = window(new_page, server, "leader1", "leader")
    member = window(new_page, server, "member1", "member")
    other = window(new_page, server, "leader2", "leader")
    purpose = "Sewing machines (four windows)"

    # 1. The member applies for a loan: the leader's loans panel shows it, pushed; the super admin's count moves.
    admin_loans = admin.locator("#panel-loans .figure").first
    count_before = int(admin_loans.inner_text().replace(",", ""))
    leader_pushes, admin_pushes, other_pushes = pushes(leader, "loans"), pushes(admin, "loans"), pushes(other, "loans")
    for page in (admin, finance, leader, member, other):
        page.fetched.clear()
    actions = member.locator("#panel-actions")
    actions.locator("#loan-loan_amount").fill("20,000")
    actions.locator("#loan-purpose").fill(purpose)
    actions.locator("#loan-duration_months").fill("6")
    actions.get_by_role("button", name="Apply for the loan").click()
    expect(actions.locator(".flash-success")).to_be_visible(timeout=LIVE)

    row = leader.locator("#panel-loans tr", has_text=purpose)
    expect(row).to_contain_text("₦20,000.00", timeout=LIVE)
    expect(admin_loans).to_have_text(f"{count_before + 1:,}", timeout=LIVE)
    assert pushes(leader, "loans") > leader_pushes and pushes(admin, "loans") > admin_pushes
    assert "loans" not in leader.fetched and "loans" not in admin.fetched  # pushed, not requested
    expect(member.locator("#panel-loans")).to_contain_text(purpose, timeout=LIVE)
    other.wait_for_timeout(1_000)  # long enough for any push to leader 2 to have arrived
    expect(other.locator("#panel-loans")).not_to_contain_text(purpose)
    assert pushes(other, "loans") == other_pushes and "loans" not in other.fetched

    # 2. The leader approves it (two steps, the amount stated): the member's loans and limit, finance's disbursed
    #    figure and the super admin's activity change, pushed.
    disbursed = finance.locator("#panel-overview a[data-figure=loans_disbursed]")
    disbursed_before = kobo(disbursed.inner_text())
    limit_before = member.locator("#panel-loan_limit").inner_text()
    for page in (admin, finance, leader, member):
        page.fetched.clear()
    row.locator("summary", has_text="Approve").click()
    row.get_by_role("button", name="Confirm: approve ₦20,000.00").click()
    expect(leader.locator("#panel-loans .flash-success")).to_contain_text("₦20,000.00 loan was approved", timeout=LIVE)

    member_row = member.locator("#panel-loans tr", has_text=purpose)
    expect(member_row).to_contain_text("Approved", timeout=LIVE)
    expect(member.locator("#panel-loan_limit")).not_to_have_text(limit_before, timeout=LIVE)
    expect(disbursed).to_have_text(format_naira(disbursed_before + 20_000_00), timeout=LIVE)
    activity = admin.locator("#panel-activity tbody tr").first
    expect(activity).to_contain_text("Leader", timeout=LIVE)
    expect(activity).to_contain_text(re.compile("approv", re.I))
    for page, panel in ((member, "loans"), (member, "loan_limit"), (finance, "overview"), (admin, "activity")):
        assert panel not in page.fetched, (page.loaded_url, panel, page.fetched)

    # 3. The member requests a withdrawal: withdrawable drops at once, finance's queue and bell update (pushed);
    #    finance approves, the super admin processes it (four eyes), the member's savings drop.
    withdrawable = member.locator("#panel-withdrawals .figure").first
    savings = member.locator("#panel-savings .figure").first
    # The approval moved what is held against the loan: wait until the page shows what the server now says.
    current = member.request.get(f"{server.url}/dashboard/member/panels/withdrawals", headers={"HX-Request": "true"})
    withdrawable_before = kobo(re.search(r'class="figure">([^<]+)<', current.text()).group(1))
    expect(withdrawable).to_have_text(format_naira(withdrawable_before), timeout=LIVE)
    savings_before = kobo(savings.inner_text())
    bell_before = finance.locator("#bell").inner_text()
    reason = "School fees (four windows)"
    for page in (admin, finance, leader, member):
        page.fetched.clear()
    actions.locator("#withdrawal-withdrawal_amount").fill("500")
    actions.locator("#withdrawal-reason").fill(reason)
    actions.get_by_role("button", name="Request the withdrawal").click()
    expect(actions.locator(".flash-success")).to_contain_text("withdrawal request for ₦500.00 was sent", timeout=LIVE)
    expect(withdrawable).to_have_text(format_naira(withdrawable_before - 500_00), timeout=LIVE)
    queue = finance.locator("#panel-withdrawals")
    finance_row = queue.locator("tr", has_text=reason)
    expect(finance_row).to_contain_text("₦500.00", timeout=LIVE)
    expect(finance.locator("#bell")).not_to_have_text(bell_before, timeout=LIVE)
    assert "withdrawals" not in finance.fetched

    finance_row.locator("summary", has_text="Approve").click()
    finance_row.get_by_role("button", name=re.compile(r"^Confirm: approve")).click()
    expect(queue.locator(".flash-success")).to_contain_text("₦500.00 withdrawal was approved", timeout=LIVE)
    admin_finance = admin.context.new_page()  # the super admin pays out from finance's queue in a second tab
    admin_finance.console_errors = []
    admin_finance.goto(f"{server.url}/dashboard/finance")
    admin_row = admin_finance.locator("#panel-withdrawals tr", has_text=reason)
    expect(admin_row).to_contain_text("Approved", timeout=LIVE)
    admin_row.locator("summary", has_text="Mark processed").click()
    admin_row.get_by_role("button", name="Confirm: pay out ₦500.00").click()
    expect(savings).to_have_text(format_naira(savings_before - 500_00), timeout=LIVE)
    expect(member.locator("#panel-withdrawals")).to_contain_text("Processed", timeout=LIVE)
    admin_finance.close()

    # 4. The super admin raises an emergency alert: a banner on every open dashboard; taking it down removes it.
    banners = {page: pushes(page, "banner") for page in (admin, finance, leader, member, other)}
    for page in (admin, finance, leader, member, other):
        page.fetched.clear()
    manage = admin.context.new_page()
    manage.console_errors = []
    manage.goto(f"{server.url}/dashboard/super-admin/content")
    manage.locator("#alert-title").fill("Four windows drill")
    manage.locator("#alert-message").fill("The office closes at noon today.")
    manage.get_by_role("button", name=re.compile(r"^(Raise|Replace) the alert$")).click()
    for page in (admin, finance, leader, member, other):
        expect(page.locator("#alert-banner")).to_contain_text("Four windows drill", timeout=LIVE)
        assert pushes(page, "banner") > banners[page] and "alert-banner" not in page.fetched
    manage.locator("summary", has_text="Take the alert down").click()
    manage.get_by_role("button", name="Confirm: take the alert down").click()
    for page in (admin, finance, leader, member, other):
        expect(page.locator("#alert-banner")).not_to_contain_text("Four windows drill", timeout=LIVE)
    manage.close()
    not_reloaded(admin, finance, leader, member, other)
