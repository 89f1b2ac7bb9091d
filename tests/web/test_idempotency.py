"""`Idempotency-Key` on JSON creates of money records (SPEC §5): a retry with the same key from the same user
returns the first answer (same status, same body) and creates nothing; the same key with another body is a 422;
another user's key is another key; a refused create leaves the key free; concurrent retries create one record.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import IdempotencyKey, Role
from nogalss_app.models.types import utcnow
from nogalss_app.services import api_tokens, idempotency
from tests import factories
from tests.factories import saver
from tests.support.client import sign_in
from tests.support.concurrency import run_together
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts

KEY = "retry-7d1c6a2e-0b7e-4a51-9a3c-3f2a4d5e6f70"


def creates(target) -> list[tuple]:
    """Return (role, url, body builder) of every JSON create of a money record."""
    return [
        (Role.MEMBER, "/api/member/contribute", lambda: {"amount_kobo": 1_000_00}),
        (
            Role.MEMBER,
            "/api/member/loans",
            lambda: {"amount_kobo": 1_000_00, "purpose": "Sewing machine", "duration_months": 6},
        ),
        (Role.MEMBER, "/api/member/withdrawals", lambda: {"amount_kobo": 1_000_00, "reason": "School fees"}),
        (
            Role.FINANCE,
            "/api/finance/expenses",
            lambda: {"title": "Diesel", "category": "Fuel", "amount_kobo": 25_000_00},
        ),
        (
            Role.SUPER_ADMIN,
            "/api/admin/transactions",
            lambda: {
                "type": "ADJUSTMENT",
                "user_id": target().id,
                "amount_kobo": 500_00,
                "reason": "Correction",
                "direction": "CREDIT",
            },
        ),
    ]


CREATES = [(role, url) for role, url, _ in creates(lambda: None)]


def body_for(url: str) -> dict:
    """Return a valid body for the create at url (an adjustment names a fresh member)."""
    member = factories.user(role=Role.MEMBER) if url.endswith("transactions") else None
    return next(build for _, u, build in creates(lambda: member) if u == url)()


def signed_in(app, role: Role):
    """Return a client signed in as a new user of the role (a member who saved ₦10,000 long ago)."""
    user = saver(10_000_00) if role is Role.MEMBER else factories.user(role=role)
    return sign_in(app.test_client(), user)


def post(client, url: str, body: dict, key: str | None = KEY):
    """Post a JSON create with the session's CSRF token and (optionally) an Idempotency-Key."""
    headers = {"X-CSRFToken": client.csrf_token}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post(url, json=body, headers=headers)


@pytest.mark.parametrize(("role", "url"), CREATES)
def test_a_retry_with_the_same_key_returns_the_first_answer_and_creates_nothing(app, role, url):
    client = signed_in(app, role)
    body = body_for(url)
    first = post(client, url, body)
    assert first.status_code == 201, first.get_data(as_text=True)
    before = table_counts()

    retries = [post(client, url, dict(reversed(body.items()))) for _ in range(3)]  # key order is not the request

    assert [(r.status_code, r.get_data(as_text=True)) for r in retries] == [(201, first.get_data(as_text=True))] * 3
    assert all(r.headers["Idempotent-Replayed"] == "true" for r in retries)
    assert_nothing_changed(before)


@pytest.mark.parametrize(("role", "url"), CREATES)
def test_the_same_key_with_another_body_is_refused(app, role, url):
    client = signed_in(app, role)
    body = body_for(url)
    assert post(client, url, body).status_code == 201
    before = table_counts()

    other = post(client, url, {**body, "amount_kobo": body["amount_kobo"] + 1})

    assert "Idempotency-Key" in assert_error_shape(other, 422, "validation_error")["fields"]
    assert_nothing_changed(before)


def test_the_same_key_on_another_create_endpoint_is_refused(app):
    client = signed_in(app, Role.MEMBER)
    assert post(client, "/api/member/contribute", {"amount_kobo": 1_000_00}).status_code == 201

    other = post(client, "/api/member/withdrawals", {"amount_kobo": 1_000_00, "reason": "School fees"})

    assert_error_shape(other, 422)


