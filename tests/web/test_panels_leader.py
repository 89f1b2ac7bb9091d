"""Leader panels: one cooperative's members, contributions, pending loans and leader allocation — never another's."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import (
    Allocation,
    Contribution,
    Cooperative,
    Loan,
    LoanStatus,
    Recipient,
    Role,
    Transaction,
    TxCategory,
    TxStatus,
    TxType,
    Withdrawal,
    WithdrawalStatus,
)
from nogalss_app.services.stats.panels import leader as leader_panels
from nogalss_app.services.stats.scope import Scope
from tests import factories
from tests.support.queries import count_queries

XSS = "<script>alert(1)</script>"
_refs = itertools.count(1)


def add_tx(tx_type, category, user, coop, amount, at) -> Transaction:
    """Insert one SUCCESSFUL ledger line."""
    tx = Transaction(
        reference=f"TEST-{tx_type.value[:3]}-{next(_refs):05d}",
        type=tx_type,
        category=category,
        status=TxStatus.SUCCESSFUL,
        amount_kobo=amount,
        user_id=user.id,
        cooperative_id=coop.id,
        created_at=at,
    )
    db.session.add(tx)
    db.session.flush()
    return tx


def contribute(user, coop, amount, at) -> None:
    """Insert a contribution and its CONTRIBUTION transaction."""
    tx = add_tx(TxType.CONTRIBUTION, TxCategory.SAVINGS, user, coop, amount, at)
    db.session.add(
        Contribution(user_id=user.id, cooperative_id=coop.id, amount_kobo=amount, transaction_id=tx.id, created_at=at)
    )
    db.session.commit()


def withdraw(user, coop, amount, status, at) -> None:
    """Insert a withdrawal request in a given status."""
    db.session.add(
        Withdrawal(
            user_id=user.id,
            cooperative_id=coop.id,
            amount_kobo=amount,
            reason="school fees",
            status=status,
            created_at=at,
        )
    )
    db.session.commit()


def borrow(user, coop, amount, status, at, purpose="Sewing machine", months=6) -> Loan:
    """Insert a loan application in a given status."""
    loan = Loan(
        user_id=user.id,
        cooperative_id=coop.id,
        amount_kobo=amount,
        purpose=purpose,
        duration_months=months,
        status=status,
        created_at=at,
    )
    db.session.add(loan)
    db.session.commit()
    return loan


def allocate(recipient, coop, leader_id, amount, at, payer) -> None:
    """Insert one allocation row (with the fee transaction it belongs to)."""
    tx = add_tx(TxType.FEE, TxCategory.MEMBER_REGISTRATION, payer, coop, 500000, at)
    db.session.add(
        Allocation(
            transaction_id=tx.id,
            recipient=recipient,
            bp=1500,
            amount_kobo=amount,
            fee_kobo=500000,
            payer_user_id=payer.id,
            cooperative_id=coop.id,
            leader_user_id=leader_id,
            created_at=at,
        )
    )
    db.session.commit()


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
    contribute(ada, coop_a, 100000, now - timedelta(days=40))
    contribute(ada, coop_a, 250000, now - timedelta(days=3))
    contribute(bola, coop_a, 50000, now - timedelta(days=2))
    contribute(zed, coop_a, 20000, now - timedelta(days=1))
    contribute(xavier, coop_b, 999900, now - timedelta(days=1))
    # Withdrawals: only PROCESSED ones reduce the savings balance (Ada 30000).
    withdraw(ada, coop_a, 30000, WithdrawalStatus.PROCESSED, now - timedelta(days=1))
    withdraw(ada, coop_a, 10000, WithdrawalStatus.PENDING, now)
    withdraw(bola, coop_a, 5000, WithdrawalStatus.APPROVED, now)
    withdraw(bola, coop_a, 40000, WithdrawalStatus.REJECTED, now)
    withdraw(xavier, coop_b, 100000, WithdrawalStatus.PROCESSED, now)
    # Loans: two PENDING in A (Bola's is older); APPROVED/REJECTED ones and B's pending loan must not show.
    borrow(ada, coop_a, 200000, LoanStatus.PENDING, now - timedelta(days=2), purpose="Shop rent", months=3)
    borrow(bola, coop_a, 150000, LoanStatus.PENDING, now - timedelta(days=5), purpose="Sewing machine", months=6)
    borrow(ada, coop_a, 100000, LoanStatus.APPROVED, now - timedelta(days=30))
    borrow(bola, coop_a, 70000, LoanStatus.REJECTED, now - timedelta(days=20))
    borrow(xavier, coop_b, 888800, LoanStatus.PENDING, now - timedelta(days=9), purpose="Secret B loan")
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
    now, a, b, ada = world["now"], world["a"], world["b"], world["ada"]
    allocate(Recipient.LEADER, a, me.id, 75000, now - timedelta(days=10), ada)  # counts
    allocate(Recipient.LEADER, a, me.id, 75000, now - timedelta(days=5), ada)  # counts
    allocate(Recipient.LEADER, a, world["former"].id, 75000, now - timedelta(days=90), ada)  # former leader's
    allocate(Recipient.APEX_FUNDS, a, me.id, 200000, now - timedelta(days=5), ada)  # another recipient
    allocate(Recipient.LEADER, b, world["leader_b"].id, 75000, now, world["xavier"])  # another cooperative
    allocate(Recipient.LEADER, b, me.id, 12345, now - timedelta(days=400), world["xavier"])  # me, but in B
    return me


def stats(client, query: str = "") -> dict:
    """Return the leader dashboard's JSON stats."""
    response = client.get(f"/api/leader/dashboard-stats{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def fragment(client, name: str, query: str = "") -> str:
    """Return one leader panel fragment's HTML."""
    response = client.get(f"/dashboard/leader/panels/{name}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_data(as_text=True)


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
    borrow(bad, coop, 100000, LoanStatus.PENDING, datetime.now(UTC), purpose=XSS)
    for name in ("loans", "members"):
        html = fragment(client, name)
        assert "<script>alert(1)" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_each_panel_is_one_query_whatever_the_number_of_members(world):
    for n in range(8):
        extra = factories.user("MEMBER", first_name=f"Extra{n}", cooperative_id=world["a"].id)
        contribute(extra, world["a"], 1000 + n, world["now"])
        withdraw(extra, world["a"], 500, WithdrawalStatus.PROCESSED, world["now"])
    scope = Scope(1, Role.SUPER_ADMIN, cooperative_id=world["a"].id, now=world["now"])
    for panel in leader_panels.PANELS:
        db.session.expunge_all()
        with count_queries() as seen:
            data = panel.build(scope)
        assert len(seen) == 1, (panel.name, seen)
    assert len(data["items"]) == 11 and data["items"][2]["savings_balance_kobo"] == 500  # Extra0: 1000 − 500


def test_panels_refuse_to_run_without_a_cooperative():
    with pytest.raises(ValueError):
        leader_panels.overview(Scope(1, Role.SUPER_ADMIN))
