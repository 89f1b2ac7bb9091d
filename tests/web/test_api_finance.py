"""Finance JSON API: the withdrawal queue (approve / reject / process) and finance's own expenses."""

from __future__ import annotations

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import (
    Expense,
    ExpenseStatus,
    Role,
    Transaction,
    TxType,
    Withdrawal,
    WithdrawalStatus,
)
from nogalss_app.services import api_tokens, balances
from tests import factories
from tests.factories import ExpenseFactory, WithdrawalFactory, saver
from tests.support.client import send, sign_in
from tests.support.concurrency import run_together
from tests.support.records import changes_after, last_v, ledger_lines, only_change, refresh
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts

EXPENSE = {"title": "Printer toner", "description": "Two cartridges", "amount_kobo": 45_000_00, "category": "Office"}


def staff_rooms(withdrawal: Withdrawal) -> list[str]:
    """Return the rooms a decided withdrawal is signalled to."""
    return sorted(
        ["role:FINANCE", "role:SUPER_ADMIN", f"coop:{withdrawal.cooperative_id}", f"user:{withdrawal.user_id}"]
    )


# The withdrawal queue ----------------------------------------------------------------------------------------


def test_finance_approves_a_pending_withdrawal_and_the_member_is_told(client, login_as):
    finance = login_as("FINANCE")
    member = saver(10_000_00)
    withdrawal = WithdrawalFactory(user=member, amount_kobo=4_000_00)
    v = last_v()

    response = send(client, "PATCH", f"/api/finance/withdrawals/{withdrawal.id}", {"status": "APPROVED", "notes": "OK"})

    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["status"], body["notes"], body["decided_by_id"]) == (
        withdrawal.id,
        "APPROVED",
        "OK",
        finance.id,
    )
    assert body["amount_kobo"] == 4_000_00 and body["transaction_id"] is None
    stored = refresh(withdrawal)
    assert (stored.status, stored.decided_by_id, stored.notes) == (WithdrawalStatus.APPROVED, finance.id, "OK")
    topics, rooms = only_change(v, "withdrawal.approved")
    assert sorted(topics) == ["activity", "withdrawals"]
    assert rooms == staff_rooms(stored)
    topics, rooms = only_change(v, "notification.created")
    assert (topics, rooms) == (["notifications"], [f"user:{member.id}"])


def test_processing_an_approved_withdrawal_pays_it_out_once(client, login_as):
    finance = login_as("FINANCE")
    member = saver(10_000_00)
    withdrawal = WithdrawalFactory(user=member, amount_kobo=4_000_00, status=WithdrawalStatus.APPROVED)
    v = last_v()

    response = send(client, "PATCH", f"/api/finance/withdrawals/{withdrawal.id}", {"status": "PROCESSED"})

    assert response.status_code == 200
    stored = refresh(withdrawal)
    assert (stored.status, stored.processed_by_id) == (WithdrawalStatus.PROCESSED, finance.id)
    tx = db.session.get(Transaction, stored.transaction_id)
    assert (tx.type, tx.amount_kobo, tx.user_id) == (TxType.WITHDRAWAL, 4_000_00, member.id)
    assert response.get_json()["transaction_id"] == tx.id
    topics, rooms = only_change(v, "withdrawal.processed")
    assert sorted(topics) == ["activity", "transactions", "withdrawals"]
    assert rooms == staff_rooms(stored)
    assert balances.savings_balance_kobo(member.id) == 6_000_00


def test_a_super_admin_may_reject_a_withdrawal_too(client, login_as):
    admin = login_as("SUPER_ADMIN")
    member = saver(10_000_00)
    withdrawal = WithdrawalFactory(user=member, amount_kobo=4_000_00)
    v = last_v()

    response = send(client, "PATCH", f"/api/finance/withdrawals/{withdrawal.id}", {"status": "rejected"})

    assert response.status_code == 200 and response.get_json()["status"] == "REJECTED"
    assert (refresh(withdrawal).status, refresh(withdrawal).decided_by_id) == (WithdrawalStatus.REJECTED, admin.id)
    topics, rooms = only_change(v, "withdrawal.rejected")
    assert "withdrawals" in topics and rooms == staff_rooms(withdrawal)
    assert balances.withdrawable_kobo(member.id) == 10_000_00


