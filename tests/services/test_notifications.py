"""In-app notifications: each person sees, counts and marks only their own."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import Notification, Role
from nogalss_app.services import notifications, realtime
from nogalss_app.services.errors import NotFound
from tests import factories
from tests.support.clock import NOW
from tests.support.records import change, changes
from tests.support.snapshot import row_counts


def test_notifying_joins_the_callers_transaction_and_is_undone_with_it():
    ada = factories.user(role=Role.MEMBER)

    rows = notifications.notify_users([ada.id], "Hello", "Welcome", now=NOW)
    assert len(rows) == 1
    db.session.rollback()

    assert notifications.unread_count(ada.id) == 0
    assert changes() == []


def test_notifying_writes_one_row_per_person_and_signals_their_rooms():
    ada, obi = factories.user(role=Role.MEMBER), factories.user(role=Role.MEMBER)

    notifications.notify_users(
        [ada.id, obi.id, ada.id, None], "Loan approved", "Your loan", "/dashboard/member", now=NOW
    )
    realtime.commit()

    rows = db.session.scalars(sa.select(Notification).order_by(Notification.user_id)).all()
    assert [(row.user_id, row.title, row.link, row.is_read, row.created_at) for row in rows] == [
        (ada.id, "Loan approved", "/dashboard/member", False, NOW),
        (obi.id, "Loan approved", "/dashboard/member", False, NOW),
    ]
    topics, rooms = change("notification.created")
    assert "notifications" in topics
    assert {room for room in rooms if room.startswith("user:")} == {f"user:{ada.id}", f"user:{obi.id}"}


def test_nobody_to_notify_writes_nothing():
    assert notifications.notify_users([], "Nobody", "") == []
    assert changes() == []


def test_the_bell_counts_and_lists_only_ones_own_notifications_newest_first():
    ada, obi = factories.user(role=Role.MEMBER), factories.user(role=Role.MEMBER)
    for minute in range(12):
        notifications.notify_users([ada.id], f"Note {minute}", "", now=NOW + timedelta(minutes=minute))
    notifications.notify_users([obi.id], "Obi's", "", now=NOW)
    realtime.commit()

    assert notifications.unread_count(ada.id) == 12
    assert notifications.unread_count(obi.id) == 1
    assert [row.title for row in notifications.latest(ada.id)] == [f"Note {m}" for m in range(11, 1, -1)]
    assert [row.title for row in notifications.latest(ada.id, limit=2)] == ["Note 11", "Note 10"]
    assert [row.title for row in notifications.latest(obi.id)] == ["Obi's"]


def test_marking_one_read_lowers_the_count_and_tells_the_owners_other_tabs():
    ada = factories.user(role=Role.MEMBER)
    first, _ = notifications.notify_users([ada.id], "One", "", now=NOW) + notifications.notify_users(
        [ada.id], "Two", "", now=NOW
    )
    realtime.commit()

    notifications.mark_read(ada.id, first.id, now=NOW)

    assert db.session.get(Notification, first.id).is_read is True
    assert notifications.unread_count(ada.id) == 1
    topics, rooms = change("notification.read")
    assert "notifications" in topics and f"user:{ada.id}" in rooms


def test_someone_elses_notification_is_not_found_and_stays_unread():
    ada, obi = factories.user(role=Role.MEMBER), factories.user(role=Role.MEMBER)
    [note] = notifications.notify_users([ada.id], "Private", "", now=NOW)
    realtime.commit()
    before = row_counts()

    with pytest.raises(NotFound):
        notifications.mark_read(obi.id, note.id, now=NOW)
    with pytest.raises(NotFound):
        notifications.mark_read(obi.id, note.id + 100, now=NOW)

    assert db.session.get(Notification, note.id).is_read is False
    assert row_counts() == before


def test_mark_all_read_touches_only_ones_own():
    ada, obi = factories.user(role=Role.MEMBER), factories.user(role=Role.MEMBER)
    notifications.notify_users([ada.id, obi.id], "Both", "", now=NOW)
    notifications.notify_users([ada.id], "Ada only", "", now=NOW)
    realtime.commit()

    assert notifications.mark_all_read(ada.id, now=NOW) == 2

    assert (notifications.unread_count(ada.id), notifications.unread_count(obi.id)) == (0, 1)
    assert f"user:{obi.id}" not in change("notification.read")[1]


def test_marking_what_is_already_read_writes_nothing():
    ada = factories.user(role=Role.MEMBER)
    [note] = notifications.notify_users([ada.id], "One", "", now=NOW)
    realtime.commit()
    notifications.mark_read(ada.id, note.id, now=NOW)
    before = row_counts()

    assert notifications.mark_read(ada.id, note.id, now=NOW).is_read is True
    assert notifications.mark_all_read(ada.id, now=NOW) == 0
    assert row_counts() == before
