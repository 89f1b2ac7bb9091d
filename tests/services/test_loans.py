"""Loans: a saver applies, their cooperative's leader (or apex) decides, the money is disbursed and repaid."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import AuditLog, ChangeLog, Loan, LoanStatus, Notification, Role, TxCategory, TxStatus, TxType
from nogalss_app.services import balances, loans, repayments
from nogalss_app.services.actor import Actor
from nogalss_app.services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests import factories
from tests.factories import LoanFactory, cooperative_with_saver, saver
from tests.support.clock import NOW
from tests.support.records import change, changes, interest_free_loans, ledger_lines
from tests.support.snapshot import row_counts


@pytest.fixture(autouse=True)
def _no_interest(_app_context):
    """These tests are about limits and states without interest; interest has its own tests (test_money_safety)."""
    interest_free_loans()


APPLICATION = {"amount_kobo": 50_000_00, "purpose": "Buy a sewing machine", "duration_months": 12}
STAFF_ROOMS = ["role:APEX", "role:FINANCE", "role:SUPER_ADMIN"]


def decide_as(actor, loan_id: int, status, **kwargs) -> Loan:
    """Decide a loan as this user, with their role and cooperative as the scope."""
    return loans.decide_loan(loan_id, status, actor=Actor.of(actor), now=NOW, **kwargs)


# Applying ----------------------------------------------------------------------------------------------------


def test_a_saver_applies_and_the_leader_apex_and_super_admin_hear_of_it():
    leader, member = cooperative_with_saver()

    loan = loans.apply_for_loan(member.id, APPLICATION, now=NOW)

    stored = db.session.get(Loan, loan.id)
    assert (stored.status, stored.amount_kobo, stored.repaid_kobo) == (LoanStatus.PENDING, 50_000_00, 0)
    assert (stored.user_id, stored.cooperative_id, stored.duration_months) == (member.id, leader.cooperative_id, 12)
    assert stored.purpose == "Buy a sewing machine" and stored.created_at == NOW
    topics, rooms = change("loan.applied")
    assert "loans" in topics
    assert rooms == sorted(["role:APEX", "role:SUPER_ADMIN", f"coop:{leader.cooperative_id}", f"user:{member.id}"])
    audit = db.session.scalar(sa.select(AuditLog).where(AuditLog.entity == "loan"))
    assert (audit.actor_id, audit.entity_id, audit.after["status"]) == (member.id, str(loan.id), "PENDING")
    assert ledger_lines(TxType.LOAN_DISBURSEMENT) == []


def test_status_and_owner_slipped_into_an_application_are_ignored():
    _, member = cooperative_with_saver()
    other = factories.user(role=Role.MEMBER)

    loan = loans.apply_for_loan(member.id, APPLICATION | {"status": "APPROVED", "user_id": other.id}, now=NOW)

    assert (loan.status, loan.user_id) == (LoanStatus.PENDING, member.id)


def test_a_leader_may_apply_for_a_loan_too():
    leader = saver(10_000_00, role=Role.LEADER)

    loan = loans.apply_for_loan(leader.id, APPLICATION, now=NOW)

    assert loan.cooperative_id == leader.cooperative_id


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("amount_kobo", 100.5),
        ("amount_kobo", "5000"),
        ("amount_kobo", True),
        ("amount_kobo", None),
        ("amount_kobo", 0),
        ("amount_kobo", -5000),
        ("amount_kobo", 10**25),
        ("purpose", "ab"),
        ("purpose", "x" * 501),
        ("purpose", None),
        ("purpose", 123),
        ("duration_months", 0),
        ("duration_months", 61),
        ("duration_months", "12"),
        ("duration_months", True),
        ("duration_months", 6.0),
    ],
)
def test_a_malformed_application_is_refused_and_nothing_is_written(field, value):
    _, member = cooperative_with_saver()
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        loans.apply_for_loan(member.id, APPLICATION | {field: value}, now=NOW)

    assert list(refused.value.fields) == [field]
    assert row_counts() == before


def test_an_application_that_is_not_an_object_is_refused():
    _, member = cooperative_with_saver()

    with pytest.raises(ValidationFailed) as refused:
        loans.apply_for_loan(member.id, ["amount_kobo", 5], now=NOW)

    assert "body" in refused.value.fields


def test_a_new_saver_is_told_why_they_cannot_borrow_yet():
    member = saver(10_000_00, since=datetime(2025, 3, 1, 12, 0, tzinfo=UTC))
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        loans.apply_for_loan(member.id, APPLICATION, now=NOW)

    assert balances.REASON_TOO_NEW in refused.value.message
    assert refused.value.fields == {"eligibility": balances.REASON_TOO_NEW}
    assert row_counts() == before


def test_asking_for_more_than_six_times_savings_is_refused():
    _, member = cooperative_with_saver(10_000_00)
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        loans.apply_for_loan(member.id, APPLICATION | {"amount_kobo": 60_000_01}, now=NOW)

    assert "₦60,000.00" in refused.value.fields["amount_kobo"]
    assert row_counts() == before
    assert loans.apply_for_loan(member.id, APPLICATION | {"amount_kobo": 60_000_00}, now=NOW).amount_kobo == 60_000_00


def test_a_second_application_waits_for_the_first_to_be_decided():
    _, member = cooperative_with_saver()
    loans.apply_for_loan(member.id, APPLICATION, now=NOW)
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        loans.apply_for_loan(member.id, APPLICATION, now=NOW)

    assert refused.value.fields == {"eligibility": balances.REASON_PENDING}
    assert row_counts() == before


def test_an_approved_loan_lowers_the_limit_of_the_next_application():
    leader, member = cooperative_with_saver(10_000_00)
    first = loans.apply_for_loan(member.id, APPLICATION | {"amount_kobo": 40_000_00}, now=NOW)
    decide_as(leader, first.id, "APPROVED")

    with pytest.raises(ValidationFailed) as refused:
        loans.apply_for_loan(member.id, APPLICATION | {"amount_kobo": 20_000_01}, now=NOW)

    assert "₦20,000.00" in refused.value.fields["amount_kobo"]
    assert loans.apply_for_loan(member.id, APPLICATION | {"amount_kobo": 20_000_00}, now=NOW).id


@pytest.mark.parametrize("role", [Role.FINANCE, Role.APEX, Role.SUPER_ADMIN])
def test_staff_cannot_apply_for_loans(role):
    staff = factories.user(role=role)
    before = row_counts()

    with pytest.raises(Forbidden):
        loans.apply_for_loan(staff.id, APPLICATION, now=NOW)

    assert row_counts() == before


def test_a_deactivated_member_cannot_apply():
    member = saver(10_000_00, is_active=False)

    with pytest.raises(Forbidden):
        loans.apply_for_loan(member.id, APPLICATION, now=NOW)


# Deciding ----------------------------------------------------------------------------------------------------


def test_the_leader_approves_and_the_loan_is_disbursed_in_the_same_transaction():
    leader, member = cooperative_with_saver()
    loan = loans.apply_for_loan(member.id, APPLICATION, now=NOW)

    decide_as(leader, loan.id, "APPROVED", notes="Good record")

    stored = db.session.get(Loan, loan.id)
    assert (stored.status, stored.decided_by_id, stored.decided_at, stored.notes) == (
        LoanStatus.APPROVED,
        leader.id,
        NOW,
        "Good record",
    )
    [tx] = ledger_lines(TxType.LOAN_DISBURSEMENT)
    assert (tx.status, tx.category, tx.amount_kobo, tx.loan_id) == (
        TxStatus.SUCCESSFUL,
        TxCategory.LOAN,
        50_000_00,
        loan.id,
    )
    assert (tx.user_id, tx.cooperative_id, tx.created_by_id) == (member.id, leader.cooperative_id, leader.id)
    topics, rooms = change("loan.approved")
    assert {"loans", "transactions"} <= set(topics)
    assert rooms == sorted([*STAFF_ROOMS, f"coop:{leader.cooperative_id}", f"user:{member.id}"])
    summary = db.session.scalar(sa.select(ChangeLog.summary).where(ChangeLog.event == "loan.approved"))
    assert summary == "Chidi Okafor approved a ₦50,000.00 loan for Ada Obi"
    assert db.session.scalar(sa.select(Notification.title).where(Notification.user_id == member.id)) == (
        "Your loan was approved"
    )
    assert balances.outstanding_loans_kobo(member.id) == 50_000_00


def test_a_rejected_loan_moves_no_money_and_never_counts_as_disbursed():
    leader, member = cooperative_with_saver()
    loan = loans.apply_for_loan(member.id, APPLICATION, now=NOW)

    decide_as(leader, loan.id, LoanStatus.REJECTED, notes="Too soon")

    assert db.session.get(Loan, loan.id).status is LoanStatus.REJECTED
    assert ledger_lines(TxType.LOAN_DISBURSEMENT) == []
    topics, rooms = change("loan.rejected")
    assert "loans" in topics and "transactions" not in topics
    assert f"user:{member.id}" in rooms and f"coop:{leader.cooperative_id}" in rooms
    assert balances.outstanding_loans_kobo(member.id) == 0
    assert balances.loan_eligibility(member.id, NOW).max_kobo == 60_000_00


def test_a_leader_of_another_cooperative_cannot_see_the_loan_at_all():
    _, member = cooperative_with_saver()
    loan = loans.apply_for_loan(member.id, APPLICATION, now=NOW)
    stranger = factories.user(role=Role.LEADER)
    before = row_counts()

    with pytest.raises(NotFound) as foreign:
        decide_as(stranger, loan.id, "APPROVED")
    with pytest.raises(NotFound) as missing:
        decide_as(stranger, loan.id + 1000, "APPROVED")

    assert foreign.value.message == missing.value.message
    assert row_counts() == before
    assert db.session.get(Loan, loan.id).status is LoanStatus.PENDING


def test_a_leader_cannot_decide_their_own_loan():
    leader = saver(10_000_00, role=Role.LEADER)
    loan = loans.apply_for_loan(leader.id, APPLICATION, now=NOW)
    before = row_counts()

    with pytest.raises(Forbidden):
        decide_as(leader, loan.id, "APPROVED")

    assert row_counts() == before


def test_apex_decides_any_cooperatives_loan_and_marks_it_disbursed():
    _, member = cooperative_with_saver()
    apex = factories.user(role=Role.APEX)
    loan = loans.apply_for_loan(member.id, APPLICATION, now=NOW)
    decide_as(apex, loan.id, "APPROVED")

    decide_as(apex, loan.id, "ACTIVE")

    assert db.session.get(Loan, loan.id).status is LoanStatus.ACTIVE
    assert len(ledger_lines(TxType.LOAN_DISBURSEMENT)) == 1
    topics, rooms = change("loan.activated")
    assert "loans" in topics and f"user:{member.id}" in rooms


def test_a_leader_may_not_mark_a_loan_as_disbursed():
    leader, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=10_000_00, status=LoanStatus.APPROVED)
    before = row_counts()

    with pytest.raises(Forbidden):
        decide_as(leader, loan.id, "ACTIVE")

    assert row_counts() == before


@pytest.mark.parametrize("role", [Role.MEMBER, Role.FINANCE, Role.APEX_FUNDS, "NOT_A_ROLE"])
def test_other_roles_may_not_decide_loans(role):
    _, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=10_000_00)
    before = row_counts()

    with pytest.raises(Forbidden):
        loans.decide_loan(loan.id, "APPROVED", actor=Actor(id=None, role=role), now=NOW)

    assert row_counts() == before


@pytest.mark.parametrize("status", ["MAYBE", "", None, 3])
def test_an_unknown_status_is_refused(status):
    _, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=10_000_00)

    with pytest.raises(ValidationFailed) as refused:
        decide_as(factories.user(role=Role.APEX), loan.id, status)

    assert "status" in refused.value.fields


def test_an_active_loan_is_completed_by_its_last_repayment_not_by_decree():
    _, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=10_000_00, status=LoanStatus.ACTIVE)
    admin = factories.user(role=Role.SUPER_ADMIN)
    before = row_counts()

    with pytest.raises(Conflict):
        decide_as(admin, loan.id, "COMPLETED")

    assert db.session.get(Loan, loan.id).status is LoanStatus.ACTIVE
    assert row_counts() == before


# Repaying ----------------------------------------------------------------------------------------------------


def test_repayments_reduce_what_is_owed_and_the_last_one_completes_the_loan():
    _, member = cooperative_with_saver()
    finance = factories.user(role=Role.FINANCE)
    loan = LoanFactory(user=member, amount_kobo=10_000_00, status=LoanStatus.ACTIVE)

    repayments.record_repayment(loan.id, 4_000_00, actor_id=finance.id, now=NOW)
    assert (db.session.get(Loan, loan.id).repaid_kobo, balances.outstanding_loans_kobo(member.id)) == (
        4_000_00,
        6_000_00,
    )
    assert "loans" in change("loan.repaid")[0]

    repayments.record_repayment(loan.id, 6_000_00, actor_id=finance.id, now=NOW)

    stored = db.session.get(Loan, loan.id)
    assert (stored.status, stored.repaid_kobo) == (LoanStatus.COMPLETED, 10_000_00)
    lines = ledger_lines(TxType.REPAYMENT)
    assert sorted(tx.amount_kobo for tx in lines) == [4_000_00, 6_000_00]
    assert all(tx.loan_id == loan.id and tx.status is TxStatus.SUCCESSFUL for tx in lines)
    topics, rooms = change("loan.completed")
    assert {"loans", "transactions"} <= set(topics) and f"user:{member.id}" in rooms
    assert balances.outstanding_loans_kobo(member.id) == 0


def test_the_first_repayment_of_an_approved_loan_makes_it_active():
    _, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=10_000_00, status=LoanStatus.APPROVED)

    repayments.record_repayment(loan.id, 1_000_00, actor_id=None, now=NOW)

    assert db.session.get(Loan, loan.id).status is LoanStatus.ACTIVE


def test_repaying_more_than_is_owed_is_refused():
    _, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=10_000_00, status=LoanStatus.ACTIVE, repaid_kobo=9_000_00)
    before = row_counts()

    with pytest.raises(Conflict) as refused:  # SPEC §3: a repayment above what is owed is 409
        repayments.record_repayment(loan.id, 1_000_01, actor_id=None, now=NOW)

    assert "₦1,000.00" in refused.value.message
    assert row_counts() == before


@pytest.mark.parametrize("status", [LoanStatus.PENDING, LoanStatus.REJECTED, LoanStatus.COMPLETED])
def test_a_loan_that_is_not_running_takes_no_repayment(status):
    _, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=10_000_00, status=status)
    before = row_counts()

    with pytest.raises(Conflict):
        repayments.record_repayment(loan.id, 1_000_00, actor_id=None, now=NOW)

    assert row_counts() == before


@pytest.mark.parametrize("amount", [0, -1, 1.5, "100", None, True])
def test_a_repayment_must_be_a_positive_whole_number_of_kobo(amount):
    _, member = cooperative_with_saver()
    loan = LoanFactory(user=member, amount_kobo=10_000_00, status=LoanStatus.ACTIVE)
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        repayments.record_repayment(loan.id, amount, actor_id=None, now=NOW)

    assert list(refused.value.fields) == ["amount_kobo"]
    assert row_counts() == before
    assert changes() == []