def test_fields_slipped_into_a_decision_are_ignored(client, login_as):
    login_as("FINANCE")
    member, other = saver(10_000_00), saver(10_000_00)
    withdrawal = WithdrawalFactory(user=member, amount_kobo=4_000_00)

    body = {"status": "APPROVED", "amount_kobo": 1, "user_id": other.id, "transaction_id": 1, "cooperative_id": 99}
    response = send(client, "PATCH", f"/api/finance/withdrawals/{withdrawal.id}", body)

    assert response.status_code == 200
    stored = refresh(withdrawal)
    assert (stored.amount_kobo, stored.user_id, stored.cooperative_id, stored.transaction_id) == (
        4_000_00,
        member.id,
        member.cooperative_id,
        None,
    )


@pytest.mark.parametrize(
    ("start", "status"),
    [
        (WithdrawalStatus.REJECTED, "PROCESSED"),
        (WithdrawalStatus.PENDING, "PROCESSED"),
        (WithdrawalStatus.PROCESSED, "APPROVED"),
        (WithdrawalStatus.APPROVED, "REJECTED"),
        (WithdrawalStatus.REJECTED, "APPROVED"),
        (WithdrawalStatus.APPROVED, "PENDING"),
    ],
)
def test_an_illegal_transition_is_a_conflict_and_changes_nothing(client, login_as, start, status):
    login_as("FINANCE")
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00, status=start)
    before = table_counts()

    response = send(client, "PATCH", f"/api/finance/withdrawals/{withdrawal.id}", {"status": status})

    error = assert_error_shape(response, 409, "conflict")
    assert start.value in error["message"]
    assert_nothing_changed(before)
    assert refresh(withdrawal).status is start


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "status"),
        ({"status": "PAID"}, "status"),
        ({"status": 3}, "status"),
        ({"status": None}, "status"),
        ({"status": "APPROVED", "notes": 12}, "notes"),
        ({"status": "APPROVED", "notes": "x" * 501}, "notes"),
    ],
)
def test_a_malformed_decision_is_refused(client, login_as, body, field):
    login_as("FINANCE")
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00)
    before = table_counts()

    response = send(client, "PATCH", f"/api/finance/withdrawals/{withdrawal.id}", body)

    assert field in assert_error_shape(response, 422, "validation_error")["fields"]
    assert_nothing_changed(before)


def test_a_body_that_is_not_an_object_is_malformed(client, login_as):
    login_as("FINANCE")
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00)
    before = table_counts()

    response = send(client, "PATCH", f"/api/finance/withdrawals/{withdrawal.id}", ["APPROVED"])

    assert_error_shape(response, 400, "bad_request")
    assert_nothing_changed(before)


@pytest.mark.parametrize("path", ["999999", "abc", "-1", "99999999999999999999999", "1.5"])
def test_unknown_or_malformed_withdrawal_ids_are_not_found(client, login_as, path):
    login_as("FINANCE")
    before = table_counts()

    response = send(client, "PATCH", f"/api/finance/withdrawals/{path}", {"status": "APPROVED"})

    assert_error_shape(response, 404, "not_found")
    assert_nothing_changed(before)


@pytest.mark.parametrize("role", ["MEMBER", "LEADER", "APEX", "APEX_FUNDS", "NOGALSS_FUNDS"])
def test_other_roles_may_not_decide_withdrawals(client, login_as, role):
    login_as(role)
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00)
    before = table_counts()

    response = send(client, "PATCH", f"/api/finance/withdrawals/{withdrawal.id}", {"status": "APPROVED"})

    assert_error_shape(response, 403, "forbidden")
    assert_error_shape(client.get("/api/finance/withdrawals"), 403, "forbidden")
    assert_nothing_changed(before)


