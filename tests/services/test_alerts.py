"""Emergency alerts replace each other and reach every dashboard; partners are plain text with safe links."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import EmergencyAlert, Partner, Role, Severity
from nogalss_app.services import alerts
from nogalss_app.services.errors import Conflict, NotFound, ValidationFailed
from tests import factories
from tests.support.clock import NOW
from tests.support.records import audits, change
from tests.support.snapshot import row_counts

ALERT = {"title": "Bank outage", "message": "Transfers are delayed until 4pm.", "severity": "CRITICAL"}
PARTNER = {"name": "Bank of Industry", "website": "https://boi.ng", "logo_url": "http://boi.ng/logo.png"}


@pytest.fixture
def admin():
    """A super admin, who runs alerts and partners."""
    return factories.user(role=Role.SUPER_ADMIN, first_name="Bola", last_name="Ade")


# Emergency alerts --------------------------------------------------------------------------------------------


def test_a_raised_alert_is_active_and_every_dashboard_hears_of_it(admin):
    alert = alerts.raise_alert(ALERT, actor_id=admin.id, now=NOW)

    active = alerts.active_alert()
    assert active.id == alert.id
    assert (active.title, active.severity, active.created_by_id, active.created_at) == (
        "Bank outage",
        Severity.CRITICAL,
        admin.id,
        NOW,
    )
    topics, rooms = change("alert.created")
    assert "alerts" in topics and rooms == ["everyone"]
    assert audits("alert.created")[0].actor_id == admin.id


def test_a_new_alert_replaces_the_active_one(admin):
    first = alerts.raise_alert(ALERT, actor_id=admin.id, now=NOW)

    second = alerts.raise_alert(ALERT | {"title": "All clear soon", "severity": "info"}, actor_id=admin.id, now=NOW)

    assert alerts.active_alert().id == second.id
    assert db.session.get(EmergencyAlert, first.id).is_active is False
    assert db.session.get(EmergencyAlert, first.id).deactivated_at == NOW
    active = db.session.scalars(sa.select(EmergencyAlert.id).where(EmergencyAlert.is_active.is_(True))).all()
    assert active == [second.id]
    assert audits("alert.created")[1].before == {"replaced": [first.id]}


def test_deactivating_takes_the_banner_down_everywhere(admin):
    alert = alerts.raise_alert(ALERT, actor_id=admin.id, now=NOW)

    alerts.deactivate_alert(alert.id, actor_id=admin.id, now=NOW)

    assert alerts.active_alert() is None
    topics, rooms = change("alert.deactivated")
    assert "alerts" in topics and rooms == ["everyone"]


def test_an_inactive_alert_cannot_be_deactivated_again(admin):
    alert = alerts.raise_alert(ALERT, actor_id=admin.id, now=NOW)
    alerts.deactivate_alert(alert.id, actor_id=admin.id, now=NOW)
    before = row_counts()

    with pytest.raises(Conflict):
        alerts.deactivate_alert(alert.id, actor_id=admin.id, now=NOW)
    with pytest.raises(NotFound):
        alerts.deactivate_alert(alert.id + 100, actor_id=admin.id, now=NOW)

    assert row_counts() == before


def test_no_alert_means_no_banner():
    assert alerts.active_alert() is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "ab"),
        ("title", "x" * 201),
        ("message", ""),
        ("message", "x" * 2001),
        ("severity", "PANIC"),
        ("severity", None),
        ("severity", 2),
    ],
)
def test_a_malformed_alert_is_refused_and_the_active_one_stays(admin, field, value):
    current = alerts.raise_alert(ALERT, actor_id=admin.id, now=NOW)
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        alerts.raise_alert(ALERT | {field: value}, actor_id=admin.id, now=NOW)

    assert list(refused.value.fields) == [field]
    assert row_counts() == before
    assert alerts.active_alert().id == current.id


# Partners ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "x'); DROP TABLE users;--",
        "Ọ̀rẹ́ Cooperative Bank — Àbújá",
    ],
)
def test_a_partner_name_is_stored_exactly_as_text(admin, name):
    partner = alerts.create_partner(PARTNER | {"name": name}, actor_id=admin.id, now=NOW)

    db.session.expire_all()
    assert db.session.get(Partner, partner.id).name == name
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Partner)) == 1
    topics, rooms = change("partner.created")
    assert "partners" in topics and rooms == ["everyone"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("website", "javascript:alert(1)"),
        ("website", "JaVaScRiPt:alert(1)"),
        ("website", " javascript:alert(1)"),
        ("website", "java\tscript:alert(1)"),
        ("logo_url", "data:image/svg+xml,<svg onload=alert(1)>"),
        ("logo_url", "//evil.example/logo.png"),
        ("website", "ftp://files.example"),
        ("website", "http://"),
        ("website", "https://exa mple.com"),
        ("website", "https://example.com/" + "a" * 481),
        ("website", "http://[::1"),
        ("website", 42),
        ("name", ""),
        ("name", "x" * 201),
        ("name", None),
        ("description", "x" * 1001),
    ],
)
def test_a_partner_with_a_bad_field_is_refused(admin, field, value):
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        alerts.create_partner(PARTNER | {field: value}, actor_id=admin.id, now=NOW)

    assert list(refused.value.fields) == [field]
    assert row_counts() == before


def test_links_are_optional_and_http_or_https(admin):
    bare = alerts.create_partner({"name": "NIRSAL"}, actor_id=admin.id, now=NOW)
    linked = alerts.create_partner(PARTNER | {"website": "HTTPS://Example.com/a?b=c"}, actor_id=admin.id, now=NOW)

    assert (bare.website, bare.logo_url, bare.description) == (None, None, None)
    assert (linked.website, linked.logo_url) == ("HTTPS://Example.com/a?b=c", "http://boi.ng/logo.png")


def test_updating_a_partner_changes_only_the_given_fields(admin):
    partner = alerts.create_partner(PARTNER | {"description": "Lender"}, actor_id=admin.id, now=NOW)

    alerts.update_partner(partner.id, {"website": "https://www.boi.ng", "is_active": False}, actor_id=admin.id, now=NOW)

    stored = db.session.get(Partner, partner.id)
    assert (stored.name, stored.website, stored.description, stored.is_active) == (
        "Bank of Industry",
        "https://www.boi.ng",
        "Lender",
        False,
    )
    topics, rooms = change("partner.updated")
    assert "partners" in topics and rooms == ["everyone"]
    assert audits("partner.updated")[0].before["website"] == "https://boi.ng"


def test_an_update_with_a_script_link_changes_nothing(admin):
    partner = alerts.create_partner(PARTNER, actor_id=admin.id, now=NOW)
    before = row_counts()

    with pytest.raises(ValidationFailed) as refused:
        alerts.update_partner(partner.id, {"name": "Renamed", "website": "javascript:alert(1)"}, actor_id=admin.id)

    assert list(refused.value.fields) == ["website"]
    assert row_counts() == before
    assert db.session.get(Partner, partner.id).name == "Bank of Industry"


def test_deleting_a_partner_removes_it(admin):
    partner_id = alerts.create_partner(PARTNER, actor_id=admin.id, now=NOW).id

    alerts.delete_partner(partner_id, actor_id=admin.id, now=NOW)

    assert db.session.get(Partner, partner_id) is None
    topics, rooms = change("partner.deleted")
    assert "partners" in topics and rooms == ["everyone"]
    with pytest.raises(NotFound):
        alerts.delete_partner(partner_id, actor_id=admin.id)
    with pytest.raises(NotFound):
        alerts.update_partner(partner_id, {"name": "Ghost"}, actor_id=admin.id)
