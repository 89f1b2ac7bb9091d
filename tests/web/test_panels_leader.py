"""Leader panels: one cooperative's members, contributions, pending loans and leader allocation — never another's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import Cooperative, LoanStatus, Recipient, Role, WithdrawalStatus
from nogalss_app.services.stats.panels import leader as leader_panels
from nogalss_app.services.stats.scope import Scope
from tests import factories
from tests.factories import AllocationFactory, ContributionFactory, LoanFactory, WithdrawalFactory
from tests.support.bad_inputs import XSS
from tests.support.panels import dashboard_stats, panel_fragment
from tests.support.queries import build_counting


@pytest.fixture
def world():
    """Cooperative A (ours) with three members, and cooperative B whose rows must never show."""
    now = datetime.now(UTC)
    coop_a = factories.cooperative(name="Ikeja Artisans")
    coop_b = factories.cooperative(name="Kano Weavers")
    ada = factories.user("MEMBER", first_name="Ada", last_name="Obi", cooperative_id=coop_a.id)
    bola = factories.user("MEMBER", first_name="Bola", last_name="Ade", cooperative_id=coop_a.id)
    zed = factories.user("MEMBER", first_name="Zed", last_name="Quiet", cooperative_id=coop_a.id, is_active=False)
    factories.user("COOPERATIVE", first_name="Coop", last_name="Contact", cooperative_id=coop_a.id)
    xavier = factories.user("MEMBER", first_name="Xavier", last_name="Outsider", cooperative_id=coop_b.id)
    leader_b = factories.user("LEADER", cooperative_id=coop_b.id)
    former = factories.user("LEADER")  # leads another cooperative now
    # Contributions in A: Ada 100000 + 250000, Bola 50000, Zed 20000 → 420000 in 4 contributions.
    ContributionFactory(user=ada, amount_kobo=100000, created_at=now - timedelta(days=40))
    ContributionFactory(user=ada, amount_kobo=250000, created_at=now - timedelta(days=3))
    ContributionFactory(user=bola, amount_kobo=50000, created_at=now - timedelta(days=2))
    ContributionFactory(user=zed, amount_kobo=20000, created_at=now - timedelta(days=1))
    ContributionFactory(user=xavier, amount_kobo=999900, created_at=now - timedelta(days=1))
    # Withdrawals: only PROCESSED ones reduce the savings balance (Ada 30000).
    for member, amount, status, age in [
        (ada, 30000, WithdrawalStatus.PROCESSED, timedelta(days=1)),
        (ada, 10000, WithdrawalStatus.PENDING, timedelta(0)),
        (bola, 5000, WithdrawalStatus.APPROVED, timedelta(0)),
        (bola, 40000, WithdrawalStatus.REJECTED, timedelta(0)),
        (xavier, 100000, WithdrawalStatus.PROCESSED, timedelta(0)),
    ]:
        WithdrawalFactory(user=member, amount_kobo=amount, status=status, created_at=now - age)
    # Loans: two PENDING in A (Bola's is older); APPROVED/REJECTED ones and B's pending loan must not show.
    for member, amount, status, days, purpose, months in [
        (ada, 200000, LoanStatus.PENDING, 2, "Shop rent", 3),
        (bola, 150000, LoanStatus.PENDING, 5, "Sewing machine", 6),
        (ada, 100000, LoanStatus.APPROVED, 30, "Sewing machine", 6),
        (bola, 70000, LoanStatus.REJECTED, 20, "Sewing machine", 6),
        (xavier, 888800, LoanStatus.PENDING, 9, "Secret B loan", 6),
    ]:
        LoanFactory(
            user=member,
            amount_kobo=amount,
            status=status,
            created_at=now - timedelta(days=days),
            purpose=purpose,
            duration_months=months,
        )
    return {
        "now": now,
        "a": coop_a,
        "b": coop_b,
        "ada": ada,
        "bola": bola,
        "zed": zed,
        "former": former,
        "leader_b": leader_b,
        "xavier": xavier,
    }


def leader_of_a(login_as, world):
    """Sign in as A's leader and give them their allocation rows (and rows that are not theirs)."""
    me = login_as("LEADER", first_name="Lola", last_name="Leader", cooperative_id=world["a"].id)
    now, ada, xavier = world["now"], world["ada"], world["xavier"]
    for recipient, bp, amount, leader_id, payer, days in [
        (Recipient.LEADER, 1500, 75000, me.id, ada, 10),  # counts
        (Recipient.LEADER, 1500, 75000, me.id, ada, 5),  # counts
        (Recipient.LEADER, 1500, 75000, world["former"].id, ada, 90),  # the former leader's
        (Recipient.APEX_FUNDS, 1500, 200000, me.id, ada, 5),  # another recipient
        (Recipient.LEADER, 1500, 75000, world["leader_b"].id, xavier, 0),  # another cooperative
        (Recipient.LEADER, 1500, 12345, me.id, xavier, 400),  # me, but in B
    ]:
        AllocationFactory(
            recipient=recipient,
            bp=bp,
            amount_kobo=amount,
            leader_user_id=leader_id,
            transaction__user=payer,
            transaction__created_at=now - timedelta(days=days),
        )
    return me


stats = partial(dashboard_stats, "leader")
fragment = partial(panel_fragment, "leader")


