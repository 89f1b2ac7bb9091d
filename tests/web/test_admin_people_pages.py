"""Super admin management pages: users (list, create, row and bulk actions, edit, delete), settings, content, tokens."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from markupsafe import escape

from nogalss_app.extensions import db
from nogalss_app.models import ApiToken, EmergencyAlert, Partner, Role, User
from nogalss_app.services import settings
from tests import factories
from tests.factories import LoanFactory, PartnerFactory
from tests.support.client import submit, text
from tests.support.records import last_change
from tests.support.snapshot import assert_nothing_changed, table_counts

BASE = "/dashboard/super-admin"
XSS = '"><img src=x onerror=alert(1)>'
SCRIPT = "<script>alert(1)</script>"
SQL = "x'); DROP TABLE users;--"
NEW = {"first_name": "Ada", "last_name": "Obi", "email": "ada@example.test", "password": "a-long-password",
       "role": "FINANCE", "phone": "", "cooperative_id": ""}  # fmt: skip


def post(client, url: str, data: dict | None = None, **kw):
    """Post a form with the session's CSRF token."""
    return submit(client, f"{BASE}{url}", data, **kw)


def fresh(user_id: int) -> User | None:
    """Reload a user."""
    db.session.expire_all()
    return db.session.get(User, user_id)


@pytest.fixture
def admin(login_as):
    """A signed-in super admin."""
    return login_as(Role.SUPER_ADMIN, first_name="Root")


# Users -------------------------------------------------------------------------------------------------------


def test_the_users_page_searches_filters_and_pages(client, admin):
    for n in range(30):
        factories.user(role=Role.MEMBER, last_name=f"Member{n:02d}")
    factories.user(role=Role.FINANCE, first_name="Zainab", last_name="Cash", is_active=False)
    page = text(client.get(f"{BASE}/users?q=zainab"))
    assert "Zainab Cash" in page and "Member01" not in page and "1 found" in page
    assert "Zainab Cash" in text(client.get(f"{BASE}/users?role=FINANCE&is_active=false"))
    assert "Zainab Cash" not in text(client.get(f"{BASE}/users?is_active=true"))
    first = text(client.get(f"{BASE}/users?role=MEMBER&sort=last_name&order=asc"))
    second = text(client.get(f"{BASE}/users?role=MEMBER&sort=last_name&order=asc&page=2"))
    assert "Member00" in first and "Member29" not in first and "Member29" in second and "Page 2 of 2" in second
    assert 'class="subnav"' in first and f'href="{BASE}/settings"' in first


@pytest.mark.parametrize("query", ["role=KING", "is_active=maybe", "cooperative_id=-1", "page=-1", "sort=password"])
def test_bad_list_arguments_never_fail(client, admin, query):
    response = client.get(f"{BASE}/users?{query}")
    assert response.status_code in (200, 422) and "Accounts" in text(response)


def test_creating_an_account_from_the_form(client, admin):
    coop = factories.cooperative(name="Lagos Weavers")
    response = post(client, "/users", {**NEW, "role": "MEMBER", "cooperative_id": str(coop.id)})
    assert response.status_code == 303
    page = text(client.get(response.headers["Location"]))
    assert "Account created for Ada Obi" in page
    user = db.session.scalar(sa.select(User).where(User.email == "ada@example.test"))
    assert user.role is Role.MEMBER and user.cooperative_id == coop.id
    assert last_change().event == "user.created"


def test_a_refused_create_shows_inline_errors_and_keeps_what_was_typed_but_the_password(client, admin):
    factories.user(role=Role.APEX, email="ada@example.test")
    before = table_counts()
    response = post(client, "/users", {**NEW, "email": " ADA@example.test "})
    assert response.status_code == 409
    page = text(response)
    assert "email already in use" in page and 'value="Obi"' in page and "a-long-password" not in page
    response = post(client, "/users", {**NEW, "email": "new@example.test", "last_name": "x" * 10_000})
    assert response.status_code == 422 and 'aria-invalid="true"' in text(response)
    assert_nothing_changed(before)


