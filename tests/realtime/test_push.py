"""Views, pure fragments, render once and push, the shared cache and ETag/304 (SPEC §6)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from nogalss_app import sockets
from nogalss_app.blueprints.dashboards.render import fragment_html
from nogalss_app.extensions import db
from nogalss_app.metrics import FRAGMENT_CACHE
from nogalss_app.models import LoanStatus, Role
from nogalss_app.security import resolve_scope
from nogalss_app.services import push as push_module
from nogalss_app.services import realtime, views
from nogalss_app.services.connections import disconnect_revoked
from nogalss_app.services.push import pusher
from nogalss_app.services.stats.registry import dashboard_panels
from tests import factories
from tests.realtime.test_sockets import ORIGIN, FreshContextSocket

NOW = datetime(2026, 3, 4, 10, 30, tzinfo=UTC)


def view_socket(app, user, view: str | None, params: dict | None = None):
    """Sign a user in and open a socket naming a view in its `auth`, as a dashboard page does."""
    http = app.test_client()
    response = http.post("/api/auth/login", json={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 200
    auth = {"view": view, "params": params or {}} if view is not None else None
    with app.app_context():
        client = sockets.socketio.test_client(app, flask_test_client=http, headers=ORIGIN, auth=auth)
    sock = FreshContextSocket.__new__(FreshContextSocket)
    sock.app, sock.client = app, client
    return sock


def received(sock) -> list[tuple[str, dict]]:
    """Return (event name, payload) of everything a socket received so far, in order."""
    return [(msg["name"], msg["args"][0]) for msg in sock.get_received()]


def pushed(events) -> list[dict]:
    return [payload for name, payload in events if name == "dashboard:panels"]


def loan_change(cooperative_id: int) -> int:
    """Record a loan application of one cooperative, as the loans service does; return its v."""
    row = realtime.notify("loan.applied", ["loans"], rooms=realtime.rooms_for(coop_ids=[cooperative_id]))
    realtime.commit()
    return row.id


# Pure fragments -------------------------------------------------------------------------------------------------


def _world():
    """Two users per scope: of each dashboard's own role, and two super admins viewing a cooperative and a member."""
    coop, other = factories.cooperative(), factories.cooperative()
    factories.user(Role.LEADER, cooperative_id=coop.id)  # one leader per cooperative: its view has one viewer
    member = factories.saver(cooperative_id=coop.id)
    factories.LoanFactory(user=member, status=LoanStatus.PENDING, amount_kobo=50_000_00)
    factories.user(Role.MEMBER, cooperative_id=other.id)
    admins = [factories.user(Role.SUPER_ADMIN) for _ in range(2)]
    for admin in admins:
        factories.NotificationFactory(user=admin)
    db.session.commit()
    pairs = {
        "leader": [(admins, {"cooperative": str(coop.id)})],
        "member": [(admins, {"member": str(member.id)})],
        "super_admin": [(admins, {})],
    }
    for key, role in (
        ("finance", Role.FINANCE),
        ("apex", Role.APEX),
        ("apex_funds", Role.APEX_FUNDS),
        ("nogalss_funds", Role.NOGALSS_FUNDS),
    ):
        pairs[key] = [([factories.user(role) for _ in range(2)], {}), (admins, {})]
    return pairs


def test_every_panel_renders_the_same_html_for_two_viewers_of_one_scope(app):
    checked = per_user = 0
    for key, groups in _world().items():
        for (first, second), args in groups:
            for panel in dashboard_panels()[key]:
                scopes = [replace(resolve_scope(key, user, args), now=NOW) for user in (first, second)]
                views_of = [views.view_of(key, panel, scope) for scope in scopes]
                if panel.is_per_user(first.role):
                    assert views_of[0] != views_of[1], f"{key}/{panel.name} lists own rows: a per-user view"
                    per_user += 1
                    continue
                assert views_of[0] == views_of[1]
                with app.test_request_context("/"):
                    html = [fragment_html(key, panel, scope)[0] for scope in scopes]
                assert html[0] == html[1], f"{key}/{panel.name} differs between two viewers of one scope"
                assert "csrf_token" not in html[0] or 'name="csrf_token" value=""' in html[0]
                checked += 1
    assert checked > 40 and per_user >= 3


