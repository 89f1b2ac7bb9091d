"""Racing money steps of one member (PostgreSQL): the member's row lock lets only one of two breaking steps pass."""

from __future__ import annotations

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import Role
from nogalss_app.services import balances, loans, transactions, withdrawals
from nogalss_app.services.actor import Actor
from tests import factories
from tests.factories import cooperative_with_saver
from tests.support.clock import NOW
from tests.support.concurrency import run_together
from tests.support.records import interest_free_loans

SAVINGS = 71_000_00
LIMIT = 6 * SAVINGS

pytestmark = pytest.mark.postgres  # SQLite's in-memory test database shares one connection: nothing runs at once


def holds(member_id: int) -> bool:
    """Return whether O ≤ 6 × (S − W) with no negative balance, read afresh."""
    db.session.rollback()
    return balances.position(member_id).holds


def pending_loan_at_the_limit():
    """Return (leader actor, member id, loan id): a member with ₦71,000 saved and a PENDING ₦426,000 application."""
    interest_free_loans()
    leader, member = cooperative_with_saver(SAVINGS)
    loan = loans.apply_for_loan(member.id, {"amount_kobo": LIMIT, "purpose": "Shop", "duration_months": 6}, now=NOW)
    return Actor.of(leader), member.id, loan.id


def kinds(outcomes: list[object]) -> list[str]:
    """Return 'ok' for a call that passed and the exception's class name otherwise, sorted."""
    return sorted("ok" if not isinstance(o, Exception) else type(o).__name__ for o in outcomes)


def test_a_withdrawal_request_and_the_loan_approval_at_once_cannot_both_pass(app):
    leader, member_id, loan_id = pending_loan_at_the_limit()
    db.session.remove()
    steps = [
        lambda: withdrawals.request_withdrawal(member_id, {"amount_kobo": SAVINGS, "reason": "Rent"}, now=NOW),
        lambda: loans.decide_loan(loan_id, "APPROVED", actor=leader, now=NOW),
    ]

    outcomes = run_together(app, 2, lambda i: steps[i]())

    assert kinds(outcomes) in (["Conflict", "ok"], ["ValidationFailed", "ok"]), outcomes
    assert holds(member_id)


def test_withdrawal_processing_and_the_loan_approval_at_once_only_one_passes(app):
    leader, member_id, loan_id = pending_loan_at_the_limit()
    approver, processor = factories.user(Role.FINANCE), factories.user(Role.FINANCE)
    withdrawal = withdrawals.request_withdrawal(member_id, {"amount_kobo": SAVINGS, "reason": "Rent"}, now=NOW)
    withdrawals.decide_withdrawal(withdrawal.id, "APPROVED", actor=Actor.of(approver), now=NOW)
    withdrawal_id, processing = withdrawal.id, Actor.of(processor)
    db.session.remove()
    steps = [
        lambda: withdrawals.decide_withdrawal(withdrawal_id, "PROCESSED", actor=processing, now=NOW),
        lambda: loans.decide_loan(loan_id, "APPROVED", actor=leader, now=NOW),
    ]

    outcomes = run_together(app, 2, lambda i: steps[i]())

    assert kinds(outcomes) == ["Conflict", "ok"], outcomes
    assert isinstance(outcomes[1], Exception)  # the savings were promised to the withdrawal first
    assert holds(member_id)


def test_a_debit_adjustment_and_the_loan_approval_at_once_cannot_both_pass(app):
    leader, member_id, loan_id = pending_loan_at_the_limit()
    admin = factories.user(Role.SUPER_ADMIN).id
    debit = {"type": "ADJUSTMENT", "user_id": member_id, "amount_kobo": SAVINGS, "direction": "debit"}
    db.session.remove()
    steps = [
        lambda: transactions.create_adjustment(debit | {"reason": "Duplicate credit"}, actor_id=admin, now=NOW),
        lambda: loans.decide_loan(loan_id, "APPROVED", actor=leader, now=NOW),
    ]

    outcomes = run_together(app, 2, lambda i: steps[i]())

    assert kinds(outcomes) in (["Conflict", "ok"], ["ValidationFailed", "ok"]), outcomes
    assert holds(member_id)
