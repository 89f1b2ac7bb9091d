"""Member panels: only the member's own savings, loan limit, contributions, loans and withdrawals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import LoanStatus, Role, Setting, WithdrawalStatus
from nogalss_app.services import balances
from nogalss_app.services.stats import compute
from nogalss_app.services.stats.panels import member as member_panels
from nogalss_app.services.stats.scope import Scope
from tests import factories
from tests.factories import ContributionFactory, LoanFactory, WithdrawalFactory
from tests.support.bad_inputs import XSS
from tests.support.client import sign_in
from tests.support.panels import dashboard_stats, panel_fragment
from tests.support.queries import build_counting


@pytest.fixture
def world():
    """Ada's own money, and Xavier's (same cooperative) which must never show on her dashboard."""
    now = datetime.now(UTC)
    cur = compute.last_months(now, 1)[0]
    coop = factories.cooperative(name="Ikeja Artisans")
    ada = factories.user("MEMBER", first_name="Ada", last_name="Obi", cooperative_id=coop.id)
    xavier = factories.user("MEMBER", first_name="Xavier", last_name="Outsider", cooperative_id=coop.id)
    # Ada's contributions: 100000 + 200000 + 50000 + 25000 = 375000 in 4.
    for n, amount, at in [
        (1, 100000, balances.months_before(now, 7)),  # old enough for a loan
        (2, 200000, cur.start - timedelta(minutes=30)),  # 23:30 on the last day of last month, Lagos
        (3, 50000, cur.start + timedelta(minutes=30)),  # 00:30 on the 1st in Lagos (UTC: last month)
        (4, 25000, cur.start + timedelta(hours=2)),
    ]:
        ContributionFactory(user=ada, amount_kobo=amount, created_at=at, transaction__reference=f"ADA-C{n}")
    # Ada's withdrawals: processed 40000; pending 15000 and approved 10000 hold money back; rejected 99000 does not.
    for amount, status, days, reason in [
        (40000, WithdrawalStatus.PROCESSED, 20, "School fees"),
        (15000, WithdrawalStatus.PENDING, 1, "Rent"),
        (10000, WithdrawalStatus.APPROVED, 2, "School fees"),
        (99000, WithdrawalStatus.REJECTED, 3, "School fees"),
    ]:
        WithdrawalFactory(
            user=ada, amount_kobo=amount, status=status, created_at=now - timedelta(days=days), reason=reason
        )
    # Ada's loans: ACTIVE 500000 with 120000 repaid (380000 outstanding); COMPLETED and REJECTED owe nothing.
    for amount, status, days, repaid, purpose in [
        (500000, LoanStatus.ACTIVE, 10, 120000, "Shop rent"),
        (100000, LoanStatus.COMPLETED, 100, 100000, "Sewing machine"),
        (70000, LoanStatus.REJECTED, 50, 0, "Sewing machine"),
    ]:
        LoanFactory(
            user=ada,
            amount_kobo=amount,
            status=status,
            created_at=now - timedelta(days=days),
            repaid_kobo=repaid,
            purpose=purpose,
        )
    # Xavier's money.
    ContributionFactory(user=xavier, amount_kobo=999900, created_at=balances.months_before(now, 8))
    WithdrawalFactory(user=xavier, amount_kobo=888800, reason="Xavier private reason")
    LoanFactory(user=xavier, amount_kobo=777700, purpose="Xavier secret plan")
    return {"now": now, "coop": coop, "ada": ada, "xavier": xavier}


stats = partial(dashboard_stats, "member")
fragment = partial(panel_fragment, "member")


def test_savings_balance_this_month_and_count(client, world):
    sign_in(client, world["ada"])
    savings = stats(client)["savings"]
    assert savings["balance_kobo"] == 335000  # 375000 contributed − 40000 processed
    assert savings["this_month_kobo"] == 75000  # 50000 (00:30 on the 1st, Lagos) + 25000; not the 23:30 one
    assert savings["contributions_count"] == 4
    html = fragment(client, "savings")
    assert "₦3,350.00" in html and "₦750.00" in html and "₦9,999.00" not in html


def test_loan_limit_uses_the_shared_rules(client, world):
    sign_in(client, world["ada"])
    limit = stats(client)["loan_limit"]
    # 6 × 335000 − (500000 − 120000) = 2010000 − 380000.
    assert (limit["eligible"], limit["max_kobo"], limit["reasons"]) == (True, 1630000, [])
    assert limit["outstanding_kobo"] == 380000
    assert limit["max_kobo"] == balances.loan_eligibility(world["ada"].id, datetime.now(UTC)).max_kobo
    html = fragment(client, "loan_limit")
    assert "₦16,300.00" in html and "Eligible" in html


def test_loan_limit_explains_why_not(client, world):
    LoanFactory(user=world["ada"], amount_kobo=10000, status=LoanStatus.PENDING)
    newcomer = factories.user("MEMBER", first_name="New", last_name="Comer", cooperative_id=world["coop"].id)
    ContributionFactory(user=newcomer, amount_kobo=100000, created_at=datetime.now(UTC) - timedelta(days=30))
    sign_in(client, world["ada"])
    limit = stats(client)["loan_limit"]
    assert (limit["eligible"], limit["max_kobo"], limit["reasons"]) == (False, 0, [balances.REASON_PENDING])
    assert limit["limit_kobo"] == 1630000  # what she could borrow once the pending one is decided
    assert "already have a loan application" in fragment(client, "loan_limit")
    client.post("/api/auth/logout", headers={"X-CSRFToken": client.csrf_token})
    sign_in(client, newcomer)
    assert stats(client)["loan_limit"]["reasons"] == [balances.REASON_TOO_NEW]


def test_history_shows_latest_ten_own_contributions(client, world):
    sign_in(client, world["ada"])
    items = stats(client)["history"]["items"]
    assert [(i["reference"], i["amount_kobo"]) for i in items] == [
        ("ADA-C4", 25000),
        ("ADA-C3", 50000),
        ("ADA-C2", 200000),
        ("ADA-C1", 100000),
    ]
    for n in range(8):  # older than all four: only the six newest of them (100 … 105 kobo) fit in ten
        ContributionFactory(
            user=world["ada"],
            amount_kobo=100 + n,
            created_at=balances.months_before(world["now"], 7) - timedelta(days=1 + n),
        )
    items = stats(client)["history"]["items"]
    assert len(items) == 10 and items[0]["amount_kobo"] == 25000
    assert [i["amount_kobo"] for i in items[4:]] == [100, 101, 102, 103, 104, 105]
    html = fragment(client, "history")
    assert "₦250.00" in html and "₦1.05" in html and "₦1.06" not in html and "₦9,999.00" not in html


def test_loans_are_own_newest_first_with_repaid(client, world):
    sign_in(client, world["ada"])
    loans = stats(client)["loans"]
    assert [(i["status"], i["amount_kobo"], i["repaid_kobo"], i["left_kobo"]) for i in loans["items"]] == [
        ("ACTIVE", 500000, 120000, 380000),
        ("REJECTED", 70000, 0, 0),
        ("COMPLETED", 100000, 100000, 0),
    ]
    assert loans["outstanding_kobo"] == 380000
    html = fragment(client, "loans")
    assert "badge-active" in html and "₦1,200.00" in html and "₦3,800.00" in html
    assert "Xavier secret plan" not in html


def test_withdrawals_are_own_with_withdrawable_balance(client, world):
    sign_in(client, world["ada"])
    data = stats(client)["withdrawals"]
    assert data["withdrawable_kobo"] == 310000  # 375000 − (40000 + 15000 + 10000)
    assert [(i["status"], i["amount_kobo"]) for i in data["items"]] == [
        ("PENDING", 15000),
        ("APPROVED", 10000),
        ("REJECTED", 99000),
        ("PROCESSED", 40000),
    ]
    html = fragment(client, "withdrawals")
    assert "₦3,100.00" in html and "Rent" in html and "Waiting for finance" in html
    assert "Xavier private reason" not in html and "₦8,888.00" not in html


def test_withdrawable_is_never_negative(client, login_as):
    poor = login_as("MEMBER")
    WithdrawalFactory(user=poor, amount_kobo=5000, status=WithdrawalStatus.PENDING)
    assert stats(client)["withdrawals"]["withdrawable_kobo"] == 0
    assert "You have not made a contribution yet." in fragment(client, "history")
    assert "You have no loans." in fragment(client, "loans")


def test_actions_follow_settings_and_the_loan_rules(client, world):
    sign_in(client, world["ada"])
    actions = stats(client)["actions"]
    assert actions == {
        "cooperative": "Ikeja Artisans",
        "role": "MEMBER",
        "withdrawals_enabled": True,
        "loan_eligible": True,
        "loan_max_kobo": 1630000,
        "loan_reasons": [],
        "withdrawable_kobo": 310000,  # 375000 − (40000 processed + 15000 pending + 10000 approved)
    }
    db.session.add(Setting(key="withdrawals", value={"MEMBER": False, "LEADER": True}))
    db.session.commit()
    html = fragment(client, "actions")
    assert "turned off" in html and "₦16,300.00" in html and "Ikeja Artisans" in html
    assert 'name="reason"' not in html  # no withdrawal form while withdrawals are off


def test_member_cannot_see_another_member_through_the_query(client, world):
    sign_in(client, world["ada"])
    data = stats(client, f"?member={world['xavier'].id}")
    assert data["savings"]["balance_kobo"] == 335000
    assert "Xavier" not in fragment(client, "withdrawals", f"?member={world['xavier'].id}")


def test_super_admin_views_a_chosen_member(client, login_as, world):
    login_as("SUPER_ADMIN")
    assert client.get("/api/member/dashboard-stats").status_code == 422
    data = stats(client, f"?member={world['xavier'].id}")
    assert data["savings"]["balance_kobo"] == 999900
    assert data["loan_limit"]["reasons"] == [balances.REASON_PENDING]
    assert "Xavier secret plan" in fragment(client, "loans", f"?member={world['xavier'].id}")
    assert "Shop rent" not in fragment(client, "loans", f"?member={world['xavier'].id}")


def test_super_admin_viewing_a_leader_sees_the_leader_withdrawal_setting(client, login_as):
    leader = factories.user("LEADER")
    db.session.add(Setting(key="withdrawals", value={"MEMBER": True, "LEADER": False}))
    db.session.commit()
    login_as("SUPER_ADMIN")
    actions = stats(client, f"?member={leader.id}")["actions"]
    assert (actions["role"], actions["withdrawals_enabled"]) == ("LEADER", False)


def test_text_from_members_is_escaped(client, login_as):
    coop = factories.cooperative(name=XSS)
    me = login_as("MEMBER", cooperative_id=coop.id)
    WithdrawalFactory(user=me, amount_kobo=1000, status=WithdrawalStatus.PENDING, reason=XSS)
    LoanFactory(user=me, amount_kobo=1000, status=LoanStatus.PENDING, purpose=XSS)
    for name in ("withdrawals", "loans", "actions"):
        html = fragment(client, name)
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_each_panel_runs_a_fixed_number_of_queries(world):
    expected = {
        "savings": 2,
        "loan_limit": 8,
        "history": 1,
        "loans": 2,
        "withdrawals": 3,
        "actions": 9,
        "notifications": 2,
    }
    scope = Scope(1, Role.SUPER_ADMIN, member_id=world["ada"].id, now=world["now"])
    for panel in member_panels.PANELS:
        _, seen = build_counting(panel, scope)
        assert len(seen) == expected[panel.name], (panel.name, len(seen))


def test_panels_refuse_to_run_without_a_member():
    with pytest.raises(ValueError):
        member_panels.savings(Scope(1, Role.SUPER_ADMIN))
