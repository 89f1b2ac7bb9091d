"""A fresh install onboards: first super admin from the CLI, a parent organization, a cooperative registered
through the public pages with the sandbox gateway; its leader, its own login and the organization each see their
share of that fee, to the kobo."""

from __future__ import annotations

import re

import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import Allocation, User
from tests.support.client import send, sign_in, text
from tests.support.payments import press
from tests.support.sign_ups import LEADER_PASSWORD, PASSWORD, cooperative_data

ROOT_PASSWORD = "root-of-trust-passphrase-7"
ORG_PASSWORD = "organization-passphrase-9"


def csrf_of(html: str) -> str:
    """Return the hidden CSRF token of a page's form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def cli(app, *args: str, password: str) -> None:
    """Run `flask create-user ... --password-stdin` as an operator would."""
    result = app.test_cli_runner().invoke(args=["create-user", *args, "--password-stdin"], input=f"{password}\n")
    assert result.exit_code == 0, result.output


def account(email: str) -> User:
    """Return a user by email, freshly read."""
    db.session.rollback()
    return db.session.scalar(sa.select(User).where(User.email == email))


def test_from_an_empty_database_to_a_cooperative_whose_three_recipients_see_their_share(app):
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
    cli(app, "--role", "SUPER_ADMIN", "--email", "root@example.test", password=ROOT_PASSWORD)

    admin = sign_in(app.test_client(), account("root@example.test"), ROOT_PASSWORD)
    assert admin.get("/api/admin/parent-organizations").get_json()["items"] == []
    org = send(
        admin, "POST", "/api/admin/parent-organizations", {"name": "Artisans Guild", "registration_number": "AG-1"}
    )
    assert org.status_code == 201, org.get_json()
    org_id = org.get_json()["id"]
    cli(
        app,
        "--role",
        "PARENT_ORGANIZATION",
        "--email",
        "guild@example.test",
        "--organization",
        "AG-1",
        password=ORG_PASSWORD,
    )

    visitor = app.test_client()
    form = text(visitor.get("/register/cooperative"))
    assert "Artisans Guild" in form and 'name="leader_email"' in form
    fields = {k: str(v) for k, v in cooperative_data(org_id).items()} | {"csrf_token": csrf_of(form)}
    to_checkout = visitor.post("/register/cooperative", data=fields)
    assert to_checkout.status_code == 303, text(to_checkout)[:2000]
    checkout = text(visitor.get(to_checkout.headers["Location"]))
    reference = to_checkout.headers["Location"].rsplit("/", 1)[1]
    visitor.csrf_token = csrf_of(checkout)
    callback = visitor.get(press(visitor, reference, "pay").headers["Location"])
    assert "Registration complete" in text(visitor.get(callback.headers["Location"]))

    leader = account("ngozi@ikeja-artisans.example")
    coop_login = account("chidi@ikeja-artisans.example")
    assert leader.cooperative_id == coop_login.cooperative_id is not None
    names = set(db.session.scalars(sa.select(Allocation.leader_user_id)))
    assert names == {leader.id}  # every row of the fee names the leader registered with it

    as_leader = sign_in(app.test_client(), leader, LEADER_PASSWORD)
    assert as_leader.get("/api/leader/dashboard-stats").get_json()["overview"]["leader_allocation_kobo"] == 7_500_00
    assert "₦7,500.00" in text(as_leader.get("/dashboard/leader/panels/overview"))

    as_coop = sign_in(app.test_client(), coop_login, PASSWORD)
    assert as_coop.get("/dashboard").headers["Location"] == "/dashboard/cooperative"
    overview = as_coop.get("/api/cooperative/dashboard-stats").get_json()["overview"]
    assert overview["cooperative_allocation_kobo"] == 10_000_00
    assert "₦10,000.00" in text(as_coop.get("/dashboard/cooperative/panels/overview"))

    as_org = sign_in(app.test_client(), account("guild@example.test"), ORG_PASSWORD)
    assert as_org.get("/dashboard").headers["Location"] == "/dashboard/parent-organization"
    overview = as_org.get("/api/parent-organization/dashboard-stats").get_json()["overview"]
    assert (overview["organization_allocation_kobo"], overview["cooperatives_count"]) == (2_500_00, 1)
    assert "₦2,500.00" in text(as_org.get("/dashboard/parent-organization/panels/overview"))
