"""Loans that close: interest from settings, the schedule made at disbursement, repayments offline and through the
gateway, COMPLETED when fully repaid; BAD_INPUTS 33 (over what is owed, a loan not ACTIVE, a reused reference)."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import Loan, LoanInstalment, LoanStatus, Role, Transaction, TxType
from nogalss_app.models.types import utcnow
from nogalss_app.services import loans
from nogalss_app.services.actor import Actor
from nogalss_app.services.periods import local_today
from tests import factories
from tests.factories import LoanFactory, cooperative_with_saver
from tests.support.client import send, sign_in
from tests.support.payments import checkout_path, press
from tests.support.records import signals
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts

PRINCIPAL = 12_000_00  # at 5 %: ₦12,600 due in 6 instalments of ₦2,100


def disbursed_loan(months: int = 6):
    """Return (member, loan id): a ₦12,000 loan applied for at today's interest and approved by the leader."""
    leader, member = cooperative_with_saver(10_000_00)
    application = {"amount_kobo": PRINCIPAL, "purpose": "Sewing machine", "duration_months": months}
    loan = loans.apply_for_loan(member.id, application)
    loans.decide_loan(loan.id, "APPROVED", actor=Actor.of(leader))
    return member, loan.id


def loan(loan_id: int) -> Loan:
    """Return the loan as the database holds it now."""
    db.session.rollback()
    return db.session.get(Loan, loan_id)


def repayment_lines() -> list[Transaction]:
    """Return the REPAYMENT ledger lines."""
    db.session.rollback()
    return list(db.session.scalars(sa.select(Transaction).where(Transaction.type == TxType.REPAYMENT)))


def test_approval_disburses_the_loan_with_flat_interest_and_a_monthly_schedule():
    _, loan_id = disbursed_loan()

    stored = loan(loan_id)
    rows = db.session.scalars(sa.select(LoanInstalment).where(LoanInstalment.loan_id == loan_id)).all()
    assert (stored.interest_bp, stored.total_due_kobo, stored.remaining_kobo) == (500, 12_600_00, 12_600_00)
    assert [(r.number, r.amount_kobo) for r in rows] == [(n, 2_100_00) for n in range(1, 7)]
    today = local_today(utcnow())
    assert rows[0].due_on > today and (rows[0].due_on.month - today.month) % 12 == 1


@pytest.fixture
def finance(app):
    """A signed-in finance client."""
    return sign_in(app.test_client(), factories.user(Role.FINANCE))


def offline(client, loan_id: int, amount_kobo: int, reference: str = "TELLER-0001", paid_on: str | None = None):
    """Record an offline repayment through the finance API."""
    body = {"amount_kobo": amount_kobo, "reference": reference, "paid_on": paid_on or date.today().isoformat()}
    return send(client, "POST", f"/api/finance/loans/{loan_id}/repayments", body)


def test_finance_records_offline_repayments_and_the_last_completes_the_loan(finance):
    member, loan_id = disbursed_loan()

    first = offline(finance, loan_id, 2_100_00, "TELLER-0001")
    last = offline(finance, loan_id, 10_500_00, "TELLER-0002")

    assert (first.status_code, last.status_code) == (201, 201)
    assert first.get_json()["loan"]["remaining_kobo"] == 10_500_00
    assert [(tx.reference, tx.amount_kobo, tx.loan_id) for tx in repayment_lines()] == [
        ("TELLER-0001", 2_100_00, loan_id),
        ("TELLER-0002", 10_500_00, loan_id),
    ]
    assert (loan(loan_id).status, loan(loan_id).remaining_kobo) == (LoanStatus.COMPLETED, 0)
    [repaid], [completed] = signals("loan.repaid"), signals("loan.completed")
    rooms = sorted(
        ["role:APEX", "role:FINANCE", "role:SUPER_ADMIN", f"coop:{member.cooperative_id}", f"user:{member.id}"]
    )
    assert repaid.rooms == rooms and completed.rooms == rooms
    assert {"loans", "repayments", "transactions"} <= set(completed.topics)


