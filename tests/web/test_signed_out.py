"""A window whose session ended lands on a page that says why, never on a bare login form."""

from __future__ import annotations

from nogalss_app.extensions import db
from nogalss_app.services import auth
from tests import factories
from tests.support.client import sign_in, text


def test_a_deactivated_member_is_told_their_account_was_switched_off(client):
    user = factories.user(role="MEMBER")
    sign_in(client, user)
    user.is_active = False
    auth.end_all_sessions(user)
    db.session.commit()

    page = client.get("/dashboard/member")

    assert page.status_code == 302 and page.headers["Location"].startswith("/signed-out?next=/dashboard/member")
    explained = text(client.get(page.headers["Location"]))
    assert "Your account was deactivated" in explained and 'data-reason="deactivated"' in explained
    assert 'href="/login?next=/dashboard/member"' in explained


def test_a_session_ended_on_another_device_says_so(client):
    user = factories.user(role="FINANCE")
    sign_in(client, user)
    auth.end_all_sessions(user)
    db.session.commit()

    assert 'data-reason="elsewhere"' in text(client.get("/signed-out"))


def test_without_any_session_the_page_says_the_session_ended_and_a_bare_visit_still_goes_to_login(client):
    assert 'data-reason="expired"' in text(client.get("/signed-out"))
    assert client.get("/dashboard/finance").headers["Location"].startswith("/login")


def test_a_signed_in_user_is_sent_to_their_dashboard_and_a_foreign_next_is_dropped(client):
    assert 'href="/login"' in text(client.get("/signed-out?next=//evil.example/"))
    sign_in(client, factories.user(role="APEX"))
    assert client.get("/signed-out").headers["Location"].endswith("/dashboard/apex")
