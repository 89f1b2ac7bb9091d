"""Only final gateway statuses decide (BAD_INPUTS 32): the real Paystack client against the fake Paystack server."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import Notification, Payment, PaymentStatus, Role
from nogalss_app.models.types import utcnow
from nogalss_app.services import jobs
from tests import factories
from tests.support.client import send
from tests.support.payments import SECRET, charge_success, contributions_of, payment, post_webhook, press, sign
from tests.support.records import signals


def contribute(client, amount_kobo: int = 2_500_00) -> str:
    """Start a contribution through the member API; return its reference."""
    response = send(client, "POST", "/api/member/contribute", {"amount_kobo": amount_kobo})
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["reference"]


def verify(client, reference: str):
    """Ask for a manual verify ("Check again")."""
    return send(client, "POST", "/api/payments/verify", {"reference": reference})


def paystack_webhook(client, reference: str, amount_kobo: int = 2_500_00):
    """Deliver Paystack's signed charge.success for the reference."""
    body = charge_success(reference, amount_kobo)
    return post_webhook(client, body, sign(body, SECRET.encode()))


@pytest.mark.parametrize("word", ["abandoned", "ongoing"])
def test_a_verify_that_is_not_final_leaves_the_payment_pending_and_a_later_success_credits_once(
    client, login_as, paystack, word
):
    member = login_as("MEMBER")
    reference = contribute(client)
    paystack.mode = word

    verify(client, reference)
    verify(client, reference)  # the "Check again" button, twice

    assert payment(reference).status is PaymentStatus.PENDING and contributions_of(member.id) == []
    assert paystack_webhook(client, reference).status_code == 200
    paystack.mode = "ok"
    verify(client, reference)
    paystack_webhook(client, reference)

    assert payment(reference).status is PaymentStatus.SUCCESSFUL
    assert contributions_of(member.id) == [2_500_00]
    assert len(signals("payment.succeeded")) == 1


@pytest.mark.parametrize("word", ["failed", "reversed"])
def test_a_final_failure_fails_the_payment_and_a_later_success_credits_nothing(client, login_as, paystack, word):
    member = login_as("MEMBER")
    reference = contribute(client)
    paystack.mode = word

    verify(client, reference)
    paystack_webhook(client, reference)

    assert payment(reference).status is PaymentStatus.FAILED and contributions_of(member.id) == []
    assert f"'{word}'" in payment(reference).failure_reason


def test_the_expiry_job_marks_old_pending_payments_abandoned_and_a_late_success_still_credits_once(
    app, client, login_as, paystack
):
    finance = factories.user(Role.FINANCE)
    member = login_as("MEMBER")
    reference, fresh = contribute(client), contribute(client, 1_000_00)
    db.session.execute(
        sa.update(Payment).where(Payment.reference == reference).values(created_at=utcnow() - timedelta(hours=25))
    )
    db.session.commit()

    results = jobs.run_once(app, ["expire-pending-payments"])
    jobs.run_once(app, ["expire-pending-payments"])  # a second run (another process) finds nothing more

    assert results == {"expire-pending-payments": "1 pending payments marked abandoned"}
    assert (payment(reference).status, payment(fresh).status) == (PaymentStatus.ABANDONED, PaymentStatus.PENDING)
    [abandoned] = signals("payment.abandoned")
    assert abandoned.rooms == sorted(["role:FINANCE", "role:SUPER_ADMIN", f"user:{member.id}"])

    paystack_webhook(client, reference)
    paystack_webhook(client, reference)  # a replay
    verify(client, reference)

    assert payment(reference).status is PaymentStatus.SUCCESSFUL
    assert contributions_of(member.id) == [2_500_00]
    told = db.session.scalars(sa.select(Notification.title).where(Notification.user_id == finance.id)).all()
    assert told == ["A late payment was credited"]


def test_an_abandoned_payment_that_finally_fails_is_failed_once(app, client, login_as, paystack):
    login_as("MEMBER")
    reference = contribute(client)
    db.session.execute(
        sa.update(Payment).where(Payment.reference == reference).values(created_at=utcnow() - timedelta(hours=25))
    )
    db.session.commit()
    jobs.run_once(app, ["expire-pending-payments"])
    paystack.mode = "failed"

    verify(client, reference)

    assert payment(reference).status is PaymentStatus.FAILED


def test_the_sandbox_can_leave_a_payment_pending_and_pay_it_later(client, login_as):
    member = login_as("MEMBER")
    reference = contribute(client)
    page = client.get(f"/sandbox/checkout/{reference}").get_data(as_text=True)
    assert "Leave it pending" in page

    back = client.get(f"/api/payments/verify?reference={reference}")

    assert back.status_code == 303 and payment(reference).status is PaymentStatus.PENDING
    assert contributions_of(member.id) == []
    assert press(client, reference, "pay").status_code in (200, 302, 303)
    assert payment(reference).status is PaymentStatus.SUCCESSFUL and contributions_of(member.id) == [2_500_00]
