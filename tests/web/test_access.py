"""Access matrix: every role × every dashboard page, panel and stats URL, derived from the app's URL map (SPEC §2)."""

from __future__ import annotations

import pytest

from nogalss_app.models import Role
from nogalss_app.services.stats.registry import dashboard_panels
from tests import factories

R = Role
# Written independently of security.DASHBOARDS: URL slug → roles that may open it.
ALLOWED = {
    "super-admin": {R.SUPER_ADMIN},
    "finance": {R.FINANCE, R.SUPER_ADMIN},
    "apex-funds": {R.APEX_FUNDS, R.SUPER_ADMIN},
    "nogalss-funds": {R.NOGALSS_FUNDS, R.SUPER_ADMIN},
    "apex": {R.APEX, R.SUPER_ADMIN},
    "leader": {R.LEADER, R.SUPER_ADMIN},
    "member": {R.MEMBER, R.SUPER_ADMIN},
    "cooperative": {R.COOPERATIVE, R.SUPER_ADMIN},
    "parent-organization": {R.PARENT_ORGANIZATION, R.SUPER_ADMIN},
}
API_SLUG = {"super-admin": "admin"}
EVERY_SIGNED_IN = {"main.dashboard", "main.summary", "main.alert_banner"}
KEY_OF = {slug: slug.replace("-", "_") for slug in ALLOWED} | {"parent-organization": "parent_org"}


def expected_urls(app, coop_id: int, member_id: int, org_id: int = 0) -> list[tuple[str, set[Role], str]]:
    """Return (url, allowed roles, kind) for every dashboard-related GET route, failing on unknown routes."""
    panels = dashboard_panels()
    urls, seen = [], set()
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or not (rule.rule.startswith("/dashboard") or "dashboard-stats" in rule.rule):
            continue
        seen.add(rule.endpoint)
        if rule.endpoint in EVERY_SIGNED_IN:
            continue
        slug = next(
            (
                s
                for s in ALLOWED
                if rule.rule.startswith((f"/dashboard/{s}/", f"/api/{API_SLUG.get(s, s)}/"))
                or rule.rule == f"/dashboard/{s}"
            ),
            None,
        )
        assert slug is not None, f"route without an access rule in this test: {rule.rule}"
        scope = {
            "leader": f"?cooperative={coop_id}",
            "cooperative": f"?cooperative={coop_id}",
            "member": f"?member={member_id}",
            "parent-organization": f"?organization={org_id}",
        }.get(slug, "")
        if rule.endpoint.endswith(".index"):
            urls.append((f"/dashboard/{slug}{scope}", ALLOWED[slug], "page"))
        elif rule.endpoint.endswith(".panel"):
            assert panels[KEY_OF[slug]], f"{slug} has no panels"
            urls += [
                (f"/dashboard/{slug}/panels/{p.name}{scope}", ALLOWED[slug], "panel") for p in panels[KEY_OF[slug]]
            ]
        elif rule.endpoint.endswith(".dashboard_stats"):
            urls.append((f"/api/{API_SLUG.get(slug, slug)}/dashboard-stats{scope}", ALLOWED[slug], "api"))
        elif not rule.arguments and rule.rule.startswith(f"/dashboard/{slug}/"):
            urls.append((rule.rule, ALLOWED[slug], "page"))  # a management page of that dashboard
        elif rule.arguments and rule.rule.startswith(f"/dashboard/{slug}/"):
            # Pages with ids (an edit form, say) are behind the same blueprint guard; probe with a missing id.
            probe = rule.rule
            for name in rule.arguments:
                probe = probe.replace(f"<id:{name}>", "999999").replace(f"<{name}>", "999999")
            urls.append((probe, ALLOWED[slug], "page-with-id"))
        else:
            raise AssertionError(f"route without an access rule in this test: {rule.endpoint} {rule.rule}")
    assert seen >= EVERY_SIGNED_IN
    return urls


@pytest.fixture
def world():
    """A cooperative with a leader and a member, and another cooperative."""
    leader = factories.user(role=R.LEADER)
    member = factories.user(role=R.MEMBER, cooperative_id=leader.cooperative_id)
    org_id = factories.parent_org().id
    return {"coop_id": leader.cooperative_id, "member_id": member.id, "org_id": org_id}


