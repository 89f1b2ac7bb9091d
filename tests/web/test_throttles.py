"""Throttles that protect without locking out (SPEC §5 Auth and Registration, §8 TRUSTED_PROXIES; BAD_INPUTS 30, 36).

Sign-in counts failed attempts per account and per client address, behind the configured number of trusted
proxies; a correct password from another address is never blocked, and correct passwords are not throttled.
Public registration is throttled per client address, allows one pending sign-up per email, and a sign-up left
unpaid expires after 24 hours (the job expire-pending-registrations).
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from nogalss_app import trust_proxies
from nogalss_app.extensions import db
from nogalss_app.models import Payment, PaymentStatus, Role, User
from nogalss_app.services import jobs
from tests import factories
from tests.support.concurrency import run_together
from tests.support.sign_ups import member_data
from tests.support.snapshot import assert_error_shape

PROXY = "10.0.0.2"  # the load balancer: every request reaches the app from it


@pytest.fixture
def behind_one_proxy(app, monkeypatch):
    """The app as create_app builds it with TRUSTED_PROXIES=1 (restored after the test)."""
    monkeypatch.setitem(app.config, "TRUSTED_PROXIES", 1)
    monkeypatch.setattr(app, "wsgi_app", app.wsgi_app)
    trust_proxies(app)
    return app


def login(client, email: str, password: str, *, forwarded_for: str | None = None, remote: str = PROXY):
    """Sign in through the JSON API from an address (the proxy's, with the client's in X-Forwarded-For)."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(
        "/api/auth/login",
        json={"email": email, "password": password},
        headers=headers,
        environ_base={"REMOTE_ADDR": remote},
    )


# Sign-in ---------------------------------------------------------------------------------------------------


def test_an_address_spraying_many_accounts_behind_the_proxy_is_throttled_and_no_one_else(behind_one_proxy):
    app = behind_one_proxy
    victim = factories.user(role=Role.FINANCE)
    attacker = app.test_client()
    statuses = [
        login(attacker, f"user{n}@example.test", "guess", forwarded_for="203.0.113.5").status_code for n in (range(15))
    ]
    statuses.append(login(attacker, victim.email, "guess", forwarded_for="203.0.113.5").status_code)

    assert statuses[-1] == 429 and 429 in statuses[:12]
    assert_error_shape(login(attacker, victim.email, factories.PASSWORD, forwarded_for="203.0.113.5"), 429)
    # Prepending a made-up address does not help: only the hop the proxy added is believed.
    forged = login(attacker, victim.email, factories.PASSWORD, forwarded_for="198.51.100.1, 203.0.113.5")
    assert forged.status_code == 429
    # The real user, behind the same proxy from another address, signs in.
    assert login(app.test_client(), victim.email, factories.PASSWORD, forwarded_for="203.0.113.6").status_code == 200


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(app):
    attacker = app.test_client()
    for n in range(12):
        login(attacker, f"user{n}@example.test", "guess", forwarded_for=f"198.51.100.{n}", remote="192.0.2.9")

    assert (
        login(attacker, "user99@example.test", "guess", forwarded_for="198.51.100.77", remote="192.0.2.9").status_code
        == 429
    )


def test_failures_on_one_account_from_many_addresses_never_block_its_password_from_a_new_address(app):
    user = factories.user(role=Role.MEMBER)
    limit = app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]
    for n in range(limit):
        assert (
            login(app.test_client(), user.email, f"guess-{n}", remote=f"10.1.{n // 200}.{n % 200 + 1}").status_code
            == 401
        )

    # An address that took part is stopped at its next attempt, even with the right password...
    assert login(app.test_client(), user.email, factories.PASSWORD, remote="10.1.0.1").status_code == 429
    # ...the owner from an address that never failed is let in.
    assert login(app.test_client(), user.email, factories.PASSWORD, remote="10.9.9.9").status_code == 200


def test_sixty_people_sign_in_correctly_from_one_address_within_a_minute_despite_some_typos(app):
    office = "192.0.2.50"
    people = [factories.user(role=Role.MEMBER) for _ in range(60)]
    for person in people[: app.config["LOGIN_MAX_FAILURES_PER_CLIENT"] - 1]:
        assert login(app.test_client(), person.email, "typo", remote=office).status_code == 401

    statuses = [login(app.test_client(), p.email, factories.PASSWORD, remote=office).status_code for p in people]

    assert statuses == [200] * 60