def test_a_view_of_a_member_dashboard_renders_what_the_member_sees(app):
    member = factories.saver()
    scope = resolve_scope("member", member, {})
    for panel in dashboard_panels()["member"]:
        view = views.view_of("member", panel, scope)
        with app.test_request_context("/"):
            seen = fragment_html("member", panel, replace(scope, now=NOW))[0]
            pushed_html = fragment_html("member", panel, view.scope(NOW))[0]
        assert seen == pushed_html, panel.name


# Views and pushes -----------------------------------------------------------------------------------------------


def test_a_pushed_fragment_reaches_exactly_the_viewers_of_its_scope(app):
    leader1, leader2 = factories.user(Role.LEADER), factories.user(Role.LEADER)
    admin = factories.user(Role.SUPER_ADMIN)
    coop1, coop2 = leader1.cooperative_id, leader2.cooperative_id
    socks = {
        "leader1": view_socket(app, leader1, "leader"),
        "leader2": view_socket(app, leader2, "leader"),
        "admin_coop1": view_socket(app, admin, "leader", {"cooperative": str(coop1)}),
        "admin_coop2": view_socket(app, admin, "leader", {"cooperative": coop2}),
    }
    for sock in socks.values():
        sock.get_received()
    v = loan_change(coop1)
    got = {name: received(sock) for name, sock in socks.items()}
    for name in ("leader1", "admin_coop1"):
        events = pushed(got[name])  # the leader's own-rows panel comes in its per-user view's event
        assert events and all(e["v"] == v and e["dashboard"] == "leader" for e in events), (name, got[name])
        fragments = [fragment for event in events for fragment in event["panels"]]
        assert sorted(f["name"] for f in fragments) == ["loans", "overview", "repayments"]
        for fragment in fragments:
            assert fragment["html"].startswith("<header") and fragment["etag"].startswith('"')
    assert pushed(got["leader2"]) == [] and pushed(got["admin_coop2"]) == []
    # The fragments come before the signal of the same v.
    order = [name for name, _ in got["leader1"]]
    assert order.index("dashboard:panels") < order.index("dashboard:update")
    assert [p for n, p in got["leader1"] if n == "dashboard:update"][0]["v"] == v


def test_a_pushed_panel_carries_the_v_of_the_signal_that_follows_it(app):
    """A flush holding a change for the view and a newer one for one officer only (a notification): the shared
    view's fragments carry the flush's newest v, or the officer's page would refetch what was just pushed."""
    finance = factories.user(Role.FINANCE)
    sock = view_socket(app, finance, "finance")
    sock.get_received()
    dispatcher = realtime.dispatcher
    dispatcher.mode = "loop"  # both rows in one flush, as a server process reads one request's commits
    try:
        realtime.notify("withdrawal.requested", ["withdrawals"], rooms=realtime.rooms_for(roles=[Role.FINANCE]))
        realtime.commit()
        mine = realtime.notify("notification.created", ["notifications"], rooms=[f"user:{finance.id}"])
        realtime.commit()
        dispatcher.read()
        dispatcher.drain(force=True)
    finally:
        dispatcher.mode = "inline"
    events = received(sock)
    signal = [payload for name, payload in events if name == "dashboard:update"]
    shared = [e for e in pushed(events) if any(f["name"] == "withdrawals" for f in e["panels"])]
    assert len(signal) == 1 and signal[0]["v"] == mine.id
    assert shared and shared[0]["v"] == signal[0]["v"]


def test_each_affected_panel_and_view_is_rendered_once_whatever_the_number_of_viewers(app):
    leader = factories.user(Role.LEADER)
    admins = [factories.user(Role.SUPER_ADMIN) for _ in range(3)]
    socks = [view_socket(app, admin, "leader", {"cooperative": leader.cooperative_id}) for admin in admins]
    socks.append(view_socket(app, leader, "leader"))
    before = pusher.renders
    loan_change(leader.cooperative_id)
    affected = [p for p in dashboard_panels()["leader"] if "loans" in p.topics]
    # Each affected panel once for the three super admins' view, once for the leader (shared or per-user view).
    assert pusher.renders - before == 2 * len(affected)
    assert all(pushed(received(sock)) for sock in socks)


