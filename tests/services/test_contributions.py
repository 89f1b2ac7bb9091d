"""Contributions: a member or leader opens a payment; once paid it is one transaction and one contribution."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import (
    AuditLog,
    ChangeLog,
    Contribution,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Role,
    Transaction,
    TxCategory,
    TxStatus,
    TxType,
)
from nogalss_app.services import contributions
from nogalss_app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from nogalss_app.services.payments import confirm_payment
from tests import factories

COUNTED = (Payment, Transaction, Contribution, ChangeLog, AuditLog)


def row_counts() -> dict[str, int]:
    """Count the rows of every table a contribution could write to."""
    return {m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in COUNTED}


def test_a_members_contribution_is_credited_once_the_gateway_confirms_it():
    member = factories.user(role=Role.MEMBER, first_name="Ada", last_name="Obi")
    paid_at = datetime(2025, 11, 3, 14, 0, tzinfo=UTC)

    pending = contributions.start_contribution(member.id, 2_500_00)
    assert (pending.status, pending.purpose, pending.amount_kobo, pending.user_id, pending.cooperative_id) == (
        PaymentStatus.PENDING,
        PaymentPurpose.CONTRIBUTION,
        2_500_00,
        member.id,
        member.cooperative_id,
    )
    assert row_counts()["transactions"] == row_counts()["contributions"] == 0

    payment = confirm_payment(
        pending.reference, amount_kobo=2_500_00, currency="NGN", gateway_status="success", now=paid_at
    )

    tx = db.session.get(Transaction, payment.transaction_id)
    saving = db.session.scalar(sa.select(Contribution))
    assert (tx.type, tx.category, tx.status, tx.amount_kobo) == (
        TxType.CONTRIBUTION,
        TxCategory.SAVINGS,
        TxStatus.SUCCESSFUL,
        2_500_00,
    )
    assert (tx.user_id, tx.cooperative_id, tx.reference, tx.created_at) == (
        member.id,
        member.cooperative_id,
        payment.reference,
        paid_at,
    )
    assert (saving.transaction_id, saving.user_id, saving.amount_kobo, saving.created_at) == (
        tx.id,
        member.id,
        2_500_00,
        paid_at,
    )
    assert payment.completed_at == paid_at


def test_the_member_their_cooperative_and_staff_hear_of_the_contribution():
    member = factories.user(role=Role.MEMBER, first_name="Ada", last_name="Obi")
    pending = contributions.start_contribution(member.id, 1_000_00)

    confirm_payment(pending.reference, amount_kobo=1_000_00, currency="NGN", gateway_status="success")

    signal = db.session.scalar(sa.select(ChangeLog).where(ChangeLog.event == "payment.succeeded"))
    assert set(signal.topics) >= {"contributions", "transactions"}
    assert set(signal.rooms) >= {
        f"user:{member.id}",
        f"coop:{member.cooperative_id}",
        "role:SUPER_ADMIN",
        "role:FINANCE",
        "role:APEX",
    }
    assert signal.summary == "Ada Obi made a contribution" and signal.actor_id == member.id
    assert signal.emitted_at is not None


def test_a_leader_may_contribute_too():
    leader = factories.user(role=Role.LEADER)

    pending = contributions.start_contribution(leader.id, 500_00)
    confirm_payment(pending.reference, amount_kobo=500_00, currency="NGN", gateway_status="success")

    assert db.session.scalar(sa.select(Contribution.user_id)) == leader.id


@pytest.mark.parametrize("amount", [0, -1_00, 10.5, "1000", True, None, 100_000_000_00 + 1])
def test_an_amount_that_is_not_positive_whole_kobo_within_the_limit_is_refused(amount):
    member = factories.user(role=Role.MEMBER)
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        contributions.start_contribution(member.id, amount)

    assert list(refused.value.fields) == ["amount_kobo"]
    assert row_counts() == before


def test_the_caller_may_set_a_lower_maximum():
    member = factories.user(role=Role.MEMBER)

    with pytest.raises(ValidationFailed):
        contributions.start_contribution(member.id, 5_000_01, maximum_kobo=5_000_00)
    accepted = contributions.start_contribution(member.id, 5_000_00, maximum_kobo=5_000_00)

    assert accepted.amount_kobo == 5_000_00 and row_counts()["payments"] == 1


@pytest.mark.parametrize(
    ("make_user", "error"),
    [
        (lambda: factories.user(role=Role.FINANCE), Forbidden),
        (lambda: factories.user(role=Role.COOPERATIVE, cooperative_id=factories.cooperative().id), Forbidden),
        (lambda: factories.user(role=Role.MEMBER, is_active=False), Forbidden),
        (lambda: factories.user(role=Role.MEMBER, cooperative_id=None), Conflict),
        (lambda: factories.user(role=Role.MEMBER, cooperative_id=factories.cooperative(is_active=False).id), Conflict),
    ],
)
def test_only_active_members_and_leaders_of_an_active_cooperative_may_contribute(make_user, error):
    user = make_user()
    before = row_counts()

    with pytest.raises(error):
        contributions.start_contribution(user.id, 1_000_00)

    assert row_counts() == before


def test_an_unknown_user_is_not_found():
    with pytest.raises(NotFound):
        contributions.start_contribution(424242, 1_000_00)

    assert row_counts()["payments"] == 0
