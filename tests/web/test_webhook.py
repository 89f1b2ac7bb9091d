"""The signed gateway webhook: signatures (BAD_INPUTS 18), replays (19), events and amounts."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import PaymentStatus
from nogalss_app.services.payments.gateway import sign
from tests.support.payments import (
    SECRET,
    charge_success,
    contributions_of,
    payment,
    post_webhook,
    sandbox_signature,
    start_contribution,
)
from tests.support.records import last_v, only_change
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts


@pytest.fixture
def pending(client, login_as):
    """A member's PENDING ₦2,500 contribution; returns (member, reference)."""
    member = login_as("MEMBER")
    return member, start_contribution(client, 2_500_00)["reference"]


def test_a_signed_charge_success_credits_the_contribution(app, client, pending):
    member, reference = pending
    body = charge_success(reference, 2_500_00)
    v = last_v()

    response = post_webhook(app.test_client(), body, sandbox_signature(app, body))

    assert response.status_code == 200 and response.get_json() == {"received": True, "outcome": "SUCCESSFUL"}
    assert payment(reference).status is PaymentStatus.SUCCESSFUL
    assert contributions_of(member.id) == [2_500_00]
    topics, rooms = only_change(v, "payment.succeeded")
    assert {"contributions", "transactions"} <= set(topics) and f"user:{member.id}" in rooms


def _truncated(signature: str) -> str:
    """Return the signature without its last characters."""
    return signature[:-8]


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda app, body: None, id="missing"),
        pytest.param(lambda app, body: "", id="empty"),
        pytest.param(lambda app, body: sign(body, b"not-the-secret"), id="forged-with-another-key"),
        pytest.param(lambda app, body: _truncated(sandbox_signature(app, body)), id="truncated"),
        pytest.param(lambda app, body: sandbox_signature(app, body + b" "), id="signature-of-another-body"),
        pytest.param(lambda app, body: "é" * 128, id="non-ascii"),
    ],
)
def test_a_missing_forged_or_truncated_signature_is_refused_logged_and_writes_nothing(
    app, client, pending, forge, caplog
):
    member, reference = pending
    body = charge_success(reference, 2_500_00)
    before = table_counts()

    with caplog.at_level(logging.WARNING):
        response = post_webhook(app.test_client(), body, forge(app, body))

    assert_error_shape(response, 401, "unauthorized")
    assert_nothing_changed(before)
    assert payment(reference).status is PaymentStatus.PENDING
    assert any("webhook refused" in record.getMessage() for record in caplog.records)


def test_the_same_webhook_fifty_times_and_again_days_later_credits_once(app, client, pending):
    member, reference = pending
    body = charge_success(reference, 2_500_00)
    signature = sandbox_signature(app, body)
    gateway = app.test_client()

    statuses = [post_webhook(gateway, body, signature).status_code for _ in range(50)]
    credited = payment(reference)
    credited.completed_at = credited.completed_at - timedelta(days=3)  # "days later"
    db.session.commit()
    before = table_counts()
    late = post_webhook(gateway, body, signature)

    assert statuses == [200] * 50 and late.status_code == 200
    assert_nothing_changed(before)
    assert contributions_of(member.id) == [2_500_00]


@pytest.mark.parametrize(
    ("amount", "currency", "status", "reason"),
    [
        (2_499_99, "NGN", "success", "amount mismatch"),
        (2_500_00 * 100, "NGN", "success", "amount mismatch"),
        (2_500.0, "NGN", "success", "amount mismatch"),
        ("250000", "NGN", "success", "amount mismatch"),
        (2_500_00, "USD", "success", "currency mismatch"),
        (2_500_00, "NGN", "failed", "the gateway reported 'failed'"),
    ],
)
def test_a_signed_charge_that_does_not_match_the_payment_fails_it_and_credits_nothing(
    app, client, pending, amount, currency, status, reason
):
    member, reference = pending
    body = charge_success(reference, amount, currency, status)
    v = last_v()

    response = post_webhook(app.test_client(), body, sandbox_signature(app, body))

    assert response.status_code == 200
    failed = payment(reference)
    assert failed.status is PaymentStatus.FAILED and reason in failed.failure_reason
    assert contributions_of(member.id) == []
    only_change(v, "payment.failed")


def test_other_events_and_unknown_references_are_acknowledged_and_ignored(app, client, pending):
    member, reference = pending
    transfer = json.dumps({"event": "transfer.success", "data": {"reference": reference, "amount": 2_500_00}}).encode()
    stranger = charge_success("NGS-CON-0000000000000000", 2_500_00)
    before = table_counts()

    ignored = post_webhook(app.test_client(), transfer, sandbox_signature(app, transfer))
    unknown = post_webhook(app.test_client(), stranger, sandbox_signature(app, stranger))

    assert (ignored.status_code, ignored.get_json()["outcome"]) == (200, "ignored")
    assert (unknown.status_code, unknown.get_json()["outcome"]) == (200, "unknown reference")
    assert_nothing_changed(before)
    assert payment(reference).status is PaymentStatus.PENDING


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"event": "charge.success"}', b'{"data": 5}'])
def test_a_signed_body_that_is_not_an_event_is_a_bad_request(app, client, pending, body):
    before = table_counts()

    response = post_webhook(app.test_client(), body, sandbox_signature(app, body))

    assert_error_shape(response, 400, "bad_request")
    assert_nothing_changed(before)


def test_a_webhook_that_is_not_json_is_refused_before_anything_else(app, client, pending):
    member, reference = pending
    body = charge_success(reference, 2_500_00)
    before = table_counts()

    response = app.test_client().post(
        "/api/payments/webhook",
        data=body,
        headers={"Content-Type": "text/plain", "x-paystack-signature": sandbox_signature(app, body)},
    )

    assert_error_shape(response, 415)
    assert_nothing_changed(before)


@pytest.mark.usefixtures("paystack")
def test_with_a_paystack_key_the_webhook_checks_the_paystack_secret_not_the_sandbox_one(app, client, pending):
    member, reference = pending
    body = charge_success(reference, 2_500_00)
    before = table_counts()

    sandbox_signed = post_webhook(app.test_client(), body, sandbox_signature(app, body))
    assert_error_shape(sandbox_signed, 401)
    assert_nothing_changed(before)

    paystack_signed = post_webhook(app.test_client(), body, sign(body, SECRET.encode()).upper())
    assert paystack_signed.status_code == 200
    assert contributions_of(member.id) == [2_500_00]


def test_the_secret_never_reaches_a_response_or_the_log(app, client, pending, caplog):
    member, reference = pending
    body = charge_success(reference, 2_500_00)

    with caplog.at_level(logging.DEBUG):
        response = post_webhook(app.test_client(), body, "0" * 128)

    secret = app.config["SECRET_KEY"]
    assert secret not in response.get_data(as_text=True)
    assert all(secret not in record.getMessage() for record in caplog.records)
