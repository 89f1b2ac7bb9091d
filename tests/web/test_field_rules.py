"""BAD_INPUTS rows 24–25 through the real endpoints, on SQLite and PostgreSQL alike: text that cannot be stored
(NUL and other control characters, lone surrogates, CR/LF in an email) is a 422, and an id beyond the database's
integer range is a 404 or a 422 — never a 500, and nothing written.
"""

from __future__ import annotations

import pytest

from nogalss_app.models import Role
from tests import factories
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts

BIG_IDS = [2**31, 2**63, 10**19, 2**64 + 1]
BAD_LINE = ["Na\x00me", "Tab\there", "Line\nbreak", "Bell\x07", "Esc\x1b[0m", "Lone \ud800 surrogate", "C1\x85C2"]


def write(client, method: str, url: str, body=None):
    """Send a JSON write with the session's CSRF token."""
    return client.open(url, method=method, json=body, headers={"X-CSRFToken": getattr(client, "csrf_token", "")})


def refused(response, status: int, field: str | None = None) -> None:
    """Assert the SPEC error shape with this status (and that it names the field)."""
    error = assert_error_shape(response, status)
    if field is not None:
        assert field in error["fields"], error


# Text: one line --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", BAD_LINE)
def test_a_partner_name_with_a_control_character_or_a_broken_character_is_refused(client, login_as, name):
    login_as(Role.SUPER_ADMIN)
    before = table_counts()

    refused(write(client, "POST", "/api/admin/partners", {"name": name}), 422, "name")
    assert_nothing_changed(before)


@pytest.mark.parametrize("title", ["Bad\x00title", "Two\nlines", "\udfff"])
def test_an_expense_title_is_one_line_of_valid_text(client, login_as, title):
    login_as(Role.FINANCE)
    before = table_counts()

    body = {"title": title, "category": "Fuel", "amount_kobo": 10_000}
    refused(write(client, "POST", "/api/finance/expenses", body), 422, "title")
    assert_nothing_changed(before)


@pytest.mark.parametrize("field", ["first_name", "last_name", "email", "password"])
def test_an_account_created_by_an_admin_refuses_nul_and_surrogates_in_any_field(client, login_as, field):
    login_as(Role.SUPER_ADMIN)
    before = table_counts()
    body = {"first_name": "Ada", "last_name": "Obi", "email": "ada@example.test", "password": "a-long-password"}
    body[field] = body[field][:2] + "\x00\ud800" + body[field][2:]

    refused(write(client, "POST", "/api/admin/create-finance", body), 422, field)
    assert_nothing_changed(before)


@pytest.mark.parametrize(
    "email", ["ada@example.test\r\nBcc: all@example.test", "ada\n@example.test", "ada@exa\rmple.test"]
)
@pytest.mark.parametrize("url", ["/api/admin/users", "/api/admin/create-finance"])
def test_an_email_with_cr_or_lf_is_refused(client, login_as, email, url):
    login_as(Role.SUPER_ADMIN)
    before = table_counts()
    body = {"first_name": "Ada", "last_name": "Obi", "email": email, "password": "a-long-password", "role": "FINANCE"}
    if url.endswith("create-finance"):
        del body["role"]

    refused(write(client, "POST", url, body), 422, "email")
    assert_nothing_changed(before)


def test_a_registration_with_a_surrogate_or_a_nul_is_refused_and_opens_no_payment(client):
    token = client.get("/api/auth/register").get_json()["csrf_token"]
    before = table_counts()
    coop = factories.cooperative()
    before = table_counts()
    body = {
        "kind": "member",
        "first_name": "Ada\ud800",
        "last_name": "Obi\x00",
        "email": "ada@example.test\n",
        "phone": "08031234567",
        "password": "a-long-\ud800password",
        "cooperative_code": coop.registration_number,
    }

    response = client.post("/api/auth/register", json=body, headers={"X-CSRFToken": token})

    error = assert_error_shape(response, 422)
    assert {"first_name", "last_name", "password"} <= set(error["fields"])
    assert_nothing_changed(before)