@pytest.mark.parametrize("role", list(Role))
def test_each_role_gets_200_where_allowed_and_403_everywhere_else(app, client, login_as, world, role):
    login_as(role)
    failures = []
    for url, allowed, kind in expected_urls(app, world["coop_id"], world["member_id"], world["org_id"]):
        response = client.get(url, headers={"HX-Request": "true"} if kind == "panel" else {})
        expected = (404 if kind == "page-with-id" else 200) if role in allowed else 403
        if response.status_code != expected:
            failures.append((url, response.status_code, expected))
        if kind == "api" and expected == 403:
            assert response.get_json()["error"]["code"] == "forbidden"
    assert failures == []
    assert client.get("/dashboard/alert-banner").status_code == 200


def test_signed_out_requests_get_login_redirects_401s_and_never_data(app, client, world):
    for url, _allowed, kind in expected_urls(app, world["coop_id"], world["member_id"], world["org_id"]):
        if kind in ("page", "page-with-id"):
            response = client.get(url)
            assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
        elif kind == "panel":
            response = client.get(url, headers={"HX-Request": "true"})
            assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/login")
            assert b"panel-body" not in response.data
        else:
            response = client.get(url)
            assert response.status_code == 401 and response.get_json()["error"]["code"] == "unauthorized"


def test_a_super_admin_must_choose_whose_leader_or_member_dashboard_to_open(client, login_as, world):
    login_as(R.SUPER_ADMIN)
    picker = client.get("/dashboard/leader")
    assert picker.status_code == 200 and b"Choose which cooperative" in picker.data
    assert client.get("/dashboard/leader/panels/overview", headers={"HX-Request": "true"}).status_code == 404
    assert client.get("/api/leader/dashboard-stats").status_code == 422
    for bad in ("999999", "abc", "-1", "1.5", "١"):
        assert client.get(f"/dashboard/leader?cooperative={bad}").status_code == 404
        assert client.get(f"/dashboard/member?member={bad}").status_code == 404


def test_the_super_admins_choice_is_logged(client, login_as, world):
    from nogalss_app.extensions import db
    from nogalss_app.models import AuditLog

    admin = login_as(R.SUPER_ADMIN)
    assert client.get(f"/dashboard/member?member={world['member_id']}").status_code == 200
    row = db.session.query(AuditLog).filter_by(action="dashboard.view_as").one()
    assert row.actor_id == admin.id and row.after == {"member": world["member_id"]}


def stats(client, url: str) -> dict:
    """Fetch dashboard stats without the timestamp."""
    body = client.get(url).get_json()
    body.pop("generated_at")
    return body


def test_a_leader_or_member_cannot_widen_their_scope_with_query_arguments(client, login_as, world):
    other = factories.user(role=R.MEMBER)
    login_as(R.LEADER)
    own = stats(client, "/api/leader/dashboard-stats")
    assert stats(client, f"/api/leader/dashboard-stats?cooperative={world['coop_id']}") == own
    me = login_as(R.MEMBER)
    mine = stats(client, "/api/member/dashboard-stats")
    assert stats(client, f"/api/member/dashboard-stats?member={other.id}") == mine
    assert me.id != other.id


def test_an_unknown_panel_is_404(client, login_as):
    login_as(R.FINANCE)
    assert client.get("/dashboard/finance/panels/nope", headers={"HX-Request": "true"}).status_code == 404


def test_a_super_admin_chooses_the_cooperative_or_organization_and_unknown_ones_are_404(client, login_as, world):
    login_as(R.SUPER_ADMIN)
    coop_picker, org_picker = client.get("/dashboard/cooperative"), client.get("/dashboard/parent-organization")
    assert coop_picker.status_code == 200 and b"Choose which cooperative" in coop_picker.data
    assert org_picker.status_code == 200 and b"Choose which parent organization" in org_picker.data
    assert client.get("/api/cooperative/dashboard-stats").status_code == 422
    assert client.get("/api/parent-organization/dashboard-stats").status_code == 422
    for bad in ("999999", "abc", "-1"):
        assert client.get(f"/dashboard/cooperative?cooperative={bad}").status_code == 404
        assert client.get(f"/dashboard/parent-organization?organization={bad}").status_code == 404
        assert client.get(f"/api/parent-organization/dashboard-stats?organization={bad}").status_code == 404


def test_a_cooperative_or_organization_login_sees_only_its_own_whatever_the_query(client, login_as, world):
    other_coop, other_org = factories.cooperative(), factories.parent_org()
    login_as(R.COOPERATIVE)
    own = stats(client, "/api/cooperative/dashboard-stats")
    assert stats(client, f"/api/cooperative/dashboard-stats?cooperative={other_coop.id}") == own
    login_as(R.PARENT_ORGANIZATION)
    mine = stats(client, "/api/parent-organization/dashboard-stats")
    assert stats(client, f"/api/parent-organization/dashboard-stats?organization={other_org.id}") == mine
