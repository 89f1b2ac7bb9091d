"""JSON API for accounts: a super admin lists, creates, edits, (de)activates, verifies, deletes and issues tokens."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db, socketio
from nogalss_app.models import ApiToken, AuditLog, ChangeLog, LeaderLink, Role, User
from tests import factories
from tests.factories import LoanFactory, NotificationFactory
from tests.support.client import send, sign_in
from tests.support.concurrency import run_together
from tests.support.records import audits, last_change
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts

STAFF_URLS = {
    "/api/admin/create-apex": Role.APEX,
    "/api/admin/create-finance": Role.FINANCE,
    "/api/admin/create-apex-funds": Role.APEX_FUNDS,
    "/api/admin/create-nogalss-funds": Role.NOGALSS_FUNDS,
}
NEW = {"first_name": "Ada", "last_name": "Obi", "email": "ada@example.test", "password": "a-long-password"}
NEW_EMAILS = ("same@example.test", " SAME@example.test")


def fresh(user_id: int) -> User:
    """Reload a user from the database."""
    db.session.expire_all()
    return db.session.get(User, user_id)


def signed_in_elsewhere(app, user):
    """Sign a user in on another client and open their dashboard socket."""
    http = sign_in(app.test_client(), user)
    sock = socketio.test_client(app, flask_test_client=http, headers={"Origin": "http://localhost"})
    assert http.get("/api/member/dashboard-stats").status_code == 200 and sock.is_connected()
    return http, sock


@pytest.fixture
def admin(login_as):
    """A signed-in super admin."""
    return login_as(Role.SUPER_ADMIN, first_name="Root")


# Listing -----------------------------------------------------------------------------------------------------


def test_the_list_searches_filters_sorts_and_pages(client, admin):
    coop = factories.cooperative()
    ada = factories.user(role=Role.MEMBER, first_name="Ada", last_name="Zeta", cooperative_id=coop.id)
    factories.user(role=Role.MEMBER, first_name="Bola", last_name="Alpha", cooperative_id=coop.id, is_active=False)
    factories.user(role=Role.FINANCE, first_name="Ada", last_name="Money")
    body = client.get("/api/admin/users?q=ada zeta").get_json()
    assert [u["id"] for u in body["items"]] == [ada.id] and body["total"] == 1
    assert client.get(f"/api/admin/users?q={ada.email.upper()}").get_json()["total"] == 1
    members = client.get(f"/api/admin/users?role=MEMBER&cooperative_id={coop.id}&sort=last_name&order=asc").get_json()
    assert [u["last_name"] for u in members["items"]] == ["Alpha", "Zeta"]
    assert client.get("/api/admin/users?is_active=false").get_json()["total"] == 1
    page = client.get("/api/admin/users?per_page=2&page=2&sort=email").get_json()
    assert page["page"] == 2 and page["per_page"] == 2 and page["total"] == 4 and len(page["items"]) == 2
    assert "password" not in str(page) and "argon2" not in str(page)
    assert client.get("/api/admin/users?q=100%").get_json()["total"] == 0  # wildcards are literal


@pytest.mark.parametrize(
    "query",
    ["per_page=500", "page=-1", "page=0", "page=abc", "sort=password_hash", "order=sideways", "role=KING",
     "is_active=maybe", "cooperative_id=-3"],
)  # fmt: skip
def test_bad_list_parameters_are_422(client, admin, query):
    assert_error_shape(client.get(f"/api/admin/users?{query}"), 422, "validation_error")


def test_unknown_and_malformed_user_ids_are_404(client, admin):
    for url in ("/api/admin/users/abc", "/api/admin/users/999999", "/api/admin/users/-1", "/api/admin/users/1.5"):
        assert_error_shape(client.get(url), 404, "not_found")
    before = table_counts()
    assert_error_shape(send(client, "PATCH", "/api/admin/users/999999", {"first_name": "X"}), 404)
    assert_error_shape(send(client, "POST", "/api/admin/users/999999/activate"), 404)
    assert_error_shape(send(client, "DELETE", "/api/admin/users/999999"), 404)
    assert_nothing_changed(before)


# Creating ----------------------------------------------------------------------------------------------------


def test_creating_a_member_returns_it_without_the_password_and_audits_and_signals(client, admin):
    coop = factories.cooperative()
    response = send(client, "POST", "/api/admin/users", {**NEW, "role": "MEMBER", "cooperative_id": coop.id})
    assert response.status_code == 201
    body = response.get_json()
    assert body["id"] and body["email"] == "ada@example.test" and body["role"] == "MEMBER"
    assert "password" not in response.get_data(as_text=True) and "argon2" not in response.get_data(as_text=True)
    user = db.session.get(User, body["id"])
    assert user.cooperative_id == coop.id and user.password_hash.startswith("$argon2id$")
    (row,) = audits("user.create")
    assert row.actor_id == admin.id and "password" not in str(row.after) and "a-long-password" not in str(row.after)
    change = last_change()
    assert change.event == "user.created" and "users" in change.topics
    assert {"role:SUPER_ADMIN", "role:APEX", f"coop:{coop.id}"} <= set(change.rooms)


@pytest.mark.parametrize("email", ["ADA@example.test", "  ada@example.test  ", " Ada@Example.Test"])
def test_an_email_differing_only_in_case_or_spaces_is_409(client, admin, email):
    factories.user(role=Role.FINANCE, email="ada@example.test")
    before = table_counts()
    response = send(client, "POST", "/api/admin/users", {**NEW, "email": email, "role": "FINANCE"})
    error = assert_error_shape(response, 409, "conflict")
    assert error["message"] == "email already in use"
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW, "role": "FINANCE", "first_name": "x" * 10_000}, "first_name"),
        ({**NEW, "role": "FINANCE", "email": "not-an-email"}, "email"),
        ({**NEW, "role": "FINANCE", "email": 42}, "email"),
        ({**NEW, "role": "FINANCE", "password": "short"}, "password"),
        ({**NEW, "role": "EMPEROR"}, "role"),
        ({**NEW, "role": "MEMBER"}, "cooperative_id"),
        ({**NEW, "role": "MEMBER", "cooperative_id": "1"}, "cooperative_id"),
        ({**NEW, "role": "FINANCE", "phone": "call me maybe"}, "phone"),
        ({**NEW, "role": "FINANCE", "is_active": False}, "is_active"),
        ({"role": "FINANCE"}, "email"),
    ],
)
def test_invalid_new_accounts_are_422_and_write_nothing(client, admin, body, field):
    before = table_counts()
    error = assert_error_shape(send(client, "POST", "/api/admin/users", body), 422, "validation_error")
    assert field in error["fields"]
    assert_nothing_changed(before)


def test_a_request_body_over_the_limit_is_413(client, admin):
    before = table_counts()
    response = send(client, "POST", "/api/admin/users", {**NEW, "role": "FINANCE", "last_name": "x" * 70_000})
    assert_error_shape(response, 413)
    assert_nothing_changed(before)


def test_writes_without_or_with_another_sessions_csrf_token_are_400(app, client, admin):
    other = app.test_client()
    token = other.post("/api/auth/login", json={"email": admin.email, "password": factories.PASSWORD}).get_json()
    before = table_counts()
    body = {**NEW, "role": "FINANCE"}
    assert_error_shape(client.post("/api/admin/users", json=body), 400)
    response = client.post("/api/admin/users", json=body, headers={"X-CSRFToken": token["csrf_token"]})
    assert_error_shape(response, 400)
    assert_nothing_changed(before)


@pytest.mark.parametrize(("url", "role"), STAFF_URLS.items())
def test_staff_accounts_get_the_role_of_their_url(client, admin, url, role):
    response = send(client, "POST", url, {**NEW, "phone": "+234 801 234 5678"})
    assert response.status_code == 201 and response.get_json()["role"] == role.value
    assert "password" not in response.get_data(as_text=True)
    user = db.session.get(User, response.get_json()["id"])
    assert user.role is role and user.cooperative_id is None and user.phone == "+234 801 234 5678"
    assert last_change().event == "user.created"


@pytest.mark.parametrize("extra", [{"role": "SUPER_ADMIN"}, {"cooperative_id": 1}, {"is_active": False}])
def test_staff_creation_refuses_slipped_in_fields(client, admin, extra):
    before = table_counts()
    error = assert_error_shape(send(client, "POST", "/api/admin/create-finance", {**NEW, **extra}), 422)
    assert set(extra) <= set(error["fields"])
    assert_nothing_changed(before)


def test_sql_looking_names_are_stored_verbatim(client, admin):
    name = "x'); DROP TABLE users;--"
    response = send(client, "POST", "/api/admin/create-apex", {**NEW, "first_name": name})
    assert response.status_code == 201 and response.get_json()["first_name"] == name
    assert db.session.scalar(sa.select(User.first_name).where(User.email == NEW["email"])) == name


# Editing -----------------------------------------------------------------------------------------------------


def test_editing_names_keeps_the_sessions(client, admin):
    member = factories.user(role=Role.MEMBER, phone="0801")
    response = send(client, "PATCH", f"/api/admin/users/{member.id}", {"first_name": " Chi ", "phone": None})
    assert response.status_code == 200 and response.get_json()["first_name"] == "Chi"
    user = fresh(member.id)
    assert user.first_name == "Chi" and user.phone is None and user.session_version == 1
    (row,) = audits("user.updated")
    assert row.before == {"first_name": "Member", "phone": "0801"} and row.after == {"first_name": "Chi", "phone": None}
    change = last_change()
    assert change.event == "user.updated" and {"users", "cooperatives"} <= set(change.topics)
    assert {f"user:{member.id}", f"coop:{member.cooperative_id}", "role:SUPER_ADMIN", "role:APEX"} <= set(change.rooms)


def test_a_role_change_ends_the_users_sessions_and_disconnects_them_after_the_commit(app, client, admin, monkeypatch):
    member = factories.user(role=Role.MEMBER)
    coop_id = member.cooperative_id
    seen = []

    def fake_disconnect(user_id):
        row = db.session.scalar(sa.select(ChangeLog).where(ChangeLog.event == "user.updated"))
        seen.append((user_id, row is not None and row.emitted_at is not None))

    monkeypatch.setattr("nogalss_app.services.connections.kick_user", fake_disconnect)
    response = send(client, "PATCH", f"/api/admin/users/{member.id}", {"role": "FINANCE"})
    assert response.status_code == 200 and response.get_json()["cooperative_id"] is None
    assert seen == [(member.id, True)]  # committed and emitted before the kick
    user = fresh(member.id)
    assert user.role is Role.FINANCE and user.cooperative_id is None and user.session_version == 2
    assert {f"coop:{coop_id}", f"user:{member.id}", "role:FINANCE"} <= set(last_change().rooms)


def test_a_role_change_really_closes_the_users_socket(app, client, admin):
    member = factories.user(role=Role.MEMBER)
    http, sock = signed_in_elsewhere(app, member)
    coop = factories.cooperative()
    response = send(client, "PATCH", f"/api/admin/users/{member.id}", {"role": "LEADER", "cooperative_id": coop.id})
    assert response.status_code == 200
    assert not sock.is_connected()
    assert http.get("/api/member/dashboard-stats").status_code == 401
    assert db.session.scalar(sa.select(LeaderLink.user_id).where(LeaderLink.cooperative_id == coop.id)) == member.id


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"email": "new@example.test"}, "email"),
        ({"password": "a-new-long-password"}, "password"),
        ({"is_active": False}, "is_active"),
        ({"is_verified": True}, "is_verified"),
        ({}, "body"),
        ({"first_name": ""}, "first_name"),
        ({"last_name": "y" * 10_000}, "last_name"),
        ({"role": "nobody"}, "role"),
        ({"cooperative_id": 999_999}, "cooperative_id"),
        ({"cooperative_id": None}, "cooperative_id"),
        ({"role": "FINANCE", "cooperative_id": "x"}, "cooperative_id"),
    ],
)
def test_invalid_edits_are_422_and_change_nothing(client, admin, body, field):
    member = factories.user(role=Role.MEMBER)
    before = table_counts()
    error = assert_error_shape(send(client, "PATCH", f"/api/admin/users/{member.id}", body), 422)
    assert field in error["fields"]
    assert_nothing_changed(before)
    user = fresh(member.id)
    assert (user.email, user.is_active, user.role, user.session_version) == (member.email, True, Role.MEMBER, 1)


def test_a_super_admin_cannot_demote_themself(client, admin):
    before = table_counts()
    assert_error_shape(send(client, "PATCH", f"/api/admin/users/{admin.id}", {"role": "FINANCE"}), 409, "conflict")
    assert_nothing_changed(before)
    assert fresh(admin.id).role is Role.SUPER_ADMIN


def test_a_cooperative_has_one_leader(client, admin):
    leader = factories.user(role=Role.LEADER)
    member = factories.user(role=Role.MEMBER, cooperative_id=leader.cooperative_id)
    before = table_counts()
    response = send(client, "PATCH", f"/api/admin/users/{member.id}", {"role": "LEADER"})
    assert_error_shape(response, 409, "conflict")
    assert_nothing_changed(before)
    assert fresh(member.id).role is Role.MEMBER


def test_a_leader_made_member_loses_the_leader_link(client, admin):
    leader = factories.user(role=Role.LEADER)
    assert send(client, "PATCH", f"/api/admin/users/{leader.id}", {"role": "MEMBER"}).status_code == 200
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LeaderLink)) == 0


# Switching on and off ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("action", "start", "column", "event"),
    [
        ("activate", {"is_active": False}, "is_active", "user.activated"),
        ("deactivate", {}, "is_active", "user.deactivated"),
        ("verify", {"is_verified": False}, "is_verified", "user.verified"),
        ("unverify", {}, "is_verified", "user.unverified"),
    ],
)
def test_each_status_action_changes_audits_signals_and_refuses_a_repeat(client, admin, action, start, column, event):
    member = factories.user(role=Role.MEMBER, **start)
    response = send(client, "POST", f"/api/admin/users/{member.id}/{action}")
    assert response.status_code == 200
    expected = action in ("activate", "verify")
    assert response.get_json()[column] is expected and getattr(fresh(member.id), column) is expected
    (row,) = audits(event)
    assert row.before[column] is not expected and row.after[column] is expected and row.entity_id == str(member.id)
    change = last_change()
    assert change.event == event and {"users", "cooperatives"} <= set(change.topics)
    assert {f"user:{member.id}", f"coop:{member.cooperative_id}", "role:SUPER_ADMIN", "role:APEX"} <= set(change.rooms)
    before = table_counts()
    assert_error_shape(send(client, "POST", f"/api/admin/users/{member.id}/{action}"), 409, "conflict")
    assert_nothing_changed(before)


def test_deactivation_signs_the_user_out_everywhere(app, client, admin):
    member = factories.user(role=Role.MEMBER)
    http, sock = signed_in_elsewhere(app, member)
    assert send(client, "POST", f"/api/admin/users/{member.id}/deactivate").status_code == 200
    assert not sock.is_connected()
    assert http.get("/api/member/dashboard-stats").status_code == 401
    assert fresh(member.id).session_version == 2


def test_a_super_admin_cannot_deactivate_themself(client, admin):
    before = table_counts()
    assert_error_shape(send(client, "POST", f"/api/admin/users/{admin.id}/deactivate"), 409, "conflict")
    assert_nothing_changed(before)
    assert fresh(admin.id).is_active


def test_an_unknown_action_is_404(client, admin):
    member = factories.user(role=Role.MEMBER)
    assert_error_shape(send(client, "POST", f"/api/admin/users/{member.id}/promote"), 404)


# Bulk --------------------------------------------------------------------------------------------------------


def test_bulk_deactivation_changes_every_listed_account_in_one_signal(client, admin):
    a, b = factories.user(role=Role.MEMBER), factories.user(role=Role.FINANCE)
    c = factories.user(role=Role.APEX, is_active=False)
    response = send(client, "POST", "/api/admin/users/bulk", {"action": "deactivate", "ids": [a.id, b.id, c.id, a.id]})
    assert response.status_code == 200
    assert response.get_json() == {"action": "deactivate", "changed": [a.id, b.id], "unchanged": [c.id]}
    assert not fresh(a.id).is_active and not fresh(b.id).is_active and fresh(a.id).session_version == 2
    assert [row.entity_id for row in audits("user.deactivated")] == [str(a.id), str(b.id)]
    change = last_change()
    assert change.event == "user.deactivated"
    assert {f"user:{a.id}", f"user:{b.id}", f"coop:{a.cooperative_id}", "role:SUPER_ADMIN"} <= set(change.rooms)


def test_bulk_with_any_unknown_id_lists_them_and_changes_nothing(client, admin):
    a = factories.user(role=Role.MEMBER)
    before = table_counts()
    response = send(client, "POST", "/api/admin/users/bulk", {"action": "deactivate", "ids": [a.id, 999_998, 999_999]})
    error = assert_error_shape(response, 422, "validation_error")
    assert "999998" in error["fields"]["ids"] and "999999" in error["fields"]["ids"]
    assert_nothing_changed(before)
    assert fresh(a.id).is_active


@pytest.mark.parametrize(
    "body",
    [
        {"action": "verify", "ids": []},
        {"action": "verify", "ids": list(range(1, 102))},
        {"action": "verify", "ids": ["1"]},
        {"action": "verify", "ids": [True]},
        {"action": "verify", "ids": [1.0]},
        {"action": "verify", "ids": 1},
        {"action": "delete", "ids": [1]},
        {"action": "verify"},
        {"action": "verify", "ids": [1], "role": "SUPER_ADMIN"},
    ],
)
def test_malformed_bulk_requests_are_422(client, admin, body):
    before = table_counts()
    assert_error_shape(send(client, "POST", "/api/admin/users/bulk", body), 422, "validation_error")
    assert_nothing_changed(before)


def test_bulk_deactivation_including_oneself_is_refused_whole(client, admin):
    other = factories.user(role=Role.FINANCE)
    before = table_counts()
    response = send(client, "POST", "/api/admin/users/bulk", {"action": "deactivate", "ids": [other.id, admin.id]})
    assert_error_shape(response, 409, "conflict")
    assert_nothing_changed(before)
    assert fresh(other.id).is_active


# Deleting ----------------------------------------------------------------------------------------------------


def test_deleting_an_account_without_history_removes_it(client, admin):
    leader = factories.user(role=Role.LEADER)
    NotificationFactory(user=leader, title="Hello")
    leader_id, email, coop_id = leader.id, leader.email, leader.cooperative_id
    response = send(client, "DELETE", f"/api/admin/users/{leader.id}")
    assert response.status_code == 200 and response.get_json() == {"id": leader.id, "deleted": True}
    assert fresh(leader_id) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LeaderLink)) == 0
    (row,) = audits("user.deleted")
    assert row.before["email"] == email and row.after is None
    change = last_change()
    assert change.event == "user.deleted" and f"coop:{coop_id}" in change.rooms


def test_deleting_an_account_with_money_records_says_deactivate_instead(client, admin):
    member = factories.user(role=Role.MEMBER)
    LoanFactory(user=member, amount_kobo=100)
    before = table_counts()
    error = assert_error_shape(send(client, "DELETE", f"/api/admin/users/{member.id}"), 409, "conflict")
    assert "deactivate instead" in error["message"]
    assert_nothing_changed(before)


def test_deleting_oneself_or_an_account_with_history_is_refused(client, admin):
    staff = factories.user(role=Role.FINANCE)
    db.session.add(AuditLog(actor_id=staff.id, action="something", entity="x"))
    db.session.commit()
    before = table_counts()
    error = assert_error_shape(send(client, "DELETE", f"/api/admin/users/{staff.id}"), 409)
    assert "deactivate instead" in error["message"]
    assert_error_shape(send(client, "DELETE", f"/api/admin/users/{admin.id}"), 409)
    assert_nothing_changed(before)


# API tokens --------------------------------------------------------------------------------------------------


def test_a_token_is_shown_once_listed_without_its_secret_and_revocable(app, client, admin):
    finance = factories.user(role=Role.FINANCE)
    response = send(client, "POST", "/api/admin/api-tokens", {"user_id": finance.id, "name": "nightly export"})
    assert response.status_code == 201
    created = response.get_json()
    secret = created["token"]
    assert secret.startswith("ngs_") and created["user_id"] == finance.id and created["prefix"] == secret[:12]
    listing = client.get("/api/admin/api-tokens").get_json()
    assert listing["total"] == 1 and secret not in str(listing)
    bearer = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/finance/dashboard-stats", headers=bearer).status_code == 200
    revoked = send(client, "DELETE", f"/api/admin/api-tokens/{created['id']}")
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    assert app.test_client().get("/api/finance/dashboard-stats", headers=bearer).status_code == 401
    assert [row.action for row in db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id))][-2:] == [
        "api_token.create",
        "api_token.revoke",
    ]
    before = table_counts()
    assert_error_shape(send(client, "DELETE", f"/api/admin/api-tokens/{created['id']}"), 409)
    assert_error_shape(send(client, "DELETE", "/api/admin/api-tokens/999999"), 404)
    assert_nothing_changed(before)


@pytest.mark.parametrize("body", [{"user_id": 999_999, "name": "x"}, {"user_id": "1", "name": "x"}, {"name": "x"},
                                  {"user_id": 1, "name": ""}, {"user_id": 1, "name": "x", "scope": "all"}])  # fmt: skip
def test_invalid_token_requests_are_422(client, admin, body):
    before = table_counts()
    assert_error_shape(send(client, "POST", "/api/admin/api-tokens", body), 422)
    assert_nothing_changed(before)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


# Access ------------------------------------------------------------------------------------------------------

ENDPOINTS = [
    ("GET", "/api/admin/users", None),
    ("POST", "/api/admin/users", {**NEW, "role": "FINANCE"}),
    ("GET", "/api/admin/users/{id}", None),
    ("PATCH", "/api/admin/users/{id}", {"first_name": "X"}),
    ("DELETE", "/api/admin/users/{id}", None),
    ("POST", "/api/admin/users/{id}/deactivate", None),
    ("POST", "/api/admin/users/{id}/verify", None),
    ("POST", "/api/admin/users/bulk", {"action": "deactivate", "ids": [1]}),
    ("POST", "/api/admin/create-apex", NEW),
    ("POST", "/api/admin/create-finance", NEW),
    ("POST", "/api/admin/create-apex-funds", NEW),
    ("POST", "/api/admin/create-nogalss-funds", NEW),
    ("GET", "/api/admin/api-tokens", None),
    ("POST", "/api/admin/api-tokens", {"user_id": 1, "name": "x"}),
    ("DELETE", "/api/admin/api-tokens/1", None),
]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.SUPER_ADMIN])
def test_every_other_role_gets_403_and_changes_nothing(client, login_as, role):
    me = login_as(role)
    before = table_counts()
    for method, url, body in ENDPOINTS:
        response = send(client, method, url.format(id=me.id), body)
        assert_error_shape(response, 403, "forbidden")
    assert_nothing_changed(before)


def test_signed_out_requests_get_401(client):
    for method, url, body in ENDPOINTS:
        assert client.open(url.format(id=1), method=method, json=body).status_code in (400, 401)
    assert_error_shape(client.get("/api/admin/users"), 401, "unauthorized")


# Concurrency (PostgreSQL: the in-memory SQLite test database shares one connection) ---------------------------


@pytest.mark.postgres
def test_two_admins_deactivating_one_account_at_once_change_it_once(app):
    member_id = factories.user(role=Role.MEMBER).id
    clients = [sign_in(app.test_client(), factories.user(role=Role.SUPER_ADMIN)) for _ in range(2)]
    url = f"/api/admin/users/{member_id}/deactivate"
    db.session.remove()
    assert sorted(run_together(app, 2, lambda i: send(clients[i], "POST", url).status_code)) == [200, 409]
    assert len(audits("user.deactivated")) == 1 and fresh(member_id).session_version == 2


@pytest.mark.postgres
def test_two_admins_creating_the_same_email_at_once_create_one_account(app):
    clients = [sign_in(app.test_client(), factories.user(role=Role.SUPER_ADMIN)) for _ in range(2)]
    db.session.remove()
    statuses = run_together(
        app,
        2,
        lambda i: send(clients[i], "POST", "/api/admin/create-finance", {**NEW, "email": NEW_EMAILS[i]}).status_code,
    )
    assert sorted(statuses) == [201, 409]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(User).where(User.role == Role.FINANCE)) == 1
