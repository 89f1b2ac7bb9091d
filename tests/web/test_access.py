"""Access matrix: every role × every dashboard route, derived from the app's URL map (SPEC §2)."""

from __future__ import annotations

import pytest

from nogalss_app.models import Role

# Independently written expectations: endpoint → roles that may open it. A new route missing here fails.
EXPECTED = {
    "super_admin.index": {Role.SUPER_ADMIN},
    "finance.index": {Role.FINANCE, Role.SUPER_ADMIN},
    "apex_funds.index": {Role.APEX_FUNDS, Role.SUPER_ADMIN},
    "nogalss_funds.index": {Role.NOGALSS_FUNDS, Role.SUPER_ADMIN},
    "apex.index": {Role.APEX, Role.SUPER_ADMIN},
    "leader.index": {Role.LEADER, Role.SUPER_ADMIN},
    "member.index": {Role.MEMBER, Role.SUPER_ADMIN},
    "main.dashboard": set(Role),
    "main.summary": set(Role),
}


def dashboard_rules(app):
    """Return every GET rule under /dashboard."""
    return [r for r in app.url_map.iter_rules() if r.rule.startswith("/dashboard") and "GET" in r.methods]


def test_every_dashboard_route_has_an_access_rule(app):
    endpoints = {rule.endpoint for rule in dashboard_rules(app)}
    assert endpoints, "no dashboard routes found"
    assert endpoints <= set(EXPECTED), f"routes without an access rule: {endpoints - set(EXPECTED)}"


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_200_on_allowed_dashboards_and_403_elsewhere(app, client, login_as, role):
    login_as(role)
    for rule in dashboard_rules(app):
        response = client.get(rule.rule)
        if rule.endpoint == "main.dashboard":
            assert response.status_code == 302
            continue
        expected = 200 if role in EXPECTED[rule.endpoint] else 403
        assert response.status_code == expected, (role, rule.rule, response.status_code)


def test_signed_out_browser_is_sent_to_login_and_htmx_gets_401(app, client):
    for rule in dashboard_rules(app):
        page = client.get(rule.rule)
        assert page.status_code == 302 and page.headers["Location"].startswith("/login?next=")
        fragment = client.get(rule.rule, headers={"HX-Request": "true"})
        assert fragment.status_code == 401
        assert fragment.headers["HX-Redirect"].startswith("/login")
        assert b"Signed in as" not in fragment.data


def test_403_for_json_callers_uses_the_error_shape(client, login_as):
    login_as(Role.MEMBER)
    response = client.get("/dashboard/finance", headers={"Accept": "application/json"})
    assert response.status_code == 403
