"""The demo organisations are built through the services: every fee share is attributed, and each recipient's
dashboard total equals the sum of its rows."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nogalss_app import seed
from nogalss_app.extensions import db
from nogalss_app.models import Allocation, Cooperative, LeaderLink, Recipient, Role, User
from nogalss_app.security import resolve_scope
from nogalss_app.services.stats.registry import find_panel


@pytest.fixture
def seeded(app):
    """The whole demo history (each test's database is emptied afterwards)."""
    with app.test_request_context():
        seed.seed_demo(reset=False, if_empty=False)


def user(local: str) -> User:
    """Return a demo account."""
    return db.session.scalar(sa.select(User).where(User.email == seed.demo_email(local)))


def overview(dashboard: str, who: User) -> dict:
    """Build the overview panel of a dashboard as that user sees it."""
    return find_panel(dashboard, "overview").build(resolve_scope(dashboard, who, {}))


def rows_total(recipient: Recipient, **where) -> int:
    """Return the sum of a recipient's allocation rows."""
    conditions = [getattr(Allocation, k) == v for k, v in where.items()]
    return int(
        db.session.scalar(
            sa.select(sa.func.sum(Allocation.amount_kobo)).where(Allocation.recipient == recipient, *conditions)
        )
        or 0
    )


def check_demo_logins_of_cooperatives_leaders_and_organizations() -> None:
    for n in range(1, 6):
        coop_login, leader = user(f"coop{n}"), user(f"leader{n}")
        assert coop_login.role is Role.COOPERATIVE and leader.role is Role.LEADER
        assert coop_login.cooperative_id == leader.cooperative_id
        link = db.session.scalar(sa.select(LeaderLink).where(LeaderLink.cooperative_id == leader.cooperative_id))
        assert link.user_id == leader.id
        assert db.session.get(Cooperative, leader.cooperative_id).registration_number == f"NGS-COOP-{n:03d}"
    for n in (1, 2):
        org = user(f"org{n}")
        assert org.role is Role.PARENT_ORGANIZATION and org.parent_organization_id is not None


def check_every_leader_share_names_its_leader() -> None:
    unnamed = db.session.scalar(
        sa.select(sa.func.count(Allocation.id)).where(
            Allocation.recipient == Recipient.LEADER, Allocation.leader_user_id.is_(None)
        )
    )
    assert unnamed == 0
    assert db.session.scalar(sa.select(sa.func.count(Allocation.id))) > 0


def check_each_recipients_dashboard_total_equals_the_sum_of_its_rows() -> None:
    for n in range(1, 6):
        leader, coop_login = user(f"leader{n}"), user(f"coop{n}")
        earned = overview("leader", leader)["leader_allocation_kobo"]
        assert earned == rows_total(Recipient.LEADER, cooperative_id=leader.cooperative_id) > 0
        assert earned == rows_total(Recipient.LEADER, leader_user_id=leader.id)
        share = overview("cooperative", coop_login)["cooperative_allocation_kobo"]
        assert share == rows_total(Recipient.COOPERATIVE, cooperative_id=coop_login.cooperative_id) > 0
    for n in (1, 2):
        org = user(f"org{n}")
        share = overview("parent_org", org)["organization_allocation_kobo"]
        assert share == rows_total(Recipient.PARENT_ORGANIZATION, parent_organization_id=org.parent_organization_id) > 0
    total = sum(overview("parent_org", user(f"org{n}"))["organization_allocation_kobo"] for n in (1, 2))
    assert total == rows_total(Recipient.PARENT_ORGANIZATION)


def test_the_demo_organisations_are_registered_with_their_leaders_and_every_share_adds_up(seeded):
    check_demo_logins_of_cooperatives_leaders_and_organizations()
    check_every_leader_share_names_its_leader()
    check_each_recipients_dashboard_total_equals_the_sum_of_its_rows()
    # leader 1 earns the leader share of cooperative 1's own fee (15 % of ₦50,000) and of each of its members' fees
    members = db.session.scalar(
        sa.select(sa.func.count(User.id)).where(
            User.cooperative_id == user("leader1").cooperative_id, User.role == Role.MEMBER
        )
    )
    assert overview("leader", user("leader1"))["leader_allocation_kobo"] == 7_500_00 + members * 750_00