@pytest.mark.parametrize("credentials", [{"email": "ada\ud800@example.test"}, {"password": "x\x00" * 6}])
def test_a_sign_in_with_unreadable_text_is_a_422_not_a_500(client, credentials):
    body = {"email": "ada@example.test", "password": "a-long-password", **credentials}

    refused(client.post("/api/auth/login", json=body), 422)


# Text: several lines ---------------------------------------------------------------------------------------


def test_free_text_may_span_lines_but_never_hold_a_nul(client, login_as):
    login_as(Role.SUPER_ADMIN)
    alert = {"title": "Flood", "message": "Line one\r\n\tline two", "severity": "WARNING"}
    ok = write(client, "POST", "/api/admin/emergency-alert", alert)
    assert ok.status_code == 201 and ok.get_json()["message"] == "Line one\r\n\tline two"
    before = table_counts()

    body = {"title": "Flood", "message": "Line one\x00", "severity": "WARNING"}
    refused(write(client, "POST", "/api/admin/emergency-alert", body), 422, "message")
    refused(write(client, "POST", "/api/admin/emergency-alert", {**body, "message": "ok", "title": "Two\nlines"}), 422)
    assert_nothing_changed(before)


# Ids -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("big", BIG_IDS)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/admin/users/{id}"),
        ("PATCH", "/api/admin/users/{id}"),
        ("DELETE", "/api/admin/users/{id}"),
        ("GET", "/api/admin/cooperatives/{id}"),
        ("PATCH", "/api/admin/transactions/{id}"),
        ("PATCH", "/api/admin/withdrawals/{id}"),
        ("PUT", "/api/admin/expenses/{id}/status"),
        ("DELETE", "/api/admin/api-tokens/{id}"),
        ("PATCH", "/api/admin/partners/{id}"),
        ("GET", "/dashboard/super-admin/users/{id}"),
        ("GET", "/dashboard/super-admin/cooperatives/{id}"),
    ],
)
def test_an_id_beyond_the_integer_range_in_a_url_is_not_found(client, login_as, method, path, big):
    login_as(Role.SUPER_ADMIN)
    before = table_counts()

    status = "SUCCESSFUL" if "transactions" in path else "APPROVED"  # a valid status: only the id is wrong
    response = write(client, method, path.format(id=big), {"status": status, "first_name": "X"})

    assert response.status_code == 404
    assert_nothing_changed(before)


@pytest.mark.parametrize("big", [str(n) for n in BIG_IDS] + ["9" * 20])
@pytest.mark.parametrize(
    ("url", "param"),
    [
        ("/api/admin/users", "cooperative_id"),
        ("/api/admin/transactions", "user_id"),
        ("/api/admin/transactions", "cooperative_id"),
        ("/api/admin/cooperatives", "parent_organization_id"),
    ],
)
def test_an_id_beyond_the_integer_range_in_a_query_string_is_refused(client, login_as, url, param, big):
    login_as(Role.SUPER_ADMIN)

    refused(client.get(url, query_string={param: big}), 422, param)


@pytest.mark.parametrize("big", [str(n) for n in BIG_IDS])
@pytest.mark.parametrize(("dashboard", "param"), [("leader", "cooperative"), ("member", "member")])
def test_a_super_admin_choosing_a_dashboard_beyond_any_id_gets_not_found(client, login_as, dashboard, param, big):
    login_as(Role.SUPER_ADMIN)

    for url in (
        f"/dashboard/{dashboard}",
        f"/dashboard/{dashboard}/panels/overview",
        f"/api/{dashboard}/dashboard-stats",
    ):
        assert client.get(url, query_string={param: big}).status_code == 404, url


