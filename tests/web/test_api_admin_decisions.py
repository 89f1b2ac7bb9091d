"""A super admin decides withdrawals and expenses through the JSON API (the same verbs finance uses)."""

from __future__ import annotations

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import (
    Expense,
    ExpenseStatus,
    TxType,
    Withdrawal,
    WithdrawalStatus,
)
from tests import factories
from tests.factories import ExpenseFactory, WithdrawalFactory, saver
from tests.support.client import send, sign_in
from tests.support.concurrency import run_together
from tests.support.records import ledger_lines, signals
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts


@pytest.fixture
def admin(login_as):
    """A signed-in super admin."""
    return login_as("SUPER_ADMIN")


# Withdrawals --------------------------------------------------------------------------------------------------


def test_a_super_admin_approves_then_processes_a_withdrawal(client, admin):
    member = saver(10_000_00)
    withdrawal = WithdrawalFactory(user=member, amount_kobo=4_000_00)
    url = f"/api/admin/withdrawals/{withdrawal.id}"

    approved = send(client, "PATCH", url, json={"status": "APPROVED", "notes": "Checked the passbook"})
    processed = send(client, "PATCH", url, json={"status": "processed"})

    assert approved.status_code == 200 and approved.get_json()["status"] == "APPROVED"
    assert approved.get_json()["notes"] == "Checked the passbook"
    assert approved.get_json()["decided_by_id"] == admin.id
    assert processed.status_code == 200 and processed.get_json()["status"] == "PROCESSED"
    [line] = ledger_lines(TxType.WITHDRAWAL)
    assert (line.amount_kobo, line.user_id, line.created_by_id) == (4_000_00, member.id, admin.id)
    assert processed.get_json()["transaction_id"] == line.id
    [change] = signals("withdrawal.approved")
    assert change.rooms == sorted(
        ["role:FINANCE", "role:SUPER_ADMIN", f"coop:{member.cooperative_id}", f"user:{member.id}"]
    )
    [change] = signals("withdrawal.processed")
    assert {"withdrawals", "transactions"} <= set(change.topics)


def test_a_rejected_withdrawal_cannot_be_processed(client, admin):
    member = saver(10_000_00)
    withdrawal = WithdrawalFactory(user=member, amount_kobo=4_000_00, status=WithdrawalStatus.REJECTED)
    before = table_counts()

    error = assert_error_shape(
        send(client, "PATCH", f"/api/admin/withdrawals/{withdrawal.id}", json={"status": "PROCESSED"}), 409, "conflict"
    )

    assert "REJECTED" in error["message"] and "PROCESSED" in error["message"]
    assert_nothing_changed(before)
    assert db.session.get(Withdrawal, withdrawal.id).status is WithdrawalStatus.REJECTED
    assert ledger_lines(TxType.WITHDRAWAL) == []


@pytest.mark.parametrize(
    "body", [{}, {"status": "PAID"}, {"status": None}, {"status": ["APPROVED"]}, {"status": "APPROVED", "notes": 7}]
)
def test_a_bad_withdrawal_decision_is_refused_with_422(client, admin, body):
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00)
    before = table_counts()

    assert_error_shape(send(client, "PATCH", f"/api/admin/withdrawals/{withdrawal.id}", json=body), 422)

    assert_nothing_changed(before)


@pytest.mark.parametrize("path", ["999999", "abc", "0", "9999999999999999999999"])
def test_unknown_withdrawals_and_expenses_are_not_found(client, admin, path):
    assert_error_shape(send(client, "PATCH", f"/api/admin/withdrawals/{path}", json={"status": "APPROVED"}), 404)
    assert_error_shape(send(client, "PUT", f"/api/admin/expenses/{path}/status", json={"status": "APPROVED"}), 404)


