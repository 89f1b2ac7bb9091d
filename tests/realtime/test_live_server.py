"""Real servers on 127.0.0.1 and python-socketio clients signed in as different roles (SPEC §6)."""

from __future__ import annotations

import time

import pytest
import requests
import socketio

from tests.support.live import (
    REDIS_URL,
    Deployment,
    login_session,
    private_postgres_database,
    redis_available,
    require_service,
    socket_client,
    wait_until,
)


def test_a_socket_from_a_foreign_origin_is_refused_at_the_handshake(seeded_deployment):
    server = seeded_deployment.servers[0]
    session = login_session(server, "finance@demo.nogalss.ng")
    # Over polling the refusal is the server's HTTP 400 at the handshake (no session id is ever issued).
    with pytest.raises(socketio.exceptions.ConnectionError):
        socket_client(server, session, origin="https://evil.example", transports=("polling",))
    raw = requests.get(
        f"{server.url}/api/socket/",
        params={"EIO": "4", "transport": "polling"},
        headers={"Origin": "https://evil.example"},
        cookies=session.cookies,
        timeout=10,
    )
    assert raw.status_code == 400 and "sid" not in raw.text
    client, _ = socket_client(server, session)  # the same cookie from the right origin is fine
    assert client.connected
    client.disconnect()


def test_a_socket_without_a_session_is_refused(seeded_deployment):
    server = seeded_deployment.servers[0]
    with pytest.raises(socketio.exceptions.ConnectionError):
        socket_client(server, requests.Session(), transports=("polling",))


def test_an_oversized_frame_closes_the_connection(seeded_deployment):
    server = seeded_deployment.servers[0]
    client, _ = socket_client(server, login_session(server, "finance@demo.nogalss.ng"))
    client.emit("dashboard:sync", {"v": 1, "pad": "x" * 64 * 1024})
    assert wait_until(lambda: not client.connected, timeout=5)


@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_a_cli_signal_reaches_its_cooperatives_leader_and_not_the_others(tmp_path, async_mode):
    deployment = Deployment(tmp_path, async_mode=async_mode).prepare()
    server = deployment.start_server()
    try:
        leaders = {n: login_session(server, f"leader{n}@demo.nogalss.ng") for n in (1, 2)}
        coop1 = leaders[1].get(f"{server.url}/api/leader/dashboard-stats", timeout=10).json()
        assert coop1["dashboard"] == "leader"
        me = (
            leaders[1]
            .post(
                f"{server.url}/api/auth/login", json={"email": "leader1@demo.nogalss.ng", "password": "demo-pass-2026"}
            )
            .json()
        )
        sockets = {n: socket_client(server, session) for n, session in leaders.items()}
        out = deployment.flask(
            "notify", "loan.applied", "--topics", "loans", "--coop", str(me["user"]["cooperative_id"])
        ).stdout
        assert "a server process sent it" in out
        assert wait_until(lambda: len(sockets[1][1]) >= 1, timeout=5), "leader 1 heard nothing"
        assert "loans" in sockets[1][1][-1]["topics"]
        time.sleep(1.5)  # three polls of the server's ChangeLog cursor: a sent change is never sent again
        assert len(sockets[1][1]) == 1, sockets[1][1]
        assert sockets[2][1] == []
        for client, _ in sockets.values():
            client.disconnect()
    finally:
        deployment.stop()


@pytest.fixture(scope="module")
def scaled_out(tmp_path_factory):
    """PostgreSQL, Redis as the message queue, and two server processes."""
    require_service("PostgreSQL", lambda: private_postgres_database().__enter__().__class__)
    require_service("Redis", redis_available)
    with private_postgres_database() as url:
        deployment = Deployment(tmp_path_factory.mktemp("scaled"), database_url=url, redis_url=REDIS_URL)
        deployment.prepare()
        deployment.start_server()
        deployment.start_server()
        yield deployment
        deployment.stop()


def test_signals_cross_processes_through_redis(scaled_out):
    one, two = scaled_out.servers
    leader1 = login_session(two, "leader1@demo.nogalss.ng")
    coop = leader1.post(
        f"{two.url}/api/auth/login", json={"email": "leader1@demo.nogalss.ng", "password": "demo-pass-2026"}
    ).json()
    leader2 = login_session(one, "leader2@demo.nogalss.ng")
    finance = login_session(one, "finance@demo.nogalss.ng")
    (c1, got1), (c2, got2), (c3, got3) = (
        socket_client(two, leader1),
        socket_client(one, leader2),
        socket_client(one, finance),
    )
    scaled_out.flask("notify", "loan.applied", "--topics", "loans", "--coop", str(coop["user"]["cooperative_id"]))
    assert wait_until(lambda: got1, timeout=5), "the leader on the other process heard nothing"
    assert got2 == [] and got3 == []
    for client in (c1, c2, c3):
        client.disconnect()


def test_logout_on_one_process_disconnects_the_users_socket_on_another(scaled_out):
    one, two = scaled_out.servers
    session = login_session(one, "finance@demo.nogalss.ng")
    client, _ = socket_client(two, session)
    assert client.connected
    assert session.post(f"{one.url}/api/auth/logout", timeout=10).status_code == 200
    assert wait_until(lambda: not client.connected, timeout=5)


def test_healthz_reports_database_and_queue(scaled_out):
    body = requests.get(f"{scaled_out.servers[0].url}/healthz", timeout=10).json()
    assert body == {"status": "ok", "database": "ok", "queue": "ok"}


def test_metrics_count_sockets_by_role_and_emits(scaled_out):
    server = scaled_out.servers[0]
    client, _ = socket_client(server, login_session(server, "apex@demo.nogalss.ng"))
    text = requests.get(f"{server.url}/metrics", timeout=10).text
    assert 'nogalss_connected_sockets{role="APEX"} 1.0' in text
    assert "nogalss_emits_total" in text and "nogalss_delivery_lag_seconds_bucket" in text
    client.disconnect()


def test_a_query_waiting_in_postgresql_does_not_block_the_gevent_server(scaled_out):
    """psycopg 3 yields to gevent: while one request waits on a row lock, the same process serves others."""
    import threading
    import time

    import psycopg

    server = scaled_out.servers[0]
    member = login_session(server, "member1@demo.nogalss.ng")
    dsn = scaled_out.env["DATABASE_URL"]
    with psycopg.connect(dsn) as holder:
        holder.execute("SELECT id FROM users WHERE email = 'member1@demo.nogalss.ng' FOR UPDATE")
        answer: dict = {}

        def request_withdrawal():
            answer["response"] = member.post(
                f"{server.url}/api/member/withdrawals",
                json={"amount_kobo": 1_000_00, "reason": "Lock test"},
                timeout=30,
            )

        waiting = threading.Thread(target=request_withdrawal)
        waiting.start()
        time.sleep(0.5)  # the withdrawal is now waiting for the row lock inside PostgreSQL
        started = time.monotonic()
        health = requests.get(f"{server.url}/healthz", timeout=10)
        elapsed = time.monotonic() - started
        assert health.status_code == 200 and elapsed < 1.0, elapsed
        assert "response" not in answer  # still waiting: the lock is held
        holder.rollback()  # release the lock
    waiting.join(timeout=30)
    assert answer["response"].status_code == 201
