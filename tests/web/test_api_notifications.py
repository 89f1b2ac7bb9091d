"""Notifications over JSON: everyone reads and marks only their own."""

from __future__ import annotations

import pytest

from nogalss_app.models import Notification, Role
from tests import factories
from tests.factories import NotificationFactory
from tests.support.client import send
from tests.support.records import changes_after, last_v, only_change, refresh
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts


def test_the_list_shows_the_callers_own_notifications_newest_first_with_the_unread_count(client, login_as):
    me = login_as("FINANCE")
    older = NotificationFactory(user=me, title="Older")
    newer = NotificationFactory(user=me, title="Newer")
    NotificationFactory(user=me, title="Seen", is_read=True)
    NotificationFactory(user=factories.user(role=Role.FINANCE), title="Not yours")

    body = client.get("/api/notifications?sort=id&per_page=2").get_json()

    assert body["unread"] == 2
    assert (body["total"], body["pages"], body["page"], body["per_page"]) == (3, 2, 1, 2)
    assert [item["title"] for item in body["items"]] == ["Seen", "Newer"]
    second = client.get("/api/notifications?sort=id&per_page=2&page=2").get_json()
    assert [item["id"] for item in second["items"]] == [older.id]
    item = body["items"][1]
    assert set(item) == {"id", "title", "body", "link", "is_read", "created_at"}
    assert (item["id"], item["is_read"], item["body"]) == (newer.id, False, "Newer body")


@pytest.mark.parametrize("role", [role.value for role in Role])
def test_every_signed_in_role_reads_its_notifications(client, login_as, role):
    me = login_as(role)
    NotificationFactory(user=me)

    response = client.get("/api/notifications")

    assert response.status_code == 200 and response.get_json()["unread"] == 1


def test_signed_out_callers_get_401(client):
    assert_error_shape(client.get("/api/notifications"), 401, "unauthorized")


@pytest.mark.parametrize("query", ["page=0", "per_page=500", "sort=title", "order=up", "page=x"])
def test_bad_list_parameters_are_422(client, login_as, query):
    login_as("MEMBER")

    assert_error_shape(client.get(f"/api/notifications?{query}"), 422, "validation_error")


def test_marking_one_of_your_own_as_read(client, login_as):
    me = login_as("MEMBER")
    row = NotificationFactory(user=me)
    other = NotificationFactory(user=me, title="Other")
    v = last_v()

    response = send(client, "PATCH", "/api/notifications", {"id": row.id})

    assert response.status_code == 200
    assert response.get_json() == {"marked": 1, "unread": 1}
    assert refresh(row).is_read is True and refresh(other).is_read is False
    assert only_change(v, "notification.read") == (["notifications"], [f"user:{me.id}"])


def test_marking_all_of_your_own_as_read_leaves_others_alone(client, login_as):
    me = login_as("SUPER_ADMIN")
    mine = [NotificationFactory(user=me, title="One"), NotificationFactory(user=me, title="Two")]
    theirs = NotificationFactory(user=factories.user(role=Role.SUPER_ADMIN), title="Theirs")
    v = last_v()

    response = send(client, "PATCH", "/api/notifications", {"all": True})

    assert response.get_json() == {"marked": 2, "unread": 0}
    assert [refresh(row).is_read for row in mine] == [True, True]
    assert refresh(theirs).is_read is False
    assert only_change(v, "notification.read") == (["notifications"], [f"user:{me.id}"])


def test_marking_an_already_read_notification_changes_and_signals_nothing(client, login_as):
    me = login_as("MEMBER")
    row = NotificationFactory(user=me, is_read=True)
    before, v = table_counts(), last_v()

    response = send(client, "PATCH", "/api/notifications", {"id": row.id})

    assert response.get_json() == {"marked": 0, "unread": 0}
    assert changes_after(v) == []
    assert_nothing_changed(before)


def test_someone_elses_notification_is_not_found(client, login_as):
    login_as("FINANCE")
    theirs = NotificationFactory(user=factories.user(role=Role.FINANCE))
    before = table_counts()

    response = send(client, "PATCH", "/api/notifications", {"id": theirs.id})
    missing = send(client, "PATCH", "/api/notifications", {"id": theirs.id + 100})

    assert_error_shape(response, 404, "not_found")
    assert response.get_json() == missing.get_json()
    assert refresh(theirs).is_read is False
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    "body",
    [
        {},
        {"id": 1, "all": True},
        {"id": "1"},
        {"id": True},
        {"id": 1.5},
        {"id": -1},
        {"id": 0},
        {"id": None},
        {"id": 10**30},
        {"all": False},
        {"all": "true"},
        {"all": 1},
        {"everything": True},
    ],
)
def test_neither_both_or_garbage_is_422(client, login_as, body):
    me = login_as("MEMBER")
    NotificationFactory(user=me)
    before = table_counts()

    response = send(client, "PATCH", "/api/notifications", body)

    assert_error_shape(response, 422, "validation_error")
    assert_nothing_changed(before)
    assert client.get("/api/notifications").get_json()["unread"] == 1


def test_a_body_that_is_not_an_object_is_malformed(client, login_as):
    me = login_as("MEMBER")
    NotificationFactory(user=me)
    before = table_counts()

    assert_error_shape(send(client, "PATCH", "/api/notifications", [1]), 400, "bad_request")
    assert_nothing_changed(before)


def test_marking_read_without_csrf_is_refused(client, login_as):
    me = login_as("MEMBER")
    row = NotificationFactory(user=me)
    before = table_counts()

    assert_error_shape(send(client, "PATCH", "/api/notifications", {"all": True}, csrf=False), 400)
    assert_nothing_changed(before)
    assert isinstance(refresh(row), Notification) and refresh(row).is_read is False
