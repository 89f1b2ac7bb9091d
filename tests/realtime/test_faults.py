"""Faults survived with nothing lost: Redis stopped and restarted, a process killed between commit and emit, a
restart with unsent rows, the database refusing and silent, a client that stops reading, a flooding socket.

Each test ends with "every client has every change, nothing lost, nothing doubled": every ChangeLog change in a
client's rooms reached it exactly once through a signal, or through the answer to its `dashboard:sync`.
"""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
import requests

from tests.support.faults import (
    SIGNAL_IDS,
    Listener,
    RedisServer,
    TcpProxy,
    assert_every_client_has_every_change,
    latest_v,
    timed,
)
from tests.support.live import (
    JOB_PRELUDE,
    ROOT,
    Deployment,
    login_session,
    private_postgres_database,
    require_service,
    run_job,
    wait_until,
)

pytestmark = [pytest.mark.slow, pytest.mark.timeout(240)]
FINANCE_ROOMS = ["role:FINANCE", "everyone"]


def _postgres_available() -> None:
    with private_postgres_database():
        pass


def expense(session, server, n: int) -> None:
    """Make one change through the JSON API (audience: finance and super admins)."""
    response = session.post(
        f"{server.url}/api/finance/expenses",
        json={"title": f"Fault expense {n}", "category": "Operations", "amount_kobo": 1_000_00 + n},
        timeout=30,
    )
    assert response.status_code == 201, response.text


def finance_listener(server, name: str) -> Listener:
    session = login_session(server, "finance@demo.nogalss.ng")
    return Listener(server, session, FINANCE_ROOMS, name=name)


@pytest.fixture
def queued(tmp_path):
    """PostgreSQL, a Redis of this test's own, and two server processes."""
    require_service("PostgreSQL", _postgres_available)
    redis = RedisServer(tmp_path).start()
    with private_postgres_database() as url:
        deployment = Deployment(tmp_path, database_url=url, redis_url=redis.url).prepare()
        try:
            deployment.start_server(**SIGNAL_IDS)
            deployment.start_server(**SIGNAL_IDS)
            yield deployment, redis
        finally:
            deployment.stop()
            redis.stop()


def test_redis_stopped_and_restarted_during_changes_loses_nothing(queued):
    deployment, redis = queued
    one, two = deployment.servers
    url = deployment.env["DATABASE_URL"]
    start = latest_v(url)
    listeners = [finance_listener(one, "on one").connect(start), finance_listener(two, "on two").connect(start)]
    writer = login_session(one, "finance@demo.nogalss.ng")
    expense(writer, one, 0)
    redis.stop()
    assert wait_until(lambda: requests.get(f"{two.url}/healthz", timeout=5).status_code == 503, timeout=10)
    body = requests.get(f"{two.url}/healthz", timeout=5).json()
    assert body["status"] == "failing" and body["queue"].startswith("failing")
    # A user signed out during the outage loses the socket on the other process too (the kick is in the ChangeLog).
    leaver = login_session(one, "apex@demo.nogalss.ng")
    leaver_socket = Listener(two, leaver, ["role:APEX"]).connect(start)
    for n in range(1, 6):
        expense(writer, one, n)
    assert leaver.post(f"{one.url}/api/auth/logout", timeout=10).status_code == 200
    assert wait_until(lambda: not leaver_socket.connected, timeout=5), "the kick did not cross the queue outage"
    redis.start()
    assert wait_until(lambda: requests.get(f"{two.url}/healthz", timeout=5).status_code == 200, timeout=10)
    for n in range(6, 9):
        expense(writer, two, n)
    assert_every_client_has_every_change(url, listeners)


