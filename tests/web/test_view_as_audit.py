"""A super admin's "view as" is audited for every scoped read — the page, its panels and the JSON stats — with
one row per (viewer, choice, surface) per 10 minutes, however many requests a page load and its live refreshes make.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import AuditLog, Role
from nogalss_app.models.types import utcnow
from nogalss_app.services import audit
from nogalss_app.services.stats.registry import dashboard_panels
from tests import factories
from tests.support.concurrency import run_together


def view_as_rows() -> list[tuple[int, str, dict]]:
    """Return (actor, dashboard/surface, choice) of every view-as audit row, oldest first."""
    rows = db.session.scalars(sa.select(AuditLog).where(AuditLog.action == "dashboard.view_as").order_by(AuditLog.id))
    return [(row.actor_id, row.entity_id, row.after) for row in rows]


def test_the_page_every_panel_and_the_stats_of_a_chosen_member_are_audited_once_each(client, login_as):
    admin = login_as(Role.SUPER_ADMIN)
    member = factories.user(role=Role.MEMBER)
    choice = {"member": member.id}

    for _ in range(3):  # a page load, then live refreshes
        assert client.get("/dashboard/member", query_string=choice).status_code == 200
        for panel in dashboard_panels()["member"]:
            url = f"/dashboard/member/panels/{panel.name}"
            assert client.get(url, query_string=choice, headers={"HX-Request": "true"}).status_code == 200
        assert client.get("/api/member/dashboard-stats", query_string=choice).status_code == 200

    assert view_as_rows() == [
        (admin.id, "member/page", choice),
        (admin.id, "member/panel", choice),
        (admin.id, "member/stats", choice),
    ]


def test_another_choice_is_another_row_and_a_leaders_own_dashboard_is_not_view_as(client, login_as, app):
    admin = login_as(Role.SUPER_ADMIN)
    first, second = factories.cooperative(), factories.cooperative()

    client.get("/api/leader/dashboard-stats", query_string={"cooperative": first.id})
    client.get("/api/leader/dashboard-stats", query_string={"cooperative": second.id})
    client.get("/api/leader/dashboard-stats", query_string={"cooperative": first.id})
    leader = app.test_client()
    login = leader.post(
        "/api/auth/login", json={"email": factories.user(role=Role.LEADER).email, "password": factories.PASSWORD}
    )
    assert login.status_code == 200 and leader.get("/api/leader/dashboard-stats").status_code == 200

    assert view_as_rows() == [
        (admin.id, "leader/stats", {"cooperative": first.id}),
        (admin.id, "leader/stats", {"cooperative": second.id}),
    ]


def test_the_same_read_ten_minutes_later_is_audited_again():
    admin = factories.user(role=Role.SUPER_ADMIN)

    start = utcnow()
    choice = {"cooperative": 7}

    written = [
        audit.record_view_as("leader", actor_id=admin.id, chosen=choice, surface="panel", now=start + delay)
        for delay in (timedelta(0), timedelta(minutes=9, seconds=59), timedelta(minutes=10, seconds=1))
    ]

    assert written == [True, False, True]


@pytest.mark.postgres  # SQLite's in-memory test database shares one connection: nothing runs concurrently
def test_a_page_load_fetching_every_panel_at_once_writes_one_panel_row(app, client, login_as):
    admin = login_as(Role.SUPER_ADMIN)
    member_id = factories.user(role=Role.MEMBER).id  # read here: the threads must not touch this session's objects
    cookie, names = client.get_cookie("session").value, [p.name for p in dashboard_panels()["member"]]

    def fetch(i: int) -> int:
        other = app.test_client()
        other.set_cookie("session", cookie)
        url = f"/dashboard/member/panels/{names[i % len(names)]}"
        return other.get(url, query_string={"member": member_id}, headers={"HX-Request": "true"}).status_code

    assert run_together(app, 8, fetch) == [200] * 8
    assert view_as_rows() == [(admin.id, "member/panel", {"member": member_id})]
