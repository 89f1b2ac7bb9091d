"""Withdrawals: a saver asks for money back, finance approves and processes it, the balance follows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import Notification, Role, TxCategory, TxStatus, TxType, Withdrawal, WithdrawalStatus
from nogalss_app.services import balances, settings, withdrawals
from nogalss_app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests import factories
from tests.factories import WithdrawalFactory, saver
from tests.support.clock import NOW
from tests.support.concurrency import run_together
from tests.support.records import change, ledger_lines
from tests.support.snapshot import row_counts

REQUEST = {"amount_kobo": 4_000_00, "reason": "School fees"}


def notified(user_id: int) -> list[str]:
    """Return the titles of a user's in-app notifications."""
    return list(db.session.scalars(sa.select(Notification.title).where(Notification.user_id == user_id)))


def test_a_member_asks_for_a_withdrawal_and_finance_is_told():
    member = saver(10_000_00)
    finance = factories.user(role=Role.FINANCE)
    admin = factories.user(role=Role.SUPER_ADMIN)
    retired = factories.user(role=Role.FINANCE, is_active=False)
    apex = factories.user(role=Role.APEX)

    withdrawal = withdrawals.request_withdrawal(member.id, REQUEST, now=NOW)

    stored = db.session.get(Withdrawal, withdrawal.id)
    assert (stored.status, stored.amount_kobo, stored.reason) == (WithdrawalStatus.PENDING, 4_000_00, "School fees")
    assert (stored.user_id, stored.cooperative_id, stored.created_at) == (member.id, member.cooperative_id, NOW)
    topics, rooms = change("withdrawal.requested")
    assert {"withdrawals", "notifications"} <= set(topics)
    assert rooms == ["role:FINANCE", "role:SUPER_ADMIN", f"user:{member.id}"]
    assert notified(finance.id) == notified(admin.id) == ["New withdrawal request"]
    assert notified(retired.id) == notified(apex.id) == notified(member.id) == []
    topics, rooms = change("notification.created")
    assert "notifications" in topics
    assert [room for room in rooms if not room.startswith("role:")] == sorted(
        [f"user:{finance.id}", f"user:{admin.id}"]
    )
    assert balances.withdrawable_kobo(member.id) == 6_000_00


def test_a_leader_may_withdraw_too_and_slipped_in_fields_are_ignored():
    leader = saver(10_000_00, role=Role.LEADER)

    withdrawal = withdrawals.request_withdrawal(leader.id, REQUEST | {"status": "PROCESSED", "user_id": 1}, now=NOW)

    assert (withdrawal.status, withdrawal.user_id) == (WithdrawalStatus.PENDING, leader.id)


@pytest.mark.parametrize("role", ["MEMBER", "LEADER"])
def test_withdrawals_switched_off_for_a_role_are_forbidden(role):
    member = saver(10_000_00, role=Role(role))
    admin = factories.user(role=Role.SUPER_ADMIN)
    settings.update_withdrawals({role: False}, actor_id=admin.id)
    before = row_counts()

    with pytest.raises(Forbidden) as refused:
        withdrawals.request_withdrawal(member.id, REQUEST, now=NOW)

    assert refused.value.message == "withdrawals are disabled for your role"
    assert row_counts() == before


def test_only_the_switched_off_role_is_refused():
    member = saver(10_000_00)
    settings.update_withdrawals({"LEADER": False}, actor_id=factories.user(role=Role.SUPER_ADMIN).id)

    assert withdrawals.request_withdrawal(member.id, REQUEST, now=NOW).status is WithdrawalStatus.PENDING


def test_staff_cannot_request_withdrawals():
    finance = factories.user(role=Role.FINANCE)

    with pytest.raises(Forbidden):
        withdrawals.request_withdrawal(finance.id, REQUEST, now=NOW)


def test_asking_for_more_than_the_withdrawable_balance_is_refused_and_it_never_goes_negative():
    member = saver(10_000_00)
    WithdrawalFactory(user=member, amount_kobo=7_000_00, status=WithdrawalStatus.APPROVED)
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        withdrawals.request_withdrawal(member.id, REQUEST, now=NOW)

    assert "₦3,000.00" in refused.value.fields["amount_kobo"]
    assert row_counts() == before
    withdrawals.request_withdrawal(member.id, REQUEST | {"amount_kobo": 3_000_00}, now=NOW)
    assert balances.withdrawable_kobo(member.id) == 0
    with pytest.raises(ValidationFailed):
        withdrawals.request_withdrawal(member.id, REQUEST | {"amount_kobo": 1}, now=NOW)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount_kobo", -5000),
        ("amount_kobo", 0),
        ("amount_kobo", 100_000_000 * 100 + 1),
        ("amount_kobo", 10**25),
        ("amount_kobo", 100.5),
        ("amount_kobo", "100"),
        ("amount_kobo", True),
        ("amount_kobo", None),
        ("reason", "ab"),
        ("reason", "x" * 501),
        ("reason", "   "),
    ],
)
def test_a_malformed_request_is_refused_and_nothing_is_written(field, value):
    member = saver(10_000_00)
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        withdrawals.request_withdrawal(member.id, REQUEST | {field: value}, now=NOW)

    assert list(refused.value.fields) == [field]
    assert row_counts() == before


