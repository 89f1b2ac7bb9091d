"""One payment, exactly one credit: however often, in whatever order and however concurrently it is confirmed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import (
    Allocation,
    AuditLog,
    ChangeLog,
    Contribution,
    Cooperative,
    Payment,
    PaymentStatus,
    Role,
    Transaction,
    User,
)
from nogalss_app.services import contributions, registration
from nogalss_app.services.errors import NotFound
from nogalss_app.services.payments import confirm_payment, fail_payment
from nogalss_app.services.payments import core as payments_core
from tests import factories
from tests.support.concurrency import run_together
from tests.support.sign_ups import member_data

COUNTED = (User, Cooperative, Payment, Transaction, Allocation, Contribution, ChangeLog, AuditLog)


def row_counts() -> dict[str, int]:
    """Count the rows of every table a confirmation could write to."""
    return {m.__tablename__: db.session.scalar(sa.select(sa.func.count()).select_from(m)) for m in COUNTED}


def signals(event: str) -> int:
    """Count the change signals recorded for an event."""
    return db.session.scalar(sa.select(sa.func.count()).select_from(ChangeLog).where(ChangeLog.event == event))


def member_sign_up(email: str = "ada.obi@example.test") -> Payment:
    """Open a member registration payment for a fresh cooperative."""
    coop = factories.cooperative()
    return registration.start_member_registration(member_data(coop, email=email))


def succeed(reference: str, paid_kobo: int, **overrides: object) -> Payment:
    """Deliver a gateway 'success' for the reference (overrides fake a tampered or odd answer)."""
    answer = {"amount_kobo": paid_kobo, "currency": "NGN", "gateway_status": "success", **overrides}
    return confirm_payment(reference, **answer)


def test_a_registration_confirmed_fifty_times_creates_one_member_one_fee_and_one_signal():
    pending = member_sign_up()
    before = row_counts()

    results = [succeed(pending.reference, 5_000_00).status for _ in range(50)]

    assert set(results) == {PaymentStatus.SUCCESSFUL}
    after = row_counts()
    assert after["users"] - before["users"] == 1
    assert after["transactions"] - before["transactions"] == 1
    assert after["allocations"] - before["allocations"] == 5
    assert after["change_log"] - before["change_log"] == 1 and signals("payment.succeeded") == 1


def test_a_contribution_confirmed_fifty_times_is_saved_once():
    member = factories.user(role=Role.MEMBER)
    pending = contributions.start_contribution(member.id, 3_000_00)
    before = row_counts()

    for _ in range(50):
        succeed(pending.reference, 3_000_00)

    after = row_counts()
    assert after["transactions"] - before["transactions"] == 1
    assert after["contributions"] - before["contributions"] == 1
    assert after["change_log"] - before["change_log"] == 1
    assert db.session.scalar(sa.select(sa.func.sum(Contribution.amount_kobo))) == 3_000_00


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"amount_kobo": 4_999_99}, "amount mismatch"),
        ({"amount_kobo": 5_000_01}, "amount mismatch"),
        ({"amount_kobo": 5_000.0}, "amount mismatch"),
        ({"amount_kobo": "500000"}, "amount mismatch"),
        ({"currency": "USD"}, "currency mismatch"),
        ({"currency": None}, "currency mismatch"),
        ({"gateway_status": "failed"}, "the gateway reported 'failed'"),
        ({"gateway_status": "reversed"}, "the gateway reported 'reversed'"),  # abandoned now stays PENDING
    ],
)
def test_a_mismatched_or_declined_answer_fails_the_payment_and_credits_nothing(overrides, reason):
    pending = member_sign_up()
    before = row_counts()

    payment = succeed(pending.reference, 5_000_00, **overrides)

    assert payment.status is PaymentStatus.FAILED and reason in payment.failure_reason
    assert payment.transaction_id is None and "password_hash" not in payment.details
    after = row_counts()
    assert (after["users"], after["transactions"], after["allocations"]) == (
        before["users"],
        before["transactions"],
        before["allocations"],
    )
    assert db.session.scalar(sa.select(AuditLog.action).order_by(AuditLog.id.desc())) == "payment.failed"
    assert signals("payment.failed") == 1 and signals("payment.succeeded") == 0


def test_a_late_success_cannot_revive_a_failed_payment_and_a_late_failure_cannot_undo_a_credit():
    failed = member_sign_up("first@example.test")
    credited = member_sign_up("second@example.test")
    succeed(failed.reference, 5_000_00, currency="USD")
    succeed(credited.reference, 5_000_00)
    before = row_counts()

    assert succeed(failed.reference, 5_000_00).status is PaymentStatus.FAILED
    assert succeed(credited.reference, 5_000_00, gateway_status="failed").status is PaymentStatus.SUCCESSFUL
    assert fail_payment(credited.reference, reason="customer changed their mind").status is PaymentStatus.SUCCESSFUL
    assert row_counts() == before


def test_an_answer_still_in_progress_leaves_the_payment_pending():
    pending = member_sign_up()
    before = row_counts()

    payment = succeed(pending.reference, 5_000_00, gateway_status="ongoing")

    assert payment.status is PaymentStatus.PENDING and row_counts() == before


def test_an_unknown_reference_is_not_found_and_writes_nothing():
    member_sign_up()
    before = row_counts()

    for reference in ("NGS-FEE-0000000000000000", "", None, "x" * 500):
        with pytest.raises(NotFound):
            succeed(reference, 5_000_00)  # type: ignore[arg-type]

    assert row_counts() == before


def test_failing_a_payment_twice_records_one_failure():
    pending = member_sign_up()
    before = row_counts()

    first = fail_payment(pending.reference, reason="declined at checkout")
    again = fail_payment(pending.reference, reason="declined again")

    assert first.status is again.status is PaymentStatus.FAILED
    assert again.failure_reason == "declined at checkout"
    after = row_counts()
    assert after["audit_logs"] - before["audit_logs"] == 1 and after["change_log"] - before["change_log"] == 1


def test_the_change_signal_is_part_of_the_credit_transaction(monkeypatch):
    pending = member_sign_up()
    before = row_counts()

    def broken_commit() -> None:
        raise RuntimeError("database went away at commit")

    monkeypatch.setattr(db.session, "commit", broken_commit)
    with pytest.raises(RuntimeError):
        succeed(pending.reference, 5_000_00)
    monkeypatch.undo()

    assert row_counts() == before
    assert db.session.get(Payment, pending.id).status is PaymentStatus.PENDING
    payment = succeed(pending.reference, 5_000_00)
    assert payment.status is PaymentStatus.SUCCESSFUL and signals("payment.succeeded") == 1
    signal = db.session.scalar(sa.select(ChangeLog).where(ChangeLog.event == "payment.succeeded"))
    assert set(signal.topics) >= {"fees", "allocations", "users"}
    assert set(signal.rooms) >= {
        "role:SUPER_ADMIN",
        "role:FINANCE",
        "role:APEX",
        "role:APEX_FUNDS",
        "role:NOGALSS_FUNDS",
        f"coop:{payment.details['cooperative_id']}",
        f"user:{payment.user_id}",
    }
    assert signal.summary == "Ada Obi paid the member registration fee" and signal.emitted_at is not None


def test_an_email_taken_between_the_check_and_the_insert_fails_the_payment_instead(monkeypatch):
    pending = member_sign_up()
    factories.user(role=Role.MEMBER, email="ada.obi@example.test")
    # Simulate a concurrent sign-up that commits right after the uniqueness check: the insert itself must refuse.
    monkeypatch.setattr(payments_core.registration, "email_taken", lambda email: False)
    before = row_counts()

    payment = succeed(pending.reference, 5_000_00)

    assert payment.status is PaymentStatus.FAILED and "email already in use" in payment.failure_reason
    after = row_counts()
    assert (after["users"], after["transactions"], after["allocations"]) == (
        before["users"],
        before["transactions"],
        before["allocations"],
    )
    assert signals("payment.failed") == 1 and signals("payment.succeeded") == 0


@pytest.mark.postgres  # SQLite's in-memory test database shares one connection: nothing runs concurrently
def test_eight_simultaneous_confirmations_of_one_payment_credit_it_once(app):
    pending = member_sign_up()
    reference = pending.reference
    before = row_counts()
    db.session.rollback()

    outcomes = run_together(app, 8, lambda _: succeed(reference, 5_000_00).status)

    assert outcomes == [PaymentStatus.SUCCESSFUL] * 8
    after = row_counts()
    assert after["users"] - before["users"] == 1
    assert after["transactions"] - before["transactions"] == 1
    assert after["allocations"] - before["allocations"] == 5
    assert signals("payment.succeeded") == 1
    assert after["audit_logs"] - before["audit_logs"] == 2


@pytest.mark.postgres  # SQLite's in-memory test database shares one connection: nothing runs concurrently
def test_eight_simultaneous_confirmations_of_one_contribution_save_it_once(app):
    member = factories.user(role=Role.MEMBER)
    reference = contributions.start_contribution(member.id, 1_234_56).reference
    db.session.rollback()

    outcomes = run_together(app, 8, lambda _: succeed(reference, 1_234_56).status)

    assert outcomes == [PaymentStatus.SUCCESSFUL] * 8
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transaction)) == 1
    assert db.session.scalar(sa.select(sa.func.sum(Contribution.amount_kobo))) == 1_234_56
    assert signals("payment.succeeded") == 1


@pytest.mark.postgres  # SQLite's in-memory test database shares one connection: nothing runs concurrently
def test_eight_paid_sign_ups_racing_for_one_email_make_one_member(app):
    # One pending sign-up per email at a time (BAD_INPUTS 36): these eight were each left unpaid for over 24 hours
    # before the next was made, and the customer then pays all eight at once.
    references = []
    for i in range(8):
        payment = member_sign_up(email=f"  Ada.Obi@Example.test{' ' * i}")
        payment.created_at -= timedelta(hours=25 * (8 - i))
        db.session.commit()
        references.append(payment.reference)
    db.session.rollback()

    outcomes = run_together(app, 8, lambda i: succeed(references[i], 5_000_00).status)

    assert sorted(outcomes) == sorted([PaymentStatus.SUCCESSFUL] + [PaymentStatus.FAILED] * 7)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 1
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Transaction)) == 1
    assert signals("payment.succeeded") == 1 and signals("payment.failed") == 7
