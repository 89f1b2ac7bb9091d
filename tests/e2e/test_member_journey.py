"""A member contributes through the actions panel and the sandbox checkout; finance sees it live."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from nogalss_app.services.money import format_naira
from tests.support.browser import shown_kobo as kobo
from tests.support.browser import sign_in

LIVE_TIMEOUT = 3000


def savings(page):
    """Return the member's savings balance figure."""
    return page.locator("#panel-savings .figures .figure").first


def contributions_row(page):
    """Return the finance overview's contributions amount cell."""
    return page.locator("#panel-overview tr", has=page.locator("th", has_text="Contributions")).locator("td")


def contribute_at_checkout(member_page, naira: str, button: str) -> None:
    """Preview a contribution in the actions panel, pay it, and press a button at the sandbox checkout."""
    member_page.fill("#contribute-amount", naira)
    member_page.click("#panel-actions button:has-text('Preview')")
    expect(member_page.locator("#panel-actions .fee-preview")).to_contain_text("You will pay ₦2,500.00")
    member_page.click("#panel-actions button:has-text('Pay ₦2,500.00')")
    member_page.wait_for_url(re.compile(r".*/sandbox/checkout/NGS-CON-[0-9A-F]+$"))
    expect(member_page.locator("h1")).to_have_text("Pay ₦2,500.00")
    expect(member_page.locator(".checkout-details")).to_contain_text("member1@demo.nogalss.ng")
    member_page.click(f"button:has-text('{button}')")
    member_page.wait_for_url(re.compile(r".*/dashboard/member$"))


def test_a_member_pays_a_contribution_and_finance_sees_it_without_reloading(module_deployment, new_page):
    server = module_deployment.servers[0]
    member_page, finance_page = new_page(), new_page()
    sign_in(member_page, server, "member1")
    sign_in(finance_page, server, "finance")
    expect(savings(member_page)).to_contain_text("₦")
    expect(contributions_row(finance_page)).to_contain_text("₦")
    saved_before, contributed_before = (
        kobo(savings(member_page).inner_text()),
        kobo(contributions_row(finance_page).inner_text()),
    )
    finance_reloads = finance_page.evaluate("performance.getEntriesByType('navigation').length")

    contribute_at_checkout(member_page, "2,500", "Pay")

    expect(member_page.locator(".flash-success")).to_contain_text("your contribution of ₦2,500.00 was received")
    expect(savings(member_page)).to_have_text(format_naira(saved_before + 2_500_00))
    expect(contributions_row(finance_page)).to_have_text(
        format_naira(contributed_before + 2_500_00), timeout=LIVE_TIMEOUT
    )
    assert finance_page.evaluate("performance.getEntriesByType('navigation').length") == finance_reloads
    assert finance_page.url.endswith("/dashboard/finance")
    assert member_page.console_errors == [] and finance_page.console_errors == []


def test_declining_at_the_checkout_credits_nothing_and_says_so(module_deployment, new_page):
    server = module_deployment.servers[0]
    member_page = new_page()
    sign_in(member_page, server, "member1")
    expect(savings(member_page)).to_contain_text("₦")
    saved_before = savings(member_page).inner_text()

    contribute_at_checkout(member_page, "2,500", "Decline")

    message = "Your payment of ₦2,500.00 was not completed (declined at the checkout). Nothing was charged."
    expect(member_page.locator(".flash-error")).to_have_text(message)
    expect(savings(member_page)).to_have_text(saved_before)
    assert member_page.console_errors == []


def test_a_bad_amount_is_explained_in_the_panel(module_deployment, new_page):
    server = module_deployment.servers[0]
    member_page = new_page()
    sign_in(member_page, server, "member1")

    member_page.fill("#contribute-amount", "100.005")
    member_page.click("#panel-actions button:has-text('Preview')")

    expect(member_page.locator("#contribute-amount-error")).to_have_text("the amount can have at most 2 decimal places")
    expect(member_page.locator("#contribute-amount")).to_have_value("100.005")
    assert member_page.url.endswith("/dashboard/member")
    # The refusal is a 422 by design (htmx swaps it); Chromium reports any 4xx fetch on the console.
    assert [e for e in member_page.console_errors if "status of 422" not in e] == []
