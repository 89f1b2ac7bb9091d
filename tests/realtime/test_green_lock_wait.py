"""A request waiting on a PostgreSQL row lock never freezes the process, under gevent (psycopg 3) and eventlet
(psycopg2 with the green wait callback, chosen by SOCKETIO_ASYNC_MODE): static files, /healthz and signals flow."""

from __future__ import annotations

import threading
import time

import psycopg
import pytest
import requests

from tests.support.faults import SIGNAL_IDS, Listener, latest_v, timed
from tests.support.live import (
    Deployment,
    login_session,
    private_postgres_database,
    require_service,
    run_job,
    wait_until,
)

LOCK_SECONDS = 12


def _postgres_available() -> None:
    with private_postgres_database():
        pass


@pytest.mark.slow
@pytest.mark.timeout(240)
@pytest.mark.parametrize("async_mode", ["gevent", "eventlet"])
def test_a_12_second_row_lock_wait_does_not_freeze_the_server(tmp_path, async_mode):
    require_service("PostgreSQL", _postgres_available)
    with private_postgres_database() as url:
        deployment = Deployment(tmp_path, database_url=url, async_mode=async_mode).prepare()
        try:
            server = deployment.start_server(DATABASE_STATEMENT_TIMEOUT_MS="30000", **SIGNAL_IDS)
            _hold_a_lock_while_the_server_works(deployment, server, url)
        finally:
            deployment.stop()


def _hold_a_lock_while_the_server_works(deployment, server, url) -> None:
    member = login_session(server, "member1@demo.nogalss.ng")
    finance = login_session(server, "finance@demo.nogalss.ng")
    listener = Listener(server, finance, ["role:FINANCE", "everyone"], name="finance").connect(latest_v(url))
    answer: dict = {}
    with psycopg.connect(url) as holder:
        holder.execute("SELECT id FROM users WHERE email = 'member1@demo.nogalss.ng' FOR UPDATE")

        def request_withdrawal():
            answer["response"] = member.post(
                f"{server.url}/api/member/withdrawals",
                json={"amount_kobo": 1_000_00, "reason": "Lock test"},
                timeout=60,
            )

        waiting = threading.Thread(target=request_withdrawal)
        waiting.start()
        started = time.monotonic()
        time.sleep(1.0)  # the withdrawal now waits for the row lock inside PostgreSQL
        static, took = timed(lambda: requests.get(f"{server.url}/static/css/app.css", timeout=10))
        assert static.status_code == 200 and took < 1.0, took
        health, took = timed(lambda: requests.get(f"{server.url}/healthz", timeout=10))
        assert health.status_code == 200 and took < 2.0, took
        before = len(listener.received_ids())
        run_job(deployment, 'realtime.notify("alert.created", ["alerts"], rooms=["everyone"]); realtime.commit()')
        assert wait_until(lambda: len(listener.received_ids()) > before, timeout=3), "signals froze during the wait"
        assert "response" not in answer  # still waiting: the lock is held
        time.sleep(max(0.0, LOCK_SECONDS - (time.monotonic() - started)))
        assert "response" not in answer
        holder.rollback()  # release the lock
    waiting.join(timeout=30)
    assert answer["response"].status_code == 201, answer["response"].text
    assert listener.connected