def test_a_decision_without_the_csrf_token_is_refused(app, client, login_as):
    login_as("FINANCE")
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00)
    other = sign_in(app.test_client(), factories.user(role=Role.FINANCE))
    before = table_counts()

    missing = send(client, "PATCH", f"/api/finance/withdrawals/{withdrawal.id}", {"status": "APPROVED"}, csrf=False)
    foreign = client.patch(
        f"/api/finance/withdrawals/{withdrawal.id}",
        json={"status": "APPROVED"},
        headers={"X-CSRFToken": other.csrf_token},
    )

    assert_error_shape(missing, 400)
    assert_error_shape(foreign, 400)
    assert_nothing_changed(before)
    assert refresh(withdrawal).status is WithdrawalStatus.PENDING


def test_signed_out_callers_read_nothing_and_write_nothing(client):
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00)
    before = table_counts()

    assert_error_shape(client.get("/api/finance/withdrawals"), 401, "unauthorized")
    # No session, nothing to forge: the role guard answers 401 before any CSRF check.
    assert_error_shape(client.patch(f"/api/finance/withdrawals/{withdrawal.id}", json={"status": "APPROVED"}), 401)
    assert_nothing_changed(before)


def test_a_finance_api_token_decides_without_csrf(client):
    finance = factories.user(role=Role.FINANCE)
    admin = factories.user(role=Role.SUPER_ADMIN)
    _token, secret = api_tokens.create_token(finance.id, "script", actor_id=admin.id)
    withdrawal = WithdrawalFactory(user=saver(10_000_00), amount_kobo=4_000_00)

    response = client.patch(
        f"/api/finance/withdrawals/{withdrawal.id}",
        json={"status": "APPROVED"},
        headers={"Authorization": f"Bearer {secret}"},
    )

    assert response.status_code == 200
    assert refresh(withdrawal).decided_by_id == finance.id


@pytest.mark.postgres  # SQLite's in-memory test database shares one connection: nothing runs concurrently
def test_two_officers_processing_one_withdrawal_at_once_pay_it_out_once(app):
    member = saver(10_000_00)
    member_id, withdrawal_id = (
        member.id,
        WithdrawalFactory(user=member, amount_kobo=4_000_00, status=WithdrawalStatus.APPROVED).id,
    )
    clients = [sign_in(app.test_client(), factories.user(role=Role.FINANCE)) for _ in range(2)]
    url = f"/api/finance/withdrawals/{withdrawal_id}"
    db.session.remove()

    statuses = run_together(app, 2, lambda i: send(clients[i], "PATCH", url, {"status": "PROCESSED"}).status_code)

    assert sorted(statuses) == [200, 409]
    assert [line.amount_kobo for line in ledger_lines(TxType.WITHDRAWAL)] == [4_000_00]
    assert [event for event, _, _ in changes_after(0)].count("withdrawal.processed") == 1
    assert balances.savings_balance_kobo(member_id) == 6_000_00


def test_the_queue_lists_withdrawals_with_filter_search_and_paging(client, login_as):
    login_as("FINANCE")
    ada = saver(10_000_00, first_name="Ada", last_name="Obi")
    bola = saver(10_000_00, first_name="Bola", last_name="Ade")
    first = WithdrawalFactory(user=ada, amount_kobo=1_000_00)
    WithdrawalFactory(user=ada, amount_kobo=2_000_00, status=WithdrawalStatus.APPROVED)
    WithdrawalFactory(user=bola, amount_kobo=3_000_00)

    page = client.get("/api/finance/withdrawals?status=pending&sort=amount_kobo&order=asc&per_page=1").get_json()
    searched = client.get("/api/finance/withdrawals?q=bola").get_json()

    assert (page["total"], page["pages"], page["page"], page["per_page"]) == (2, 2, 1, 1)
    assert page["items"][0]["id"] == first.id and page["items"][0]["status"] == "PENDING"
    assert [item["amount_kobo"] for item in searched["items"]] == [3_000_00]


