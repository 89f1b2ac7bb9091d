"""A super admin changes a cooperative's leader: audited, both users' sockets kicked, later fees go to the new one."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import Allocation, ChangeLog, LeaderLink, Recipient, Role, User
from nogalss_app.services import registration
from nogalss_app.services.payments.core import confirm_payment
from tests import factories
from tests.support.client import send, submit, text
from tests.support.records import last_audit
from tests.support.sign_ups import member_data
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts


def pay_member_fee(coop, email: str) -> None:
    """Register a member of the cooperative and let the gateway confirm the fee."""
    payment = registration.start_member_registration(member_data(coop, email=email))
    confirm_payment(payment.reference, amount_kobo=payment.amount_kobo, currency="NGN", gateway_status="success")


def leader_rows(coop_id: int) -> list[int | None]:
    """Return the leader named by each LEADER share of the cooperative's fees, oldest first."""
    query = sa.select(Allocation.leader_user_id).where(
        Allocation.cooperative_id == coop_id, Allocation.recipient == Recipient.LEADER
    )
    return list(db.session.scalars(query.order_by(Allocation.id)))


@pytest.fixture
def world(client, login_as):
    """(admin, coop, old leader, member) with one fee already paid under the old leader."""
    old = factories.user(Role.LEADER, first_name="Kemi")
    coop = db.session.get(factories.Cooperative, old.cooperative_id)
    member = factories.user(Role.MEMBER, cooperative_id=coop.id, first_name="Sani")
    pay_member_fee(coop, "first@example.test")
    return login_as("SUPER_ADMIN"), coop, old, member


def test_the_member_becomes_leader_the_old_leader_a_member_and_later_fees_name_the_new_one(client, world, monkeypatch):
    admin, coop, old, member = world
    coop_id, old_id, member_id = coop.id, old.id, member.id
    kicked = []

    def fake_kick(user_id):
        emitted = db.session.scalar(
            sa.select(ChangeLog.emitted_at).where(ChangeLog.event == "cooperative.leader_changed")
        )
        kicked.append((user_id, emitted is not None))

    monkeypatch.setattr("nogalss_app.services.connections.kick_user", fake_kick)
    response = send(client, "PUT", f"/api/admin/cooperatives/{coop_id}/leader", {"user_id": member_id})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["leader"] == {"id": member_id, "name": "Sani " + member.last_name}
    assert sorted(kicked) == sorted([(member_id, True), (old_id, True)])  # after the commit and the emit
    db.session.expire_all()
    assert db.session.get(User, member_id).role is Role.LEADER
    assert db.session.get(User, old_id).role is Role.MEMBER
    assert db.session.scalar(sa.select(LeaderLink.user_id).where(LeaderLink.cooperative_id == coop_id)) == member_id
    audit = last_audit()
    assert audit.action == "cooperative.leader_changed" and audit.actor_id == admin.id
    assert (audit.before, audit.after) == ({"leader_user_id": old_id}, {"leader_user_id": member_id})
    pay_member_fee(db.session.get(factories.Cooperative, coop_id), "second@example.test")
    assert leader_rows(coop_id) == [old_id, member_id]  # history stays; the new fee is the new leader's


@pytest.mark.parametrize(
    ("who", "status"),
    [("outsider", 422), ("nobody", 422), ("leader", 409), ("inactive", 422), ("text", 422)],
)
def test_a_leader_who_cannot_be_is_refused_and_nothing_changes(client, world, who, status):
    _admin, coop, old, _member = world
    user_id = {
        "outsider": lambda: factories.user(Role.MEMBER).id,
        "nobody": lambda: 999_999,
        "leader": lambda: old.id,
        "inactive": lambda: factories.user(Role.MEMBER, cooperative_id=coop.id, is_active=False).id,
        "text": lambda: "1",
    }[who]()
    before = table_counts()
    response = send(client, "PUT", f"/api/admin/cooperatives/{coop.id}/leader", {"user_id": user_id})
    assert "user_id" in assert_error_shape(response, status)["fields"]
    assert_nothing_changed(before)


def test_an_unknown_cooperative_is_404_and_only_the_super_admin_may(client, login_as):
    login_as("SUPER_ADMIN")
    assert_error_shape(send(client, "PUT", "/api/admin/cooperatives/999999/leader", {"user_id": 1}), 404)
    login_as("APEX")
    assert_error_shape(send(client, "PUT", "/api/admin/cooperatives/1/leader", {"user_id": 1}), 403)


def test_the_cooperative_page_changes_the_leader_through_its_form(client, world):
    _admin, coop, old, member = world
    page = client.get(f"/dashboard/super-admin/cooperatives/{coop.id}")
    assert page.status_code == 200 and member.email in text(page)
    response = submit(client, f"/dashboard/super-admin/cooperatives/{coop.id}/leader", {"user_id": str(member.id)})
    assert response.status_code == 303
    db.session.expire_all()
    assert db.session.get(User, member.id).role is Role.LEADER
    refused = submit(client, f"/dashboard/super-admin/cooperatives/{coop.id}/leader", {"user_id": "abc"})
    assert refused.status_code == 422 and "Choose a member of this cooperative" in text(refused)
