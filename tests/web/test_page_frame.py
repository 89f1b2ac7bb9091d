"""The frame around the panels: what needs action first, the notification bell, the dismissible warning banner."""

from __future__ import annotations

import re

from nogalss_app.models import Severity
from tests import factories
from tests.factories import EmergencyAlertFactory, NotificationFactory
from tests.support.client import post_form, sign_in, text


def panel_order(html: str) -> list[str]:
    """Return the panels of a dashboard page in page order."""
    return re.findall(r'data-panel="([a-z_]+)"', html)


def test_each_dashboard_leads_with_what_needs_action(client, login_as):
    login_as("FINANCE")
    assert panel_order(text(client.get("/dashboard/finance")))[0] == "withdrawals"


def test_the_leader_sees_pending_applications_first_and_the_member_their_actions(app):
    leader = sign_in(app.test_client(), factories.user(role="LEADER"))
    member = sign_in(app.test_client(), factories.user(role="MEMBER"))
    assert panel_order(text(leader.get("/dashboard/leader")))[0] == "loans"
    assert panel_order(text(member.get("/dashboard/member")))[0] == "actions"


def test_the_bell_shows_the_unread_count_server_rendered_and_refetches_on_notifications(client, login_as):
    user = login_as("FINANCE")
    NotificationFactory(user=user)
    NotificationFactory(user=user)
    NotificationFactory(user=user, is_read=True)

    page = text(client.get("/dashboard/finance"))

    bell = re.search(r'<span id="bell".*?</span>\s*</span>|<span id="bell".*?</a>', page, re.S).group(0)
    assert 'data-topics="notifications"' in bell and 'hx-get="/notifications/bell"' in bell
    assert (
        'aria-label="2 unread notifications"' in bell and '<span class="bell-count" aria-hidden="true">2</span>' in bell
    )
    assert 'href="/dashboard/finance#panel-notifications"' in bell
    assert 'aria-label="2 unread notifications"' in text(client.get("/notifications/bell"))


def test_the_bell_with_nothing_unread_says_so(client, login_as):
    login_as("APEX")
    html = text(client.get("/notifications/bell"))
    assert 'aria-label="No unread notifications"' in html and "bell-count" not in html


def test_a_warning_banner_can_be_dismissed_for_the_session_and_a_newer_alert_shows_again(client, login_as):
    login_as("MEMBER")
    EmergencyAlertFactory(title="Scheduled maintenance", severity=Severity.WARNING)
    assert "Scheduled maintenance" in text(client.get("/dashboard/alert-banner"))

    answer = post_form(client, "/dashboard/alert-banner/dismiss")

    assert answer.status_code == 200 and "Scheduled maintenance" not in text(answer)
    assert "Scheduled maintenance" not in text(client.get("/dashboard/alert-banner"))
    EmergencyAlertFactory(title="Gateway down", severity=Severity.WARNING)
    assert "Gateway down" in text(client.get("/dashboard/alert-banner"))


def test_a_critical_alert_cannot_be_dismissed(client, login_as):
    login_as("MEMBER")
    EmergencyAlertFactory(title="Fraud warning", severity=Severity.CRITICAL)
    assert "Dismiss" not in text(client.get("/dashboard/alert-banner"))
    post_form(client, "/dashboard/alert-banner/dismiss")
    assert "Fraud warning" in text(client.get("/dashboard/alert-banner"))


def test_dismissing_needs_the_csrf_header(client, login_as):
    login_as("MEMBER")
    EmergencyAlertFactory(severity=Severity.WARNING)
    assert post_form(client, "/dashboard/alert-banner/dismiss", csrf=False).status_code == 400