def test_forms_without_a_csrf_token_are_400_and_write_nothing(client, admin):
    member = factories.user(role=Role.MEMBER)
    before = table_counts()
    assert client.post(f"{BASE}/users", data=NEW).status_code == 400
    assert client.post(f"{BASE}/users/{member.id}/deactivate").status_code == 400
    assert client.post(f"{BASE}/content/partners", data={"name": "x"}).status_code == 400
    assert client.post(f"{BASE}/settings/fees", data={"member_fee": "1"}).status_code == 400
    assert_nothing_changed(before)
    assert fresh(member.id).is_active


def test_row_buttons_deactivate_and_verify_and_go_back_to_the_filtered_list(client, admin):
    member = factories.user(role=Role.MEMBER, is_verified=False)
    back = f"{BASE}/users?role=MEMBER"
    response = post(client, f"/users/{member.id}/deactivate", {"back": back})
    assert response.status_code == 303 and response.headers["Location"] == back
    assert not fresh(member.id).is_active and fresh(member.id).session_version == 2
    assert last_change().event == "user.deactivated"
    assert post(client, f"/users/{member.id}/verify", {"back": "https://evil.example/"}).headers["Location"] == (
        f"{BASE}/users"
    )
    assert fresh(member.id).is_verified


def test_a_refused_row_action_says_why(client, admin):
    before = table_counts()
    response = post(client, f"/users/{admin.id}/deactivate", {"back": f"{BASE}/users"})
    assert response.status_code == 409 and "You cannot deactivate your own account." in text(response)
    response = post(client, f"/users/{admin.id}/activate", {"back": f"{BASE}/users/{admin.id}"})
    assert response.status_code == 409 and "already active" in text(response)
    assert post(client, "/users/999999/activate").status_code == 404
    assert_nothing_changed(before)


def test_bulk_actions_apply_to_the_ticked_accounts_all_or_nothing(client, admin):
    a, b = factories.user(role=Role.MEMBER, is_verified=False), factories.user(role=Role.APEX, is_verified=False)
    response = post(client, "/users/bulk", {"action": "verify", "ids": [str(a.id), str(b.id)]})
    assert response.status_code == 303
    assert "2 account(s) verified" in text(client.get(response.headers["Location"]))
    assert fresh(a.id).is_verified and fresh(b.id).is_verified
    before = table_counts()
    response = post(client, "/users/bulk", {"action": "deactivate", "ids": [str(a.id), "999999"]})
    assert response.status_code == 422 and "999999" in text(response)
    assert post(client, "/users/bulk", {"action": "deactivate"}).status_code == 422
    assert post(client, "/users/bulk", {"action": "explode", "ids": [str(a.id)]}).status_code == 422
    assert post(client, "/users/bulk", {"action": "verify", "ids": ["abc"]}).status_code == 422
    assert_nothing_changed(before)
    assert fresh(a.id).is_active


def test_the_edit_page_changes_role_and_cooperative(client, admin):
    member = factories.user(role=Role.MEMBER, first_name="Chidi")
    page = text(client.get(f"{BASE}/users/{member.id}"))
    assert 'value="Chidi"' in page and "Confirm delete" in page
    coop = factories.cooperative()
    form = {"first_name": "Chidi", "last_name": "Okafor", "phone": "", "role": "LEADER", "cooperative_id": str(coop.id)}
    response = post(client, f"/users/{member.id}", form)
    assert response.status_code == 303
    user = fresh(member.id)
    assert user.role is Role.LEADER and user.cooperative_id == coop.id and user.session_version == 2
    assert last_change().event == "user.updated"


def test_a_refused_edit_shows_the_field_error(client, admin):
    member = factories.user(role=Role.MEMBER)
    before = table_counts()
    form = {"first_name": "", "last_name": "Okafor", "phone": "", "role": "MEMBER", "cooperative_id": ""}
    response = post(client, f"/users/{member.id}", form)
    assert response.status_code == 422 and 'id="account-first_name-error"' in text(response)
    response = post(client, f"/users/{admin.id}", {**form, "first_name": "Root", "role": "FINANCE"})
    assert response.status_code == 409 and "cannot change your own role" in text(response)
    assert_nothing_changed(before)
    assert client.get(f"{BASE}/users/999999").status_code == 404
    assert client.get(f"{BASE}/users/abc").status_code == 404


