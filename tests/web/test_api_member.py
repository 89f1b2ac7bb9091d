"""Member self-service JSON API: contribute, apply for a loan, request a withdrawal (MEMBER, LEADER)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import AuditLog, Loan, LoanStatus, Payment, PaymentStatus, Role, Withdrawal, WithdrawalStatus
from nogalss_app.services import api_tokens, settings
from tests import factories
from tests.factories import LoanFactory, saver
from tests.support.bad_inputs import BAD_JSON_AMOUNTS
from tests.support.client import send, sign_in
from tests.support.records import last_v, only_change
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts

ENDPOINTS = ["/api/member/contribute", "/api/member/loans", "/api/member/withdrawals"]


def valid_body(url: str) -> dict:
    """Return a valid body for each endpoint."""
    return {
        "/api/member/contribute": {"amount_kobo": 1_000_00},
        "/api/member/loans": {"amount_kobo": 1_000_00, "purpose": "Sewing machine", "duration_months": 6},
        "/api/member/withdrawals": {"amount_kobo": 1_000_00, "reason": "School fees"},
    }[url]


@pytest.fixture
def member(client):
    """A signed-in member who saved ₦10,000 long ago (so may borrow and withdraw)."""
    user = saver(10_000_00, first_name="Ada", last_name="Obi")
    sign_in(client, user)
    return user


# Contribute ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LEADER])
def test_a_member_or_leader_starts_a_contribution_and_gets_the_checkout_url(client, login_as, role):
    user = login_as(role)
    v = last_v()

    response = send(client, "POST", "/api/member/contribute", {"amount_kobo": 2_500_00})

    assert response.status_code == 201
    body = response.get_json()
    assert body["authorization_url"] == f"http://localhost/sandbox/checkout/{body['reference']}"
    pending = db.session.scalar(sa.select(Payment).where(Payment.reference == body["reference"]))
    assert (pending.status, pending.amount_kobo, pending.user_id) == (PaymentStatus.PENDING, 2_500_00, user.id)
    assert pending.cooperative_id == user.cooperative_id
    audit = db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id.desc())).first()
    assert (audit.action, audit.actor_id) == ("payment.start", user.id)
    assert last_v() == v  # no dashboard figure moves until the gateway confirms it


def test_fields_slipped_into_a_contribution_are_ignored(client, member):
    other = factories.user(role=Role.MEMBER)
    body = {"amount_kobo": 2_500_00, "user_id": other.id, "cooperative_id": other.cooperative_id, "role": "SUPER_ADMIN"}
    body |= {"status": "SUCCESSFUL", "is_active": False}

    reference = send(client, "POST", "/api/member/contribute", body).get_json()["reference"]

    pending = db.session.scalar(sa.select(Payment).where(Payment.reference == reference))
    assert (pending.user_id, pending.cooperative_id, pending.status) == (
        member.id,
        member.cooperative_id,
        PaymentStatus.PENDING,
    )
    assert db.session.get(type(member), member.id).role is Role.MEMBER


# Loans --------------------------------------------------------------------------------------------------------


def test_an_eligible_member_applies_for_a_loan(client, member):
    v = last_v()

    response = send(client, "POST", "/api/member/loans", valid_body("/api/member/loans") | {"amount_kobo": 30_000_00})

    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] and (body["amount_kobo"], body["status"], body["duration_months"]) == (30_000_00, "PENDING", 6)
    assert (body["user_id"], body["purpose"], body["repaid_kobo"]) == (member.id, "Sewing machine", 0)
    loan = db.session.get(Loan, body["id"])
    assert (loan.status, loan.cooperative_id) == (LoanStatus.PENDING, member.cooperative_id)
    topics, rooms = only_change(v, "loan.applied")
    assert "loans" in topics
    assert {f"coop:{member.cooperative_id}", f"user:{member.id}", "role:APEX", "role:SUPER_ADMIN"} <= set(rooms)


def test_fields_slipped_into_a_loan_application_are_ignored(client, member):
    other = factories.user(role=Role.MEMBER)
    body = valid_body("/api/member/loans") | {
        "status": "APPROVED",
        "user_id": other.id,
        "cooperative_id": other.cooperative_id,
        "role": "SUPER_ADMIN",
        "is_active": False,
        "repaid_kobo": 1_000_00,
    }

    loan = db.session.get(Loan, send(client, "POST", "/api/member/loans", body).get_json()["id"])

    assert (loan.status, loan.user_id, loan.cooperative_id, loan.repaid_kobo) == (
        LoanStatus.PENDING,
        member.id,
        member.cooperative_id,
        0,
    )
    db.session.refresh(member)
    assert member.role is Role.MEMBER and member.is_active


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_kobo": 60_000_01}, "amount_kobo"),  # more than 6 × ₦10,000 savings
        ({"purpose": ""}, "purpose"),
        ({"purpose": "x" * 501}, "purpose"),
        ({"duration_months": 0}, "duration_months"),
        ({"duration_months": 61}, "duration_months"),
        ({"duration_months": "6"}, "duration_months"),
        ({"duration_months": 6.5}, "duration_months"),
    ],
)
def test_an_invalid_loan_application_is_refused_and_writes_nothing(client, member, change, field):
    before = table_counts()

    response = send(client, "POST", "/api/member/loans", valid_body("/api/member/loans") | change)

    assert field in assert_error_shape(response, 422, "validation_error")["fields"]
    assert_nothing_changed(before)


def test_a_member_with_a_pending_loan_is_told_why_not(client, member):
    LoanFactory(user=member, amount_kobo=1_000_00)
    before = table_counts()

    error = assert_error_shape(send(client, "POST", "/api/member/loans", valid_body("/api/member/loans")), 422)

    assert "eligibility" in error["fields"] and "not eligible" in error["message"]
    assert_nothing_changed(before)


# Withdrawals --------------------------------------------------------------------------------------------------


def test_a_member_requests_a_withdrawal_and_finance_hears_of_it(client, member):
    v = last_v()

    response = send(client, "POST", "/api/member/withdrawals", {"amount_kobo": 4_000_00, "reason": "School fees"})

    assert response.status_code == 201
    body = response.get_json()
    assert (body["amount_kobo"], body["reason"], body["status"], body["user_id"]) == (
        4_000_00,
        "School fees",
        "PENDING",
        member.id,
    )
    assert db.session.get(Withdrawal, body["id"]).status is WithdrawalStatus.PENDING
    topics, rooms = only_change(v, "withdrawal.requested")
    assert {"withdrawals", "notifications"} <= set(topics)
    assert {f"user:{member.id}", "role:FINANCE", "role:SUPER_ADMIN"} <= set(rooms)


def test_fields_slipped_into_a_withdrawal_are_ignored(client, member):
    body = {"amount_kobo": 1_000_00, "reason": "Rent", "status": "PROCESSED", "user_id": 999, "role": "FINANCE"}

    withdrawal = db.session.get(Withdrawal, send(client, "POST", "/api/member/withdrawals", body).get_json()["id"])

    assert (withdrawal.status, withdrawal.user_id) == (WithdrawalStatus.PENDING, member.id)


def test_a_withdrawal_above_the_withdrawable_balance_is_refused(client, member):
    before = table_counts()

    body = {"amount_kobo": 10_000_01, "reason": "Rent"}
    error = assert_error_shape(send(client, "POST", "/api/member/withdrawals", body), 422)

    assert "withdrawable balance of ₦10,000.00" in error["fields"]["amount_kobo"]
    assert_nothing_changed(before)


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LEADER])
def test_withdrawals_turned_off_for_the_role_are_forbidden(client, role):
    user = saver(10_000_00, role=role)
    settings.update_withdrawals({role.value: False}, actor_id=None)
    sign_in(client, user)
    before = table_counts()

    response = send(client, "POST", "/api/member/withdrawals", {"amount_kobo": 1_000_00, "reason": "Rent"})

    assert "disabled" in assert_error_shape(response, 403, "forbidden")["message"]
    assert_nothing_changed(before)


# Every endpoint -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("amount", BAD_JSON_AMOUNTS, ids=repr)
def test_an_amount_that_is_not_a_positive_json_integer_within_the_maximum_is_refused(client, member, url, amount):
    before = table_counts()

    response = send(client, "POST", url, valid_body(url) | {"amount_kobo": amount})

    assert "amount_kobo" in assert_error_shape(response, 422, "validation_error")["fields"]
    assert_nothing_changed(before)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_missing_amount_is_refused(client, member, url):
    before = table_counts()
    body = {k: v for k, v in valid_body(url).items() if k != "amount_kobo"}

    assert "amount_kobo" in assert_error_shape(send(client, "POST", url, body), 422)["fields"]
    assert_nothing_changed(before)


@pytest.mark.parametrize("url", ENDPOINTS)
@pytest.mark.parametrize("role", ["SUPER_ADMIN", "FINANCE", "APEX", "APEX_FUNDS", "NOGALSS_FUNDS", "COOPERATIVE"])
def test_other_roles_are_forbidden(client, login_as, url, role):
    login_as(role)
    before = table_counts()

    assert_error_shape(send(client, "POST", url, valid_body(url)), 403, "forbidden")
    assert_nothing_changed(before)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_signed_out_callers_and_writes_without_csrf_are_refused(client, member, url):
    before = table_counts()

    assert_error_shape(send(client, "POST", url, valid_body(url), csrf=False), 400, "csrf_failed")
    client.post("/api/auth/logout", headers={"X-CSRFToken": client.csrf_token})
    client.csrf_token = client.get("/api/auth/register").get_json()["csrf_token"]
    assert_error_shape(send(client, "POST", url, valid_body(url)), 401, "unauthorized")
    assert_nothing_changed(before)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_a_body_that_is_not_a_json_object_is_malformed(client, member, url):
    before = table_counts()

    assert_error_shape(send(client, "POST", url, [1, 2]), 400, "bad_request")
    response = client.post(url, data="amount_kobo=100", headers={"X-CSRFToken": client.csrf_token})
    assert_error_shape(response, 415)
    assert_nothing_changed(before)


def test_a_script_with_the_members_api_token_needs_no_csrf(app, client, member):
    super_admin = factories.user(role=Role.SUPER_ADMIN)
    _, token = api_tokens.create_token(member.id, "script", actor_id=super_admin.id)
    script = app.test_client()

    response = script.post(
        "/api/member/loans", json=valid_body("/api/member/loans"), headers={"Authorization": f"Bearer {token}"}
    )

    assert response.status_code == 201 and response.get_json()["user_id"] == member.id
