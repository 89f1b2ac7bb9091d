"""BAD_INPUTS rows 26 and 27 through the real endpoints, on SQLite and PostgreSQL alike: a JSON body that cannot be
read safely (nested 30,000 deep under the size limit, invalid UTF-8, nested deeper than the app reads) is a 400 with
the error shape, signed in or not; dates at the calendar's edges, malformed dates and a range running backwards in
a list filter are a 422. Nothing is written in either case.
"""

from __future__ import annotations

import pytest

from nogalss_app.blueprints.web import MAX_JSON_DEPTH
from nogalss_app.models import Role
from tests import factories
from tests.support.snapshot import assert_error_shape, assert_nothing_changed, table_counts

DEEP = b"[" * 30_000 + b"]" * 30_000
UNREADABLE = [
    DEEP,
    b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    b'{"name": "\xff\xfe caf\xe9"}',  # not UTF-8
    b'{"email": "\xed\xa0\x80@example.test"}',  # the UTF-8 bytes of a lone surrogate: invalid UTF-8
    b"[" * (MAX_JSON_DEPTH + 1) + b"]" * (MAX_JSON_DEPTH + 1),  # parses, but deeper than any body the app takes
]


def post_raw(client, url: str, body: bytes, token: str = ""):
    """Post raw bytes declared as JSON, with a CSRF header."""
    return client.post(url, data=body, content_type="application/json", headers={"X-CSRFToken": token})


@pytest.mark.parametrize("body", UNREADABLE, ids=["deep-array", "deep-object", "latin-1", "surrogate-bytes", "33"])
def test_an_unreadable_body_to_the_anonymous_endpoints_is_a_400(client, body):
    assert len(body) < 64 * 1024  # under the size limit: this is about parsing, not 413
    token = client.get("/api/auth/register").get_json()["csrf_token"]
    factories.cooperative()
    before = table_counts()

    for url in ("/api/auth/register", "/api/auth/login"):
        assert_error_shape(post_raw(client, url, body, token), 400, "bad_request")
    assert_nothing_changed(before)


@pytest.mark.parametrize("body", UNREADABLE, ids=["deep-array", "deep-object", "latin-1", "surrogate-bytes", "33"])
@pytest.mark.parametrize(
    ("role", "url"),
    [
        (Role.SUPER_ADMIN, "/api/admin/users"),
        (Role.SUPER_ADMIN, "/api/admin/partners"),
        (Role.SUPER_ADMIN, "/api/admin/users/bulk"),
        (Role.MEMBER, "/api/member/loans"),
        (Role.MEMBER, "/api/member/contribute"),
        (Role.FINANCE, "/api/finance/expenses"),
    ],
)
def test_an_unreadable_body_to_a_signed_in_endpoint_is_a_400(client, login_as, role, url, body):
    login_as(role)
    before = table_counts()

    assert_error_shape(post_raw(client, url, body, client.csrf_token), 400, "bad_request")
    assert_nothing_changed(before)


def test_a_body_at_the_nesting_limit_is_read_and_judged_on_its_fields(client, login_as):
    login_as(Role.SUPER_ADMIN)
    nested = b'{"name": ' + b"[" * (MAX_JSON_DEPTH - 1) + b"]" * (MAX_JSON_DEPTH - 1) + b"}"

    error = assert_error_shape(post_raw(client, "/api/admin/partners", nested, client.csrf_token), 422)
    assert "name" in error["fields"]


EDGE_DATES = [
    ({"date_from": "0001-01-01"}, "date_from"),
    ({"date_to": "9999-12-31"}, "date_to"),
    ({"date_from": "0001-01-01", "date_to": "9999-12-31"}, "date_from"),
    ({"date_from": "2026-02-30"}, "date_from"),
    ({"date_from": "2026-1-5"}, "date_from"),
    ({"date_to": "26-01-05"}, "date_to"),
    ({"date_to": "２０２６-01-05"}, "date_to"),
    ({"date_from": "2026-03-01", "date_to": "2026-02-01"}, "date_to"),
]


@pytest.mark.parametrize(("query", "field"), EDGE_DATES)
def test_a_list_filtered_by_an_impossible_date_range_is_a_422(client, login_as, query, field):
    login_as(Role.SUPER_ADMIN)

    error = assert_error_shape(client.get("/api/admin/transactions", query_string=query), 422)
    assert field in error["fields"]
    page = client.get("/dashboard/super-admin/transactions", query_string=query)
    assert page.status_code == 422


def test_dates_inside_the_calendar_filter_the_list(client, login_as):
    login_as(Role.SUPER_ADMIN)

    response = client.get("/api/admin/transactions", query_string={"date_from": "2000-01-01", "date_to": "2999-12-31"})

    assert response.status_code == 200 and response.get_json()["total"] == 0
