"""Payments end to end over HTTP: initialize, the sandbox checkout (Pay / Decline), the callback, manual verify."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import AuditLog, PaymentStatus, Transaction, TxType
from nogalss_app.services.payments.gateway import sign
from tests import factories
from tests.support.client import send
from tests.support.payments import (
    SECRET,
    charge_success,
    checkout_path,
    contributions_of,
    payment,
    post_webhook,
    press,
    start_contribution,
)
from tests.support.records import last_v, only_change
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts


def test_a_member_pays_a_contribution_at_the_sandbox_and_is_credited_once(client, login_as):
    member = login_as("MEMBER")
    response = send(client, "POST", "/api/payments/initialize", {"purpose": "contribution", "amount_kobo": 2_500_00})

    assert response.status_code == 201
    started = response.get_json()
    assert started["authorization_url"] == f"http://localhost/sandbox/checkout/{started['reference']}"
    assert (started["amount_kobo"], started["status"], started["purpose"]) == (2_500_00, "PENDING", "CONTRIBUTION")
    pending = payment(started["reference"])
    assert (pending.status, pending.gateway, pending.user_id) == (PaymentStatus.PENDING, "sandbox", member.id)
    assert db.session.scalar(sa.select(AuditLog.action).order_by(AuditLog.id.desc())) == "payment.start"
    page = client.get(checkout_path(started["authorization_url"]))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "₦2,500.00" in html and "Contribution" in html and member.email in html and "Decline" in html

    v = last_v()
    paid = press(client, started["reference"], "pay")
    assert paid.status_code == 303 and paid.headers["Location"].endswith(
        f"/api/payments/verify?reference={started['reference']}"
    )
    back = client.get(paid.headers["Location"])
    assert back.status_code == 303 and back.headers["Location"].endswith("/dashboard")

    assert payment(started["reference"]).status is PaymentStatus.SUCCESSFUL
    assert contributions_of(member.id) == [2_500_00]
    topics, rooms = only_change(v, "payment.succeeded")
    assert {"contributions", "transactions", "activity"} <= set(topics)
    assert {f"user:{member.id}", f"coop:{member.cooperative_id}", "role:FINANCE", "role:SUPER_ADMIN"} <= set(rooms)
    dashboard = client.get("/dashboard/member").get_data(as_text=True)
    assert "your contribution of ₦2,500.00 was received" in dashboard

    before = table_counts()
    press(client, started["reference"], "pay")
    client.get(paid.headers["Location"])
    assert_nothing_changed(before)


def test_declining_at_the_sandbox_credits_nothing_and_says_so(client, login_as):
    member = login_as("MEMBER")
    started = start_contribution(client, 2_500_00)
    v = last_v()

    declined = press(client, started["reference"], "decline")
    back = client.get(declined.headers["Location"])

    assert back.status_code == 303 and back.headers["Location"].endswith("/dashboard")
    failed = payment(started["reference"])
    assert failed.status is PaymentStatus.FAILED and "declined" in failed.failure_reason
    assert contributions_of(member.id) == []
    only_change(v, "payment.failed")
    page = client.get("/dashboard/member").get_data(as_text=True)
    assert "Your payment of ₦2,500.00 was not completed (declined at the checkout). Nothing was charged." in page
    before = table_counts()
    assert press(client, started["reference"], "pay").status_code == 303  # a late Pay cannot revive it
    assert_nothing_changed(before)


def test_the_sandbox_buttons_need_the_csrf_token(client, login_as):
    login_as("MEMBER")
    started = start_contribution(client)
    before = table_counts()

    response = client.post(f"/sandbox/checkout/{started['reference']}/pay", data={})

    assert response.status_code == 400
    assert_nothing_changed(before)
    assert payment(started["reference"]).status is PaymentStatus.PENDING


def test_an_unknown_checkout_or_callback_reference_is_not_found(client, login_as):
    login_as("MEMBER")
    before = table_counts()

    assert client.get("/sandbox/checkout/NGS-CON-0000000000000000").status_code == 404
    assert press(client, "NGS-CON-0000000000000000", "pay").status_code == 404
    assert_error_shape(client.get("/api/payments/verify?reference=NGS-CON-0000000000000000"), 404, "not_found")
    assert_error_shape(client.get("/api/payments/verify"), 404, "not_found")
    assert_nothing_changed(before)


def test_the_callback_of_a_still_pending_payment_says_it_is_being_confirmed(client, login_as):
    member = login_as("MEMBER")
    started = start_contribution(client)

    back = client.get(f"/api/payments/verify?trxref={started['reference']}")

    assert back.status_code == 303
    assert payment(started["reference"]).status is PaymentStatus.PENDING and contributions_of(member.id) == []
    assert "is still being confirmed" in client.get("/dashboard/member").get_data(as_text=True)


def test_manual_verify_answers_the_owner_and_the_super_admin_only(client, login_as, app):
    member = login_as("MEMBER")
    started = start_contribution(client)
    press(client, started["reference"], "pay")

    mine = send(client, "POST", "/api/payments/verify", {"reference": started["reference"]})
    assert mine.status_code == 200
    body = mine.get_json()
    assert (body["status"], body["amount_kobo"], body["purpose"]) == ("SUCCESSFUL", 2_500_00, "CONTRIBUTION")
    assert body["completed_at"] and body["reference"] == started["reference"]

    login_as("MEMBER")  # another member of another cooperative
    assert_error_shape(send(client, "POST", "/api/payments/verify", {"reference": started["reference"]}), 404)
    login_as("SUPER_ADMIN")
    assert send(client, "POST", "/api/payments/verify", {"reference": started["reference"]}).status_code == 200
    assert_error_shape(send(client, "POST", "/api/payments/verify", {"reference": 12}), 422, "validation_error")
    assert_error_shape(send(client, "POST", "/api/payments/verify", {}), 422, "validation_error")
    assert contributions_of(member.id) == [2_500_00]


def test_payment_endpoints_refuse_strangers_and_wrong_roles(client, login_as):
    client.csrf_token = client.get("/api/auth/register").get_json()["csrf_token"]  # an anonymous session's token
    before = table_counts()
    assert_error_shape(send(client, "POST", "/api/payments/verify", {"reference": "x"}), 401)
    assert_error_shape(send(client, "POST", "/api/payments/initialize", {"purpose": "contribution"}), 401)
    assert_nothing_changed(before)

    login_as("FINANCE")
    before = table_counts()
    body = {"purpose": "contribution", "amount_kobo": 1_000_00}
    assert_error_shape(send(client, "POST", "/api/payments/initialize", body), 403, "forbidden")
    assert_error_shape(send(client, "POST", "/api/payments/initialize", body, csrf=False), 400)
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"purpose": "registration", "amount_kobo": 1_000_00}, "purpose"),
        ({"amount_kobo": 1_000_00}, "purpose"),
        ({"purpose": "contribution"}, "amount_kobo"),
        ({"purpose": "contribution", "amount_kobo": -5000}, "amount_kobo"),
        ({"purpose": "contribution", "amount_kobo": 0}, "amount_kobo"),
        ({"purpose": "contribution", "amount_kobo": 100_000_000 * 100 + 1}, "amount_kobo"),
        ({"purpose": "contribution", "amount_kobo": 10**25}, "amount_kobo"),
        ({"purpose": "contribution", "amount_kobo": 100.5}, "amount_kobo"),
        ({"purpose": "contribution", "amount_kobo": "100"}, "amount_kobo"),
        ({"purpose": "contribution", "amount_kobo": True}, "amount_kobo"),
        ({"purpose": "contribution", "amount_kobo": None}, "amount_kobo"),
    ],
)
def test_initialize_refuses_a_bad_purpose_or_amount_and_starts_nothing(client, login_as, body, field):
    login_as("MEMBER")
    before = table_counts()

    error = assert_error_shape(send(client, "POST", "/api/payments/initialize", body), 422, "validation_error")

    assert field in error["fields"]
    assert_nothing_changed(before)


def test_the_callback_of_a_registration_leads_to_the_registration_complete_page(client):
    coop = factories.cooperative()
    info = client.get("/api/auth/register").get_json()
    client.csrf_token = info["csrf_token"]
    sign_up = {
        "kind": "member",
        "first_name": "Ada",
        "last_name": "Obi",
        "email": "ada@example.test",
        "phone": "08031234567",
        "password": "a-long-enough-password",
        "cooperative_code": coop.registration_number,
    }
    started = send(client, "POST", "/api/auth/register", sign_up).get_json()

    back = client.get(press(client, started["reference"], "pay").headers["Location"])

    assert back.status_code == 303
    assert back.headers["Location"].endswith(f"/register/complete?reference={started['reference']}")
    page = client.get(back.headers["Location"]).get_data(as_text=True)
    assert "Registration complete" in page and "ada@example.test" in page


@pytest.mark.postgres
@pytest.mark.usefixtures("paystack")
def test_callback_webhook_and_manual_verify_at_the_same_moment_credit_exactly_once(app, client, login_as):
    member = login_as("MEMBER")
    started = start_contribution(client, 7_000_00)
    reference = started["reference"]
    body = charge_success(reference, 7_000_00)
    signature = sign(body, SECRET.encode())
    verifiers = []
    for _ in range(4):
        other = app.test_client()
        with app.app_context():  # a fresh `g`: Flask-WTF caches the CSRF token there
            answer = other.post("/api/auth/login", json={"email": member.email, "password": factories.PASSWORD})
        verifiers.append((other, answer.get_json()["csrf_token"]))
    statuses: list[int] = []
    barrier = threading.Barrier(12)

    def deliver(kind: str, index: int) -> None:
        barrier.wait()
        with app.app_context():
            if kind == "webhook":
                response = post_webhook(app.test_client(), body, signature)
            elif kind == "callback":
                response = app.test_client().get(f"/api/payments/verify?reference={reference}&trxref={reference}")
            else:
                other, token = verifiers[index % len(verifiers)]
                response = other.post(
                    "/api/payments/verify", json={"reference": reference}, headers={"X-CSRFToken": token}
                )
            statuses.append(response.status_code)

    threads = [
        threading.Thread(target=deliver, args=(kind, i)) for i in range(4) for kind in ("webhook", "callback", "verify")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert sorted(set(statuses)) <= [200, 303] and len(statuses) == 12
    assert payment(reference).status is PaymentStatus.SUCCESSFUL
    assert contributions_of(member.id) == [7_000_00]
    credits = sa.select(sa.func.count()).select_from(Transaction).where(Transaction.type == TxType.CONTRIBUTION)
    assert db.session.scalar(credits) == 1
