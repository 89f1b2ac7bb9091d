"""Every (from, to) pair of the loan, withdrawal and expense state machines, through the real services.

The allowed pairs are written out here from SPEC §3, independently of states.TRANSITIONS, so a wrong table
fails these tests instead of being trusted by them.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import Expense, ExpenseStatus, Loan, LoanStatus, Role, TxType, Withdrawal, WithdrawalStatus
from nogalss_app.services import expenses, loans, repayments, states, withdrawals
from nogalss_app.services.actor import Actor
from nogalss_app.services.errors import Conflict
from tests import factories
from tests.factories import ExpenseFactory, LoanFactory, WithdrawalFactory, saver
from tests.support.clock import NOW
from tests.support.records import ledger_lines
from tests.support.snapshot import row_counts

ALLOWED: dict[type[Enum], set[tuple[str, str]]] = {
    LoanStatus: {("PENDING", "APPROVED"), ("PENDING", "REJECTED"), ("APPROVED", "ACTIVE"), ("ACTIVE", "COMPLETED")},
    WithdrawalStatus: {("PENDING", "APPROVED"), ("PENDING", "REJECTED"), ("APPROVED", "PROCESSED")},
    ExpenseStatus: {("PENDING", "APPROVED"), ("PENDING", "REJECTED"), ("APPROVED", "PAID")},
}
MACHINES = [machine for machine in states.TRANSITIONS if machine in ALLOWED]
PAIRS = [(machine, old, new) for machine in MACHINES for old in machine for new in machine]


def _ids(value: object) -> str:
    """Name parameters readably: LoanStatus, PENDING, APPROVED."""
    return getattr(value, "__name__", None) or getattr(value, "value", str(value))


def test_the_table_in_states_matches_the_specification():
    assert set(MACHINES) == set(ALLOWED)
    for machine, expected in ALLOWED.items():
        table = {(old.value, new.value) for old, nexts in states.TRANSITIONS[machine].items() for new in nexts}
        assert table == expected, machine.__name__


def _loan_mover(old: LoanStatus) -> tuple[Loan, Callable[[LoanStatus], object]]:
    """Return a loan in `old` and a function that asks a super admin (or a repayment) to move it."""
    member = saver(10_000_00)
    admin = factories.user(role=Role.SUPER_ADMIN)
    loan = LoanFactory(user=member, amount_kobo=10_000_00, status=old)

    def move(new: LoanStatus) -> object:
        if (old, new) == (LoanStatus.ACTIVE, LoanStatus.COMPLETED):
            return repayments.record_repayment(loan.id, 10_000_00, actor_id=admin.id, now=NOW)
        return loans.decide_loan(loan.id, new, actor=Actor.of(admin), now=NOW)

    return loan, move


def _withdrawal_mover(old: WithdrawalStatus) -> tuple[Withdrawal, Callable[[WithdrawalStatus], object]]:
    """Return a withdrawal in `old` and a function that asks finance to move it."""
    finance, processor = factories.user(role=Role.FINANCE), factories.user(role=Role.FINANCE)  # four eyes

    def move(new: WithdrawalStatus) -> object:
        by = processor if new is WithdrawalStatus.PROCESSED else finance
        return withdrawals.decide_withdrawal(withdrawal.id, new, actor_id=by.id, now=NOW)

    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00, status=old)
    return withdrawal, move


def _expense_mover(old: ExpenseStatus) -> tuple[Expense, Callable[[ExpenseStatus], object]]:
    """Return an expense in `old` and a function that asks a super admin to move it."""
    admin = factories.user(role=Role.SUPER_ADMIN)
    expense = ExpenseFactory(amount_kobo=1_000_00, status=old)
    return expense, lambda new: expenses.decide_expense(expense.id, new, actor_id=admin.id, now=NOW)


MOVERS = {LoanStatus: _loan_mover, WithdrawalStatus: _withdrawal_mover, ExpenseStatus: _expense_mover}


@pytest.mark.parametrize(("machine", "old", "new"), PAIRS, ids=_ids)
def test_every_status_change_is_allowed_or_refused_as_the_specification_says(machine, old, new):
    row, move = MOVERS[machine](old)
    row_id, model = row.id, type(row)
    before = row_counts()

    if (old.value, new.value) in ALLOWED[machine]:
        move(new)
        assert db.session.get(model, row_id).status is new
        assert row_counts()["change_log"] > before["change_log"]
        assert row_counts()["audit_logs"] == before["audit_logs"] + 1
    else:
        with pytest.raises(Conflict):
            move(new)
        assert row_counts() == before
        assert db.session.get(model, row_id).status is old


def test_only_approval_and_processing_move_money():
    """Approving a loan disburses it; processing a withdrawal pays it; the other steps write no ledger line."""
    loan, move_loan = _loan_mover(LoanStatus.PENDING)
    move_loan(LoanStatus.APPROVED)
    move_loan_on = _loan_mover(LoanStatus.APPROVED)[1]
    move_loan_on(LoanStatus.ACTIVE)
    withdrawal, move_withdrawal = _withdrawal_mover(WithdrawalStatus.PENDING)
    move_withdrawal(WithdrawalStatus.APPROVED)
    assert ledger_lines(TxType.WITHDRAWAL) == []
    move_withdrawal(WithdrawalStatus.PROCESSED)

    assert [tx.loan_id for tx in ledger_lines(TxType.LOAN_DISBURSEMENT)] == [loan.id]
    assert [tx.id for tx in ledger_lines(TxType.WITHDRAWAL)] == [
        db.session.get(Withdrawal, withdrawal.id).transaction_id
    ]
