"""The cooperative and parent-organization dashboards: their shares of each fee to the kobo, scoped and live."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import Allocation, ChangeLog, Cooperative, LoanStatus, Recipient, Role, User
from nogalss_app.services import registration
from nogalss_app.services.payments.core import confirm_payment
from nogalss_app.sockets import rooms_of
from tests import factories
from tests.factories import ContributionFactory, LoanFactory
from tests.support.client import sign_in, text
from tests.support.sign_ups import LEADER_PASSWORD, PASSWORD, cooperative_data, member_data


def pay(payment) -> None:
    """Let the gateway confirm the expected amount."""
    confirm_payment(payment.reference, amount_kobo=payment.amount_kobo, currency="NGN", gateway_status="success")


def register_cooperative(org_id: int, n: int) -> Cooperative:
    """Register and pay a cooperative (with its own login and leader) under the organization."""
    data = cooperative_data(
        org_id,
        name=f"Cooperative {n}",
        registration_number=f"REG-{n}",
        contact_email=f"coop{n}@example.test",
        leader_email=f"leader{n}@example.test",
    )
    pay(registration.start_cooperative_registration(data))
    return db.session.scalar(sa.select(Cooperative).where(Cooperative.registration_number == f"REG-{n}"))


@pytest.fixture
def world():
    """Organization A with cooperative 1 (two paid members, savings, a loan); organization B with cooperative 2."""
    org_a, org_b = factories.parent_org(name="Org A"), factories.parent_org(name="Org B")
    coop1, coop2 = register_cooperative(org_a.id, 1), register_cooperative(org_b.id, 2)
    for k in (1, 2):
        pay(registration.start_member_registration(member_data(coop1, email=f"m{k}@example.test")))
    pay(registration.start_member_registration(member_data(coop2, email="m3@example.test")))
    member = db.session.scalar(sa.select(User).where(User.email == "m1@example.test"))
    ContributionFactory(user=member, amount_kobo=12_345_67)
    LoanFactory(user=member, amount_kobo=30_000_00, repaid_kobo=10_000_01, status=LoanStatus.ACTIVE)
    org_login = factories.user(Role.PARENT_ORGANIZATION, parent_organization_id=org_a.id)
    return {"org_a": org_a.id, "coop1": coop1.id, "coop2": coop2.id, "org_login": org_login}


def login(client, email: str, password: str = PASSWORD):
    """Sign in an existing account by email."""
    sign_in(client, db.session.scalar(sa.select(User).where(User.email == email)), password)


def rows_total(recipient: Recipient, **where) -> int:
    """Return the sum of the allocation rows paid to a recipient."""
    conditions = [getattr(Allocation, k) == v for k, v in where.items()]
    query = sa.select(sa.func.sum(Allocation.amount_kobo)).where(Allocation.recipient == recipient, *conditions)
    return int(db.session.scalar(query) or 0)


def test_the_cooperative_login_sees_its_share_of_each_fee_to_the_kobo(client, world):
    login(client, "coop1@example.test")
    data = client.get("/api/cooperative/dashboard-stats").get_json()
    # 20 % of ₦50,000 (its own fee) + 2 × 20 % of ₦5,000 (its members' fees)
    assert data["overview"]["cooperative_allocation_kobo"] == 12_000_00
    assert data["overview"]["cooperative_allocation_kobo"] == rows_total(
        Recipient.COOPERATIVE, cooperative_id=world["coop1"]
    )
    assert data["overview"]["members_count"] == 2
    assert data["overview"]["contributions_total_kobo"] == 12_345_67
    assert data["overview"]["loans_outstanding_kobo"] == 19_999_99
    assert [row["amount_kobo"] for row in data["allocations"]["items"]] == [1_000_00, 1_000_00, 10_000_00]
    assert len(data["members"]["items"]) == 2 and len(data["loans"]["items"]) == 1
    assert "₦12,000.00" in text(client.get("/dashboard/cooperative/panels/overview"))
    assert "Cooperative 2" not in text(client.get("/dashboard/cooperative/panels/allocations"))


def test_the_leader_registered_with_the_cooperative_earns_its_share_of_that_fee(client, world):
    login(client, "leader1@example.test", LEADER_PASSWORD)
    overview = client.get("/api/leader/dashboard-stats").get_json()["overview"]
    assert overview["leader_allocation_kobo"] == 7_500_00 + 2 * 750_00
    assert overview["leader_allocation_kobo"] == rows_total(Recipient.LEADER, cooperative_id=world["coop1"])


def test_the_parent_organization_sees_its_cooperatives_and_its_share(client, world):
    sign_in(client, world["org_login"])
    data = client.get("/api/parent-organization/dashboard-stats").get_json()
    overview = data["overview"]
    assert overview["organization_allocation_kobo"] == 2_500_00 + 2 * 250_00  # 5 % of ₦60,000
    assert overview["organization_allocation_kobo"] == rows_total(
        Recipient.PARENT_ORGANIZATION, parent_organization_id=world["org_a"]
    )
    assert (overview["cooperatives_count"], overview["members_count"], overview["fees_total_kobo"]) == (1, 2, 60_000_00)
    [coop] = data["cooperatives"]["items"]
    assert (coop["name"], coop["members_count"], coop["contributions_total_kobo"]) == ("Cooperative 1", 2, 12_345_67)
    assert len(data["allocations"]["items"]) == 3
    page = client.get("/dashboard/parent-organization")
    assert page.status_code == 200
    html = text(client.get("/dashboard/parent-organization/panels/cooperatives"))
    assert "Cooperative 1" in html and "Cooperative 2" not in html


def test_a_super_admin_views_a_chosen_cooperative_and_organization(client, login_as, world):
    login_as("SUPER_ADMIN")
    coop = client.get(f"/api/cooperative/dashboard-stats?cooperative={world['coop2']}").get_json()
    assert coop["overview"]["cooperative_allocation_kobo"] == 10_000_00 + 1_000_00
    org = client.get(f"/api/parent-organization/dashboard-stats?organization={world['org_a']}").get_json()
    assert org["overview"]["organization_allocation_kobo"] == 3_000_00
    page = client.get(f"/dashboard/parent-organization?organization={world['org_a']}")
    assert page.status_code == 200 and "Org A" in text(page)


def test_a_fee_reaches_the_cooperative_and_its_organization_live(world):
    coop = db.session.get(Cooperative, world["coop1"])
    pay(registration.start_member_registration(member_data(coop, email="late@example.test")))
    change = db.session.scalars(
        sa.select(ChangeLog).where(ChangeLog.event == "payment.succeeded").order_by(ChangeLog.id.desc())
    ).first()
    assert {"allocations", "fees", "users"} <= set(change.topics)
    contact = db.session.scalar(sa.select(User).where(User.email == "coop1@example.test"))
    # the cooperative's login and its organization's login both sit in the room the change reaches
    assert f"coop:{world['coop1']}" in change.rooms
    assert f"coop:{world['coop1']}" in rooms_of(contact)
    org_rooms = rooms_of(world["org_login"])
    assert f"coop:{world['coop1']}" in org_rooms and f"org:{world['org_a']}" in org_rooms
    assert f"coop:{world['coop2']}" not in org_rooms  # another organization's cooperative


def test_registering_a_cooperative_signals_its_organization(world):
    register_cooperative(world["org_a"], 3)
    change = db.session.scalars(
        sa.select(ChangeLog).where(ChangeLog.event == "payment.succeeded").order_by(ChangeLog.id.desc())
    ).first()
    assert "cooperatives" in change.topics and f"org:{world['org_a']}" in change.rooms