def test_a_process_killed_between_commit_and_emit_loses_nothing(queued):
    deployment, _redis = queued
    one, two = deployment.servers
    url = deployment.env["DATABASE_URL"]
    start = latest_v(url)
    listeners = [finance_listener(one, "on one").connect(start), finance_listener(two, "on two").connect(start)]
    # A job commits its change and dies (SIGKILL) before it can announce it on the queue.
    body = """
import os, signal
from nogalss_app.services import realtime
realtime.notify("expense.created", ["expenses"], rooms=["role:FINANCE"], summary="killed job")
db.session.commit()
os.kill(os.getpid(), signal.SIGKILL)
"""
    job = subprocess.run(
        [sys.executable, "-c", JOB_PRELUDE + body], cwd=ROOT, env=deployment.env, capture_output=True, timeout=120
    )
    assert job.returncode == -signal.SIGKILL
    # A server process killed right after committing a change: the other process still delivers it.
    writer = login_session(one, "finance@demo.nogalss.ng")
    one.process.send_signal(signal.SIGSTOP)  # frozen between commit and emit: its loop cannot send
    try:
        with_row = run_job(
            deployment,
            'realtime.notify("expense.created", ["expenses"], rooms=["role:FINANCE"]); db.session.commit()',
        )
        assert with_row == ""
        expense(login_session(two, "finance@demo.nogalss.ng"), two, 1)
    finally:
        one.process.kill()
        one.process.wait(timeout=10)
    del writer
    assert_every_client_has_every_change(url, [listeners[1]])
    # The first process's client reconnects to the survivor and catches up with dashboard:sync.
    listeners[0].server = two
    listeners[0].session = login_session(two, "finance@demo.nogalss.ng")
    listeners[0].connect()
    assert_every_client_has_every_change(url, listeners)


def test_a_restart_sends_unsent_rows_with_no_client_connected(tmp_path):
    require_service("PostgreSQL", _postgres_available)
    with private_postgres_database() as url:
        deployment = Deployment(tmp_path, database_url=url).prepare()
        try:
            run_job(
                deployment,
                'for n in range(3):\n    realtime.notify("alert.created", ["alerts"], rooms=["everyone"])\n'
                "db.session.commit()",
            )
            unsent = "SELECT count(*) FROM change_log WHERE emitted_at IS NULL"
            import psycopg

            with psycopg.connect(url) as conn:
                assert conn.execute(unsent).fetchone()[0] >= 3
            start = latest_v(url)
            server = deployment.start_server(**SIGNAL_IDS)

            def all_sent():
                with psycopg.connect(url) as conn:
                    return conn.execute(unsent).fetchone()[0] == 0

            assert wait_until(all_sent, timeout=10), "the server did not send the rows left unsent"
            listener = finance_listener(server, "after restart").connect(start)
            listener.live.append([])  # a fresh page: it catches up with dashboard:sync
            listener.last_v = start
            listener.sync()
            expense(login_session(server, "finance@demo.nogalss.ng"), server, 1)
            assert_every_client_has_every_change(url, [listener])
        finally:
            deployment.stop()


@pytest.fixture
def proxied(tmp_path):
    """One server reaching PostgreSQL through a proxy the test controls, one reaching it directly."""
    require_service("PostgreSQL", _postgres_available)
    proxy = TcpProxy()
    with private_postgres_database() as url:
        deployment = Deployment(tmp_path, database_url=url).prepare()
        try:
            behind = deployment.start_server(
                DATABASE_URL=proxy.url_for(url), DATABASE_STATEMENT_TIMEOUT_MS="3000", **SIGNAL_IDS
            )
            direct = deployment.start_server(**SIGNAL_IDS)
            yield deployment, proxy, behind, direct
        finally:
            deployment.stop()
            proxy.close()