@pytest.mark.parametrize("big", BIG_IDS)
def test_ids_beyond_the_integer_range_in_json_bodies_are_refused(client, login_as, big):
    admin = login_as(Role.SUPER_ADMIN)
    before = table_counts()
    person = {"first_name": "Ada", "last_name": "Obi", "email": "ada@example.test", "password": "a-long-password"}
    coop = {"name": "Big Id Coop", "registration_number": "BIG-1", "parent_organization_id": big}

    refused(write(client, "POST", "/api/admin/users", {**person, "role": "MEMBER", "cooperative_id": big}), 422)
    refused(write(client, "POST", "/api/admin/users/bulk", {"action": "verify", "ids": [admin.id, big]}), 422, "ids")
    refused(write(client, "POST", "/api/admin/cooperatives", coop), 422, "parent_organization_id")
    refused(write(client, "POST", "/api/admin/api-tokens", {"user_id": big, "name": "script"}), 422, "user_id")
    body = {"type": "ADJUSTMENT", "user_id": big, "amount_kobo": 100, "reason": "A correction", "direction": "credit"}
    refused(write(client, "POST", "/api/admin/transactions", body), 422, "user_id")
    refused(write(client, "PATCH", "/api/notifications", {"id": big}), 422, "id")
    assert write(client, "PATCH", "/api/admin/emergency-alert", {"id": big}).status_code == 404
    assert_nothing_changed(before)


@pytest.mark.parametrize("big", BIG_IDS)
def test_a_signed_out_registration_with_a_huge_parent_organization_id_is_refused(client, big):
    token = client.get("/api/auth/register").get_json()["csrf_token"]
    before = table_counts()
    body = {
        "kind": "cooperative",
        "name": "Big Id Weavers",
        "registration_number": "BIG-REG-1",
        "address": "1 Road",
        "city": "Kano",
        "state": "Kano",
        "phone": "08031234567",
        "email": "office@bigid.test",
        "bank_name": "Bank",
        "bank_account_number": "0123456789",
        "bank_account_name": "Big Id Weavers",
        "parent_organization_id": big,
        "first_name": "Ada",
        "last_name": "Obi",
        "password": "a-long-password",
    }

    response = client.post("/api/auth/register", json=body, headers={"X-CSRFToken": token})

    refused(response, 422, "parent_organization_id")
    assert_nothing_changed(before)


@pytest.mark.parametrize("big", [str(n) for n in BIG_IDS])
def test_html_forms_with_a_huge_id_answer_without_a_500(client, login_as, big):
    login_as(Role.SUPER_ADMIN)
    token = {"csrf_token": client.csrf_token}
    before = table_counts()

    users = client.post("/dashboard/super-admin/users/bulk", data={**token, "action": "verify", "ids": [big]})
    person = {"first_name": "Ada", "last_name": "Obi", "email": "ada@example.test", "password": "a-long-password"}
    create = client.post(
        "/dashboard/super-admin/users", data={**token, **person, "role": "MEMBER", "cooperative_id": big}
    )
    read = client.post("/dashboard/finance/notifications/read", data={**token, "id": big})

    assert (users.status_code, create.status_code, read.status_code) == (422, 422, 422)
    assert_nothing_changed(before)


@pytest.mark.parametrize("email", ["ada@example.test\r\n", "\nada@example.test", "ada@example.test\rBcc: x@y.test"])
def test_a_registration_email_with_cr_or_lf_anywhere_is_refused(client, email):
    token = client.get("/api/auth/register").get_json()["csrf_token"]
    coop = factories.cooperative()
    before = table_counts()
    body = {
        "kind": "member",
        "first_name": "Ada",
        "last_name": "Obi",
        "email": email,
        "phone": "08031234567",
        "password": "a-long-password-2026",
        "cooperative_code": coop.registration_number,
    }

    response = client.post("/api/auth/register", json=body, headers={"X-CSRFToken": token})

    refused(response, 422, "email")
    assert_nothing_changed(before)