@pytest.mark.parametrize(
    ("role", "view", "params"),
    [
        (Role.MEMBER, "super-admin", {}),
        (Role.FINANCE, "leader", {"cooperative": "1"}),
        (Role.SUPER_ADMIN, "leader", {"cooperative": "999999"}),
        (Role.SUPER_ADMIN, "leader", {}),  # must choose a cooperative first
        (Role.SUPER_ADMIN, "leader", {"cooperative": "1 OR 1=1"}),
        (Role.SUPER_ADMIN, "no-such-dashboard", {}),
        (Role.SUPER_ADMIN, ["leader"], {}),
    ],
)
def test_a_socket_naming_a_view_its_user_may_not_open_gets_no_fragment(app, role, view, params):
    leader = factories.user(Role.LEADER)
    user = factories.user(role)
    sock = view_socket(app, user, view, params)
    assert sock.is_connected()
    assert [v.room for v in views.registry.views()] == []
    sock.get_received()
    realtime.notify(
        "loan.applied", ["loans"], rooms=realtime.rooms_for(coop_ids=[leader.cooperative_id], everyone=True)
    )
    realtime.commit()
    got = received(sock)
    assert pushed(got) == []
    assert [name for name, _ in got] == ["dashboard:update"], "the socket still gets its signals"


def test_a_leader_naming_another_cooperative_still_sees_only_their_own(app):
    leader1, leader2 = factories.user(Role.LEADER), factories.user(Role.LEADER)
    sock = view_socket(app, leader1, "leader", {"cooperative": str(leader2.cooperative_id)})
    sock.get_received()
    loan_change(leader2.cooperative_id)
    assert pushed(received(sock)) == []
    loan_change(leader1.cooperative_id)
    assert pushed(received(sock))


def test_without_a_view_a_socket_behaves_as_before(app):
    leader = factories.user(Role.LEADER)
    sock = view_socket(app, leader, None)
    sock.get_received()
    v = loan_change(leader.cooperative_id)
    assert received(sock) == [("dashboard:update", {"v": v, "event": "loan.applied", "topics": ["activity", "loans"]})]


def test_the_alert_banner_is_pushed_to_everyone(app):
    finance, member = factories.user(Role.FINANCE), factories.user(Role.MEMBER)
    socks = [view_socket(app, finance, "finance"), view_socket(app, member, None)]
    for sock in socks:
        sock.get_received()
    factories.EmergencyAlertFactory(title="Flood warning")
    row = realtime.notify("alert.created", ["alerts"], rooms=realtime.rooms_for(everyone=True))
    realtime.commit()
    for sock in socks:
        banner = [p for p in pushed(received(sock)) if p["dashboard"] == "*"]
        assert len(banner) == 1 and banner[0]["v"] == row.id
        assert banner[0]["panels"][0]["name"] == "banner" and "Flood warning" in banner[0]["panels"][0]["html"]


def test_a_kick_drops_the_view_and_a_reconnect_resolves_it_again(app):
    leader = factories.user(Role.LEADER)
    other = factories.cooperative()
    sock = view_socket(app, leader, "leader")
    assert [v.cooperative_id for v in views.registry.views()] == [leader.cooperative_id] * 2
    leader.cooperative_id = other.id
    db.session.commit()
    assert disconnect_revoked() == 1
    assert not sock.is_connected() and views.registry.views() == []
    again = view_socket(app, leader, "leader")
    assert again.is_connected()
    assert {v.cooperative_id for v in views.registry.views()} == {other.id}


def test_push_switched_off_sends_signals_only(app):
    leader = factories.user(Role.LEADER)
    sock = view_socket(app, leader, "leader")
    sock.get_received()
    pusher.enabled = False
    try:
        loan_change(leader.cooperative_id)
    finally:
        pusher.enabled = True
    assert [name for name, _ in received(sock)] == ["dashboard:update"]


