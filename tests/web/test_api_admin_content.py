"""JSON API for content and settings: partners, emergency alerts, fees, allocation split, withdrawals."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from markupsafe import escape

from nogalss_app.extensions import db
from nogalss_app.models import EmergencyAlert, Partner, Role, Severity
from nogalss_app.services import settings
from tests import factories
from tests.factories import EmergencyAlertFactory, PartnerFactory
from tests.support.client import send
from tests.support.records import last_audit, last_change
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts

XSS_NAMES = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>']
SQL_NAME = "x'); DROP TABLE users;--"
SPLIT = {"apex_funds_bp": 3500, "nogalss_funds_bp": 2500, "cooperative_bp": 2000, "leader_bp": 1500,
         "parent_organization_bp": 500}  # fmt: skip


@pytest.fixture
def admin(login_as):
    """A signed-in super admin."""
    return login_as(Role.SUPER_ADMIN)


# Partners ----------------------------------------------------------------------------------------------------


def test_creating_a_partner_returns_it_audits_and_tells_everyone(client, admin):
    body = {"name": "Bank of Industry", "website": "https://boi.example", "description": "Funding partner"}
    response = send(client, "POST", "/api/admin/partners", body)
    assert response.status_code == 201
    created = response.get_json()
    assert created["id"] and created["name"] == "Bank of Industry" and created["is_active"] is True
    assert db.session.get(Partner, created["id"]).website == "https://boi.example"
    audit = last_audit()
    assert audit.action == "partner.created" and audit.actor_id == admin.id and audit.after["name"] == body["name"]
    change = last_change()
    assert change.event == "partner.created" and "partners" in change.topics and change.rooms == ["everyone"]


@pytest.mark.parametrize("name", [*XSS_NAMES, SQL_NAME])
def test_hostile_partner_names_are_stored_verbatim_and_shown_escaped_on_the_home_page(app, client, admin, name):
    response = send(client, "POST", "/api/admin/partners", {"name": name})
    assert response.status_code == 201 and response.get_json()["name"] == name
    assert db.session.scalar(sa.select(Partner.name)) == name
    home = app.test_client().get("/").get_data(as_text=True)
    assert str(escape(name)) in home
    assert "<script>alert(1)</script>" not in home and "<img src=x" not in home


def test_the_partner_list_searches_and_pages(client, admin):
    for name in ("Alpha Trust", "Beta Bank", "Alpha Mutual"):
        PartnerFactory(name=name)
    body = client.get("/api/admin/partners?q=alpha&sort=name&order=asc&per_page=1&page=2").get_json()
    assert body["total"] == 2 and [p["name"] for p in body["items"]] == ["Alpha Trust"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x" * 10_000}, "name"),
        ({"name": ""}, "name"),
        ({"name": 5}, "name"),
        ({"name": "Ok", "website": "javascript:alert(1)"}, "website"),
        ({"name": "Ok", "logo_url": "data:image/png;base64,AAAA"}, "logo_url"),
        ({"name": "Ok", "is_active": "yes"}, "is_active"),
    ],
)
def test_invalid_partners_are_422_and_write_nothing(client, admin, body, field):
    before = table_counts()
    error = assert_error_shape(send(client, "POST", "/api/admin/partners", body), 422, "validation_error")
    assert field in error["fields"]
    assert_nothing_changed(before)


def test_a_body_over_the_size_limit_is_413(client, admin):
    before = table_counts()
    assert_error_shape(send(client, "POST", "/api/admin/partners", {"name": "x", "description": "y" * 70_000}), 413)
    assert_nothing_changed(before)


def test_a_write_without_a_csrf_token_is_400(client, admin):
    before = table_counts()
    assert_error_shape(client.post("/api/admin/partners", json={"name": "Sneaky"}), 400)
    assert_error_shape(client.put("/api/admin/settings/fees", json={"member_fee_kobo": 1}), 400)
    assert_nothing_changed(before)


def test_editing_and_deleting_a_partner(client, admin):
    partner_id = PartnerFactory(name="Old name").id
    response = send(client, "PATCH", f"/api/admin/partners/{partner_id}", {"name": "New name", "is_active": False})
    assert response.status_code == 200 and response.get_json()["name"] == "New name"
    assert last_change().event == "partner.updated" and last_audit().before["name"] == "Old name"
    assert send(client, "DELETE", f"/api/admin/partners/{partner_id}").status_code == 200
    db.session.expire_all()
    assert db.session.get(Partner, partner_id) is None and last_change().event == "partner.deleted"
    before = table_counts()
    assert_error_shape(send(client, "PATCH", f"/api/admin/partners/{partner_id}", {"name": "x"}), 404)
    assert_error_shape(send(client, "DELETE", f"/api/admin/partners/{partner_id}"), 404)
    assert_error_shape(send(client, "DELETE", "/api/admin/partners/abc"), 404)
    assert_nothing_changed(before)


@pytest.mark.parametrize("query", ["per_page=500", "page=-1", "sort=unknown", "order=up"])
def test_bad_partner_list_parameters_are_422(client, admin, query):
    assert_error_shape(client.get(f"/api/admin/partners?{query}"), 422, "validation_error")


# Emergency alerts --------------------------------------------------------------------------------------------


def test_a_new_alert_replaces_the_active_one_and_reaches_everyone(client, admin):
    first = send(client, "POST", "/api/admin/emergency-alert", {"title": "Storm", "message": "Offices close early",
                                                                 "severity": "WARNING"})  # fmt: skip
    assert first.status_code == 201 and first.get_json()["severity"] == "WARNING"
    second = send(client, "POST", "/api/admin/emergency-alert", {"title": "Outage", "message": "Payments are down",
                                                                  "severity": "critical"})  # fmt: skip
    assert second.status_code == 201 and second.get_json()["severity"] == "CRITICAL"
    assert db.session.get(EmergencyAlert, first.get_json()["id"]).is_active is False
    items = client.get("/api/admin/emergency-alert").get_json()["items"]
    assert [a["title"] for a in items] == ["Outage"]
    change = last_change()
    assert change.event == "alert.created" and "alerts" in change.topics and change.rooms == ["everyone"]
    assert last_audit().action == "alert.created"


def test_any_signed_in_user_reads_the_active_alerts_but_only_a_super_admin_writes(client, login_as):
    EmergencyAlertFactory(title="Heads up", message="Read me", severity=Severity.INFO)
    assert_error_shape(client.get("/api/admin/emergency-alert"), 401)
    login_as(Role.MEMBER)
    assert [a["title"] for a in client.get("/api/admin/emergency-alert").get_json()["items"]] == ["Heads up"]
    before = table_counts()
    body = {"title": "Fake", "message": "Fake alert", "severity": "CRITICAL"}
    assert_error_shape(send(client, "POST", "/api/admin/emergency-alert", body), 403, "forbidden")
    assert_error_shape(send(client, "PATCH", "/api/admin/emergency-alert", {"id": 1}), 403, "forbidden")
    assert_nothing_changed(before)


def test_deactivating_an_alert_then_again_is_409(client, admin):
    alert = send(client, "POST", "/api/admin/emergency-alert", {"title": "Storm", "message": "Stay home",
                                                                 "severity": "WARNING"}).get_json()  # fmt: skip
    response = send(client, "PATCH", "/api/admin/emergency-alert", {"id": alert["id"]})
    assert response.status_code == 200 and response.get_json()["is_active"] is False
    assert last_change().event == "alert.deactivated"
    assert client.get("/api/admin/emergency-alert").get_json() == {"items": []}
    before = table_counts()
    assert_error_shape(send(client, "PATCH", "/api/admin/emergency-alert", {"id": alert["id"]}), 409, "conflict")
    assert_error_shape(send(client, "PATCH", "/api/admin/emergency-alert", {"id": 999_999}), 404)
    for bad in ({"id": "1"}, {"id": True}, {}, {"id": 1, "is_active": True}):
        assert_error_shape(send(client, "PATCH", "/api/admin/emergency-alert", bad), 422)
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    "body",
    [
        {"title": "Hi", "message": "Too short a title", "severity": "INFO"},
        {"title": "Title", "message": "Bad severity", "severity": "PANIC"},
        {"title": "x" * 10_000, "message": "Long", "severity": "INFO"},
        {"title": "Title", "message": "Slipped field", "severity": "INFO", "is_active": False},
    ],
)
def test_invalid_alerts_are_422(client, admin, body):
    before = table_counts()
    assert_error_shape(send(client, "POST", "/api/admin/emergency-alert", body), 422, "validation_error")
    assert_nothing_changed(before)


# Settings ----------------------------------------------------------------------------------------------------


def test_fees_allocation_and_withdrawals_are_changed_audited_and_signalled(client, admin):
    response = send(client, "PUT", "/api/admin/settings/fees", {"member_fee_kobo": 750_000})
    assert response.status_code == 200
    assert (
        response.get_json()["member_fee_kobo"] == 750_000 and response.get_json()["cooperative_fee_kobo"] == 5_000_000
    )
    assert last_change().event == "settings.fees_updated" and last_audit().after["member_fee_kobo"] == 750_000
    response = send(client, "PUT", "/api/admin/settings/allocation", SPLIT)
    assert response.status_code == 200 and response.get_json()["allocation"] == SPLIT
    change = last_change()
    assert change.event == "settings.allocation_updated" and "role:APEX_FUNDS" in change.rooms
    response = send(client, "PUT", "/api/admin/settings/withdrawals", {"LEADER": False})
    assert response.status_code == 200 and response.get_json()["withdrawals"] == {"MEMBER": True, "LEADER": False}
    assert last_change().event == "settings.withdrawals_updated"
    current = client.get("/api/admin/settings").get_json()
    assert current["allocation"] == SPLIT and current["member_fee_kobo"] == 750_000
    assert settings.get_settings().withdrawals_enabled_for(Role.LEADER) is False


@pytest.mark.parametrize(
    ("url", "body"),
    [
        ("/api/admin/settings/allocation", {**SPLIT, "leader_bp": 1499}),
        ("/api/admin/settings/allocation", {**SPLIT, "leader_bp": 1500.0}),
        ("/api/admin/settings/allocation", {k: v for k, v in SPLIT.items() if k != "leader_bp"}),
        ("/api/admin/settings/allocation", {**SPLIT, "bonus_bp": 0}),
        ("/api/admin/settings/fees", {"member_fee_kobo": 100.5}),
        ("/api/admin/settings/fees", {"member_fee_kobo": "5000"}),
        ("/api/admin/settings/fees", {"member_fee_kobo": -1}),
        ("/api/admin/settings/fees", {"cooperative_fee_kobo": True}),
        ("/api/admin/settings/fees", {"member_fee_kobo": 10**25}),
        ("/api/admin/settings/fees", {}),
        ("/api/admin/settings/fees", {"fee": 1}),
        ("/api/admin/settings/withdrawals", {"MEMBER": "no"}),
        ("/api/admin/settings/withdrawals", {"FINANCE": True}),
        ("/api/admin/settings/withdrawals", {}),
    ],
)
def test_invalid_settings_are_422_and_change_nothing(client, admin, url, body):
    before_settings = settings.get_settings()
    before = table_counts()
    assert_error_shape(send(client, "PUT", url, body), 422, "validation_error")
    assert_nothing_changed(before)
    assert settings.get_settings() == before_settings


def test_apex_sets_the_member_fee_only(client, login_as):
    login_as(Role.APEX)
    response = send(client, "PUT", "/api/settings/member-registration-fee", {"member_fee_kobo": 600_000})
    assert response.status_code == 200 and response.get_json() == {"member_fee_kobo": 600_000}
    assert client.get("/api/settings/member-registration-fee").get_json() == {"member_fee_kobo": 600_000}
    assert last_change().event == "settings.fees_updated"
    before = table_counts()
    body = {"member_fee_kobo": 600_000, "cooperative_fee_kobo": 1}
    error = assert_error_shape(send(client, "PUT", "/api/settings/member-registration-fee", body), 422)
    assert "cooperative_fee_kobo" in error["fields"]
    assert_error_shape(send(client, "PUT", "/api/admin/settings/fees", {"cooperative_fee_kobo": 1}), 403)
    assert_nothing_changed(before)
    assert settings.get_settings().cooperative_fee_kobo == 5_000_000


def test_a_super_admin_may_set_the_member_fee_too(client, admin):
    response = send(client, "PUT", "/api/settings/member-registration-fee", {"member_fee_kobo": 1})
    assert response.status_code == 200 and settings.get_settings().member_fee_kobo == 1


# Access ------------------------------------------------------------------------------------------------------

ADMIN_ONLY = [
    ("GET", "/api/admin/partners", None),
    ("POST", "/api/admin/partners", {"name": "x"}),
    ("PATCH", "/api/admin/partners/1", {"name": "x"}),
    ("DELETE", "/api/admin/partners/1", None),
    ("POST", "/api/admin/emergency-alert", {"title": "Title", "message": "Message", "severity": "INFO"}),
    ("PATCH", "/api/admin/emergency-alert", {"id": 1}),
    ("GET", "/api/admin/settings", None),
    ("PUT", "/api/admin/settings/fees", {"member_fee_kobo": 1}),
    ("PUT", "/api/admin/settings/allocation", SPLIT),
    ("PUT", "/api/admin/settings/withdrawals", {"MEMBER": False}),
]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.SUPER_ADMIN])
def test_other_roles_get_403_on_admin_content_and_change_nothing(client, login_as, role):
    login_as(role)
    PartnerFactory(name="Keep me")
    before = table_counts()
    for method, url, body in ADMIN_ONLY:
        assert_error_shape(send(client, method, url, body), 403, "forbidden")
    fee = send(client, "PUT", "/api/settings/member-registration-fee", {"member_fee_kobo": 1})
    assert fee.status_code == (200 if role is Role.APEX else 403)
    if role is not Role.APEX:
        assert_nothing_changed(before)


def test_signed_out_calls_get_401(client):
    factories.user(role=Role.SUPER_ADMIN)
    for method, url, body in ADMIN_ONLY:
        if method == "GET":
            assert_error_shape(client.open(url, method=method, json=body), 401, "unauthorized")
    assert_error_shape(client.get("/api/settings/member-registration-fee"), 401)