@pytest.mark.parametrize("outage", ["refuse", "silent"])
def test_a_database_outage_answers_503_fast_and_recovers_without_restart(proxied, outage):
    deployment, proxy, behind, direct = proxied
    url = deployment.env["DATABASE_URL"]
    start = latest_v(url)
    session = login_session(behind, "finance@demo.nogalss.ng")
    listener = Listener(behind, session, FINANCE_ROOMS, name="behind the proxy").connect(start)
    getattr(proxy, outage)()
    api, seconds = timed(lambda: session.get(f"{behind.url}/api/finance/expenses", timeout=30))
    assert api.status_code == 503 and seconds < 8, (api.status_code, seconds)
    assert api.json()["error"]["code"] == "service_unavailable" and set(api.json()["error"]) == {
        "code",
        "message",
        "fields",
    }
    page, seconds = timed(lambda: session.get(f"{behind.url}/dashboard/finance", timeout=30))
    assert page.status_code == 503 and seconds < 8 and "briefly unavailable" in page.text
    assert "Traceback" not in page.text and "SELECT" not in page.text
    health, seconds = timed(lambda: requests.get(f"{behind.url}/healthz", timeout=30))
    assert health.status_code == 503 and seconds < 5 and health.json()["database"].startswith("failing")
    import socketio

    refused, seconds = timed(lambda: _connect_fails(behind, session))
    assert refused and seconds < 10
    # Changes keep happening through the other process; the sockets behind the proxy stay open.
    writer = login_session(direct, "finance@demo.nogalss.ng")
    for n in range(3):
        expense(writer, direct, n)
    proxy.forward()
    assert wait_until(lambda: requests.get(f"{behind.url}/healthz", timeout=10).status_code == 200, timeout=20)
    assert session.get(f"{behind.url}/api/finance/expenses", timeout=10).status_code == 200
    again = Listener(behind, session, FINANCE_ROOMS, name="connected after recovery").connect(latest_v(url))
    expense(writer, direct, 9)
    assert isinstance(again.client, socketio.Client)
    assert_every_client_has_every_change(url, [listener, again])


def _connect_fails(server, session) -> bool:
    """Return True when a socket connect is refused (and does not hang)."""
    import socketio

    try:
        Listener(server, session, FINANCE_ROOMS).connect()
    except socketio.exceptions.ConnectionError:
        return True
    return False


@pytest.fixture
def single(tmp_path):
    """PostgreSQL and one server whose per-socket queue bound and flush window are small (for a quick test)."""
    require_service("PostgreSQL", _postgres_available)
    with private_postgres_database() as url:
        deployment = Deployment(tmp_path, database_url=url).prepare()
        try:
            deployment.start_server(
                REALTIME_CLIENT_QUEUE_MAX="8",
                REALTIME_WINDOW_MS="20",
                REALTIME_MAX_WAIT_MS="50",
                REALTIME_POLL_MS="50",
                **SIGNAL_IDS,
            )
            yield deployment
        finally:
            deployment.stop()


def raw_socket(server, session, receive_buffer: int | None = None):
    """Open a bare Engine.IO/Socket.IO WebSocket (no client library): the test decides when to read."""
    import socket

    import websocket

    options = ((socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer),) if receive_buffer else ()
    ws = websocket.create_connection(
        f"ws://127.0.0.1:{server.port}/api/socket/?EIO=4&transport=websocket",
        header=[
            "Cookie: " + "; ".join(f"{c.name}={c.value}" for c in session.cookies),
            f"User-Agent: {session.headers['User-Agent']}",
        ],
        origin=server.url,
        sockopt=options,
        timeout=10,
    )
    assert ws.recv().startswith("0")  # Engine.IO open
    ws.send("40")  # Socket.IO connect to "/"
    assert ws.recv().startswith("40")
    return ws


def metric(server, name: str) -> float:
    """Read one counter from the server's /metrics."""
    for line in requests.get(f"{server.url}/metrics", timeout=10).text.splitlines():
        if line.startswith(name + " "):
            return float(line.split()[1])
    return 0.0


