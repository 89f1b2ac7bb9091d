"""Finance panel forms (withdrawal queue, own expenses) and the notifications panels: htmx posts, panel replies."""

from __future__ import annotations

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import Expense, ExpenseStatus, Role, WithdrawalStatus
from nogalss_app.services import balances
from tests import factories
from tests.factories import ExpenseFactory, NotificationFactory, WithdrawalFactory, saver
from tests.support.bad_inputs import BAD_NAIRA
from tests.support.client import post_form, text
from tests.support.records import changes_after, last_v, only_change, refresh
from tests.support.snapshot import assert_nothing_changed, table_counts

NEW_EXPENSE = {"form_id": "expense-new", "title": "Printer toner", "category": "Office", "amount": "1,250.50"}


# Withdrawal queue ---------------------------------------------------------------------------------------------


def test_finance_approves_from_the_queue_and_the_panel_comes_back_updated(client, login_as):
    finance = login_as("FINANCE")
    withdrawal = WithdrawalFactory(user=saver(10_000_00, first_name="Ada"), amount_kobo=4_000_00)
    v = last_v()

    response = post_form(
        client, f"/dashboard/finance/withdrawals/{withdrawal.id}", {"status": "APPROVED", "notes": "Checked"}
    )

    assert response.status_code == 200
    page = text(response)
    assert "The ₦4,000.00 withdrawal was approved." in page and "Mark processed…" in page
    assert 'id="panel-withdrawals-title"' in page
    stored = refresh(withdrawal)
    assert (stored.status, stored.decided_by_id, stored.notes) == (WithdrawalStatus.APPROVED, finance.id, "Checked")
    topics, rooms = only_change(v, "withdrawal.approved")
    assert "withdrawals" in topics and f"user:{withdrawal.user_id}" in rooms and "role:FINANCE" in rooms


def test_finance_rejects_a_pending_withdrawal_and_the_money_is_withdrawable_again(client, login_as):
    login_as("FINANCE")
    member = saver(10_000_00)
    withdrawal = WithdrawalFactory(user=member, amount_kobo=4_000_00)

    response = post_form(client, f"/dashboard/finance/withdrawals/{withdrawal.id}", {"status": "REJECTED"})

    assert response.status_code == 200 and "was rejected" in text(response)
    assert refresh(withdrawal).status is WithdrawalStatus.REJECTED
    assert balances.withdrawable_kobo(member.id) == 10_000_00
    assert "No withdrawals are waiting." in text(response)


def test_processing_is_a_confirmed_second_step_that_pays_out(client, login_as):
    login_as("FINANCE")
    member = saver(10_000_00)
    withdrawal = WithdrawalFactory(user=member, amount_kobo=4_000_00, status=WithdrawalStatus.APPROVED)
    panel = text(client.get("/dashboard/finance/panels/withdrawals"))
    assert '<details class="confirm-step">' in panel and "Confirm: pay out ₦4,000.00" in panel
    v = last_v()

    response = post_form(client, f"/dashboard/finance/withdrawals/{withdrawal.id}", {"status": "PROCESSED"})

    assert response.status_code == 200 and "processed: the money was paid out" in text(response)
    assert refresh(withdrawal).status is WithdrawalStatus.PROCESSED
    assert balances.savings_balance_kobo(member.id) == 6_000_00
    topics, _rooms = only_change(v, "withdrawal.processed")
    assert {"withdrawals", "transactions"} <= set(topics)


@pytest.mark.parametrize(
    ("start", "status"),
    [(WithdrawalStatus.REJECTED, "PROCESSED"), (WithdrawalStatus.PENDING, "PROCESSED"), ("PROCESSED", "APPROVED")],
)
def test_an_illegal_transition_is_shown_in_the_panel_and_changes_nothing(client, login_as, start, status):
    login_as("FINANCE")
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00, status=WithdrawalStatus(start))
    before = table_counts()

    response = post_form(client, f"/dashboard/finance/withdrawals/{withdrawal.id}", {"status": status})

    assert response.status_code == 409
    assert 'class="form-error"' in text(response) and f"cannot become {status}" in text(response)
    assert_nothing_changed(before)