@pytest.mark.postgres  # SQLite's in-memory test database shares one connection: nothing runs concurrently
def test_two_super_admins_approving_at_once_one_wins_and_the_money_leaves_once(app, client, login_as):
    withdrawal_id = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00).id
    first = login_as("SUPER_ADMIN")
    admins = [sign_in(app.test_client(), first), sign_in(app.test_client(), factories.user(role="SUPER_ADMIN"))]
    db.session.remove()
    url = f"/api/admin/withdrawals/{withdrawal_id}"

    statuses = sorted(
        run_together(app, 2, lambda i: send(admins[i], "PATCH", url, json={"status": "APPROVED"}).status_code)
    )

    assert statuses == [200, 409]
    assert len(signals("withdrawal.approved")) == 1
    processed = send(client, "PATCH", url, json={"status": "PROCESSED"})
    again = send(client, "PATCH", url, json={"status": "PROCESSED"})
    assert processed.status_code == 200 and again.status_code == 409
    assert len(ledger_lines(TxType.WITHDRAWAL)) == 1


# Expenses -----------------------------------------------------------------------------------------------------


def test_a_super_admin_approves_then_pays_an_expense(client, admin):
    expense = ExpenseFactory()
    url = f"/api/admin/expenses/{expense.id}/status"

    approved = send(client, "PUT", url, json={"status": "APPROVED", "notes": "Within budget"})
    paid = send(client, "PUT", url, json={"status": "PAID"})

    assert approved.status_code == 200 and approved.get_json()["status"] == "APPROVED"
    assert approved.get_json()["notes"] == "Within budget" and approved.get_json()["decided_by_id"] == admin.id
    assert paid.status_code == 200 and paid.get_json()["status"] == "PAID"
    db.session.expire_all()
    assert db.session.get(Expense, expense.id).status is ExpenseStatus.PAID
    [change] = signals("expense.paid")
    # A paid expense writes its EXPENSE ledger line, so the ledger panels refresh too.
    assert change.topics == ["activity", "expenses", "transactions"] and change.rooms == [
        "role:FINANCE",
        "role:SUPER_ADMIN",
    ]


@pytest.mark.parametrize(
    ("current", "new"),
    [
        (ExpenseStatus.PENDING, "PAID"),
        (ExpenseStatus.REJECTED, "APPROVED"),
        (ExpenseStatus.PAID, "REJECTED"),
        (ExpenseStatus.APPROVED, "APPROVED"),
    ],
)
def test_an_illegal_expense_decision_is_a_conflict(client, admin, current, new):
    expense = ExpenseFactory(status=current)
    before = table_counts()

    assert_error_shape(send(client, "PUT", f"/api/admin/expenses/{expense.id}/status", json={"status": new}), 409)

    assert_nothing_changed(before)
    assert db.session.get(Expense, expense.id).status is current


def test_a_bad_expense_decision_is_refused_with_422(client, admin):
    expense = ExpenseFactory()
    before = table_counts()

    for body in ({"status": "PROCESSED"}, {}, {"status": "APPROVED", "notes": "n" * 501}):
        assert_error_shape(send(client, "PUT", f"/api/admin/expenses/{expense.id}/status", json=body), 422)
    assert_error_shape(send(client, "PUT", f"/api/admin/expenses/{expense.id}/status", data="x"), 415)

    assert_nothing_changed(before)


# Who may ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["FINANCE", "APEX", "LEADER", "MEMBER"])
def test_other_roles_may_not_use_the_admin_decision_urls(client, login_as, role):
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00)
    expense = ExpenseFactory()
    login_as(role)
    before = table_counts()

    assert_error_shape(
        send(client, "PATCH", f"/api/admin/withdrawals/{withdrawal.id}", json={"status": "APPROVED"}), 403
    )
    assert_error_shape(
        send(client, "PUT", f"/api/admin/expenses/{expense.id}/status", json={"status": "APPROVED"}), 403
    )
    assert_nothing_changed(before)


def test_decisions_without_a_csrf_token_are_refused(client, admin):
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00)
    expense = ExpenseFactory()
    before = table_counts()

    assert_error_shape(client.patch(f"/api/admin/withdrawals/{withdrawal.id}", json={"status": "APPROVED"}), 400)
    assert_error_shape(client.put(f"/api/admin/expenses/{expense.id}/status", json={"status": "APPROVED"}), 400)
    assert_nothing_changed(before)