def test_overview_figures_are_those_of_the_leaders_cooperative(client, login_as, world):
    leader_of_a(login_as, world)
    overview = stats(client)["overview"]
    assert overview == {
        "members_count": 2,  # Ada and Bola: Zed is inactive; the contact and the leader are not MEMBERs
        "contributions_total_kobo": 420000,  # 100000 + 250000 + 50000 + 20000
        "contributions_count": 4,
        "pending_loans_count": 2,
        "pending_loans_total_kobo": 350000,  # 200000 + 150000
        "leader_allocation_kobo": 150000,  # 75000 + 75000 (not the former leader's, not B's, not APEX rows)
    }
    html = fragment(client, "overview")
    for text in ("₦4,200.00", "₦3,500.00", "₦1,500.00"):
        assert text in html
    assert "₦9,999.00" not in html and "₦8,888.00" not in html


def test_loans_lists_pending_applications_oldest_first(client, login_as, world):
    leader_of_a(login_as, world)
    items = stats(client)["loans"]["items"]
    assert [(i["member"], i["amount_kobo"], i["purpose"], i["duration_months"]) for i in items] == [
        ("Bola Ade", 150000, "Sewing machine", 6),
        ("Ada Obi", 200000, "Shop rent", 3),
    ]
    html = fragment(client, "loans")
    assert html.index("Bola Ade") < html.index("Ada Obi")
    assert "₦1,500.00" in html and "₦2,000.00" in html and "6 months" in html
    assert "Secret B loan" not in html and "Xavier" not in html and "₦1,000.00" not in html


def test_members_have_grouped_savings_balances_sorted_by_name(client, login_as, world):
    leader_of_a(login_as, world)
    items = stats(client)["members"]["items"]
    # Ada 350000 − 30000 processed; Bola 50000 (approved/rejected withdrawals do not count); Zed 20000.
    assert [(i["name"], i["savings_balance_kobo"], i["contributions_count"], i["is_active"]) for i in items] == [
        ("Ada Obi", 320000, 2, True),
        ("Bola Ade", 50000, 1, True),
        ("Zed Quiet", 20000, 1, False),
    ]
    html = fragment(client, "members")
    for text in ("₦3,200.00", "₦500.00", "₦200.00", "Inactive"):
        assert text in html
    assert "Xavier" not in html and "Coop Contact" not in html and "Lola" not in html


def test_leader_cannot_reach_another_cooperative_through_the_query(client, login_as, world):
    leader_of_a(login_as, world)
    other = f"?cooperative={world['b'].id}"
    assert stats(client, other)["overview"]["contributions_total_kobo"] == 420000
    assert "Xavier" not in fragment(client, "members", other)


def test_super_admin_views_a_chosen_cooperative(client, login_as, world):
    leader_of_a(login_as, world)
    client.post("/api/auth/logout", headers={"X-CSRFToken": client.csrf_token})
    login_as("SUPER_ADMIN")
    assert client.get("/api/leader/dashboard-stats").status_code == 422
    b = stats(client, f"?cooperative={world['b'].id}")
    assert b["overview"]["contributions_total_kobo"] == 999900
    assert b["overview"]["leader_allocation_kobo"] == 75000  # B's current leader; not 12345 (Lola's, in B)
    assert [i["name"] for i in b["members"]["items"]] == ["Xavier Outsider"]
    assert "Secret B loan" in fragment(client, "loans", f"?cooperative={world['b'].id}")
    assert client.get("/api/leader/dashboard-stats?cooperative=999999").status_code == 404


def test_empty_cooperative_shows_empty_states(client, login_as):
    login_as("LEADER")
    assert stats(client)["overview"]["members_count"] == 0
    assert "No loan applications are waiting" in fragment(client, "loans")
    assert "no members yet" in fragment(client, "members")


def test_member_names_and_purposes_are_escaped(client, login_as):
    me = login_as("LEADER")
    coop = db.session.get(Cooperative, me.cooperative_id)
    bad = factories.user("MEMBER", first_name=XSS, cooperative_id=coop.id)
    LoanFactory(user=bad, amount_kobo=100000, status=LoanStatus.PENDING, purpose=XSS)
    for name in ("loans", "members"):
        html = fragment(client, name)
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_each_panel_is_one_query_whatever_the_number_of_members(world):
    for n in range(8):
        extra = factories.user("MEMBER", first_name=f"Extra{n}", cooperative_id=world["a"].id)
        ContributionFactory(user=extra, amount_kobo=1000 + n, created_at=world["now"])
        WithdrawalFactory(user=extra, amount_kobo=500, status=WithdrawalStatus.PROCESSED, created_at=world["now"])
    scope = Scope(1, Role.SUPER_ADMIN, cooperative_id=world["a"].id, now=world["now"])
    for panel in leader_panels.PANELS:
        built, seen = build_counting(panel, scope)
        # repayments (issue 10): the cooperative's outstanding loans, then their instalments.
        assert len(seen) == (2 if panel.name == "repayments" else 1), (panel.name, seen)
        if panel.name == "members":
            data = built
    assert len(data["items"]) == 11 and data["items"][2]["savings_balance_kobo"] == 500  # Extra0: 1000 − 500


def test_panels_refuse_to_run_without_a_cooperative():
    with pytest.raises(ValueError):
        leader_panels.overview(Scope(1, Role.SUPER_ADMIN))