def test_finance_approves_then_processes_and_the_money_leaves_once():
    member = saver(10_000_00)
    finance = factories.user(role=Role.FINANCE)
    withdrawal = withdrawals.request_withdrawal(member.id, REQUEST, now=NOW)

    second = factories.user(role=Role.FINANCE)  # four eyes: the approver may not also process it

    withdrawals.decide_withdrawal(withdrawal.id, "APPROVED", actor_id=finance.id, now=NOW)
    assert ledger_lines(TxType.WITHDRAWAL) == []
    withdrawals.decide_withdrawal(withdrawal.id, "PROCESSED", actor_id=second.id, notes="Paid to bank", now=NOW)

    stored = db.session.get(Withdrawal, withdrawal.id)
    [tx] = ledger_lines(TxType.WITHDRAWAL)
    assert (stored.status, stored.transaction_id, stored.notes) == (WithdrawalStatus.PROCESSED, tx.id, "Paid to bank")
    assert (stored.decided_by_id, stored.processed_by_id) == (finance.id, second.id)
    assert (tx.status, tx.category, tx.amount_kobo, tx.user_id) == (
        TxStatus.SUCCESSFUL,
        TxCategory.WITHDRAWAL,
        4_000_00,
        member.id,
    )
    expected_rooms = sorted(["role:FINANCE", "role:SUPER_ADMIN", f"coop:{member.cooperative_id}", f"user:{member.id}"])
    assert change("withdrawal.approved")[1] == expected_rooms
    topics, rooms = change("withdrawal.processed")
    assert {"withdrawals", "transactions"} <= set(topics) and rooms == expected_rooms
    assert notified(member.id) == ["Your withdrawal was approved", "Your withdrawal was processed"]
    assert (balances.savings_balance_kobo(member.id), balances.withdrawable_kobo(member.id)) == (6_000_00, 6_000_00)


def test_processing_twice_writes_one_withdrawal_transaction():
    member = saver(10_000_00)
    finance = factories.user(role=Role.FINANCE)
    withdrawal = WithdrawalFactory(user=member, amount_kobo=4_000_00, status=WithdrawalStatus.APPROVED)
    withdrawals.decide_withdrawal(withdrawal.id, "PROCESSED", actor_id=finance.id, now=NOW)
    before = row_counts()

    with pytest.raises(Conflict):
        withdrawals.decide_withdrawal(withdrawal.id, "PROCESSED", actor_id=finance.id, now=NOW)

    assert len(ledger_lines(TxType.WITHDRAWAL)) == 1
    assert row_counts() == before


def test_a_rejected_withdrawal_cannot_be_processed_and_frees_the_money():
    member = saver(10_000_00)
    finance = factories.user(role=Role.FINANCE)
    withdrawal = withdrawals.request_withdrawal(member.id, REQUEST, now=NOW)
    withdrawals.decide_withdrawal(withdrawal.id, "REJECTED", actor_id=finance.id, notes="Missing details", now=NOW)
    before = row_counts()

    with pytest.raises(Conflict) as refused:
        withdrawals.decide_withdrawal(withdrawal.id, "PROCESSED", actor_id=finance.id, now=NOW)

    assert "REJECTED" in refused.value.message
    assert row_counts() == before
    assert db.session.get(Withdrawal, withdrawal.id).status is WithdrawalStatus.REJECTED
    assert balances.withdrawable_kobo(member.id) == 10_000_00


def test_an_unknown_withdrawal_is_not_found():
    with pytest.raises(NotFound):
        withdrawals.decide_withdrawal(999_999, "APPROVED", actor_id=None, now=NOW)


@pytest.mark.postgres  # SQLite's in-memory test database shares one connection: nothing runs concurrently
def test_two_finance_officers_approving_at_once_only_one_succeeds(app):
    member = saver(10_000_00)
    officers = [factories.user(role=Role.FINANCE).id, factories.user(role=Role.FINANCE).id]
    withdrawal_id = WithdrawalFactory(user=member, amount_kobo=4_000_00).id
    db.session.remove()

    outcomes = run_together(
        app, 2, lambda i: withdrawals.decide_withdrawal(withdrawal_id, "APPROVED", actor_id=officers[i], now=NOW).id
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["Conflict", "int"], outcomes
    change("withdrawal.approved")  # exactly one signal: the loser recorded nothing
    winner = officers[outcomes.index(withdrawal_id)]
    stored = db.session.get(Withdrawal, withdrawal_id)
    assert (stored.status, stored.decided_by_id) == (WithdrawalStatus.APPROVED, winner)


@pytest.mark.postgres  # SQLite's in-memory test database shares one connection: nothing runs concurrently
def test_two_requests_of_one_member_at_once_cannot_overdraw(app):
    member_id = saver(10_000_00).id
    db.session.remove()

    outcomes = run_together(
        app, 2, lambda i: withdrawals.request_withdrawal(member_id, REQUEST | {"amount_kobo": 6_000_00}, now=NOW).id
    )

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["ValidationFailed", "int"], outcomes
    assert balances.withdrawable_kobo(member_id) == 4_000_00
