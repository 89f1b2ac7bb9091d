"""A panel fragment is a pure function of (panel, scope, options, data): no CSRF token, nothing per session — so one
render serves every viewer of a scope. Checked on the seeded demo, where every panel has rows and forms
(pending withdrawals, pending loan applications, unread notifications, the member's actions)."""

from __future__ import annotations

import re

from nogalss_app import seed
from nogalss_app.security import DASHBOARDS
from nogalss_app.services.stats.registry import dashboard_panels
from tests.support.client import sign_in
from tests.support.panels import panel_fragment

# demo sign-in → dashboards it opens
DEMO = {
    "super-admin": ["super_admin"],
    "finance": ["finance"],
    "apex-funds": ["apex_funds"],
    "nogalss-funds": ["nogalss_funds"],
    "apex": ["apex"],
    "leader1": ["leader"],
    "member1": ["member"],
    "coop1": ["cooperative"],
    "org1": ["parent_org"],
}
STAMP = re.compile(r"<time[^>]*data-stamp[^>]*>.*?</time>", re.S)


def _signed_in(app, local: str, password: str):
    client = app.test_client()
    user = type("Demo", (), {"email": seed.demo_email(local)})
    return sign_in(client, user, password)


def test_no_panel_fragment_carries_a_csrf_token(app, demo):
    forms = 0
    for local, dashboards in DEMO.items():
        client = _signed_in(app, local, demo)
        for key in dashboards:
            slug = DASHBOARDS[key]["slug"]
            for panel in dashboard_panels()[key]:
                html = panel_fragment(slug, client, panel.name)
                assert "csrf" not in html.lower(), f"{slug}/{panel.name} carries a CSRF token"
                assert client.csrf_token not in html
                forms += html.count("<form")
    assert forms > 10  # the check saw real forms (queue decisions, loan decisions, mark read, member actions)


def test_two_viewers_of_one_scope_get_the_same_fragment_apart_from_the_stamp(app, demo):
    admin = _signed_in(app, "super-admin", demo)
    for local in ("finance", "apex", "apex-funds"):
        staff = _signed_in(app, local, demo)
        key = DEMO[local][0]
        for panel in dashboard_panels()[key]:
            if panel.name in ("notifications", "expenses"):
                continue  # the viewer's own notifications and expenses: a per-user scope by definition
            slug = DASHBOARDS[key]["slug"]
            first = STAMP.sub("", panel_fragment(slug, staff, panel.name))
            second = STAMP.sub("", panel_fragment(slug, admin, panel.name))
            assert first == second, f"{slug}/{panel.name}"