@pytest.mark.parametrize(
    "query", ["page=-1", "page=abc", "per_page=101", "sort=password", "order=sideways", "status=LOST"]
)
def test_bad_list_parameters_are_422(client, login_as, query):
    login_as("FINANCE")

    assert_error_shape(client.get(f"/api/finance/withdrawals?{query}"), 422, "validation_error")
    assert_error_shape(client.get(f"/api/finance/expenses?{query}"), 422, "validation_error")


# Finance's own expenses ---------------------------------------------------------------------------------------


def test_finance_records_an_expense(client, login_as):
    finance = login_as("FINANCE")
    v = last_v()

    response = send(client, "POST", "/api/finance/expenses", EXPENSE)

    assert response.status_code == 201
    body = response.get_json()
    stored = db.session.get(Expense, body["id"])
    assert (stored.title, stored.description, stored.amount_kobo, stored.category) == (
        "Printer toner",
        "Two cartridges",
        45_000_00,
        "Office",
    )
    assert (stored.status, stored.created_by_id) == (ExpenseStatus.PENDING, finance.id)
    assert {key: body[key] for key in EXPENSE} == EXPENSE
    assert (body["status"], body["created_by_id"]) == ("PENDING", finance.id)
    topics, rooms = only_change(v, "expense.created")
    assert (sorted(topics), rooms) == (["activity", "expenses"], ["role:FINANCE", "role:SUPER_ADMIN"])


def test_status_and_owner_slipped_into_an_expense_are_ignored(client, login_as):
    finance = login_as("FINANCE")
    other = factories.user(role=Role.FINANCE)

    response = send(
        client, "POST", "/api/finance/expenses", EXPENSE | {"status": "PAID", "created_by_id": other.id, "id": 77}
    )

    stored = db.session.get(Expense, response.get_json()["id"])
    assert (stored.status, stored.created_by_id) == (ExpenseStatus.PENDING, finance.id)


@pytest.mark.parametrize("amount", [100.5, "100", True, None, -5000, 0, 10**25, [1], {"kobo": 1}])
def test_an_expense_amount_must_be_a_positive_json_integer(client, login_as, amount):
    login_as("FINANCE")
    before = table_counts()

    response = send(client, "POST", "/api/finance/expenses", EXPENSE | {"amount_kobo": amount})

    assert "amount_kobo" in assert_error_shape(response, 422, "validation_error")["fields"]
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"category": None}, "category"),
        ({"title": 5}, "title"),
    ],
)
def test_an_invalid_expense_is_refused(client, login_as, change, field):
    login_as("FINANCE")
    before = table_counts()

    response = send(client, "POST", "/api/finance/expenses", EXPENSE | change)

    assert field in assert_error_shape(response, 422)["fields"]
    assert_nothing_changed(before)


def test_finance_edits_its_own_pending_expense(client, login_as):
    finance = login_as("FINANCE")
    expense = ExpenseFactory(created_by=finance)
    v = last_v()

    response = send(client, "PUT", f"/api/finance/expenses/{expense.id}", {"amount_kobo": 12_500_50, "title": "Diesel"})

    assert response.status_code == 200
    assert (response.get_json()["amount_kobo"], response.get_json()["title"]) == (12_500_50, "Diesel")
    stored = refresh(expense)
    assert (stored.amount_kobo, stored.title, stored.category) == (12_500_50, "Diesel", "Transport")
    topics, rooms = only_change(v, "expense.updated")
    assert (sorted(topics), rooms) == (["activity", "expenses"], ["role:FINANCE", "role:SUPER_ADMIN"])


