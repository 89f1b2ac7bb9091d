"""Expenses: finance records its own and edits them while pending; a super admin approves, rejects and pays."""

from __future__ import annotations

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import Expense, ExpenseStatus, Role
from nogalss_app.services import expenses
from nogalss_app.services.errors import Conflict, NotFound, ValidationFailed
from tests import factories
from tests.support.clock import NOW
from tests.support.records import audits, change, changes
from tests.support.snapshot import row_counts

EXPENSE = {"title": "Office rent", "description": "Abuja office, March", "category": "Rent", "amount_kobo": 250_000_00}
AUDIENCE = ["role:FINANCE", "role:SUPER_ADMIN"]


def recorded_by(officer, **overrides) -> Expense:
    """Record an expense as this finance officer."""
    return expenses.create_expense(EXPENSE | overrides, actor_id=officer.id, now=NOW)


def test_finance_records_an_expense_that_waits_for_a_decision():
    officer = factories.user(role=Role.FINANCE)

    expense = recorded_by(officer, title="  Office rent  ")

    stored = db.session.get(Expense, expense.id)
    assert (stored.title, stored.description, stored.category) == ("Office rent", "Abuja office, March", "Rent")
    assert (stored.amount_kobo, stored.status, stored.created_by_id) == (250_000_00, ExpenseStatus.PENDING, officer.id)
    assert stored.created_at == NOW
    topics, rooms = change("expense.created")
    assert "expenses" in topics and rooms == AUDIENCE
    assert [row.actor_id for row in audits("expense.created")] == [officer.id]


def test_the_description_is_optional_and_slipped_in_status_is_ignored():
    officer = factories.user(role=Role.FINANCE)

    expense = recorded_by(officer, description=None, status="PAID", created_by_id=999)

    assert (expense.description, expense.status, expense.created_by_id) == (None, ExpenseStatus.PENDING, officer.id)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "ab"),
        ("title", "x" * 201),
        ("title", None),
        ("description", "x" * 1001),
        ("description", 5),
        ("category", ""),
        ("category", "x" * 101),
        ("amount_kobo", 0),
        ("amount_kobo", -1),
        ("amount_kobo", 1.5),
        ("amount_kobo", "250000"),
        ("amount_kobo", 100_000_000 * 100 + 1),
    ],
)
def test_a_malformed_expense_is_refused_and_nothing_is_written(field, value):
    officer = factories.user(role=Role.FINANCE)
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        recorded_by(officer, **{field: value})

    assert list(refused.value.fields) == [field]
    assert row_counts() == before


def test_the_creator_edits_a_pending_expense():
    officer = factories.user(role=Role.FINANCE)
    expense = recorded_by(officer)

    expenses.update_expense(
        expense.id, {"amount_kobo": 200_000_00, "title": "Rent (revised)"}, actor_id=officer.id, now=NOW
    )

    stored = db.session.get(Expense, expense.id)
    assert (stored.title, stored.amount_kobo, stored.category) == ("Rent (revised)", 200_000_00, "Rent")
    topics, rooms = change("expense.updated")
    assert "expenses" in topics and rooms == AUDIENCE
    [audit] = audits("expense.updated")
    assert (audit.before["amount_kobo"], audit.after["amount_kobo"]) == (250_000_00, 200_000_00)


def test_an_edit_with_nothing_to_change_is_refused():
    officer = factories.user(role=Role.FINANCE)
    expense = recorded_by(officer)
    before = row_counts()

    with pytest.raises(ValidationFailed):
        expenses.update_expense(expense.id, {"status": "PAID"}, actor_id=officer.id, now=NOW)

    assert row_counts() == before


def test_someone_elses_expense_cannot_be_edited_or_deleted_as_if_it_did_not_exist():
    expense = recorded_by(factories.user(role=Role.FINANCE))
    colleague = factories.user(role=Role.FINANCE)
    before = row_counts()

    with pytest.raises(NotFound):
        expenses.update_expense(expense.id, {"title": "Mine now"}, actor_id=colleague.id, now=NOW)
    with pytest.raises(NotFound):
        expenses.delete_expense(expense.id, actor_id=colleague.id, now=NOW)

    assert row_counts() == before
    assert db.session.get(Expense, expense.id).title == "Office rent"


@pytest.mark.parametrize("status", [ExpenseStatus.APPROVED, ExpenseStatus.REJECTED, ExpenseStatus.PAID])
def test_a_decided_expense_can_no_longer_be_edited_or_deleted(status):
    officer = factories.user(role=Role.FINANCE)
    expense = recorded_by(officer)
    db.session.get(Expense, expense.id).status = status
    db.session.commit()
    before = row_counts()

    with pytest.raises(Conflict):
        expenses.update_expense(expense.id, {"title": "Changed after the fact"}, actor_id=officer.id, now=NOW)
    with pytest.raises(Conflict):
        expenses.delete_expense(expense.id, actor_id=officer.id, now=NOW)

    assert row_counts() == before


def test_the_creator_deletes_a_pending_expense():
    officer = factories.user(role=Role.FINANCE)
    expense_id = recorded_by(officer).id

    expenses.delete_expense(expense_id, actor_id=officer.id, now=NOW)

    assert db.session.get(Expense, expense_id) is None
    topics, rooms = change("expense.deleted")
    assert "expenses" in topics and rooms == AUDIENCE
    assert [row.before["title"] for row in audits("expense.deleted")] == ["Office rent"]


def test_the_super_admin_approves_then_pays_an_expense():
    officer, admin = factories.user(role=Role.FINANCE), factories.user(role=Role.SUPER_ADMIN)
    expense = recorded_by(officer)

    expenses.decide_expense(expense.id, "APPROVED", actor_id=admin.id, notes="Budgeted", now=NOW)
    expenses.decide_expense(expense.id, ExpenseStatus.PAID, actor_id=admin.id, now=NOW)

    stored = db.session.get(Expense, expense.id)
    assert (stored.status, stored.decided_by_id, stored.notes) == (ExpenseStatus.PAID, admin.id, "Budgeted")
    assert [event for event, _, _ in changes()] == ["expense.created", "expense.approved", "expense.paid"]
    for event in ("expense.approved", "expense.paid"):
        topics, rooms = change(event)
        assert "expenses" in topics and rooms == AUDIENCE


def test_a_rejected_expense_stays_rejected():
    officer, admin = factories.user(role=Role.FINANCE), factories.user(role=Role.SUPER_ADMIN)
    expense = recorded_by(officer)
    expenses.decide_expense(expense.id, "REJECTED", actor_id=admin.id, now=NOW)
    assert "expenses" in change("expense.rejected")[0]
    before = row_counts()

    with pytest.raises(Conflict):
        expenses.decide_expense(expense.id, "PAID", actor_id=admin.id, now=NOW)

    assert row_counts() == before
    assert db.session.get(Expense, expense.id).status is ExpenseStatus.REJECTED


def test_deciding_an_unknown_expense_is_not_found():
    with pytest.raises(NotFound):
        expenses.decide_expense(424242, "APPROVED", actor_id=None, now=NOW)