@pytest.mark.parametrize("url", ["/api/member/contribute", "/api/finance/expenses"])
def test_another_users_key_is_another_key_and_no_key_creates_each_time(app, url):
    role = Role.MEMBER if "member" in url else Role.FINANCE
    one, two = signed_in(app, role), signed_in(app, role)
    body = body_for(url)

    answers = [
        post(one, url, body),
        post(two, url, body),
        post(one, url, body, key=None),
        post(one, url, body, key=None),
    ]

    assert [a.status_code for a in answers] == [201] * 4
    assert len({a.get_json().get("id") or a.get_json()["reference"] for a in answers}) == 4


def test_a_refused_create_leaves_the_key_free_for_the_corrected_request(app):
    client = signed_in(app, Role.MEMBER)
    body = {"amount_kobo": 1_000_00, "purpose": "Sewing machine", "duration_months": 6}

    refused = post(client, "/api/member/loans", {**body, "duration_months": 0})
    corrected = post(client, "/api/member/loans", body)

    assert (refused.status_code, corrected.status_code) == (422, 201)
    assert "Idempotent-Replayed" not in corrected.headers


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there", "nul\x00", "é" * 3])
def test_an_unusable_key_is_refused_and_creates_nothing(app, key):
    client = signed_in(app, Role.MEMBER)
    before = table_counts()

    response = client.post(
        "/api/member/contribute",
        json={"amount_kobo": 1_000_00},
        headers={"X-CSRFToken": client.csrf_token, "Idempotency-Key": key.encode("utf-8").decode("latin-1")},
    )

    assert response.status_code in (400, 422) and response.status_code != 201
    if response.status_code == 422:
        assert "Idempotency-Key" in response.get_json()["error"]["fields"]
    assert_nothing_changed(before)


def test_a_script_with_an_api_token_retries_safely(app, client):
    admin = factories.user(role=Role.SUPER_ADMIN)
    member = saver(10_000_00)
    secret = api_tokens.create_token(member.id, "till", actor_id=admin.id)[1]
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": KEY}
    first = client.post("/api/member/contribute", json={"amount_kobo": 1_000_00}, headers=headers)
    before = table_counts()

    again = client.post("/api/member/contribute", json={"amount_kobo": 1_000_00}, headers=headers)

    assert (first.status_code, again.status_code) == (201, 201) and again.get_json() == first.get_json()
    assert_nothing_changed(before)


def test_a_key_older_than_24_hours_is_free_again(app):
    client = signed_in(app, Role.MEMBER)
    first = post(client, "/api/member/contribute", {"amount_kobo": 1_000_00})
    row = db.session.query(IdempotencyKey).one()
    row.created_at = utcnow() - timedelta(hours=24, seconds=1)
    db.session.commit()

    later = post(client, "/api/member/contribute", {"amount_kobo": 1_000_00})

    assert later.status_code == 201 and later.get_json()["reference"] != first.get_json()["reference"]
    assert idempotency.prune(utcnow() + timedelta(hours=25)) == 1


@pytest.mark.postgres  # SQLite's in-memory test database shares one connection: nothing runs concurrently
@pytest.mark.parametrize(("role", "url"), CREATES)
def test_simultaneous_retries_with_one_key_create_one_record(app, role, url):
    client = signed_in(app, role)
    body = body_for(url)
    cookie = client.get_cookie("session").value
    before = table_counts()

    def attempt(_: int):
        other = app.test_client()
        other.set_cookie("session", cookie)
        other.csrf_token = client.csrf_token
        response = post(other, url, body)
        return response.status_code, response.get_data(as_text=True)

    outcomes = run_together(app, 8, attempt)

    assert {status for status, _ in outcomes} == {201}, outcomes
    assert len({text for _, text in outcomes}) == 1
    after = table_counts()
    grown = {name: after[name] - before[name] for name in before if after[name] != before[name]}
    assert grown.get("idempotency_keys") == 1
    single = post(client, url, body)
    assert single.status_code == 201 and single.headers["Idempotent-Replayed"] == "true"
