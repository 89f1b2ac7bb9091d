"""Signing in and out: pages, JSON API, throttling, safe redirects, session endings."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import LoginAttempt, Role, User
from tests import factories


def csrf_from(html: str) -> str:
    """Return the CSRF token embedded in a rendered form."""
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def form_login(client, email, password, next_url=None, addr="127.0.0.1"):
    """Sign in through the HTML form like a browser does (later requests come from the same address)."""
    page = client.get("/login", environ_base={"REMOTE_ADDR": addr})
    data = {"email": email, "password": password, "csrf_token": csrf_from(page.get_data(as_text=True))}
    if next_url is not None:
        data["next"] = next_url
    return client.post("/login", data=data, environ_base={"REMOTE_ADDR": addr})


def test_login_page_runs_under_a_strict_content_security_policy(client):
    response = client.get("/login")
    assert response.status_code == 200
    assert b"Sign in to Nogalss" in response.data
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert b"<script>" not in response.data and b" style=" not in response.data


@pytest.mark.parametrize(
    ("role", "dashboard"),
    [
        (Role.SUPER_ADMIN, "/dashboard/super-admin"),
        (Role.FINANCE, "/dashboard/finance"),
        (Role.APEX_FUNDS, "/dashboard/apex-funds"),
        (Role.NOGALSS_FUNDS, "/dashboard/nogalss-funds"),
        (Role.APEX, "/dashboard/apex"),
        (Role.LEADER, "/dashboard/leader"),
        (Role.MEMBER, "/dashboard/member"),
        (Role.COOPERATIVE, "/dashboard/cooperative"),
        (Role.PARENT_ORGANIZATION, "/dashboard/parent-organization"),
    ],
)
def test_form_login_lands_on_the_roles_own_dashboard(client, role, dashboard):
    user = factories.user(role=role)
    response = form_login(client, user.email, factories.PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == dashboard
    assert client.get(dashboard).status_code == 200
    assert client.get("/dashboard").headers["Location"] == dashboard


def test_email_is_matched_without_regard_to_case_or_spaces(client):
    user = factories.user(role=Role.FINANCE, email="Finance.Lead@Example.test")
    assert user.email == "finance.lead@example.test"
    assert form_login(client, "  FINANCE.lead@example.TEST ", factories.PASSWORD).status_code == 302


def test_wrong_password_and_unknown_email_get_the_same_generic_answer(client):
    factories.user(role=Role.FINANCE, email="known@example.test")
    wrong = form_login(client, "known@example.test", "not-the-password")
    unknown = form_login(client, "nobody@example.test", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        assert "Wrong email or password." in response.get_data(as_text=True)
    api_wrong = client.post("/api/auth/login", json={"email": "known@example.test", "password": "x"})
    api_unknown = client.post("/api/auth/login", json={"email": "nobody@example.test", "password": "x"})
    assert api_wrong.get_json() == api_unknown.get_json()
    assert api_wrong.get_json()["error"]["code"] == "unauthorized"


def test_repeated_wrong_passwords_from_one_client_are_throttled_before_twenty(client):
    user = factories.user(role=Role.MEMBER)
    statuses = [
        client.post(
            "/api/auth/login",
            json={"email": user.email, "password": f"guess-{n}"},
            environ_base={"REMOTE_ADDR": "10.0.0.7"},
        ).status_code
        for n in range(20)
    ]
    assert 429 in statuses
    first_429 = statuses.index(429)
    assert first_429 < 20 and all(s == 401 for s in statuses[:first_429])
    # Once throttled, even the right password is refused for this account from this client...
    blocked = client.post(
        "/api/auth/login",
        json={"email": user.email, "password": factories.PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.7"},
    )
    assert blocked.status_code == 429
    assert "exist" not in blocked.get_data(as_text=True).lower()
    # ...but the owner can still sign in from their own address.
    other = client.post(
        "/api/auth/login",
        json={"email": user.email, "password": factories.PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.8"},
    )
    assert other.status_code == 200


def test_spraying_many_accounts_from_one_client_is_throttled(client):
    statuses = [
        client.post(
            "/api/auth/login",
            json={"email": f"user{n}@example.test", "password": "guess"},
            environ_base={"REMOTE_ADDR": "10.0.0.9"},
        ).status_code
        for n in range(15)
    ]
    assert statuses[-1] == 429 and statuses.index(429) < 15


def test_sixty_correct_logins_a_minute_are_not_throttled(app):
    user = factories.user(role=Role.FINANCE)
    for _ in range(60):
        fresh = app.test_client()
        response = fresh.post("/api/auth/login", json={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 0


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example",
        "//evil.example",
        "/\\evil.example",
        "http:/evil.example",
        "javascript:alert(1)",
        "/%0d%0aSet-Cookie:x=1",
        "\t//evil.example",
    ],
)
def test_next_pointing_off_site_goes_to_own_dashboard_instead(client, target):
    user = factories.user(role=Role.FINANCE)
    response = form_login(client, user.email, factories.PASSWORD, next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/dashboard/finance"


def test_next_within_the_site_is_honoured(client):
    user = factories.user(role=Role.SUPER_ADMIN)
    response = form_login(client, user.email, factories.PASSWORD, next_url="/dashboard/finance")
    assert response.headers["Location"] == "/dashboard/finance"


def test_form_login_without_csrf_token_is_refused(client):
    user = factories.user(role=Role.FINANCE)
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert client.get("/dashboard/finance").status_code == 302  # still signed out


def test_json_login_returns_user_and_csrf_token_and_logout_needs_it(client):
    user = factories.user(role=Role.APEX)
    body = client.post("/api/auth/login", json={"email": user.email, "password": factories.PASSWORD}).get_json()
    assert body["user"]["role"] == "APEX" and body["user"]["email"] == user.email
    assert "password" not in str(body["user"]).lower()
    assert client.post("/api/auth/logout").status_code == 400
    assert client.get("/dashboard/apex").status_code == 200
    assert client.post("/api/auth/logout", headers={"X-CSRFToken": body["csrf_token"]}).status_code == 200
    assert client.get("/dashboard/apex").status_code == 302


@pytest.mark.parametrize("body", [None, [], {"email": "a@b.c"}, {"email": 5, "password": "x"}, {"password": "x"}])
def test_malformed_json_login_is_a_422_in_the_error_shape(client, body):
    response = client.post("/api/auth/login", json=body)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and error["message"] and isinstance(error["fields"], dict)


def test_login_posted_from_a_foreign_origin_is_refused(client):
    user = factories.user(role=Role.FINANCE)
    response = client.post(
        "/api/auth/login",
        json={"email": user.email, "password": factories.PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 400
    assert client.get("/dashboard/finance").status_code == 302


def test_logout_ends_the_users_sessions_on_every_device(app):
    user = factories.user(role=Role.FINANCE)
    laptop, phone = app.test_client(), app.test_client()
    credentials = {"email": user.email, "password": factories.PASSWORD}
    for device in (laptop, phone):
        assert device.post("/api/auth/login", json=credentials).status_code == 200
    token = laptop.post("/api/auth/login", json={"email": user.email, "password": factories.PASSWORD}).get_json()
    laptop.post("/api/auth/logout", headers={"X-CSRFToken": token["csrf_token"]})
    assert phone.get("/dashboard/finance").status_code == 302


def test_a_deactivated_user_is_signed_out_and_cannot_sign_in(client):
    user = factories.user(role=Role.FINANCE)
    assert form_login(client, user.email, factories.PASSWORD).status_code == 302
    db.session.get(User, user.id).is_active = False
    db.session.commit()
    assert client.get("/dashboard/finance").status_code == 302
    again = form_login(client, user.email, factories.PASSWORD)
    assert again.status_code == 401 and "Wrong email or password." in again.get_data(as_text=True)


def test_passwords_are_stored_as_argon2id_hashes():
    user = factories.user(role=Role.MEMBER)
    assert user.password_hash.startswith("$argon2id$")
    assert factories.PASSWORD not in user.password_hash


def test_production_argon2_parameters_are_strong(app):
    from config import Config

    assert Config.ARGON2_TIME_COST >= 2 and Config.ARGON2_MEMORY_COST >= 19 * 1024