# The refetch path: ETag, 304 and the shared cache --------------------------------------------------------------


@pytest.fixture
def caching(app):
    """Turn on ETags and the fragment cache (tests keep them off: factories write without ChangeLog rows)."""
    app.config.update(FRAGMENT_ETAGS=True)
    views.cache.configure(1024 * 1024)
    yield views.cache
    app.config.update(FRAGMENT_ETAGS=False)
    views.cache.configure(0)


def counter(outcome: str) -> float:
    return FRAGMENT_CACHE.labels(outcome=outcome)._value.get()


def test_an_unchanged_panel_answers_304_and_a_change_gives_a_new_etag(app, client, login_as, caching):
    leader = login_as(Role.LEADER)
    url = "/dashboard/leader/panels/overview"
    first = client.get(url, headers={"HX-Request": "true"})
    assert first.status_code == 200 and first.headers["ETag"].startswith('"')
    assert first.headers["Cache-Control"] == "private, no-cache"
    etag = first.headers["ETag"]
    again = client.get(url, headers={"HX-Request": "true", "If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    loan_change(factories.cooperative().id)  # another cooperative: still unchanged
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    loan_change(leader.cooperative_id)
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_viewers_of_one_scope_share_one_rendered_fragment(app, caching):
    leader = factories.user(Role.LEADER)
    admins = [factories.user(Role.SUPER_ADMIN) for _ in range(3)]
    url = f"/dashboard/leader/panels/overview?cooperative={leader.cooperative_id}"
    misses, hits = counter("miss"), counter("hit")
    bodies = []
    for admin in admins:
        http = app.test_client()
        factories_sign_in(http, admin)
        response = http.get(url)
        assert response.status_code == 200
        bodies.append(response.data)
    assert counter("miss") - misses == 1 and counter("hit") - hits == 2
    assert bodies[0] == bodies[1] == bodies[2]
    loan_change(leader.cooperative_id)
    http = app.test_client()
    factories_sign_in(http, admins[0])
    assert http.get(url).status_code == 200 and counter("miss") - misses == 2


def test_a_pushed_fragment_is_what_the_refetch_serves_from_the_cache(app, caching):
    leader = factories.user(Role.LEADER)
    sock = view_socket(app, leader, "leader")
    sock.get_received()
    loan_change(leader.cooperative_id)
    fragment = next(p for p in pushed(received(sock))[0]["panels"] if p["name"] == "overview")
    http = app.test_client()
    factories_sign_in(http, leader)
    hits = counter("hit")
    response = http.get("/dashboard/leader/panels/overview")
    assert response.headers["ETag"] == fragment["etag"] and counter("hit") - hits == 1
    assert response.get_data(as_text=True) == fragment["html"]
    assert http.get("/dashboard/leader/panels/overview", headers={"If-None-Match": fragment["etag"]}).status_code == 304


def test_the_cache_is_bounded_by_bytes_least_recently_used_first():
    cache = views.FragmentCache(max_bytes=3 * 1200)
    for n in range(3):
        cache.put(("room", str(n)), "e", "x" * 1000)
    assert cache.get(("room", "0"), "e") is not None  # 0 is now the most recently used
    cache.put(("room", "3"), "e", "x" * 1000)
    assert cache.get(("room", "1"), "e") is None and cache.get(("room", "0"), "e") is not None
    assert cache.bytes <= cache.max_bytes
    assert cache.get(("room", "3"), "other version") is None


def factories_sign_in(http, user) -> None:
    response = http.post("/api/auth/login", json={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 200


def test_the_banner_get_shares_the_pushed_banner_and_its_etag(app, caching):
    finance = factories.user(Role.FINANCE)
    sock = view_socket(app, finance, "finance")
    sock.get_received()
    factories.EmergencyAlertFactory(title="Road closed")
    realtime.notify("alert.created", ["alerts"], rooms=realtime.rooms_for(everyone=True))
    realtime.commit()
    banner = next(p for p in pushed(received(sock)) if p["dashboard"] == "*")["panels"][0]
    http = app.test_client()
    factories_sign_in(http, finance)
    hits = counter("hit")
    response = http.get("/dashboard/alert-banner")
    assert response.status_code == 200 and response.headers["ETag"] == banner["etag"]
    assert response.get_data(as_text=True) == banner["html"] and counter("hit") - hits == 1
    assert http.get("/dashboard/alert-banner", headers={"If-None-Match": banner["etag"]}).status_code == 304


def test_the_live_panel_has_no_etag_and_counts_sockets_afresh(app, client, login_as, caching):
    login_as(Role.SUPER_ADMIN)
    first = client.get("/dashboard/super-admin/panels/live")
    assert first.status_code == 200 and "ETag" not in first.headers
    view_socket(app, factories.user(Role.FINANCE), "finance")
    second = client.get("/dashboard/super-admin/panels/live")
    assert second.status_code == 200 and second.data != first.data


def test_every_panel_answer_says_which_change_it_reflects(app, client, login_as, caching):
    leader = login_as(Role.LEADER)
    v = loan_change(leader.cooperative_id)
    rendered = client.get("/dashboard/leader/panels/overview")
    assert int(rendered.headers["X-Live-V"]) == v
    cached = client.get("/dashboard/leader/panels/overview")
    assert int(cached.headers["X-Live-V"]) == v
    not_modified = client.get("/dashboard/leader/panels/overview", headers={"If-None-Match": cached.headers["ETag"]})
    assert not_modified.status_code == 304 and int(not_modified.headers["X-Live-V"]) == v


def test_an_oversized_fragment_is_not_pushed_and_its_viewers_refetch(app, monkeypatch):
    leader = factories.user(Role.LEADER)
    sock = view_socket(app, leader, "leader")
    sock.get_received()
    monkeypatch.setattr(push_module, "MAX_PUSH_BYTES", 10)
    v = loan_change(leader.cooperative_id)
    got = received(sock)
    assert pushed(got) == [] and [p["v"] for n, p in got if n == "dashboard:update"] == [v]


def test_a_members_loan_is_pushed_to_that_member_not_to_the_others_of_the_cooperative(app):
    coop = factories.cooperative()
    ada, bola = (factories.user(Role.MEMBER, cooperative_id=coop.id) for _ in range(2))
    socks = {user.id: view_socket(app, user, "member") for user in (ada, bola)}
    for sock in socks.values():
        sock.get_received()
    realtime.notify("loan.applied", ["loans"], rooms=realtime.rooms_for(coop_ids=[coop.id], user_ids=[ada.id]))
    realtime.commit()
    assert pushed(received(socks[ada.id])) and pushed(received(socks[bola.id])) == []


def test_a_parent_organization_view_is_not_shared_its_sockets_get_signals_only(app):
    """Which changes reach an organization's page depends on its cooperatives: never pushed, cached or ETagged."""
    org_user = factories.user(Role.PARENT_ORGANIZATION)
    sock = view_socket(app, org_user, "parent-organization", {})
    sock.get_received()
    row = realtime.notify("fee.paid", ["allocations"], rooms=realtime.rooms_for(everyone=True))
    realtime.commit()
    events = received(sock)
    assert pushed(events) == []
    assert [name for name, _ in events] == ["dashboard:update"] and events[0][1]["v"] == row.id
    admin = factories.user(Role.SUPER_ADMIN)
    http = app.test_client()
    assert http.post("/api/auth/login", json={"email": admin.email, "password": factories.PASSWORD}).status_code == 200
    first, second = factories.user(Role.PARENT_ORGANIZATION), factories.user(Role.PARENT_ORGANIZATION)
    answers = [
        http.get(f"/dashboard/parent-organization/panels/overview?organization={user.parent_organization_id}")
        for user in (first, second)
    ]
    assert [answer.status_code for answer in answers] == [200, 200]
    assert all("ETag" not in answer.headers for answer in answers)
