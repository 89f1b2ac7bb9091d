"""On a 390 px phone every panel table is a list of cards: nothing scrolls sideways and every action is on screen."""

from __future__ import annotations

import pytest

from tests.support.browser import sign_in

PHONE = (390, 844)
DASHBOARDS = {
    "finance": "/dashboard/finance",
    "leader1": "/dashboard/leader",
    "member1": "/dashboard/member",
    "apex": "/dashboard/apex",
    "apex-funds": "/dashboard/apex-funds",
    "super-admin": "/dashboard/super-admin",
    "coop1": "/dashboard/cooperative",
    "org1": "/dashboard/parent-organization",
}
# For each table: does it scroll sideways? For each button, link-button or summary inside a panel: its right edge.
MEASURE = """() => ({
  width: document.documentElement.clientWidth,
  pageScroll: document.documentElement.scrollWidth,
  tables: [...document.querySelectorAll('.panel table')].map(t => {
    const wrap = t.closest('.table-wrap') || t.parentElement;
    return {panel: t.closest('[data-panel]').dataset.panel, scroll: wrap.scrollWidth, client: wrap.clientWidth};
  }),
  actions: [...document.querySelectorAll('.panel button:not([hidden]), .panel summary.btn, .panel a.btn')]
    .filter(b => b.offsetParent !== null)
    .map(b => { const r = b.getBoundingClientRect();
                return {panel: b.closest('[data-panel]').dataset.panel, text: b.textContent.trim(),
                        left: r.left, right: r.right}; }),
})"""


@pytest.mark.parametrize(("local", "path"), DASHBOARDS.items())
def test_at_390_px_no_table_scrolls_sideways_and_every_action_is_within_the_width(
    seeded_deployment, new_page, local, path
):
    page = new_page(*PHONE)
    sign_in(page, seeded_deployment.servers[0], local, path)

    seen = page.evaluate(MEASURE)

    assert seen["width"] == PHONE[0] and seen["pageScroll"] <= PHONE[0]
    assert seen["tables"], "the dashboard shows at least one table"
    assert [t for t in seen["tables"] if t["scroll"] > t["client"] + 1] == []
    assert [a for a in seen["actions"] if a["left"] < 0 or a["right"] > PHONE[0]] == []


def test_the_leaders_approve_and_finances_amount_are_visible_on_a_phone(seeded_deployment, new_page):
    finance = new_page(*PHONE)
    sign_in(finance, seeded_deployment.servers[0], "finance")
    first = finance.locator("#panel-withdrawals tbody tr").first
    assert first.locator(".card-key").is_visible() and "₦" in first.locator(".card-key").inner_text()

    leader = new_page(*PHONE)
    sign_in(leader, seeded_deployment.servers[0], "leader1")
    approve = leader.locator("#panel-loans tbody tr").first.locator("summary", has_text="Approve")
    box = approve.bounding_box()
    assert approve.is_visible() and box["x"] >= 0 and box["x"] + box["width"] <= PHONE[0]