def test_an_unknown_status_is_shown_next_to_the_row_and_the_notes_are_kept(client, login_as):
    login_as("FINANCE")
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00)
    before = table_counts()
    form_id = f"withdrawal-{withdrawal.id}"

    response = post_form(
        client,
        f"/dashboard/finance/withdrawals/{withdrawal.id}",
        {"status": "PAID", "notes": "Typed <b>notes</b>", "form_id": form_id},
    )

    assert response.status_code == 422
    page = text(response)
    assert f'<p class="field-error" id="{form_id}-status-error">must be one of' in page
    assert 'value="Typed &lt;b&gt;notes&lt;/b&gt;"' in page
    assert_nothing_changed(before)


def test_overlong_notes_are_refused_at_the_field(client, login_as):
    login_as("FINANCE")
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00)
    before = table_counts()
    form_id = f"withdrawal-{withdrawal.id}"

    response = post_form(
        client,
        f"/dashboard/finance/withdrawals/{withdrawal.id}",
        {"status": "APPROVED", "notes": "n" * 501, "form_id": form_id},
    )

    assert response.status_code == 422
    assert f'id="{form_id}-notes-error">must be 1 to 500 characters' in text(response)
    assert 'aria-invalid="true"' in text(response)
    assert_nothing_changed(before)


@pytest.mark.parametrize("path", ["424242", "abc", "99999999999999999999"])
def test_an_unknown_withdrawal_is_not_found(client, login_as, path):
    login_as("FINANCE")
    before = table_counts()

    response = post_form(client, f"/dashboard/finance/withdrawals/{path}", {"status": "APPROVED"})

    assert response.status_code == 404
    assert_nothing_changed(before)


def test_queue_forms_without_csrf_are_refused(client, login_as):
    login_as("FINANCE")
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00)
    before = table_counts()

    response = post_form(client, f"/dashboard/finance/withdrawals/{withdrawal.id}", {"status": "APPROVED"}, csrf=False)

    assert response.status_code == 400
    assert_nothing_changed(before)
    assert refresh(withdrawal).status is WithdrawalStatus.PENDING


@pytest.mark.parametrize("role", ["MEMBER", "LEADER", "APEX"])
def test_other_roles_cannot_post_finance_forms(client, login_as, role):
    user = login_as(role)
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00)
    expense = ExpenseFactory()
    NotificationFactory(user=user)
    before = table_counts()

    for url, data in [
        (f"/dashboard/finance/withdrawals/{withdrawal.id}", {"status": "APPROVED"}),
        ("/dashboard/finance/expenses", NEW_EXPENSE),
        (f"/dashboard/finance/expenses/{expense.id}", {"title": "Hijack"}),
        (f"/dashboard/finance/expenses/{expense.id}/delete", {}),
        ("/dashboard/finance/notifications/read", {"all": "true"}),
    ]:
        assert post_form(client, url, data).status_code == 403, url
    assert_nothing_changed(before)


# Own expenses -------------------------------------------------------------------------------------------------


def test_finance_records_an_expense_in_naira_text(client, login_as):
    finance = login_as("FINANCE")
    v = last_v()

    response = post_form(client, "/dashboard/finance/expenses", NEW_EXPENSE | {"description": "Two cartridges"})

    assert response.status_code == 200
    assert "Expense “Printer toner” (₦1,250.50) recorded" in text(response)
    stored = db.session.scalars(db.select(Expense)).one()
    assert (stored.title, stored.category, stored.amount_kobo, stored.description) == (
        "Printer toner",
        "Office",
        1_250_50,
        "Two cartridges",
    )
    assert (stored.status, stored.created_by_id) == (ExpenseStatus.PENDING, finance.id)
    assert only_change(v, "expense.created")[1] == ["role:FINANCE", "role:SUPER_ADMIN"]
    assert 'value="Printer toner"' in text(response)  # now in the row's edit form; the new form is empty again
    assert 'id="expense-new-title" name="title" value=""' in text(response)


