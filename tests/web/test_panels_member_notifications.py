"""The member's notifications panel: their own, newest first, marked read by them, live on their dashboard."""

from __future__ import annotations

from nogalss_app.extensions import db
from nogalss_app.models import ChangeLog, Notification, Role
from nogalss_app.services import notifications, realtime
from tests import factories
from tests.factories import NotificationFactory
from tests.support.client import post_form, text

PANEL = "/dashboard/member/panels/notifications"
READ = "/dashboard/member/notifications/read"


def test_the_member_sees_their_own_notifications_and_marks_one_then_all_read(client, login_as):
    me = login_as(Role.MEMBER)
    first = NotificationFactory(user=me, title="Loan approved")
    NotificationFactory(user=me, title="Withdrawal processed")
    NotificationFactory(user=factories.user(Role.MEMBER), title="Someone else's")
    html = text(client.get(PANEL, headers={"HX-Request": "true"}))
    assert "2 unread" in html and "Loan approved" in html and "Someone else" not in html
    stats = client.get("/api/member/dashboard-stats").get_json()["notifications"]
    assert stats["unread"] == 2 and stats["can_mark"] is True
    one = post_form(client, READ, {"id": str(first.id)})
    assert one.status_code == 200 and "1 unread" in text(one)
    everything = post_form(client, READ, {"all": "true"})
    assert "Nothing unread" in text(everything)
    db.session.expire_all()
    assert db.session.query(Notification).filter_by(user_id=me.id, is_read=False).count() == 0


def test_a_bad_mark_read_is_refused_in_the_panel_and_changes_nothing(client, login_as):
    me = login_as(Role.MEMBER)
    NotificationFactory(user=me, title="Loan approved")
    refused = post_form(client, READ, {"id": "abc"})
    assert refused.status_code == 422 and "1 unread" in text(refused)
    other = NotificationFactory(user=factories.user(Role.MEMBER), title="Not yours")
    assert post_form(client, READ, {"id": str(other.id)}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Notification, other.id).is_read is False


def test_a_new_notification_signals_the_members_own_room(login_as):
    member = factories.user(Role.MEMBER)
    notifications.notify_users([member.id], "Loan approved", "Your loan of ₦20,000.00 was approved")
    realtime.commit()
    change = db.session.query(ChangeLog).order_by(ChangeLog.id.desc()).first()
    assert "notifications" in change.topics and f"user:{member.id}" in change.rooms


def test_a_super_admin_looking_on_sees_the_members_notifications_without_mark_read(client, login_as):
    member = factories.user(Role.MEMBER)
    NotificationFactory(user=member, title="Loan approved")
    login_as(Role.SUPER_ADMIN)
    html = text(client.get(f"{PANEL}?member={member.id}", headers={"HX-Request": "true"}))
    assert "Loan approved" in html and "Mark read" not in html
