"""The ledger: each paid registration fee is split into five allocation rows, fixed at the rates of that moment."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import (
    Allocation,
    Payment,
    PaymentStatus,
    Recipient,
    Role,
    Transaction,
    TxCategory,
    TxStatus,
    TxType,
    User,
)
from nogalss_app.services import contributions, ledger, registration, settings
from nogalss_app.services.payments import confirm_payment
from tests import factories
from tests.support.sign_ups import cooperative_data, member_data

NEW_SPLIT = {
    "apex_funds_bp": 5000,
    "nogalss_funds_bp": 2000,
    "cooperative_bp": 1000,
    "leader_bp": 1000,
    "parent_organization_bp": 1000,
}


def pay_member_fee(coop, email: str, now: datetime | None = None) -> Payment:
    """Register a member of the cooperative and let the gateway confirm the fee."""
    payment = registration.start_member_registration(member_data(coop, email=email), now=now)
    return confirm_payment(
        payment.reference, amount_kobo=payment.amount_kobo, currency="NGN", gateway_status="success", now=now
    )


def shares_of(payment: Payment) -> dict[Recipient, tuple[int, int]]:
    """Return recipient → (bp, amount_kobo) for the fee a payment recorded."""
    rows = db.session.scalars(sa.select(Allocation).where(Allocation.transaction_id == payment.transaction_id))
    return {row.recipient: (row.bp, row.amount_kobo) for row in rows}


def test_new_references_are_unique_and_carry_their_prefix():
    references = {ledger.new_reference("FEE") for _ in range(2000)}

    assert len(references) == 2000
    assert all(re.fullmatch(r"NGS-FEE-[0-9A-F]{16}", reference) for reference in references)
    with pytest.raises(ValueError):
        ledger.new_reference("fee; DROP")


def test_record_transaction_adds_a_line_but_leaves_the_commit_to_the_caller():
    member = factories.user(role=Role.MEMBER)

    tx = ledger.record_transaction(
        tx_type=TxType.ADJUSTMENT, category=TxCategory.MANUAL, amount_kobo=1_00, user_id=member.id
    )
    assert tx.id is not None and tx.reference.startswith("NGS-ADJ-")
    db.session.rollback()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transaction)) == 0


def test_an_odd_member_fee_is_split_into_five_rows_that_add_up_to_the_last_kobo():
    leader = factories.user(role=Role.LEADER)
    coop = leader.cooperative
    settings.update_fees({"member_fee_kobo": 5_000_03}, actor_id=None)

    payment = pay_member_fee(coop, "ada@example.test")

    member = db.session.scalar(sa.select(User).where(User.email == "ada@example.test"))
    fee = db.session.get(Transaction, payment.transaction_id)
    assert (fee.type, fee.category, fee.status, fee.amount_kobo) == (
        TxType.FEE,
        TxCategory.MEMBER_REGISTRATION,
        TxStatus.SUCCESSFUL,
        5_000_03,
    )
    # 40/20/20/15/5 % of 500,003 kobo; the two spare kobo go to the largest remainders (Nogalss, cooperative).
    assert shares_of(payment) == {
        Recipient.APEX_FUNDS: (4000, 200_001),
        Recipient.NOGALSS_FUNDS: (2000, 100_001),
        Recipient.COOPERATIVE: (2000, 100_001),
        Recipient.LEADER: (1500, 75_000),
        Recipient.PARENT_ORGANIZATION: (500, 25_000),
    }
    rows = db.session.scalars(sa.select(Allocation).where(Allocation.transaction_id == fee.id)).all()
    assert sum(row.amount_kobo for row in rows) == fee.amount_kobo
    for row in rows:
        assert (row.fee_kobo, row.payer_user_id, row.cooperative_id) == (5_000_03, member.id, coop.id)
        assert (row.leader_user_id, row.parent_organization_id) == (leader.id, coop.parent_organization_id)


def test_a_later_change_of_percentages_leaves_earlier_fees_alone_and_applies_to_the_next_fee():
    coop = factories.cooperative()
    first = pay_member_fee(coop, "first@example.test")
    before_change = shares_of(first)

    settings.update_allocation(NEW_SPLIT, actor_id=None)
    second = pay_member_fee(coop, "second@example.test")

    assert shares_of(first) == before_change
    assert before_change == {
        Recipient.APEX_FUNDS: (4000, 2_000_00),
        Recipient.NOGALSS_FUNDS: (2000, 1_000_00),
        Recipient.COOPERATIVE: (2000, 1_000_00),
        Recipient.LEADER: (1500, 750_00),
        Recipient.PARENT_ORGANIZATION: (500, 250_00),
    }
    assert shares_of(second) == {
        Recipient.APEX_FUNDS: (5000, 2_500_00),
        Recipient.NOGALSS_FUNDS: (2000, 1_000_00),
        Recipient.COOPERATIVE: (1000, 500_00),
        Recipient.LEADER: (1000, 500_00),
        Recipient.PARENT_ORGANIZATION: (1000, 500_00),
    }


def test_without_a_leader_in_office_the_leader_share_names_nobody():
    coop = factories.cooperative()

    payment = pay_member_fee(coop, "ada@example.test")

    rows = db.session.scalars(sa.select(Allocation).where(Allocation.transaction_id == payment.transaction_id)).all()
    assert len(rows) == 5
    assert {row.leader_user_id for row in rows} == {None}


def test_a_cooperative_fee_is_split_for_the_new_cooperative_and_its_parent_organization():
    parent = factories.parent_org()
    pending = registration.start_cooperative_registration(cooperative_data(parent.id))

    payment = confirm_payment(pending.reference, amount_kobo=50_000_00, currency="NGN", gateway_status="success")

    fee = db.session.get(Transaction, payment.transaction_id)
    rows = db.session.scalars(sa.select(Allocation).where(Allocation.transaction_id == fee.id)).all()
    assert fee.category is TxCategory.COOPERATIVE_REGISTRATION and fee.amount_kobo == 50_000_00
    assert sum(row.amount_kobo for row in rows) == 50_000_00 and len(rows) == 5
    assert {(r.cooperative_id, r.parent_organization_id, r.payer_user_id) for r in rows} == {
        (payment.cooperative_id, parent.id, payment.user_id)
    }


def test_backdated_history_keeps_the_moment_it_was_paid():
    coop = factories.cooperative()
    last_year = datetime(2025, 3, 14, 9, 30, tzinfo=UTC)

    payment = pay_member_fee(coop, "ada@example.test", now=last_year)

    fee = db.session.get(Transaction, payment.transaction_id)
    rows = db.session.scalars(sa.select(Allocation).where(Allocation.transaction_id == fee.id)).all()
    assert payment.status is PaymentStatus.SUCCESSFUL and payment.completed_at == last_year
    assert fee.created_at == last_year
    assert {row.created_at for row in rows} == {last_year}


def test_a_contribution_payment_is_not_a_registration_fee():
    member = factories.user(role=Role.MEMBER)
    payment = contributions.start_contribution(member.id, 1_000_00)

    with pytest.raises(ValueError):
        ledger.record_registration_fee(payment, payer_user_id=member.id, cooperative=member.cooperative)
    db.session.rollback()

    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transaction)) == 0