@pytest.mark.parametrize(("amount", "message"), BAD_NAIRA)
def test_bad_naira_text_is_refused_at_the_field_and_what_was_typed_is_kept(client, login_as, amount, message):
    login_as("FINANCE")
    before = table_counts()

    response = post_form(client, "/dashboard/finance/expenses", NEW_EXPENSE | {"amount": amount})

    assert response.status_code == 422
    page = text(response)
    assert '<p class="field-error" id="expense-new-amount-error">' in page and message in page
    assert 'value="Printer toner"' in page and '<details class="panel-form" open>' in page
    assert_nothing_changed(before)


def test_a_missing_amount_field_is_refused(client, login_as):
    login_as("FINANCE")
    before = table_counts()
    data = {key: value for key, value in NEW_EXPENSE.items() if key != "amount"}

    response = post_form(client, "/dashboard/finance/expenses", data)

    assert response.status_code == 422 and "enter an amount" in text(response)
    assert_nothing_changed(before)


def test_status_and_owner_slipped_into_the_expense_form_are_ignored(client, login_as):
    finance = login_as("FINANCE")
    other = factories.user(role=Role.FINANCE)

    post_form(client, "/dashboard/finance/expenses", NEW_EXPENSE | {"status": "PAID", "created_by_id": str(other.id)})

    stored = db.session.scalars(db.select(Expense)).one()
    assert (stored.status, stored.created_by_id) == (ExpenseStatus.PENDING, finance.id)


def test_finance_edits_its_own_pending_expense(client, login_as):
    finance = login_as("FINANCE")
    expense = ExpenseFactory(created_by=finance, amount_kobo=10_000_00)
    form_id = f"expense-{expense.id}"
    assert f'id="{form_id}-amount" name="amount" value="10,000.00"' in text(
        client.get("/dashboard/finance/panels/expenses")
    )
    v = last_v()

    response = post_form(
        client,
        f"/dashboard/finance/expenses/{expense.id}",
        {"form_id": form_id, "title": "Diesel", "category": "Transport", "amount": "12,500.50"},
    )

    assert response.status_code == 200 and "Expense “Diesel” saved." in text(response)
    assert (refresh(expense).title, refresh(expense).amount_kobo) == ("Diesel", 12_500_50)
    assert only_change(v, "expense.updated")[0] == ["activity", "expenses"]


def test_a_bad_amount_in_an_edit_is_shown_in_that_rows_form(client, login_as):
    finance = login_as("FINANCE")
    expense = ExpenseFactory(created_by=finance, title="Fuel")
    form_id = f"expense-{expense.id}"
    before = table_counts()

    response = post_form(
        client, f"/dashboard/finance/expenses/{expense.id}", {"form_id": form_id, "title": "Diesel", "amount": "1e3"}
    )

    assert response.status_code == 422
    assert f'id="{form_id}-amount-error">use only the digits' in text(response)
    assert f'id="{form_id}-amount" name="amount" value="1e3"' in text(response)
    assert_nothing_changed(before)
    assert refresh(expense).title == "Fuel"


def test_finance_deletes_its_own_pending_expense_after_confirming(client, login_as):
    finance = login_as("FINANCE")
    expense_id = ExpenseFactory(created_by=finance).id
    assert "Confirm delete" in text(client.get("/dashboard/finance/panels/expenses"))
    v = last_v()

    response = post_form(client, f"/dashboard/finance/expenses/{expense_id}/delete")

    assert response.status_code == 200 and "Expense deleted." in text(response)
    db.session.rollback()
    assert db.session.get(Expense, expense_id) is None
    assert [event for event, _, _ in changes_after(v)] == ["expense.deleted"]


@pytest.mark.parametrize("suffix", ["", "/delete"])
def test_someone_elses_expense_is_not_found_and_a_decided_one_is_a_conflict(client, login_as, suffix):
    finance = login_as("FINANCE")
    theirs = ExpenseFactory()
    paid = ExpenseFactory(created_by=finance, status=ExpenseStatus.PAID)
    before = table_counts()

    assert post_form(client, f"/dashboard/finance/expenses/{theirs.id}{suffix}", {"title": "Mine"}).status_code == 404
    conflict = post_form(client, f"/dashboard/finance/expenses/{paid.id}{suffix}", {"title": "Later"})
    assert conflict.status_code == 409 and "can no longer be changed" in text(conflict)
    assert_nothing_changed(before)