def test_a_client_that_stops_reading_is_dropped_and_catches_up_with_sync(single):
    server = single.servers[0]
    url = single.env["DATABASE_URL"]
    start = latest_v(url)
    reader = finance_listener(server, "reading").connect(start)
    stalled_session = login_session(server, "finance@demo.nogalss.ng")
    stalled = raw_socket(server, stalled_session, receive_buffer=4096)  # ... and never reads again
    # Fat signals (many topics each) fill the stalled client's TCP buffers, then its send queue.
    run_job(
        single,
        """
import time
from nogalss_app.services import realtime
for n in range(700):
    topics = [f"soak-topic-{n}-{k}-" + "x" * 40 for k in range(60)]
    realtime.notify("stall.test", topics, rooms=["role:FINANCE"], activity=False)
    realtime.commit()
    time.sleep(0.02)
""",
    )
    assert wait_until(lambda: metric(server, "nogalss_slow_sockets_dropped_total") >= 1, timeout=30)
    stalled.close()
    # It comes back (a new page or a reconnect) and asks what it missed.
    back = Listener(server, stalled_session, FINANCE_ROOMS, name="came back")
    back.start_v, back.last_v, back.live = start, start, [[]]
    back.connect()
    assert reader.connected
    assert_every_client_has_every_change(url, [reader, back], timeout=30)


def test_a_socket_flooding_sync_is_dropped_without_delaying_others(single):
    """2,000 dashboard:sync frames in a burst from one socket: dropped; others and /healthz are not delayed."""
    import threading

    server = single.servers[0]
    url = single.env["DATABASE_URL"]
    start = latest_v(url)
    other = finance_listener(server, "bystander").connect(start)
    flooder = raw_socket(server, login_session(server, "apex@demo.nogalss.ng"))
    closed = threading.Event()

    def drain_flooder():
        try:
            while flooder.recv():
                pass
        except Exception:
            pass
        closed.set()

    threading.Thread(target=drain_flooder, daemon=True).start()

    def flood():
        try:
            for _ in range(2000):
                flooder.send('42["dashboard:sync",{"v":0}]')
        except Exception:
            pass  # the server closed the connection mid-burst

    burst = threading.Thread(target=flood, daemon=True)
    burst.start()
    writer = login_session(server, "finance@demo.nogalss.ng")
    before = len(other.received_ids())
    _, took = timed(lambda: expense(writer, server, 1))
    assert took < 5, took
    assert wait_until(lambda: len(other.received_ids()) > before, timeout=2), "the bystander's signal was delayed"
    health, took = timed(lambda: requests.get(f"{server.url}/healthz", timeout=10))
    assert health.status_code == 200 and took < 2, took
    burst.join(timeout=30)
    assert closed.wait(timeout=15), "the flooding socket was not disconnected"
    assert metric(server, "nogalss_flooding_sockets_dropped_total") >= 1
    assert other.connected
    assert_every_client_has_every_change(url, [other])


def test_gunicorn_per_the_procfile_delivers_across_processes_and_from_the_start(tmp_path):
    """Two gunicorn gevent-websocket workers: rows left unsent go out at worker start; changes cross processes."""
    import psycopg

    from tests.support.live import GUNICORN

    require_service("PostgreSQL", _postgres_available)
    redis = RedisServer(tmp_path).start()
    with private_postgres_database() as url:
        deployment = Deployment(tmp_path, database_url=url, redis_url=redis.url).prepare()
        try:
            run_job(deployment, 'realtime.notify("alert.created", ["alerts"], rooms=["everyone"]); db.session.commit()')
            one = deployment.start_server(GUNICORN, **SIGNAL_IDS)
            unsent = "SELECT count(*) FROM change_log WHERE emitted_at IS NULL"

            def all_sent():
                with psycopg.connect(url) as conn:
                    return conn.execute(unsent).fetchone()[0] == 0

            assert wait_until(all_sent, timeout=15), "the gunicorn worker did not start its delivery at start-up"
            two = deployment.start_server(GUNICORN, **SIGNAL_IDS)
            start = latest_v(url)
            listeners = [finance_listener(one, "on one").connect(start), finance_listener(two, "on two").connect(start)]
            writer = login_session(one, "finance@demo.nogalss.ng")
            for n in range(3):
                expense(writer, one if n % 2 else two, n)
            health = requests.get(f"{two.url}/healthz", timeout=10).json()
            assert health == {"status": "ok", "database": "ok", "queue": "ok"}
            assert_every_client_has_every_change(url, listeners)
        finally:
            deployment.stop()
            redis.stop()