@pytest.mark.parametrize(
    "case",
    ["over_what_is_owed", "reused_reference", "not_active"],
)
def test_a_refused_repayment_is_409_and_writes_nothing(finance, case):
    _, loan_id = disbursed_loan()
    offline(finance, loan_id, 1_000_00, "TELLER-0001")
    target, amount, reference = loan_id, 1_000_00, "TELLER-0002"
    if case == "over_what_is_owed":
        amount = 11_600_01
    elif case == "reused_reference":
        reference = "TELLER-0001"
    else:
        target = LoanFactory(user=factories.user(Role.MEMBER), status=LoanStatus.PENDING).id
    before = table_counts()

    refused = offline(finance, target, amount, reference)

    assert_error_shape(refused, 409, "conflict")
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    "body",
    [
        {"amount_kobo": 0, "reference": "T-1", "paid_on": "2026-01-01"},
        {"amount_kobo": 100, "reference": "", "paid_on": "2026-01-01"},
        {"amount_kobo": 100, "reference": "T 1", "paid_on": "2026-01-01"},
        {"amount_kobo": 100, "reference": "T-1", "paid_on": "2999-01-01"},
        {"amount_kobo": 100, "reference": "T-1", "paid_on": "yesterday"},
        {"amount_kobo": 100, "reference": "T-1"},
    ],
)
def test_a_malformed_offline_repayment_is_422_and_writes_nothing(finance, body):
    _, loan_id = disbursed_loan()
    before = table_counts()

    refused = send(finance, "POST", f"/api/finance/loans/{loan_id}/repayments", body)

    assert_error_shape(refused, 422)
    assert_nothing_changed(before)


def test_members_cannot_record_offline_repayments(app):
    member, loan_id = disbursed_loan()
    client = sign_in(app.test_client(), member)

    assert offline(client, loan_id, 100).status_code == 403


def test_the_borrower_repays_through_the_sandbox_and_is_credited_once(app):
    member, loan_id = disbursed_loan()
    client = sign_in(app.test_client(), member)

    started = send(client, "POST", f"/api/member/loans/{loan_id}/repay", {"amount_kobo": 2_100_00})
    assert started.status_code == 201
    reference = started.get_json()["reference"]
    assert checkout_path(started.get_json()["authorization_url"]) == f"/sandbox/checkout/{reference}"
    press(client, reference, "pay")
    press(client, reference, "pay")  # a double click
    send(client, "POST", "/api/payments/verify", {"reference": reference})

    assert [(tx.reference, tx.amount_kobo) for tx in repayment_lines()] == [(reference, 2_100_00)]
    assert (loan(loan_id).status, loan(loan_id).repaid_kobo) == (LoanStatus.ACTIVE, 2_100_00)


def test_a_borrower_cannot_repay_someone_elses_loan_or_more_than_is_owed(app):
    member, loan_id = disbursed_loan()
    other = sign_in(app.test_client(), factories.user(Role.MEMBER))
    mine = sign_in(app.test_client(), member)
    before = table_counts()

    assert send(other, "POST", f"/api/member/loans/{loan_id}/repay", {"amount_kobo": 100}).status_code == 404
    assert send(mine, "POST", f"/api/member/loans/{loan_id}/repay", {"amount_kobo": 12_600_01}).status_code == 409
    assert send(mine, "POST", f"/api/member/loans/{loan_id}/repay", {"amount_kobo": -1}).status_code == 422
    assert_nothing_changed(before)


def test_a_gateway_repayment_that_no_longer_fits_is_failed_for_a_refund(app, finance):
    member, loan_id = disbursed_loan()
    client = sign_in(app.test_client(), member)
    reference = send(client, "POST", f"/api/member/loans/{loan_id}/repay", {"amount_kobo": 12_600_00}).get_json()[
        "reference"
    ]
    offline(finance, loan_id, 12_600_00, "TELLER-0009")  # paid in full at the bank meanwhile

    press(client, reference, "pay")

    db.session.rollback()
    assert loan(loan_id).repaid_kobo == 12_600_00 and len(repayment_lines()) == 1
    assert signals("payment.failed")


def test_the_super_admin_sets_the_loan_interest_for_new_applications(client, login_as):
    login_as("SUPER_ADMIN")

    saved = send(client, "PUT", "/api/admin/settings/loans", {"loan_interest_bp": 1_000})
    refused = [
        send(client, "PUT", "/api/admin/settings/loans", {"loan_interest_bp": value})
        for value in (-1, 10_001, 5.5, "500", True, None)
    ]

    assert saved.status_code == 200 and saved.get_json()["loan_interest_bp"] == 1_000
    assert [r.status_code for r in refused] == [422] * 6
    _, loan_id = disbursed_loan()
    assert loan(loan_id).total_due_kobo == 13_200_00


def test_only_the_super_admin_sets_the_loan_interest(client, login_as):
    login_as("FINANCE")

    assert send(client, "PUT", "/api/admin/settings/loans", {"loan_interest_bp": 0}).status_code == 403


def test_a_loan_too_small_for_its_duration_is_refused(app):
    _, member = cooperative_with_saver(10_000_00)
    client = sign_in(app.test_client(), member)
    before = table_counts()

    refused = send(client, "POST", "/api/member/loans", {"amount_kobo": 1, "purpose": "Tiny", "duration_months": 2})

    assert_error_shape(refused, 422)
    assert "₦0.02" in refused.get_json()["error"]["fields"]["amount_kobo"]
    assert_nothing_changed(before)
