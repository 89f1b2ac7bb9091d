"""A super admin lists, creates, edits, (de)activates and deletes cooperatives through the JSON API."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import (
    AuditLog,
    Cooperative,
    PaymentPurpose,
    Role,
    TxStatus,
)
from tests import factories
from tests.factories import PaymentFactory, TransactionFactory
from tests.support.client import send
from tests.support.records import signals
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts

URL = "/api/admin/cooperatives"
XSS_NAMES = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "x'); DROP TABLE users;--"]
FUND_ROOMS = ["role:APEX", "role:APEX_FUNDS", "role:NOGALSS_FUNDS", "role:SUPER_ADMIN"]


def body(org, **overrides) -> dict:
    """Return a complete, valid cooperative body under a parent organization."""
    return {
        "name": "Kano Weavers Cooperative",
        "registration_number": "KN-WEAVE-001",
        "address": "12 Kofar Mata Road",
        "city": "Kano",
        "state": "Kano",
        "phone": "08031234567",
        "email": "Office@KanoWeavers.ng",
        "bank_name": "First Bank",
        "bank_account_number": "0123456789",
        "bank_account_name": "Kano Weavers Cooperative",
        "parent_organization_id": org.id,
    } | overrides


@pytest.fixture
def admin(login_as):
    """A signed-in super admin."""
    return login_as("SUPER_ADMIN")


# Listing ------------------------------------------------------------------------------------------------------


def test_the_list_shows_active_member_counts_and_the_leader(client, admin):
    org = factories.parent_org(name="Artisans Union")
    kano = factories.cooperative(name="Kano Weavers", city="Kano", state="Kano", parent_organization_id=org.id)
    jos = factories.cooperative(name="Jos Potters", city="Jos", state="Plateau", is_active=False)
    leader = factories.user(role="LEADER", cooperative_id=kano.id, first_name="Amina", last_name="Bello")
    for _ in range(3):
        factories.user(role="MEMBER", cooperative_id=kano.id)
    factories.user(role="MEMBER", cooperative_id=kano.id, is_active=False)
    factories.user(role="MEMBER", cooperative_id=jos.id)

    items = {item["name"]: item for item in client.get(URL).get_json()["items"]}

    assert items["Kano Weavers"]["member_count"] == 3
    assert items["Kano Weavers"]["leader"] == {"id": leader.id, "name": "Amina Bello"}
    assert items["Kano Weavers"]["parent_organization"] == "Artisans Union"
    assert (items["Jos Potters"]["member_count"], items["Jos Potters"]["leader"]) == (1, None)
    assert items["Jos Potters"]["is_active"] is False


def test_the_list_searches_filters_and_sorts(client, admin):
    org = factories.parent_org()
    kano = factories.cooperative(name="Kano Weavers", registration_number="KN-1", city="Kano", state="Kano")
    factories.cooperative(name="Abuja Tailors", registration_number="FCT-9", city="Gwagwalada", state="FCT")
    factories.cooperative(
        name="Zaria Smiths", registration_number="KD-3", state="Kaduna", parent_organization_id=org.id
    )
    factories.cooperative(name="Old Guild", registration_number="OG-1", is_active=False)
    factories.user(role="MEMBER", cooperative_id=kano.id)

    def names(**args) -> list[str]:
        return [item["name"] for item in client.get(URL, query_string=args).get_json()["items"]]

    assert names() == ["Abuja Tailors", "Kano Weavers", "Old Guild", "Zaria Smiths"]
    assert names(q="gwagwa") == ["Abuja Tailors"]
    assert names(q="kn-") == ["Kano Weavers"]
    assert names(state="kano") == ["Kano Weavers"]
    assert names(parent_organization_id=org.id) == ["Zaria Smiths"]
    assert names(is_active="false") == ["Old Guild"]
    assert names(sort="member_count", order="desc")[0] == "Kano Weavers"
    assert names(sort="registration_number", order="asc") == [
        "Abuja Tailors",
        "Zaria Smiths",
        "Kano Weavers",
        "Old Guild",
    ]
    paged = client.get(URL, query_string={"per_page": 3, "page": 2}).get_json()
    assert (paged["total"], paged["pages"], [i["name"] for i in paged["items"]]) == (4, 2, ["Zaria Smiths"])


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"sort": "bank_account_number"}, "sort"),
        ({"page": "-2"}, "page"),
        ({"per_page": "abc"}, "per_page"),
        ({"is_active": "maybe"}, "is_active"),
        ({"parent_organization_id": "x"}, "parent_organization_id"),
        ({"parent_organization_id": "99999999999"}, "parent_organization_id"),
        ({"q": "q" * 101}, "q"),
    ],
)
def test_bad_list_parameters_are_refused_with_422(client, admin, args, field):
    assert field in assert_error_shape(client.get(URL, query_string=args), 422, "validation_error")["fields"]


def test_parent_organizations_are_listed_for_pickers(client, admin):
    factories.parent_org(name="Zamfara Farmers")
    factories.parent_org(name="Abia Traders", is_active=False)

    listed = client.get("/api/admin/parent-organizations").get_json()
    searched = client.get("/api/admin/parent-organizations", query_string={"q": "zam"}).get_json()

    assert [(o["name"], o["is_active"]) for o in listed["items"]] == [
        ("Abia Traders", False),
        ("Zamfara Farmers", True),
    ]
    assert [o["name"] for o in searched["items"]] == ["Zamfara Farmers"]
    assert_error_shape(client.get("/api/admin/parent-organizations", query_string={"sort": "x"}), 422)


# Creating -----------------------------------------------------------------------------------------------------


def test_a_cooperative_is_created_without_a_fee_and_signalled(client, admin):
    org = factories.parent_org()
    before = table_counts()

    response = send(client, "POST", URL, json=body(org))

    assert response.status_code == 201
    created = response.get_json()
    assert created["name"] == "Kano Weavers Cooperative" and created["email"] == "office@kanoweavers.ng"
    assert (created["is_active"], created["member_count"], created["leader"]) == (True, 0, None)
    coop = db.session.get(Cooperative, created["id"])
    assert (coop.registration_number, coop.parent_organization_id, coop.bank_account_number) == (
        "KN-WEAVE-001",
        org.id,
        "0123456789",
    )
    after = table_counts()
    assert after["payments"] == before["payments"] and after["transactions"] == before["transactions"]
    audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "cooperative.created")).one()
    assert audit.actor_id == admin.id and audit.after["registration_number"] == "KN-WEAVE-001"
    [change] = signals("cooperative.created")
    assert change.topics == ["activity", "cooperatives"] and change.rooms == FUND_ROOMS


def test_only_name_number_and_parent_are_required(client, admin):
    org = factories.parent_org()

    response = send(
        client, "POST", URL, json={"name": "Tiny", "registration_number": "T-1", "parent_organization_id": org.id}
    )

    assert response.status_code == 201
    assert response.get_json()["city"] is None and response.get_json()["bank_account_number"] is None


@pytest.mark.parametrize("name", XSS_NAMES)
def test_hostile_names_are_stored_verbatim(client, admin, name):
    org = factories.parent_org()

    created = send(client, "POST", URL, json=body(org, name=name)).get_json()

    assert db.session.get(Cooperative, created["id"]).name == name
    assert client.get(f"{URL}/{created['id']}").get_json()["name"] == name


@pytest.mark.parametrize("number", ["KN-WEAVE-001", "kn-weave-001", "  Kn-Weave-001  "])
def test_a_registration_number_in_use_is_a_conflict_whatever_its_case(client, admin, number):
    org = factories.parent_org()
    factories.cooperative(registration_number="KN-WEAVE-001")
    before = table_counts()

    error = assert_error_shape(send(client, "POST", URL, json=body(org, registration_number=number)), 409, "conflict")

    assert error["fields"] == {"registration_number": "already in use"}
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": "n" * 10_000}, "name"),
        ({"name": None}, "name"),
        ({"name": "   "}, "name"),
        ({"name": 42}, "name"),
        ({"name": "line\nbreak"}, "name"),
        ({"registration_number": None}, "registration_number"),
        ({"registration_number": "KN<1>"}, "registration_number"),
        ({"registration_number": "R" * 65}, "registration_number"),
        ({"bank_account_number": "12345"}, "bank_account_number"),
        ({"bank_account_number": "01234567890"}, "bank_account_number"),
        ({"bank_account_number": "０１２３４５６７８９"}, "bank_account_number"),
        ({"email": "not-an-email"}, "email"),
        ({"phone": "call me"}, "phone"),
        ({"city": "c" * 101}, "city"),
        ({"parent_organization_id": None}, "parent_organization_id"),
        ({"parent_organization_id": 999_999}, "parent_organization_id"),
        ({"parent_organization_id": "1"}, "parent_organization_id"),
        ({"parent_organization_id": True}, "parent_organization_id"),
        ({"parent_organization_id": 2**64}, "parent_organization_id"),
        ({"is_active": "yes"}, "is_active"),
    ],
)
def test_a_bad_cooperative_is_refused_and_nothing_is_written(client, admin, overrides, field):
    org = factories.parent_org()
    before = table_counts()

    error = assert_error_shape(send(client, "POST", URL, json=body(org, **overrides)), 422, "validation_error")

    assert field in error["fields"]
    assert_nothing_changed(before)


def test_an_inactive_parent_organization_cannot_take_a_new_cooperative(client, admin):
    org = factories.parent_org(is_active=False)

    error = assert_error_shape(send(client, "POST", URL, json=body(org)), 422)

    assert "inactive" in error["fields"]["parent_organization_id"]


def test_writes_without_a_csrf_token_are_refused(client, admin):
    org = factories.parent_org()
    coop = factories.cooperative()
    before = table_counts()

    assert_error_shape(client.post(URL, json=body(org)), 400)
    assert_error_shape(client.put(f"{URL}/{coop.id}", json=body(org)), 400)
    assert_error_shape(client.delete(f"{URL}/{coop.id}"), 400)
    assert_nothing_changed(before)


# Reading, replacing, (de)activating ---------------------------------------------------------------------------


def test_one_cooperative_is_read_by_id_and_unknown_ids_are_not_found(client, admin):
    coop = factories.cooperative(name="Lagos Bakers")

    assert client.get(f"{URL}/{coop.id}").get_json()["name"] == "Lagos Bakers"
    for path in ("999999", "abc", "-1", "1e3", "123456789012345678901234"):
        assert_error_shape(client.get(f"{URL}/{path}"), 404, "not_found")
        assert_error_shape(send(client, "PUT", f"{URL}/{path}", json={}), 404)
        assert_error_shape(send(client, "DELETE", f"{URL}/{path}"), 404)


def test_a_full_update_replaces_every_field_and_tells_its_people(client, admin):
    org, new_org = factories.parent_org(), factories.parent_org()
    coop = factories.cooperative(parent_organization_id=org.id, registration_number="OLD-1", city="Ibadan")
    member = factories.user(role="MEMBER", cooperative_id=coop.id)
    leader = factories.user(role="LEADER", cooperative_id=coop.id)
    old_name = coop.name

    response = send(
        client, "PUT", f"{URL}/{coop.id}", json=body(new_org, registration_number="new-1", city=None, name="Renamed")
    )

    assert response.status_code == 200
    db.session.expire_all()
    stored = db.session.get(Cooperative, coop.id)
    assert (stored.name, stored.registration_number, stored.city, stored.parent_organization_id) == (
        "Renamed",
        "new-1",
        None,
        new_org.id,
    )
    assert stored.is_active is True
    [change] = signals("cooperative.updated")
    assert change.rooms == sorted([*FUND_ROOMS, f"coop:{coop.id}", f"user:{member.id}", f"user:{leader.id}"])
    audit = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "cooperative.updated")).one()
    assert (audit.before["name"], audit.after["name"]) == (old_name, "Renamed")


def test_keeping_the_own_number_in_another_case_is_no_conflict_but_anothers_is(client, admin):
    org = factories.parent_org()
    coop = factories.cooperative(registration_number="ABC-1", parent_organization_id=org.id)
    factories.cooperative(registration_number="XYZ-2")

    assert send(client, "PUT", f"{URL}/{coop.id}", json=body(org, registration_number="abc-1")).status_code == 200
    before = table_counts()
    assert_error_shape(send(client, "PUT", f"{URL}/{coop.id}", json=body(org, registration_number="xyz-2")), 409)
    assert_nothing_changed(before)


def test_a_bad_update_changes_nothing(client, admin):
    org = factories.parent_org()
    coop = factories.cooperative(name="Keep Me", parent_organization_id=org.id)
    before = table_counts()

    assert_error_shape(send(client, "PUT", f"{URL}/{coop.id}", json=body(org, name="n" * 10_000)), 422)
    assert_error_shape(send(client, "PUT", f"{URL}/{coop.id}", json=["not", "an", "object"]), 400)

    assert_nothing_changed(before)
    db.session.expire_all()
    assert db.session.get(Cooperative, coop.id).name == "Keep Me"


def test_is_active_in_an_update_deactivates_and_reactivates(client, admin):
    org = factories.parent_org()
    coop = factories.cooperative(parent_organization_id=org.id)

    off = send(client, "PUT", f"{URL}/{coop.id}", json=body(org, is_active=False)).get_json()
    on = send(client, "PUT", f"{URL}/{coop.id}", json=body(org, is_active=True)).get_json()

    assert (off["is_active"], on["is_active"]) == (False, True)
    assert len(signals("cooperative.deactivated")) == len(signals("cooperative.activated")) == 1


def test_an_update_may_keep_an_inactive_parent_organization(client, admin):
    org = factories.parent_org()
    coop = factories.cooperative(parent_organization_id=org.id)
    org.is_active = False
    db.session.commit()

    assert send(client, "PUT", f"{URL}/{coop.id}", json=body(org, name="Still here")).status_code == 200


# Deleting -----------------------------------------------------------------------------------------------------


def test_an_unused_cooperative_is_deleted(client, admin):
    coop_id = factories.cooperative(name="Empty Shell").id

    response = send(client, "DELETE", f"{URL}/{coop_id}")

    assert response.status_code == 204
    db.session.expire_all()
    assert db.session.get(Cooperative, coop_id) is None
    [change] = signals("cooperative.deleted")
    assert change.topics == ["activity", "cooperatives"] and "Empty Shell" in change.summary
    assert change.rooms == sorted([*FUND_ROOMS, f"coop:{coop_id}"])


def _with_member(coop):
    factories.user(role="MEMBER", cooperative_id=coop.id, is_active=False)


def _with_leader(coop):
    factories.user(role="LEADER", cooperative_id=coop.id)


def _with_transaction(coop):
    TransactionFactory(status=TxStatus.CANCELLED, amount_kobo=1, cooperative_id=coop.id)


def _with_payment(coop):
    PaymentFactory(purpose=PaymentPurpose.MEMBER_REGISTRATION, amount_kobo=5_000_00, cooperative_id=coop.id)


@pytest.mark.parametrize("history", [_with_member, _with_leader, _with_transaction, _with_payment])
def test_a_cooperative_with_people_or_money_is_not_deleted(client, admin, history):
    coop = factories.cooperative()
    history(coop)
    before = table_counts()

    error = assert_error_shape(send(client, "DELETE", f"{URL}/{coop.id}"), 409, "conflict")

    assert "deactivate" in error["message"]
    assert_nothing_changed(before)


# Who may ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r.value for r in Role if r is not Role.SUPER_ADMIN])
def test_only_a_super_admin_may_use_the_cooperative_endpoints(client, login_as, role):
    org = factories.parent_org()
    coop = factories.cooperative(parent_organization_id=org.id)
    login_as(role)
    before = table_counts()

    assert_error_shape(client.get(URL), 403)
    assert_error_shape(client.get(f"{URL}/{coop.id}"), 403)
    assert_error_shape(client.get("/api/admin/parent-organizations"), 403)
    assert_error_shape(send(client, "POST", URL, json=body(org)), 403)
    assert_error_shape(send(client, "PUT", f"{URL}/{coop.id}", json=body(org, name="Mine now")), 403)
    assert_error_shape(send(client, "DELETE", f"{URL}/{coop.id}"), 403)
    assert_nothing_changed(before)
