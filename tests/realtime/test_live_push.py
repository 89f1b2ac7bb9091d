"""Pushed fragments across real processes: PostgreSQL + Redis, two gevent servers, one render per view."""

from __future__ import annotations

import pytest
import requests
import socketio

from tests.realtime.test_faults import metric
from tests.support.live import (
    REDIS_URL,
    Deployment,
    login_session,
    private_postgres_database,
    redis_available,
    require_service,
    wait_until,
)

pytestmark = pytest.mark.postgres


@pytest.fixture(scope="module")
def two_processes(tmp_path_factory):
    """PostgreSQL, Redis as the message queue, and two server processes."""
    require_service("Redis", redis_available)
    with private_postgres_database() as url:
        deployment = Deployment(tmp_path_factory.mktemp("push"), database_url=url, redis_url=REDIS_URL)
        deployment.prepare()
        deployment.start_server()
        deployment.start_server()
        yield deployment
        deployment.stop()


def view_client(server, session, view: str, params: dict | None = None):
    """Connect a socket naming a view, as a dashboard page does; return (client, [(event, payload)])."""
    events: list[tuple[str, dict]] = []
    client = socketio.Client(reconnection=False)
    client.on("dashboard:panels", lambda payload: events.append(("dashboard:panels", payload)))
    client.on("dashboard:update", lambda payload: events.append(("dashboard:update", payload)))
    headers = {
        "Cookie": "; ".join(f"{c.name}={c.value}" for c in session.cookies),
        "User-Agent": session.headers["User-Agent"],
    }
    client.connect(
        server.url,
        socketio_path="/api/socket",
        transports=["websocket"],
        wait_timeout=10,
        headers=headers,
        auth={"view": view, "params": params or {}},
    )
    return client, events


def fragments(events) -> dict[str, dict]:
    return {f["name"]: f for name, payload in events if name == "dashboard:panels" for f in payload["panels"]}


def signal_at(events) -> int | None:
    """Return the position of the loan's signal (super admins also get connection-count signals)."""
    return next((i for i, (n, p) in enumerate(events) if n == "dashboard:update" and "loans" in p["topics"]), None)


def test_two_processes_render_a_change_once_and_both_deliver_it(two_processes):
    one, two = two_processes.servers
    leader1 = login_session(one, "leader1@demo.nogalss.ng")
    me = leader1.post(
        f"{one.url}/api/auth/login", json={"email": "leader1@demo.nogalss.ng", "password": "demo-pass-2026"}
    ).json()["user"]
    coop = me["cooperative_id"]
    leader2 = login_session(two, "leader2@demo.nogalss.ng")
    admin_one = login_session(one, "super-admin@demo.nogalss.ng")
    admin_two = login_session(two, "super-admin@demo.nogalss.ng")
    sockets = {
        "leader1": view_client(one, leader1, "leader"),
        "leader2": view_client(two, leader2, "leader"),
        "admin_on_one": view_client(one, admin_one, "leader", {"cooperative": str(coop)}),
        "admin_on_two": view_client(two, admin_two, "leader", {"cooperative": str(coop)}),
    }
    renders = sum(metric(server, "nogalss_push_renders_total") for server in (one, two))
    two_processes.flask("notify", "loan.applied", "--topics", "loans", "--coop", str(coop))
    for name in ("leader1", "admin_on_one", "admin_on_two"):
        events = sockets[name][1]
        assert wait_until(lambda events=events: signal_at(events) is not None, timeout=8), name
        assert set(fragments(events)) == {"loans", "overview", "repayments"}, (name, events)
        assert [n for n, _ in events].index("dashboard:panels") < signal_at(events)
    # The super admins' view on both processes: one render, the same fragment on both.
    on_one, on_two = fragments(sockets["admin_on_one"][1]), fragments(sockets["admin_on_two"][1])
    assert on_one == on_two
    # Three panels for the super admins' view (loans, overview, repayments) and three for the leader's (shared
    # overview and repayments, own-rows loans), each rendered once in the cluster: six, not one per process (nine).
    after = sum(metric(server, "nogalss_push_renders_total") for server in (one, two))
    assert after - renders == 6
    assert fragments(sockets["leader2"][1]) == {}
    # A refetch on either process is served from the shared fragments: the pushed ETag answers 304.
    etag = on_two["overview"]["etag"]
    for server, session in ((one, admin_one), (two, admin_two)):
        response = session.get(
            f"{server.url}/dashboard/leader/panels/overview?cooperative={coop}",
            headers={"If-None-Match": etag, "HX-Request": "true"},
            timeout=10,
        )
        assert response.status_code == 304, server.url
    for client, _ in sockets.values():
        client.disconnect()


def test_metrics_count_pushed_fragments_and_cache_outcomes(two_processes):
    text = requests.get(f"{two_processes.servers[0].url}/metrics", timeout=10).text
    assert "nogalss_pushed_fragments_total" in text and "nogalss_fragment_cache_total" in text


def test_the_live_panel_counts_the_sockets_of_every_process(two_processes):
    one, two = two_processes.servers
    admin = login_session(one, "super-admin@demo.nogalss.ng")
    apex = login_session(two, "apex@demo.nogalss.ng")
    client, _ = view_client(two, apex, "apex")

    def live_panel() -> str:
        response = admin.get(f"{one.url}/dashboard/super-admin/panels/live", headers={"HX-Request": "true"}, timeout=10)
        assert response.status_code == 200
        return response.text

    assert wait_until(lambda: "Apex" in live_panel(), timeout=8), live_panel()
    client.disconnect()
    assert wait_until(lambda: "Apex" not in live_panel(), timeout=15), live_panel()