def test_deleting_needs_no_history(client, admin):
    plain, saver = factories.user(role=Role.APEX), factories.user(role=Role.MEMBER)
    LoanFactory(user=saver, amount_kobo=100)
    before = table_counts()
    response = post(client, f"/users/{saver.id}/delete")
    assert response.status_code == 409 and "deactivate instead" in text(response)
    assert_nothing_changed(before)
    assert post(client, f"/users/{plain.id}/delete").status_code == 303
    assert fresh(plain.id) is None and last_change().event == "user.deleted"


# Settings ----------------------------------------------------------------------------------------------------


def test_the_settings_page_shows_and_saves_fees_allocation_and_withdrawals(client, admin):
    page = text(client.get(f"{BASE}/settings"))
    assert 'value="5,000.00"' in page and 'value="50,000.00"' in page and 'value="40"' in page
    assert post(client, "/settings/fees", {"member_fee": "7,500.50", "cooperative_fee": "60000"}).status_code == 303
    assert (settings.get_settings().member_fee_kobo, settings.get_settings().cooperative_fee_kobo) == (
        750_050,
        6_000_000,
    )
    split = {"apex_funds_bp": "37.5", "nogalss_funds_bp": "22.5", "cooperative_bp": "20", "leader_bp": "15",
             "parent_organization_bp": "5.00"}  # fmt: skip
    assert post(client, "/settings/allocation", split).status_code == 303
    assert settings.get_settings().allocation_bp["apex_funds_bp"] == 3750
    assert last_change().event == "settings.allocation_updated"
    assert post(client, "/settings/withdrawals", {"MEMBER": "on"}).status_code == 303
    assert settings.get_settings().withdrawals_enabled == {"MEMBER": True, "LEADER": False}
    assert 'value="37.5"' in text(client.get(f"{BASE}/settings"))


@pytest.mark.parametrize(
    ("url", "form", "message"),
    [
        ("/settings/fees", {"member_fee": "100.005", "cooperative_fee": "1"}, "at most 2 decimal places"),
        ("/settings/fees", {"member_fee": "1e3", "cooperative_fee": "1"}, "digits"),
        ("/settings/fees", {"member_fee": "", "cooperative_fee": "1"}, "enter an amount"),
        ("/settings/fees", {"member_fee": "١٢٣", "cooperative_fee": "1"}, "digits"),
        ("/settings/fees", {"member_fee": "0", "cooperative_fee": "1"}, "greater than zero"),
        ("/settings/allocation", {"apex_funds_bp": "40", "nogalss_funds_bp": "20", "cooperative_bp": "20",
                                  "leader_bp": "15", "parent_organization_bp": "4.5"}, "99.5 %, not 100 %"),
        ("/settings/allocation", {"apex_funds_bp": "40.125", "nogalss_funds_bp": "20", "cooperative_bp": "20",
                                  "leader_bp": "15", "parent_organization_bp": "5"}, "at most 2 decimal places"),
        ("/settings/allocation", {"apex_funds_bp": "-40", "nogalss_funds_bp": "20", "cooperative_bp": "20",
                                  "leader_bp": "15", "parent_organization_bp": "5"}, "enter a percentage"),
    ],
)  # fmt: skip
def test_refused_settings_show_the_reason_and_change_nothing(client, admin, url, form, message):
    before, current = table_counts(), settings.get_settings()
    response = post(client, url, form)
    assert response.status_code == 422 and message in text(response)
    assert_nothing_changed(before)
    assert settings.get_settings() == current


# Content -----------------------------------------------------------------------------------------------------


def test_raising_and_taking_down_the_alert(client, admin):
    form = {"title": "Network outage", "message": "Payments are delayed", "severity": "CRITICAL"}
    response = post(client, "/content/alert", form)
    assert response.status_code == 303
    page = text(client.get(f"{BASE}/content"))
    assert "Network outage" in page and "Take the alert down" in page
    alert = db.session.scalar(sa.select(EmergencyAlert))
    assert alert.is_active and last_change().event == "alert.created"
    assert post(client, f"/content/alert/{alert.id}/deactivate").status_code == 303
    assert not fresh_alert(alert.id).is_active and last_change().event == "alert.deactivated"
    before = table_counts()
    assert post(client, f"/content/alert/{alert.id}/deactivate").status_code == 409
    assert post(client, "/content/alert", {**form, "severity": "PANIC"}).status_code == 422
    assert_nothing_changed(before)


