"""The real Paystack client (urllib over a real socket) against a fake Paystack HTTP server on 127.0.0.1."""

from __future__ import annotations

import logging

import pytest

from config import Config, DevelopmentConfig, ProductionConfig
from nogalss_app.models import PaymentStatus
from nogalss_app.services.payments import from_config
from nogalss_app.services.payments.gateway import GatewayError
from nogalss_app.services.payments.paystack import PaystackGateway
from tests.support.client import send
from tests.support.payments import SECRET, contributions_of, fake_paystack_server, payment
from tests.support.records import last_v, only_change
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts

BEARER = f"Bearer {SECRET}"


def contribute(client, amount_kobo: int = 2_500_00):
    """Start a contribution through the member API."""
    return send(client, "POST", "/api/member/contribute", {"amount_kobo": amount_kobo})


def verify(client, reference: str):
    """Ask for a manual verify of one of the member's payments."""
    return send(client, "POST", "/api/payments/verify", {"reference": reference})


def test_initialize_posts_the_charge_with_the_bearer_key_and_answers_the_checkout_url(client, login_as, paystack):
    member = login_as("MEMBER")

    response = contribute(client)

    assert response.status_code == 201
    started = response.get_json()
    assert started["authorization_url"] == f"https://checkout.paystack.test/{started['reference']}"
    request = paystack.seen[-1]
    assert (request.method, request.path) == ("POST", "/transaction/initialize")
    assert request.headers["Authorization"] == BEARER
    assert request.headers["Content-Type"] == "application/json"
    assert request.body == {
        "amount": 2_500_00,
        "email": member.email,
        "reference": started["reference"],
        "callback_url": "http://localhost/api/payments/verify",
        "currency": "NGN",
        "metadata": {"purpose": "CONTRIBUTION"},
    }
    pending = payment(started["reference"])
    assert (pending.status, pending.gateway) == (PaymentStatus.PENDING, "paystack")


def test_verify_asks_paystack_with_the_bearer_key_and_credits_a_matching_success_once(client, login_as, paystack):
    member = login_as("MEMBER")
    reference = contribute(client).get_json()["reference"]
    v = last_v()

    answers = [verify(client, reference) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[0].get_json()["status"] == "SUCCESSFUL"
    asked = [s for s in paystack.seen if s.method == "GET"]
    assert len(asked) == 1  # a final payment is not asked about again
    assert asked[0].path == f"/transaction/verify/{reference}" and asked[0].headers["Authorization"] == BEARER
    assert contributions_of(member.id) == [2_500_00]
    only_change(v, "payment.succeeded")


def test_the_callback_verifies_with_paystack_and_sends_the_member_to_the_dashboard(client, login_as, paystack):
    member = login_as("MEMBER")
    reference = contribute(client, 4_000_00).get_json()["reference"]

    back = client.get(f"/api/payments/verify?trxref={reference}&reference={reference}")

    assert back.status_code == 303 and back.headers["Location"].endswith("/dashboard")
    assert contributions_of(member.id) == [4_000_00]


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("wrong_amount", "amount mismatch"), ("wrong_currency", "currency mismatch"), ("failed", "reported 'failed'")],
)
def test_a_verify_reporting_another_amount_currency_or_a_failure_fails_the_payment_without_credit(
    client, login_as, paystack, mode, reason
):
    member = login_as("MEMBER")
    reference = contribute(client).get_json()["reference"]
    paystack.mode = mode

    answer = verify(client, reference)

    assert answer.status_code == 200 and answer.get_json()["status"] == "FAILED"
    assert reason in payment(reference).failure_reason
    assert contributions_of(member.id) == []


@pytest.mark.parametrize("mode", ["error_500", "slow", "garbage", "other_reference"])
def test_a_gateway_that_fails_or_times_out_on_verify_is_a_clear_502_and_the_payment_stays_pending(
    client, login_as, paystack, mode, caplog
):
    member = login_as("MEMBER")
    reference = contribute(client).get_json()["reference"]
    paystack.mode = mode
    before = table_counts()

    with caplog.at_level(logging.DEBUG):
        answer = verify(client, reference)
        back = client.get(f"/api/payments/verify?reference={reference}")

    error = assert_error_shape(answer, 502, "gateway_error")
    assert "not answering" in error["message"] and SECRET not in answer.get_data(as_text=True)
    assert back.status_code == 303
    assert_nothing_changed(before)
    assert payment(reference).status is PaymentStatus.PENDING and contributions_of(member.id) == []
    assert all(SECRET not in record.getMessage() for record in caplog.records)


@pytest.mark.parametrize("mode", ["error_500", "slow", "garbage"])
def test_a_gateway_that_fails_on_initialize_is_a_clear_502_and_nothing_is_credited(client, login_as, paystack, mode):
    member = login_as("MEMBER")
    paystack.mode = mode

    answer = contribute(client)

    assert_error_shape(answer, 502, "gateway_error")
    started = [p for p in paystack.seen if p.path == "/transaction/initialize"]
    assert len(started) == 1
    assert payment(started[0].body["reference"]).status is PaymentStatus.PENDING
    assert contributions_of(member.id) == []


def test_an_unreachable_gateway_is_a_gateway_error_and_the_client_never_shows_its_key():
    with fake_paystack_server() as fake:
        dead_url = fake.url  # the server stops when the block ends: nothing listens there any more
    client = PaystackGateway(SECRET, dead_url, timeout=1)

    with pytest.raises(GatewayError) as caught:
        client.verify("NGS-CON-0000000000000000")

    assert SECRET not in str(caught.value) and SECRET not in repr(client)


def test_the_configuration_picks_paystack_with_a_key_and_the_sandbox_without():
    paystack = {"PAYSTACK_SECRET_KEY": SECRET, "PAYSTACK_BASE_URL": "https://api.paystack.co/"}
    paystack_gateway = from_config({**paystack, "PAYSTACK_TIMEOUT_SECONDS": Config.PAYSTACK_TIMEOUT_SECONDS})
    development = {"PAYMENTS_SANDBOX_ALLOWED": DevelopmentConfig.PAYMENTS_SANDBOX_ALLOWED}
    sandbox = from_config({"PAYSTACK_SECRET_KEY": None, "SECRET_KEY": "s", "ENV_NAME": "development", **development})

    assert (paystack_gateway.name, paystack_gateway.base_url) == ("paystack", "https://api.paystack.co")
    assert sandbox.name == "sandbox" and sandbox.customer_fee_kobo(2_500_00) == 0
    with pytest.raises(Exception, match="not configured"):
        production = {"PAYMENTS_SANDBOX_ALLOWED": ProductionConfig.PAYMENTS_SANDBOX_ALLOWED}
        from_config({"PAYSTACK_SECRET_KEY": None, "SECRET_KEY": "s", "ENV_NAME": "production", **production})