# Registration ----------------------------------------------------------------------------------------------


def register(client, body: dict, remote: str):
    """Post a member sign-up from a client address with the registration's CSRF token."""
    token = client.get("/api/auth/register", environ_base={"REMOTE_ADDR": remote}).get_json()["csrf_token"]
    return client.post(
        "/api/auth/register",
        json={"kind": "member", **body},
        headers={"X-CSRFToken": token},
        environ_base={"REMOTE_ADDR": remote},
    )


def pending_payments() -> int:
    """Return how many payments wait for their fee."""
    query = sa.select(sa.func.count()).select_from(Payment).where(Payment.status == PaymentStatus.PENDING)
    return db.session.scalar(query)


def test_twenty_registrations_a_minute_from_one_address_are_throttled_and_others_are_not(app):
    coop = factories.cooperative()
    client = app.test_client()
    statuses = [
        register(client, member_data(coop, email=f"person{n}@example.test"), "192.0.2.77").status_code
        for n in range(20)
    ]

    limit = app.config["REGISTRATION_MAX_PER_CLIENT"]
    assert statuses == [201] * limit + [429] * (20 - limit)
    assert pending_payments() == limit
    refused = register(client, member_data(coop, email="late@example.test"), "192.0.2.77")
    assert_error_shape(refused, 429, "too_many_requests")
    assert register(app.test_client(), member_data(coop, email="other@example.test"), "192.0.2.78").status_code == 201


def test_the_registration_page_is_throttled_too(app):
    coop = factories.cooperative()
    client = app.test_client()
    address = {"REMOTE_ADDR": "192.0.2.80"}
    form = {**member_data(coop), "csrf_token": client.get("/api/auth/register").get_json()["csrf_token"]}
    for n in range(app.config["REGISTRATION_MAX_PER_CLIENT"]):
        client.post("/register/member", data={**form, "email": f"page{n}@example.test"}, environ_base=address)

    page = client.post("/register/member", data={**form, "email": "last@example.test"}, environ_base=address)

    assert page.status_code == 429 and "Too many registrations" in page.get_data(as_text=True)
    assert pending_payments() == app.config["REGISTRATION_MAX_PER_CLIENT"]


def test_the_same_email_registering_again_while_the_first_is_pending_is_a_409(app):
    coop = factories.cooperative()
    client = app.test_client()
    assert register(client, member_data(coop), "192.0.2.90").status_code == 201

    again = register(client, member_data(coop, email=" Ada.Obi@Example.test "), "192.0.2.91")

    assert_error_shape(again, 409, "conflict")
    assert "email" in again.get_json()["error"]["fields"]
    assert pending_payments() == 1


def test_the_expiry_job_fails_sign_ups_unpaid_for_24_hours_and_the_email_may_register_again(app):
    coop = factories.cooperative()
    client = app.test_client()
    assert register(client, member_data(coop), "192.0.2.95").status_code == 201
    payment = db.session.scalar(sa.select(Payment))
    payment.created_at = payment.created_at - timedelta(hours=24, minutes=1)
    db.session.commit()

    summary = jobs.run_once(app, ["expire-pending-registrations"])

    assert summary["expire-pending-registrations"].startswith("1 pending registrations expired")
    db.session.refresh(payment)
    assert payment.status is PaymentStatus.FAILED and "expired" in payment.failure_reason
    assert register(client, member_data(coop), "192.0.2.95").status_code == 201
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User)) == 0


@pytest.mark.postgres  # SQLite's in-memory test database shares one connection: nothing runs concurrently
def test_simultaneous_sign_ups_with_one_email_open_one_payment(app):
    body = member_data(factories.cooperative())  # read here: the threads must not touch this session's objects

    def attempt(i: int) -> int:
        return register(app.test_client(), body, f"192.0.2.{100 + i}").status_code

    statuses = run_together(app, 6, attempt)

    assert sorted(statuses) == [201] + [409] * 5
    assert pending_payments() == 1