def test_finance_deletes_its_own_pending_expense(client, login_as):
    finance = login_as("FINANCE")
    expense_id = ExpenseFactory(created_by=finance).id
    v = last_v()

    response = send(client, "DELETE", f"/api/finance/expenses/{expense_id}")

    assert response.status_code == 204
    db.session.rollback()
    assert db.session.get(Expense, expense_id) is None
    topics, rooms = only_change(v, "expense.deleted")
    assert (sorted(topics), rooms) == (["activity", "expenses"], ["role:FINANCE", "role:SUPER_ADMIN"])


@pytest.mark.parametrize(("method", "body"), [("PUT", {"title": "Mine now"}), ("DELETE", None)])
def test_someone_elses_expense_is_not_found(client, login_as, method, body):
    login_as("FINANCE")
    expense = ExpenseFactory(title="Fuel")
    before = table_counts()

    response = send(client, method, f"/api/finance/expenses/{expense.id}", body)

    assert_error_shape(response, 404, "not_found")
    assert_nothing_changed(before)
    assert refresh(expense).title == "Fuel"


@pytest.mark.parametrize("status", [ExpenseStatus.APPROVED, ExpenseStatus.REJECTED, ExpenseStatus.PAID])
@pytest.mark.parametrize(("method", "body"), [("PUT", {"title": "Too late"}), ("DELETE", None)])
def test_a_decided_expense_can_no_longer_change(client, login_as, status, method, body):
    finance = login_as("FINANCE")
    expense = ExpenseFactory(created_by=finance, status=status)
    before = table_counts()

    response = send(client, method, f"/api/finance/expenses/{expense.id}", body)

    assert_error_shape(response, 409, "conflict")
    assert_nothing_changed(before)


def test_an_empty_edit_is_refused(client, login_as):
    finance = login_as("FINANCE")
    expense = ExpenseFactory(created_by=finance)
    before = table_counts()

    assert_error_shape(send(client, "PUT", f"/api/finance/expenses/{expense.id}", {}), 422)
    assert_nothing_changed(before)


@pytest.mark.parametrize("role", ["SUPER_ADMIN", "MEMBER", "LEADER", "APEX"])
def test_only_finance_records_expenses_through_this_api(client, login_as, role):
    user = login_as(role)
    expense = ExpenseFactory(created_by=user)
    before = table_counts()

    assert_error_shape(send(client, "POST", "/api/finance/expenses", EXPENSE), 403)
    assert_error_shape(send(client, "PUT", f"/api/finance/expenses/{expense.id}", {"title": "x" * 5}), 403)
    assert_error_shape(send(client, "DELETE", f"/api/finance/expenses/{expense.id}"), 403)
    assert_error_shape(client.get("/api/finance/expenses"), 403)
    assert_nothing_changed(before)


def test_expense_writes_without_the_csrf_token_are_refused(client, login_as):
    finance = login_as("FINANCE")
    expense = ExpenseFactory(created_by=finance)
    before = table_counts()

    assert_error_shape(send(client, "POST", "/api/finance/expenses", EXPENSE, csrf=False), 400)
    assert_error_shape(send(client, "PUT", f"/api/finance/expenses/{expense.id}", {"title": "New"}, csrf=False), 400)
    assert_error_shape(send(client, "DELETE", f"/api/finance/expenses/{expense.id}", csrf=False), 400)
    assert_nothing_changed(before)


def test_the_expense_list_shows_only_the_callers_own(client, login_as):
    finance = login_as("FINANCE")
    mine = ExpenseFactory(created_by=finance, title="Toner")
    ExpenseFactory(created_by=finance, status=ExpenseStatus.PAID, title="Rent")
    ExpenseFactory(title="Not mine")

    listed = client.get("/api/finance/expenses?sort=title&order=asc").get_json()
    pending = client.get("/api/finance/expenses?status=PENDING&q=ton").get_json()

    assert [item["title"] for item in listed["items"]] == ["Rent", "Toner"]
    assert [item["id"] for item in pending["items"]] == [mine.id]