def test_a_decided_expense_offers_no_edit_or_delete(client, login_as):
    finance = login_as("FINANCE")
    paid = ExpenseFactory(created_by=finance, status=ExpenseStatus.PAID)

    panel = text(client.get("/dashboard/finance/panels/expenses"))

    assert f"/dashboard/finance/expenses/{paid.id}" not in panel


def test_a_super_admin_on_the_finance_dashboard_records_no_expenses(client, login_as):
    login_as("SUPER_ADMIN")
    before = table_counts()

    assert "Record an expense" not in text(client.get("/dashboard/finance/panels/expenses"))
    assert post_form(client, "/dashboard/finance/expenses", NEW_EXPENSE).status_code == 403
    assert_nothing_changed(before)


def test_expense_forms_without_csrf_are_refused(client, login_as):
    finance = login_as("FINANCE")
    expense = ExpenseFactory(created_by=finance)
    before = table_counts()

    assert post_form(client, "/dashboard/finance/expenses", NEW_EXPENSE, csrf=False).status_code == 400
    assert post_form(client, f"/dashboard/finance/expenses/{expense.id}/delete", csrf=False).status_code == 400
    assert_nothing_changed(before)


# Notifications ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("role", "slug"), [("FINANCE", "finance"), ("SUPER_ADMIN", "super-admin")])
def test_mark_one_then_all_read_from_the_panel(client, login_as, role, slug):
    me = login_as(role)
    first, second, third = (
        NotificationFactory(user=me, title="First"),
        NotificationFactory(user=me, title="Second"),
        NotificationFactory(user=me, title="Third"),
    )
    NotificationFactory(user=factories.user(role=Role(role)), title="Someone else's")
    panel = text(client.get(f"/dashboard/{slug}/panels/notifications"))
    assert "3 unread" in panel and f"/dashboard/{slug}/notifications/read" in panel
    v = last_v()

    one = post_form(client, f"/dashboard/{slug}/notifications/read", {"id": str(first.id)})

    assert one.status_code == 200 and "Marked as read." in text(one) and "2 unread" in text(one)
    assert refresh(first).is_read and not refresh(second).is_read
    assert only_change(v, "notification.read") == (["notifications"], [f"user:{me.id}"])

    everything = post_form(client, f"/dashboard/{slug}/notifications/read", {"all": "true"})

    assert "Marked 2 notifications as read." in text(everything) and "Nothing unread" in text(everything)
    assert refresh(third).is_read


@pytest.mark.parametrize(
    "data", [{}, {"id": "1", "all": "true"}, {"id": "abc"}, {"id": "-1"}, {"id": "１"}, {"all": "yes"}, {"id": ""}]
)
def test_neither_both_or_garbage_is_refused_in_the_panel(client, login_as, data):
    me = login_as("FINANCE")
    NotificationFactory(user=me)
    before = table_counts()

    response = post_form(client, "/dashboard/finance/notifications/read", data)

    assert response.status_code == 422 and 'class="form-error"' in text(response)
    assert_nothing_changed(before)


def test_someone_elses_notification_is_not_found_from_the_panel(client, login_as):
    login_as("FINANCE")
    theirs = NotificationFactory(user=factories.user(role=Role.FINANCE))
    before = table_counts()

    response = post_form(client, "/dashboard/finance/notifications/read", {"id": str(theirs.id)})

    assert response.status_code == 404
    assert_nothing_changed(before)
    assert not refresh(theirs).is_read


def test_mark_read_without_csrf_is_refused(client, login_as):
    me = login_as("FINANCE")
    row = NotificationFactory(user=me)
    before = table_counts()

    assert post_form(client, "/dashboard/finance/notifications/read", {"all": "true"}, csrf=False).status_code == 400
    assert_nothing_changed(before)
    assert not refresh(row).is_read
