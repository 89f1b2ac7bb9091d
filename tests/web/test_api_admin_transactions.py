"""A super admin searches the ledger, records manual adjustments and settles or cancels PENDING lines."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import (
    AuditLog,
    LoanStatus,
    PaymentPurpose,
    Transaction,
    TxStatus,
    TxType,
    WithdrawalStatus,
)
from tests import factories
from tests.factories import (
    ContributionFactory,
    LoanFactory,
    PaymentFactory,
    TransactionFactory,
    WithdrawalFactory,
)
from tests.support.client import send
from tests.support.records import signals
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts

URL = "/api/admin/transactions"
MARCH_10 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
_refs = itertools.count(1)


def adjustment(user, **overrides) -> dict:
    """Return a valid adjustment body for a user."""
    return {
        "user_id": user.id,
        "type": "ADJUSTMENT",
        "amount_kobo": 2_500_00,
        "reason": "Bank charge refund",
    } | overrides


@pytest.fixture
def admin(login_as):
    """A signed-in super admin."""
    return login_as("SUPER_ADMIN")


# Listing ------------------------------------------------------------------------------------------------------


def test_the_list_searches_filters_sorts_and_pages(client, admin):
    ada = factories.user(role="MEMBER", email="ada@coop.test")
    obi = factories.user(role="MEMBER", email="obi@coop.test")
    TransactionFactory(
        type=TxType.CONTRIBUTION, status=TxStatus.SUCCESSFUL, user=ada, amount_kobo=500_00, created_at=MARCH_10
    )
    TransactionFactory(
        status=TxStatus.PENDING, user=ada, amount_kobo=9_000_00, description="Reversal of charge", created_at=MARCH_10
    )
    TransactionFactory(type=TxType.FEE, status=TxStatus.FAILED, user=obi, amount_kobo=50_00, created_at=MARCH_10)

    everything = client.get(URL).get_json()
    by_email = client.get(URL, query_string={"q": "ADA@coop"}).get_json()
    by_text = client.get(URL, query_string={"q": "reversal"}).get_json()
    pending = client.get(URL, query_string={"status": "pending", "type": "ADJUSTMENT"}).get_json()
    of_obi = client.get(URL, query_string={"user_id": obi.id, "category": "MEMBER_REGISTRATION"}).get_json()
    of_coop = client.get(URL, query_string={"cooperative_id": ada.cooperative_id}).get_json()
    cheapest = client.get(URL, query_string={"sort": "amount_kobo", "order": "asc", "per_page": 2, "page": 1})
    second_page = client.get(URL, query_string={"sort": "amount_kobo", "order": "asc", "per_page": 2, "page": 2})

    assert everything["total"] == 3 and everything["page"] == 1 and everything["per_page"] == 20
    assert by_email["total"] == 2 and {item["user_email"] for item in by_email["items"]} == {"ada@coop.test"}
    assert [item["amount_kobo"] for item in by_text["items"]] == [9_000_00]
    assert [item["status"] for item in pending["items"]] == ["PENDING"]
    assert [item["type"] for item in of_obi["items"]] == ["FEE"]
    assert of_coop["total"] == 2
    assert [item["amount_kobo"] for item in cheapest.get_json()["items"]] == [50_00, 500_00]
    assert cheapest.get_json()["pages"] == 2
    assert [item["amount_kobo"] for item in second_page.get_json()["items"]] == [9_000_00]
    item = by_text["items"][0]
    assert item["direction"] == "credit" and item["editable"] is True and item["linked_to"] is None
    assert item["created_at"] == "2026-03-10T12:00:00+00:00"


def test_a_search_for_like_wildcards_matches_them_literally(client, admin):
    TransactionFactory(status=TxStatus.PENDING, description="100% refund")
    TransactionFactory(status=TxStatus.PENDING, description="plain refund")

    found = client.get(URL, query_string={"q": "100%"}).get_json()
    underscore = client.get(URL, query_string={"q": "_"}).get_json()

    assert [item["description"] for item in found["items"]] == ["100% refund"]
    assert underscore["total"] == 0


def test_date_filters_are_nigerian_calendar_days_with_both_ends_included(client, admin):
    # 23:30 UTC on 31 Jan is 00:30 on 1 Feb in Lagos.
    TransactionFactory(
        status=TxStatus.PENDING, created_at=datetime(2026, 1, 31, 23, 30, tzinfo=UTC), reference="LATE-JAN-UTC"
    )
    TransactionFactory(
        status=TxStatus.PENDING, created_at=datetime(2026, 1, 31, 22, 30, tzinfo=UTC), reference="JAN-31"
    )
    TransactionFactory(
        status=TxStatus.PENDING, created_at=datetime(2026, 2, 28, 22, 59, tzinfo=UTC), reference="FEB-28"
    )

    february = client.get(URL, query_string={"date_from": "2026-02-01", "date_to": "2026-02-28"}).get_json()
    january = client.get(URL, query_string={"date_to": "2026-01-31"}).get_json()

    assert sorted(item["reference"] for item in february["items"]) == ["FEB-28", "LATE-JAN-UTC"]
    assert [item["reference"] for item in january["items"]] == ["JAN-31"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"sort": "password_hash"}, "sort"),
        ({"sort": "id; DROP TABLE users"}, "sort"),
        ({"order": "sideways"}, "order"),
        ({"page": "-1"}, "page"),
        ({"page": "0"}, "page"),
        ({"per_page": "1000"}, "per_page"),
        ({"type": "BRIBE"}, "type"),
        ({"status": "DONE"}, "status"),
        ({"category": "x"}, "category"),
        ({"user_id": "abc"}, "user_id"),
        ({"cooperative_id": "-3"}, "cooperative_id"),
        ({"user_id": "99999999999999999999"}, "user_id"),
        ({"date_from": "31/01/2026"}, "date_from"),
        ({"date_from": "2026-02-30"}, "date_from"),
        ({"date_from": "2026-03-01", "date_to": "2026-02-01"}, "date_to"),
    ],
)
def test_bad_list_parameters_are_refused_with_422(client, admin, args, field):
    error = assert_error_shape(client.get(URL, query_string=args), 422, "validation_error")

    assert field in error["fields"]


# Manual adjustments -------------------------------------------------------------------------------------------


def test_an_adjustment_is_recorded_successful_with_its_reason_and_signalled(client, admin):
    member = factories.user(role="MEMBER")

    response = send(client, "POST", URL, json=adjustment(member))

    assert response.status_code == 201
    body = response.get_json()
    assert body["type"] == "ADJUSTMENT" and body["status"] == "SUCCESSFUL" and body["category"] == "MANUAL"
    assert (body["amount_kobo"], body["direction"], body["reason"]) == (2_500_00, "credit", "Bank charge refund")
    assert body["reference"].startswith("NGS-ADJ-") and body["editable"] is False
    tx = db.session.get(Transaction, body["id"])
    assert (tx.user_id, tx.cooperative_id, tx.created_by_id, tx.is_debit) == (
        member.id,
        member.cooperative_id,
        admin.id,
        False,
    )
    audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "transaction.created")).one()
    assert audit.actor_id == admin.id and audit.after["reason"] == "Bank charge refund"
    [change] = signals("transaction.created")
    # Issue 10: a settled adjustment moves the member's savings, so their savings panels refresh too.
    assert change.topics == ["activity", "contributions", "transactions"]
    assert change.rooms == ["role:APEX", "role:FINANCE", "role:SUPER_ADMIN", f"user:{member.id}"]
    assert "₦2,500.00 credit adjustment" in change.summary


def test_an_adjustment_can_be_a_pending_debit(client, admin):
    member = factories.user(role="MEMBER")

    body = send(client, "POST", URL, json=adjustment(member, direction="debit", status="PENDING")).get_json()

    assert (body["status"], body["direction"], body["is_debit"], body["editable"]) == ("PENDING", "debit", True, True)


def test_fields_slipped_into_an_adjustment_are_ignored(client, admin):
    member = factories.user(role="MEMBER")
    other = factories.cooperative()

    body = send(
        client,
        "POST",
        URL,
        json=adjustment(member, cooperative_id=other.id, is_active=False, role="SUPER_ADMIN", reference="MINE-1"),
    ).get_json()

    assert body["cooperative_id"] == member.cooperative_id
    assert body["reference"] != "MINE-1"


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"amount_kobo": -5000}, "amount_kobo"),
        ({"amount_kobo": 0}, "amount_kobo"),
        ({"amount_kobo": 100_000_000 * 100 + 1}, "amount_kobo"),
        ({"amount_kobo": 10**24}, "amount_kobo"),
        ({"amount_kobo": 100.5}, "amount_kobo"),
        ({"amount_kobo": "100"}, "amount_kobo"),
        ({"amount_kobo": True}, "amount_kobo"),
        ({"amount_kobo": None}, "amount_kobo"),
        ({"reason": None}, "reason"),
        ({"reason": "oops"}, "reason"),
        ({"reason": "x" * 10_000}, "reason"),
        ({"reason": ["a list"]}, "reason"),
        ({"type": "FEE"}, "type"),
        ({"type": None}, "type"),
        ({"user_id": 999_999}, "user_id"),
        ({"user_id": "1"}, "user_id"),
        ({"user_id": True}, "user_id"),
        ({"user_id": 2**70}, "user_id"),
        ({"direction": "sideways"}, "direction"),
        ({"direction": 1}, "direction"),
        ({"status": "FAILED"}, "status"),
        ({"status": "CANCELLED"}, "status"),
    ],
)
def test_a_bad_adjustment_is_refused_and_nothing_is_written(client, admin, overrides, field):
    member = factories.user(role="MEMBER")
    before = table_counts()

    error = assert_error_shape(send(client, "POST", URL, json=adjustment(member, **overrides)), 422)

    assert field in error["fields"]
    assert_nothing_changed(before)


def test_a_body_that_is_not_a_json_object_is_refused(client, admin):
    before = table_counts()

    assert_error_shape(send(client, "POST", URL, json=[1, 2]), 400)
    assert_error_shape(send(client, "POST", URL, data="{not json", content_type="application/json"), 400)
    assert_error_shape(send(client, "POST", URL, data="a=1", content_type="application/x-www-form-urlencoded"), 415)
    assert_error_shape(send(client, "POST", URL, json={"reason": "x" * 70_000}), 413)
    assert_nothing_changed(before)


def test_a_write_without_the_csrf_token_or_with_another_sessions_token_is_refused(app, client, admin):
    member = factories.user(role="MEMBER")
    with app.app_context():  # a fresh `g`: the test's own app context would hand back this session's token
        other_login = app.test_client().post(
            "/api/auth/login", json={"email": admin.email, "password": factories.PASSWORD}
        )
        foreign_token = other_login.get_json()["csrf_token"]
    assert foreign_token != client.csrf_token
    pending = TransactionFactory(status=TxStatus.PENDING, user=member)
    before = table_counts()

    no_token = client.post(URL, json=adjustment(member))
    wrong_token = client.post(URL, json=adjustment(member), headers={"X-CSRFToken": foreign_token})
    no_token_patch = client.patch(f"{URL}/{pending.id}", json={"status": "FAILED"})
    no_token_delete = client.delete(f"{URL}/{pending.id}")

    for response in (no_token, wrong_token, no_token_patch, no_token_delete):
        assert_error_shape(response, 400)
    assert_nothing_changed(before)
    assert db.session.get(Transaction, pending.id).status is TxStatus.PENDING


# Status changes -----------------------------------------------------------------------------------------------

ALLOWED = {
    (TxStatus.PENDING, TxStatus.SUCCESSFUL),
    (TxStatus.PENDING, TxStatus.FAILED),
    (TxStatus.PENDING, TxStatus.CANCELLED),
}


@pytest.mark.parametrize(("current", "new"), list(itertools.product(TxStatus, TxStatus)))
def test_the_transaction_state_machine_over_every_pair(client, admin, current, new):
    tx = TransactionFactory(status=current, user=factories.user(role="MEMBER"))
    before = table_counts()

    response = send(client, "PATCH", f"{URL}/{tx.id}", json={"status": new.value, "notes": "Checked with the bank"})

    db.session.expire_all()
    stored = db.session.get(Transaction, tx.id)
    if (current, new) in ALLOWED:
        assert response.status_code == 200 and response.get_json()["status"] == new.value
        assert stored.status is new
        [change] = signals(f"transaction.{new.value.lower()}")
        moves_savings = stored.type is TxType.ADJUSTMENT and new is TxStatus.SUCCESSFUL and stored.user_id is not None
        expected = ["activity", "contributions", "transactions"] if moves_savings else ["activity", "transactions"]
        assert change.topics == expected
        audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.entity == "transaction")).one()
        assert audit.before["status"] == current.value and audit.after["status"] == new.value
        assert audit.after["notes"] == "Checked with the bank"
    else:
        error = assert_error_shape(response, 409, "conflict")
        assert current.value in error["message"] and new.value in error["message"]
        assert stored.status is current
        assert_nothing_changed(before)


def _payment_linked(member) -> Transaction:
    """A PENDING line that a gateway payment points at."""
    tx = TransactionFactory(type=TxType.FEE, status=TxStatus.PENDING, user=member)
    PaymentFactory(
        user=member, purpose=PaymentPurpose.MEMBER_REGISTRATION, amount_kobo=tx.amount_kobo, transaction_id=tx.id
    )
    return tx


def _contribution_linked(member) -> Transaction:
    """A PENDING line that a contribution points at."""
    tx = TransactionFactory(type=TxType.CONTRIBUTION, status=TxStatus.PENDING, user=member)
    ContributionFactory(user=member, amount_kobo=tx.amount_kobo, transaction=tx)
    return tx


def _loan_linked(member) -> Transaction:
    """A PENDING line that names a loan."""
    loan = LoanFactory(user=member, amount_kobo=5_000_00, duration_months=6, status=LoanStatus.APPROVED)
    return TransactionFactory(type=TxType.LOAN_DISBURSEMENT, status=TxStatus.PENDING, user=member, loan_id=loan.id)


def _withdrawal_linked(member) -> Transaction:
    """A PENDING line that a withdrawal points at."""
    tx = TransactionFactory(type=TxType.WITHDRAWAL, status=TxStatus.PENDING, user=member)
    WithdrawalFactory(user=member, amount_kobo=tx.amount_kobo, status=WithdrawalStatus.PROCESSED, transaction_id=tx.id)
    return tx


@pytest.mark.parametrize(
    ("make", "kind"),
    [
        (_payment_linked, "payment"),
        (_contribution_linked, "contribution"),
        (_loan_linked, "loan"),
        (_withdrawal_linked, "withdrawal"),
    ],
)
def test_lines_that_belong_to_another_record_cannot_be_moved_or_cancelled(client, admin, make, kind):
    tx = make(factories.user(role="MEMBER"))
    before = table_counts()

    patched = send(client, "PATCH", f"{URL}/{tx.id}", json={"status": "SUCCESSFUL"})
    cancelled = send(client, "DELETE", f"{URL}/{tx.id}")
    listed = client.get(URL).get_json()["items"][0]

    assert kind in assert_error_shape(patched, 409, "conflict")["message"]
    assert kind in assert_error_shape(cancelled, 409, "conflict")["message"]
    assert db.session.get(Transaction, tx.id).status is TxStatus.PENDING
    assert_nothing_changed(before)
    assert (listed["linked_to"], listed["editable"]) == (kind, False)


@pytest.mark.parametrize(
    "body",
    [{}, {"status": "DONE"}, {"status": 3}, {"status": "FAILED", "notes": "n" * 501}, {"status": "FAILED", "notes": 5}],
)
def test_a_bad_status_change_is_refused_with_422(client, admin, body):
    tx = TransactionFactory(status=TxStatus.PENDING)
    before = table_counts()

    assert_error_shape(send(client, "PATCH", f"{URL}/{tx.id}", json=body), 422, "validation_error")

    assert_nothing_changed(before)
    assert db.session.get(Transaction, tx.id).status is TxStatus.PENDING


@pytest.mark.parametrize("path", ["999999", "abc", "-1", "99999999999999999999999"])
def test_unknown_or_malformed_ids_are_not_found(client, admin, path):
    assert_error_shape(send(client, "PATCH", f"{URL}/{path}", json={"status": "FAILED"}), 404)
    assert_error_shape(send(client, "DELETE", f"{URL}/{path}"), 404)


# Cancelling ("deleting") --------------------------------------------------------------------------------------


def test_deleting_a_pending_line_cancels_it_and_keeps_the_row(client, admin):
    member = factories.user(role="MEMBER")
    tx = TransactionFactory(status=TxStatus.PENDING, user=member)

    response = send(client, "DELETE", f"{URL}/{tx.id}")

    assert response.status_code == 200 and response.get_json()["status"] == "CANCELLED"
    db.session.expire_all()
    assert db.session.get(Transaction, tx.id).status is TxStatus.CANCELLED
    [change] = signals("transaction.cancelled")
    assert change.rooms == ["role:APEX", "role:FINANCE", "role:SUPER_ADMIN", f"user:{member.id}"]


@pytest.mark.parametrize("status", [TxStatus.SUCCESSFUL, TxStatus.FAILED, TxStatus.CANCELLED])
def test_a_final_line_cannot_be_cancelled(client, admin, status):
    tx = TransactionFactory(status=status)
    before = table_counts()

    assert_error_shape(send(client, "DELETE", f"{URL}/{tx.id}"), 409, "conflict")

    assert_nothing_changed(before)
    assert db.session.get(Transaction, tx.id).status is status


# Who may ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["FINANCE", "APEX", "APEX_FUNDS", "NOGALSS_FUNDS", "LEADER", "MEMBER"])
def test_only_a_super_admin_may_use_the_ledger_endpoints(client, login_as, role):
    tx = TransactionFactory(status=TxStatus.PENDING)
    member = factories.user(role="MEMBER")
    login_as(role)
    before = table_counts()

    assert_error_shape(client.get(URL), 403, "forbidden")
    assert_error_shape(send(client, "POST", URL, json=adjustment(member)), 403, "forbidden")
    assert_error_shape(send(client, "PATCH", f"{URL}/{tx.id}", json={"status": "FAILED"}), 403, "forbidden")
    assert_error_shape(send(client, "DELETE", f"{URL}/{tx.id}"), 403, "forbidden")
    assert_nothing_changed(before)


def test_a_signed_out_caller_gets_401(client):
    assert_error_shape(client.get(URL), 401)
