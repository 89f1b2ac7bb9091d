"""Loan decisions over JSON: apex moves any loan along its state machine; a leader decides only their own coop's."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import Loan, LoanStatus, Transaction, TxType
from tests import factories
from tests.factories import LoanFactory, cooperative_with_saver, saver
from tests.support.client import send
from tests.support.records import last_v, only_change, refresh
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts

DECIDED_ROOMS = ["role:APEX", "role:FINANCE", "role:SUPER_ADMIN"]


def loan_rooms(loan: Loan) -> list[str]:
    """Return the rooms a loan decision is signalled to."""
    return sorted([*DECIDED_ROOMS, f"coop:{loan.cooperative_id}", f"user:{loan.user_id}"])


def disbursements() -> list[Transaction]:
    """Return the LOAN_DISBURSEMENT ledger lines."""
    db.session.rollback()
    return list(db.session.scalars(sa.select(Transaction).where(Transaction.type == TxType.LOAN_DISBURSEMENT)))


# Apex ---------------------------------------------------------------------------------------------------------


def test_apex_approves_a_loan_and_the_disbursement_is_recorded(client, login_as):
    apex = login_as("APEX")
    _leader, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=20_000_00)
    v = last_v()

    response = send(client, "PATCH", f"/api/apex/loans/{loan.id}", {"status": "APPROVED", "notes": "Good record"})

    assert response.status_code == 200
    body = response.get_json()
    assert (body["id"], body["status"], body["decided_by_id"], body["notes"]) == (
        loan.id,
        "APPROVED",
        apex.id,
        "Good record",
    )
    stored = refresh(loan)
    assert (stored.status, stored.decided_by_id) == (LoanStatus.APPROVED, apex.id)
    assert [(tx.amount_kobo, tx.loan_id) for tx in disbursements()] == [(20_000_00, loan.id)]
    topics, rooms = only_change(v, "loan.approved")
    assert (sorted(topics), rooms) == (["activity", "loans", "transactions"], loan_rooms(stored))
    assert only_change(v, "notification.created") == (["notifications"], [f"user:{member.id}"])


def test_apex_rejects_a_loan_without_moving_money(client, login_as):
    login_as("APEX")
    _leader, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=20_000_00)
    v = last_v()

    response = send(client, "PATCH", f"/api/apex/loans/{loan.id}", {"status": "REJECTED"})

    assert response.status_code == 200 and response.get_json()["status"] == "REJECTED"
    assert refresh(loan).status is LoanStatus.REJECTED and disbursements() == []
    topics, rooms = only_change(v, "loan.rejected")
    assert (sorted(topics), rooms) == (["activity", "loans"], loan_rooms(loan))


def test_apex_marks_an_approved_loan_as_disbursed(client, login_as):
    login_as("APEX")
    _leader, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=20_000_00, status=LoanStatus.APPROVED)
    v = last_v()

    response = send(client, "PATCH", f"/api/apex/loans/{loan.id}", {"status": "active"})

    assert response.status_code == 200 and response.get_json()["status"] == "ACTIVE"
    assert refresh(loan).status is LoanStatus.ACTIVE
    topics, rooms = only_change(v, "loan.activated")
    assert "loans" in topics and rooms == loan_rooms(loan)


@pytest.mark.parametrize(
    ("start", "status"),
    [
        (LoanStatus.ACTIVE, "COMPLETED"),
        (LoanStatus.PENDING, "ACTIVE"),
        (LoanStatus.REJECTED, "APPROVED"),
        (LoanStatus.COMPLETED, "ACTIVE"),
        (LoanStatus.APPROVED, "REJECTED"),
        (LoanStatus.ACTIVE, "PENDING"),
    ],
)
def test_apex_cannot_make_an_illegal_transition(client, login_as, start, status):
    login_as("APEX")
    loan = LoanFactory(user=saver(10_000_00), amount_kobo=20_000_00, status=start)
    before = table_counts()

    response = send(client, "PATCH", f"/api/apex/loans/{loan.id}", {"status": status})

    assert_error_shape(response, 409, "conflict")
    assert_nothing_changed(before)
    assert refresh(loan).status is start


def test_fields_slipped_into_an_apex_decision_are_ignored(client, login_as):
    login_as("APEX")
    member = saver(10_000_00)
    loan = LoanFactory(user=member, amount_kobo=20_000_00)

    body = {"status": "APPROVED", "amount_kobo": 1, "user_id": 1, "cooperative_id": 999, "repaid_kobo": 5}
    assert send(client, "PATCH", f"/api/apex/loans/{loan.id}", body).status_code == 200

    stored = refresh(loan)
    assert (stored.amount_kobo, stored.user_id, stored.cooperative_id, stored.repaid_kobo) == (
        20_000_00,
        member.id,
        member.cooperative_id,
        0,
    )


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({}, 422, "status"),
        ({"status": "PAID"}, 422, "status"),
        ({"status": True}, 422, "status"),
        ({"status": "APPROVED", "notes": ["x"]}, 422, "notes"),
        ({"status": "APPROVED", "notes": "x" * 501}, 422, "notes"),
        ("APPROVED", 400, None),
    ],
)
def test_a_malformed_apex_decision_is_refused(client, login_as, body, status, field):
    login_as("APEX")
    loan = LoanFactory(user=saver(10_000_00), amount_kobo=20_000_00)
    before = table_counts()

    error = assert_error_shape(send(client, "PATCH", f"/api/apex/loans/{loan.id}", body), status)

    assert field is None or field in error["fields"]
    assert_nothing_changed(before)


@pytest.mark.parametrize("path", ["424242", "abc", "99999999999999999999", "-3"])
def test_apex_unknown_loans_are_not_found(client, login_as, path):
    login_as("APEX")
    before = table_counts()

    assert_error_shape(send(client, "PATCH", f"/api/apex/loans/{path}", {"status": "APPROVED"}), 404, "not_found")
    assert_nothing_changed(before)


@pytest.mark.parametrize("role", ["MEMBER", "LEADER", "FINANCE", "APEX_FUNDS", "SUPER_ADMIN"])
def test_only_apex_uses_the_apex_loan_endpoint(client, login_as, role):
    user = login_as(role)
    loan = LoanFactory(
        user=saver(10_000_00, cooperative_id=user.cooperative_id or factories.cooperative().id), amount_kobo=20_000_00
    )
    before = table_counts()

    assert_error_shape(send(client, "PATCH", f"/api/apex/loans/{loan.id}", {"status": "APPROVED"}), 403, "forbidden")
    assert_nothing_changed(before)


def test_an_apex_decision_without_csrf_is_refused(client, login_as):
    login_as("APEX")
    loan = LoanFactory(user=saver(10_000_00), amount_kobo=20_000_00)
    before = table_counts()

    response = send(client, "PATCH", f"/api/apex/loans/{loan.id}", {"status": "APPROVED"}, csrf=False)

    assert_error_shape(response, 400)
    assert_nothing_changed(before)


# Leader -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [None, {}, {"notes": "Well saved"}])
def test_the_leader_approves_a_pending_loan_of_their_cooperative(client, login_as, body):
    leader = login_as("LEADER")
    member = saver(10_000_00, cooperative_id=leader.cooperative_id)
    loan = LoanFactory(user=member, amount_kobo=20_000_00)
    v = last_v()

    response = send(client, "POST", f"/api/leader/loans/{loan.id}/approve", body)

    assert response.status_code == 200
    assert (response.get_json()["status"], response.get_json()["decided_by_id"]) == ("APPROVED", leader.id)
    stored = refresh(loan)
    assert (stored.status, stored.decided_by_id, stored.notes) == (
        LoanStatus.APPROVED,
        leader.id,
        (body or {}).get("notes"),
    )
    assert [tx.loan_id for tx in disbursements()] == [loan.id]
    topics, rooms = only_change(v, "loan.approved")
    assert (sorted(topics), rooms) == (["activity", "loans", "transactions"], loan_rooms(stored))


def test_the_leader_rejects_a_pending_loan_with_notes(client, login_as):
    leader = login_as("LEADER")
    loan = LoanFactory(user=saver(10_000_00, cooperative_id=leader.cooperative_id), amount_kobo=20_000_00)
    v = last_v()

    response = send(client, "POST", f"/api/leader/loans/{loan.id}/reject", {"notes": "Savings too recent"})

    assert response.status_code == 200 and response.get_json()["status"] == "REJECTED"
    assert (refresh(loan).status, refresh(loan).notes) == (LoanStatus.REJECTED, "Savings too recent")
    assert disbursements() == []
    topics, rooms = only_change(v, "loan.rejected")
    assert "loans" in topics and rooms == loan_rooms(loan)


@pytest.mark.parametrize("verb", ["approve", "reject"])
def test_another_cooperatives_loan_is_not_found_exactly_like_a_missing_one(client, login_as, verb):
    login_as("LEADER")
    _other_leader, other_member = cooperative_with_saver()
    foreign = LoanFactory(user=other_member, amount_kobo=20_000_00)
    before = table_counts()

    response = send(client, "POST", f"/api/leader/loans/{foreign.id}/{verb}", {})
    missing = send(client, "POST", f"/api/leader/loans/{foreign.id + 1000}/{verb}", {})

    assert_error_shape(response, 404, "not_found")
    assert response.get_json() == missing.get_json()
    assert_nothing_changed(before)
    assert refresh(foreign).status is LoanStatus.PENDING


@pytest.mark.parametrize("verb", ["approve", "reject"])
def test_a_leader_cannot_decide_their_own_loan(client, login_as, verb):
    leader = login_as("LEADER")
    own = LoanFactory(user=leader, amount_kobo=20_000_00)
    before = table_counts()

    assert_error_shape(send(client, "POST", f"/api/leader/loans/{own.id}/{verb}"), 403, "forbidden")
    assert_nothing_changed(before)


@pytest.mark.parametrize("start", [LoanStatus.APPROVED, LoanStatus.REJECTED, LoanStatus.ACTIVE, LoanStatus.COMPLETED])
def test_a_leader_decides_only_pending_applications(client, login_as, start):
    leader = login_as("LEADER")
    loan = LoanFactory(user=saver(10_000_00, cooperative_id=leader.cooperative_id), amount_kobo=20_000_00, status=start)
    before = table_counts()

    assert_error_shape(send(client, "POST", f"/api/leader/loans/{loan.id}/approve"), 409, "conflict")
    assert_error_shape(send(client, "POST", f"/api/leader/loans/{loan.id}/reject"), 409, "conflict")
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    ("body", "status"),
    [(["notes"], 400), ("approve", 400), ({"notes": 42}, 422), ({"notes": "n" * 501}, 422)],
)
def test_a_malformed_leader_decision_is_refused(client, login_as, body, status):
    leader = login_as("LEADER")
    loan = LoanFactory(user=saver(10_000_00, cooperative_id=leader.cooperative_id), amount_kobo=20_000_00)
    before = table_counts()

    assert_error_shape(send(client, "POST", f"/api/leader/loans/{loan.id}/approve", body), status)
    assert_nothing_changed(before)


def test_a_leader_cannot_slip_another_status_in(client, login_as):
    leader = login_as("LEADER")
    loan = LoanFactory(user=saver(10_000_00, cooperative_id=leader.cooperative_id), amount_kobo=20_000_00)

    response = send(client, "POST", f"/api/leader/loans/{loan.id}/reject", {"status": "APPROVED", "amount_kobo": 1})

    assert response.status_code == 200
    assert (refresh(loan).status, refresh(loan).amount_kobo) == (LoanStatus.REJECTED, 20_000_00)


@pytest.mark.parametrize("path", ["4242/approve", "abc/approve", "1/accept", "99999999999999999999/reject"])
def test_leader_unknown_loan_urls_are_not_found(client, login_as, path):
    login_as("LEADER")

    assert_error_shape(send(client, "POST", f"/api/leader/loans/{path}"), 404)


@pytest.mark.parametrize("role", ["MEMBER", "APEX", "FINANCE", "SUPER_ADMIN"])
def test_only_leaders_use_the_leader_loan_endpoints(client, login_as, role):
    leader, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=20_000_00)
    login_as(role, cooperative_id=leader.cooperative_id) if role == "MEMBER" else login_as(role)
    before = table_counts()

    assert_error_shape(send(client, "POST", f"/api/leader/loans/{loan.id}/approve"), 403, "forbidden")
    assert_error_shape(send(client, "POST", f"/api/leader/loans/{loan.id}/reject"), 403, "forbidden")
    assert_nothing_changed(before)


def test_a_leader_decision_without_csrf_is_refused(client, login_as):
    leader = login_as("LEADER")
    loan = LoanFactory(user=saver(10_000_00, cooperative_id=leader.cooperative_id), amount_kobo=20_000_00)
    before = table_counts()

    assert_error_shape(send(client, "POST", f"/api/leader/loans/{loan.id}/approve", csrf=False), 400)
    assert_nothing_changed(before)
    assert refresh(loan).status is LoanStatus.PENDING


def test_approving_twice_disburses_once(client, login_as):
    leader = login_as("LEADER")
    loan = LoanFactory(user=saver(10_000_00, cooperative_id=leader.cooperative_id), amount_kobo=20_000_00)
    assert send(client, "POST", f"/api/leader/loans/{loan.id}/approve").status_code == 200

    second = send(client, "POST", f"/api/leader/loans/{loan.id}/approve")

    assert_error_shape(second, 409, "conflict")
    assert len(disbursements()) == 1
