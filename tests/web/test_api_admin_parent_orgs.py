"""A super admin lists, creates, edits and deletes parent organizations (JSON API and management pages)."""

from __future__ import annotations

import pytest

from nogalss_app.extensions import db
from nogalss_app.models import ParentOrganization
from tests import factories
from tests.support.client import send, submit, text
from tests.support.records import change, last_audit
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts

URL = "/api/admin/parent-organizations"


def body(**overrides) -> dict:
    """Return a complete, valid parent organization."""
    return {
        "name": "Artisans Guild of Nigeria",
        "registration_number": "AGN-001",
        "email": "Info@Artisans.org.ng",
        "phone": "08031234567",
        "address": "1 Marina, Lagos",
    } | overrides


@pytest.fixture
def admin(client, login_as):
    """A signed-in super admin."""
    return login_as("SUPER_ADMIN")


def test_a_fresh_install_creates_an_organization_then_a_cooperative_under_it(client, admin):
    assert client.get(URL).get_json()["items"] == []
    created = send(client, "POST", URL, body())
    assert created.status_code == 201, created.get_json()
    org = created.get_json()
    assert (org["name"], org["registration_number"], org["email"]) == (
        "Artisans Guild of Nigeria",
        "AGN-001",
        "info@artisans.org.ng",
    )
    assert org["is_active"] is True and org["cooperative_count"] == 0
    assert last_audit().action == "parent_organization.created"
    topics, rooms = change("parent_organization.created")
    assert "cooperatives" in topics and f"org:{org['id']}" in rooms
    coop = send(
        client,
        "POST",
        "/api/admin/cooperatives",
        {"name": "Kano Weavers", "registration_number": "KN-1", "parent_organization_id": org["id"]},
    )
    assert coop.status_code == 201, coop.get_json()
    assert client.get(f"{URL}/{org['id']}").get_json()["cooperative_count"] == 1


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": ""}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"registration_number": None}, "registration_number"),
        ({"registration_number": "<script>"}, "registration_number"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "12"}, "phone"),
        ({"is_active": "yes"}, "is_active"),
        ({"name": "a\x00b"}, "name"),
    ],
)
def test_a_bad_field_is_refused_with_its_message_and_changes_nothing(client, admin, overrides, field):
    before = table_counts()
    response = send(client, "POST", URL, body(**overrides))
    assert field in assert_error_shape(response, 422)["fields"]
    assert_nothing_changed(before)


def test_duplicates_are_409_whatever_their_case(client, admin):
    factories.parent_org(name="Artisans Guild of Nigeria", registration_number="OTHER-1")
    factories.parent_org(name="Other", registration_number="AGN-001")
    before = table_counts()
    assert_error_shape(send(client, "POST", URL, body(name="artisans guild of nigeria", registration_number="X")), 409)
    assert_error_shape(send(client, "POST", URL, body(name="New", registration_number="agn-001")), 409)
    assert_nothing_changed(before)


def test_put_replaces_and_patch_changes_only_what_is_sent(client, admin):
    org = factories.parent_org(name="Old", registration_number="OLD-1", email="old@x.ng")
    replaced = send(client, "PUT", f"{URL}/{org.id}", body(name="New name", registration_number="NEW-1"))
    assert replaced.status_code == 200 and replaced.get_json()["name"] == "New name"
    patched = send(client, "PATCH", f"{URL}/{org.id}", {"is_active": False})
    assert patched.get_json()["is_active"] is False and patched.get_json()["registration_number"] == "NEW-1"
    assert last_audit().action == "parent_organization.deactivated"
    assert_error_shape(send(client, "PATCH", f"{URL}/{org.id}", {"name": ""}), 422)


def test_delete_is_refused_while_cooperatives_exist_and_works_once_none_do(client, admin):
    org = factories.parent_org()
    coop = factories.cooperative(parent_organization_id=org.id)
    before = table_counts()
    refused = assert_error_shape(send(client, "DELETE", f"{URL}/{org.id}"), 409)
    assert "deactivate" in refused["message"]
    assert_nothing_changed(before)
    db.session.delete(coop)
    db.session.commit()
    org_id = org.id
    assert send(client, "DELETE", f"{URL}/{org_id}").status_code == 204
    db.session.expire_all()
    assert db.session.get(ParentOrganization, org_id) is None


def test_a_missing_or_malformed_id_is_404(client, admin):
    assert_error_shape(client.get(f"{URL}/999999"), 404)
    assert_error_shape(send(client, "PUT", f"{URL}/999999", body()), 404)
    assert_error_shape(send(client, "DELETE", f"{URL}/abc"), 404)


@pytest.mark.parametrize("role", ["FINANCE", "APEX", "LEADER", "MEMBER", "COOPERATIVE", "PARENT_ORGANIZATION"])
def test_only_the_super_admin_manages_organizations(client, login_as, role):
    login_as(role)
    assert_error_shape(client.get(URL), 403)
    assert_error_shape(send(client, "POST", URL, body()), 403)


def test_the_management_pages_create_edit_and_refuse_a_delete(client, admin):
    page = client.get("/dashboard/super-admin/parent-organizations")
    assert page.status_code == 200 and "New parent organization" in text(page)
    refused = submit(client, "/dashboard/super-admin/parent-organizations", body(name=""))
    assert refused.status_code == 422 and "required" in text(refused)
    created = submit(client, "/dashboard/super-admin/parent-organizations", body())
    assert created.status_code == 303
    org = db.session.query(ParentOrganization).filter_by(registration_number="AGN-001").one()
    edit = f"/dashboard/super-admin/parent-organizations/{org.id}"
    assert "Artisans Guild of Nigeria" in text(client.get(edit))
    assert submit(client, edit, body(name="Renamed Guild")).status_code == 303
    db.session.expire_all()
    assert db.session.get(ParentOrganization, org.id).name == "Renamed Guild"
    factories.cooperative(parent_organization_id=org.id)
    denied = submit(client, f"{edit}/delete")
    assert denied.status_code == 409 and "deactivate" in text(denied)
    assert submit(client, f"{edit}/active", {"active": "0"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(ParentOrganization, org.id).is_active is False