def fresh_alert(alert_id: int) -> EmergencyAlert:
    """Reload an alert."""
    db.session.expire_all()
    return db.session.get(EmergencyAlert, alert_id)


@pytest.mark.parametrize("name", [XSS, SCRIPT, SQL])
def test_hostile_partner_names_are_stored_as_text_and_shown_escaped(app, client, admin, name):
    assert post(client, "/content/partners", {"name": name, "is_active": "on"}).status_code == 303
    assert db.session.scalar(sa.select(Partner.name)) == name
    for page in (text(client.get(f"{BASE}/content")), text(app.test_client().get("/"))):
        assert str(escape(name)) in page
        assert SCRIPT not in page and "<img src=x" not in page


def test_partners_are_edited_and_deleted_with_a_confirm_step(client, admin):
    partner = PartnerFactory(name="Old name", website="https://old.example")
    partner_id = partner.id
    assert "Confirm delete" in text(client.get(f"{BASE}/content"))
    form = {"name": "New name", "website": "https://new.example", "logo_url": "", "description": ""}
    assert post(client, f"/content/partners/{partner_id}", form).status_code == 303
    db.session.expire_all()
    assert partner.name == "New name" and partner.is_active is False  # the "shown" box was unticked
    before = table_counts()
    response = post(client, f"/content/partners/{partner_id}", {**form, "name": "y" * 10_000})
    assert response.status_code == 422 and f'id="partner-{partner_id}-name-error"' in text(response)
    response = post(client, "/content/partners", {"name": "Bad link", "website": "javascript:alert(1)"})
    assert response.status_code == 422 and 'id="new-partner-website-error"' in text(response)
    assert_nothing_changed(before)
    assert post(client, f"/content/partners/{partner_id}/delete").status_code == 303
    db.session.expire_all()
    assert db.session.get(Partner, partner_id) is None


# Tokens ------------------------------------------------------------------------------------------------------


def test_a_new_token_is_shown_once_then_revoked(client, admin):
    finance = factories.user(role=Role.FINANCE)
    response = post(client, "/tokens", {"email": f"  {finance.email.upper()} ", "name": "nightly export"})
    assert response.status_code == 200
    page = text(response)
    secret = re.search(r'value="(ngs_[^"]+)"', page).group(1)
    assert "Copy it now" in page
    assert secret not in text(client.get(f"{BASE}/tokens"))
    token = db.session.scalar(sa.select(ApiToken))
    assert token.user_id == finance.id
    before = table_counts()
    assert post(client, "/tokens", {"email": "nobody@example.test", "name": "x"}).status_code == 422
    assert post(client, "/tokens", {"email": finance.email, "name": ""}).status_code == 422
    assert_nothing_changed(before)
    assert post(client, f"/tokens/{token.id}/revoke").status_code == 303
    db.session.expire_all()
    assert token.revoked_at is not None
    assert post(client, f"/tokens/{token.id}/revoke").status_code == 409


# Access ------------------------------------------------------------------------------------------------------

PAGES = ["/users", "/users/1", "/settings", "/content", "/tokens"]
FORMS = [
    "/users", "/users/1", "/users/1/deactivate", "/users/1/delete", "/users/bulk", "/settings/fees",
    "/settings/allocation", "/settings/withdrawals", "/content/alert", "/content/alert/1/deactivate",
    "/content/partners", "/content/partners/1", "/content/partners/1/delete", "/tokens", "/tokens/1/revoke",
]  # fmt: skip


@pytest.mark.parametrize("role", [Role.FINANCE, Role.APEX, Role.MEMBER, Role.LEADER])
def test_other_roles_get_403_on_every_page_and_form(client, login_as, role):
    login_as(role)
    before = table_counts()
    for url in PAGES:
        assert client.get(f"{BASE}{url}").status_code == 403, url
    for url in FORMS:
        assert post(client, url, {"name": "x"}).status_code == 403, url
    assert_nothing_changed(before)


def test_signed_out_visitors_are_sent_to_login(client):
    for url in PAGES:
        response = client.get(f"{BASE}{url}")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")
