"""Every rule of the URL map tried with hostile values (BAD_INPUTS 23-27): ids beyond any integer column, NUL,
lone surrogates, calendar edges and deep JSON, signed out and signed in as a super admin and a member. Whatever
the answer (401, 403, 404, 405, 400, 422 ...), it is never a 500.
"""

from __future__ import annotations

import functools
import re
from urllib.parse import quote

import pytest

from nogalss_app.models import Role
from tests import factories
from tests.support.client import sign_in

HOSTILE_IDS = [str(2**31), str(2**63), "9" * 20]
# URL text: NUL, the UTF-8 bytes of a lone surrogate (invalid UTF-8), a long segment, a zero.
HOSTILE_TEXT = ["%00", "a%ED%A0%80b", "x" * 3000, "0", "%FF"]
ARGUMENT = re.compile(r"<(?:(\w+)(?:\([^)]*\))?:)?\w+>")
HOSTILE_QUERY = {
    "page": str(2**63),
    "per_page": "-1",
    "q": "\x00",
    "sort": "\x00",
    "order": "sideways",
    "status": "\x00",
    "date_from": "0001-01-01",
    "date_to": "9999-12-31",
    "from": "0001-01-01",
    "to": "9999-12-31",
    "cooperative": str(2**63),
    "member": str(2**31),
    "cooperative_id": str(2**63),
    "user_id": "9" * 20,
    "parent_organization_id": str(2**31),
    "reference": "%00%ED%A0%80",
    "format": "\x00",
    "period": "%FF",
}
HOSTILE_FIELDS = [
    "id", "ids", "user_id", "cooperative_id", "parent_organization_id", "amount_kobo", "duration_months",
    "first_name", "last_name", "email", "phone", "password", "name", "title", "message", "purpose", "reason",
    "notes", "status", "severity", "type", "direction", "action", "reference", "paid_on", "kind", "description",
    "category", "registration_number", "cooperative_code", "all", "logo_url", "website",
]  # fmt: skip
# Sent as raw text: the test client cannot encode a lone surrogate, a browser sends its bytes as below.
QUERY = "&".join(f"{name}={quote(value, safe='%')}" for name, value in HOSTILE_QUERY.items()) + "&q=%ED%A0%80"
# Each hostile value alone too, so that an earlier refusal does not hide a later parameter's failure.
ONE_AT_A_TIME = [f"{name}={quote(value, safe='%')}" for name, value in HOSTILE_QUERY.items()] + ["q=%ED%A0%80"]
# Static files, and signing out (it would end the session the walk runs in; its own tests cover it).
SKIP_ENDPOINTS = {"static", "auth.logout", "auth.api_logout"}


def hostile_bodies() -> list:
    """Return JSON bodies an endpoint must refuse cleanly: every known field NUL-laden or out of range."""
    return [
        {name: "\x00\ud800" for name in HOSTILE_FIELDS},
        {name: 2**63 for name in HOSTILE_FIELDS},
        {name: [2**31, None, {"x": []}] for name in HOSTILE_FIELDS},
    ]


def concrete_paths(rule) -> list[str]:
    """Return the rule's URL with its arguments replaced by each hostile value (ids only where ids go)."""
    return sorted({ARGUMENT.sub(functools.partial(_fill, value), rule.rule) for value in HOSTILE_IDS + HOSTILE_TEXT})


def _fill(value: str, match: re.Match) -> str:
    """Return the value for one URL argument: an id converter gets an out-of-range id."""
    is_id = match.group(1) in ("id", "int")
    return value if not is_id or value in HOSTILE_IDS else HOSTILE_IDS[0]


def api_rules(app):
    """Return (rule, method) for every rule of the app except static files."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP_ENDPOINTS:
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def _walk(app, client, failures: list) -> None:
    headers = {"X-CSRFToken": getattr(client, "csrf_token", "")}
    for rule, method in api_rules(app):
        for path in concrete_paths(rule):
            if method == "GET":
                attempts = [dict(query_string=QUERY)] + [dict(query_string=one) for one in ONE_AT_A_TIME]
            else:
                attempts = [dict(json=body) for body in hostile_bodies()]
                attempts.append(dict(data=b"[" * 30000 + b"]" * 30000, content_type="application/json"))
                attempts.append(dict(data=b'{"name": "\xff\xfe"}', content_type="application/json"))
            for kwargs in attempts:
                response = client.open(path, method=method, headers=headers, **kwargs)
                if response.status_code >= 500:
                    failures.append((method, path, str(kwargs)[:80], response.status_code))


@pytest.mark.parametrize("who", [None, Role.SUPER_ADMIN, Role.MEMBER])
def test_no_rule_answers_a_hostile_request_with_a_500(app, client, who):
    factories.cooperative()
    if who is not None:
        sign_in(client, factories.user(role=who))
    failures: list = []

    _walk(app, client, failures)

    assert failures == []
    if who is not None:  # the walk ran signed in throughout
        assert client.get("/api/notifications").status_code == 200
