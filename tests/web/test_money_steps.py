"""Four eyes on withdrawals (BAD_INPUTS 34), paid expenses in the ledger, and adjustments that move savings."""

from __future__ import annotations

import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import Expense, Role, Transaction, TxCategory, TxType, Withdrawal, WithdrawalStatus
from nogalss_app.services import balances
from tests import factories
from tests.factories import ExpenseFactory, LoanFactory, WithdrawalFactory, saver
from tests.support.client import send, sign_in
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts


def test_the_finance_officer_who_approved_a_withdrawal_cannot_process_it(app, client, login_as):
    finance = login_as("FINANCE")
    member = saver(10_000_00)
    withdrawal = WithdrawalFactory(user=member, amount_kobo=4_000_00)
    url = f"/api/finance/withdrawals/{withdrawal.id}"
    assert send(client, "PATCH", url, {"status": "APPROVED"}).status_code == 200
    before = table_counts()

    refused = send(client, "PATCH", url, {"status": "PROCESSED"})

    assert refused.status_code == 409
    assert_error_shape(refused, 409, "conflict")
    assert "another staff member must process it" in refused.get_json()["error"]["message"]
    assert_nothing_changed(before)
    db.session.rollback()
    assert db.session.get(Withdrawal, withdrawal.id).processed_by_id is None
    other = sign_in(app.test_client(), factories.user(Role.FINANCE))
    assert send(other, "PATCH", url, {"status": "PROCESSED"}).status_code == 200
    assert balances.savings_balance_kobo(member.id) == 6_000_00
    assert finance.id == db.session.get(Withdrawal, withdrawal.id).decided_by_id


def test_a_super_admin_may_process_a_withdrawal_they_approved(client, login_as):
    admin = login_as("SUPER_ADMIN")
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00)
    url = f"/api/admin/withdrawals/{withdrawal.id}"

    approved = send(client, "PATCH", url, {"status": "APPROVED"})
    processed = send(client, "PATCH", url, {"status": "PROCESSED"})

    assert (approved.status_code, processed.status_code) == (200, 200)
    db.session.rollback()
    stored = db.session.get(Withdrawal, withdrawal.id)
    assert (stored.status, stored.decided_by_id, stored.processed_by_id) == (
        WithdrawalStatus.PROCESSED,
        admin.id,
        admin.id,
    )


def test_a_paid_expense_writes_an_expense_line_counted_in_finance_outflow_and_net(app, client, login_as):
    login_as("SUPER_ADMIN")
    expense = ExpenseFactory(amount_kobo=3_500_00, status="APPROVED")

    paid = send(client, "PUT", f"/api/admin/expenses/{expense.id}/status", {"status": "PAID"})

    assert paid.status_code == 200
    db.session.rollback()
    [tx] = db.session.scalars(sa.select(Transaction).where(Transaction.type == TxType.EXPENSE)).all()
    assert (tx.category, tx.amount_kobo, db.session.get(Expense, expense.id).transaction_id) == (
        TxCategory.EXPENSE,
        3_500_00,
        tx.id,
    )
    finance = sign_in(app.test_client(), factories.user(Role.FINANCE))
    overview = finance.get("/api/finance/dashboard-stats").get_json()["overview"]
    assert (overview["outflow_kobo"], overview["net_kobo"]) == (3_500_00, -3_500_00)


def adjust(client, member, direction: str, amount_kobo: int):
    """Record a SUCCESSFUL manual adjustment of the member's savings."""
    body = {"type": "ADJUSTMENT", "user_id": member.id, "amount_kobo": amount_kobo, "direction": direction}
    return send(client, "POST", "/api/admin/transactions", body | {"reason": "Teller correction"})


def test_credit_and_debit_adjustments_move_the_members_savings(client, login_as):
    login_as("SUPER_ADMIN")
    member = saver(10_000_00)

    assert adjust(client, member, "credit", 2_000_00).status_code == 201
    assert adjust(client, member, "debit", 5_000_00).status_code == 201

    db.session.rollback()
    assert balances.savings_balance_kobo(member.id) == 7_000_00


def test_a_debit_above_the_free_savings_is_refused_and_changes_nothing(client, login_as):
    login_as("SUPER_ADMIN")
    member = saver(10_000_00)
    LoanFactory(user=member, amount_kobo=30_000_00, status="ACTIVE")  # ₦5,000 of savings back it
    before = table_counts()

    refused = adjust(client, member, "debit", 5_000_01)

    assert refused.status_code == 422
    assert "₦5,000.00" in refused.get_json()["error"]["fields"]["amount_kobo"]
    assert_nothing_changed(before)
    assert adjust(client, member, "debit", 5_000_00).status_code == 201
    db.session.rollback()
    assert balances.position(member.id).holds
