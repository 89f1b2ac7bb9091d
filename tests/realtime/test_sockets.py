"""Socket.IO: server-assigned rooms, refused connections, targeted after-commit signals, sync, kicks."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from nogalss_app.extensions import db, socketio
from nogalss_app.models import ChangeLog, Role, User
from nogalss_app.services import realtime
from tests import factories

ORIGIN = {"Origin": "http://localhost"}


class FreshContextSocket:
    """A Socket.IO test client whose connect and events run in a fresh app context (own `g`), as in a server."""

    def __init__(self, app, http, headers):
        self.app = app
        with app.app_context():
            self.client = socketio.test_client(app, flask_test_client=http, headers=headers)

    def emit(self, *args, **kwargs):
        """Emit from the client, handled in a fresh app context."""
        with self.app.app_context():
            return self.client.emit(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self.client, name)


def signed_in_socket(app, user, headers=ORIGIN):
    """Sign a user in over HTTP and open a Socket.IO connection with that session cookie."""
    http = app.test_client()
    response = http.post("/api/auth/login", json={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 200
    return FreshContextSocket(app, http, headers), http


def updates(sock) -> list[dict]:
    """Return the dashboard:update payloads received so far."""
    return [msg["args"][0] for msg in sock.get_received() if msg["name"] == "dashboard:update"]


def send_change(event_name, topics, **audience) -> int:
    """Record and commit a change the way services do; return its v."""
    row = realtime.notify(event_name, topics, rooms=realtime.rooms_for(**audience))
    realtime.commit()
    return row.id


def test_a_signed_out_connection_is_refused(app):
    sock = FreshContextSocket(app, app.test_client(), ORIGIN)
    assert not sock.is_connected()


def test_a_deactivated_users_session_cannot_connect(app):
    user = factories.user(role=Role.FINANCE)
    http = app.test_client()
    http.post("/api/auth/login", json={"email": user.email, "password": factories.PASSWORD})
    user.is_active = False
    db.session.commit()
    assert not FreshContextSocket(app, http, ORIGIN).is_connected()


def test_signals_reach_exactly_the_rooms_allowed_to_see_them(app):
    leader_a = factories.user(role=Role.LEADER)
    leader_b = factories.user(role=Role.LEADER)
    member_a = factories.user(role=Role.MEMBER, cooperative_id=leader_a.cooperative_id)
    finance = factories.user(role=Role.FINANCE)
    admin = factories.user(role=Role.SUPER_ADMIN)
    socks = {
        name: signed_in_socket(app, u)[0]
        for name, u in {
            "leader_a": leader_a,
            "leader_b": leader_b,
            "member_a": member_a,
            "finance": finance,
            "admin": admin,
        }.items()
    }
    for sock in socks.values():
        sock.get_received()
    v = send_change(
        "loan.applied", ["loans"], coop_ids=[leader_a.cooperative_id], user_ids=[member_a.id], roles=[Role.APEX]
    )
    got = {name: updates(sock) for name, sock in socks.items()}
    assert got["leader_a"] == [{"v": v, "event": "loan.applied", "topics": ["activity", "loans"]}]
    assert got["member_a"] == got["leader_a"]
    assert got["admin"] == got["leader_a"]  # super admins hear of everything
    assert got["leader_b"] == [] and got["finance"] == []


def test_a_rolled_back_change_emits_nothing_and_leaves_no_row(app):
    admin = factories.user(role=Role.SUPER_ADMIN)
    sock, _ = signed_in_socket(app, admin)
    sock.get_received()
    realtime.notify("loan.applied", ["loans"], rooms=realtime.rooms_for(roles=[Role.APEX]))
    db.session.rollback()
    realtime.flush_pending()
    assert updates(sock) == []
    assert db.session.query(ChangeLog).count() == 0


def test_clients_cannot_join_rooms(app):
    leader_a = factories.user(role=Role.LEADER)
    leader_b = factories.user(role=Role.LEADER)
    sock, _ = signed_in_socket(app, leader_a)
    for event_name in ("join", "enter_room", "join_room"):
        sock.emit(event_name, {"room": f"coop:{leader_b.cooperative_id}"})
    sock.get_received()
    send_change("loan.applied", ["loans"], coop_ids=[leader_b.cooperative_id])
    assert updates(sock) == []
    assert sock.is_connected()


def test_sync_answers_the_topics_changed_for_this_clients_rooms_only(app):
    leader_a = factories.user(role=Role.LEADER)
    other_coop = factories.cooperative()
    sock, _ = signed_in_socket(app, leader_a)
    seen = send_change("alert.created", ["alerts"], everyone=True)
    send_change("loan.applied", ["loans"], coop_ids=[leader_a.cooperative_id])
    send_change("withdrawal.requested", ["withdrawals"], coop_ids=[other_coop.id])
    latest = send_change("expense.created", ["expenses"], roles=[Role.FINANCE])
    answer = sock.emit("dashboard:sync", {"v": seen}, callback=True)
    assert answer == {"topics": ["activity", "loans"], "v": latest}


@pytest.mark.parametrize("bad", [None, {}, {"v": "12"}, {"v": -1}, {"v": True}, {"v": 10**9}])
def test_sync_with_an_unusable_v_asks_for_a_full_refresh(app, bad):
    user = factories.user(role=Role.FINANCE)
    sock, _ = signed_in_socket(app, user)
    send_change("expense.created", ["expenses"], roles=[Role.FINANCE])
    assert sock.emit("dashboard:sync", bad, callback=True)["refresh"] == "all"


def test_sync_after_a_long_gap_asks_for_a_full_refresh(app):
    user = factories.user(role=Role.FINANCE)
    sock, _ = signed_in_socket(app, user)
    for _ in range(realtime.MAX_SYNC_ROWS + 1):
        realtime.notify("expense.created", ["expenses"], rooms=realtime.rooms_for(roles=[Role.FINANCE]))
    realtime.commit()
    assert sock.emit("dashboard:sync", {"v": 0}, callback=True)["refresh"] == "all"


def test_logout_disconnects_the_users_sockets(app):
    user = factories.user(role=Role.FINANCE)
    other = factories.user(role=Role.FINANCE)
    sock, http = signed_in_socket(app, user)
    bystander, _ = signed_in_socket(app, other)
    token = http.post("/api/auth/login", json={"email": user.email, "password": factories.PASSWORD}).get_json()
    assert http.post("/api/auth/logout", headers={"X-CSRFToken": token["csrf_token"]}).status_code == 200
    assert not sock.is_connected()
    assert bystander.is_connected()


def test_a_committed_row_that_was_not_emitted_goes_out_on_the_next_flush(app):
    admin = factories.user(role=Role.SUPER_ADMIN)
    sock, _ = signed_in_socket(app, admin)
    sock.get_received()
    # Commit without the after-commit flush, as if the process died right after the commit.
    row = realtime.notify("alert.created", ["alerts"], rooms=realtime.rooms_for(everyone=True))
    db.session.commit()
    assert updates(sock) == []
    assert realtime.flush_pending() == 1
    assert [u["v"] for u in updates(sock)] == [row.id]
    assert db.session.get(ChangeLog, row.id).emitted_at is not None
    assert realtime.flush_pending() == 0


def test_a_burst_of_100_changes_is_coalesced_into_a_few_signals(app):
    finance = factories.user(role=Role.FINANCE)
    sock, _ = signed_in_socket(app, finance)
    sock.get_received()
    dispatcher = realtime.dispatcher
    dispatcher.mode = "loop"  # coalesce as a server process does, reading and draining by hand instead of the loop
    try:
        last = 0
        for n in range(100):
            last = send_change("expense.created", ["expenses"] if n % 2 else ["transactions"], roles=["FINANCE"])
            if n % 40 == 39:
                dispatcher.read()
                dispatcher.drain(force=True)  # the maximum wait elapsed mid-burst
        dispatcher.read()
        dispatcher.drain(force=True)
    finally:
        dispatcher.mode = "inline"
    got = updates(sock)
    assert 1 <= len(got) <= 4
    assert got[-1]["v"] == last and set(got[-1]["topics"]) >= {"expenses", "transactions"}
    assert db.session.query(ChangeLog).filter(ChangeLog.emitted_at.is_(None)).count() == 0


def test_a_lone_change_goes_out_at_once_and_the_changes_right_after_it_wait_for_the_window(app):
    """Leading edge: a change after a quiet window is sent on the first drain; followers are coalesced."""
    finance = factories.user(role=Role.FINANCE)
    sock, _ = signed_in_socket(app, finance)
    sock.get_received()
    dispatcher = realtime.dispatcher
    dispatcher.mode = "loop"
    window = dispatcher.window
    dispatcher.window = 30.0  # no window can pass by itself during the test
    try:
        dispatcher._sent_at = -1e9  # quiet for longer than any window
        first = send_change("expense.created", ["expenses"], roles=["FINANCE"])
        dispatcher.read()
        dispatcher.drain()
        assert [u["v"] for u in updates(sock)] == [first]  # no waiting for the window
        second = send_change("expense.created", ["expenses"], roles=["FINANCE"])
        third = send_change("expense.created", ["transactions"], roles=["FINANCE"])
        dispatcher.read()
        dispatcher.drain()
        assert updates(sock) == []  # within the window of the first flush: held to be coalesced
        dispatcher.window = 0.0  # the window has passed
        dispatcher.drain()
        got = updates(sock)
        assert [u["v"] for u in got] == [third] and set(got[0]["topics"]) >= {"expenses", "transactions"}
        assert second < third
    finally:
        dispatcher.mode, dispatcher.window = "inline", window


def test_a_client_in_several_of_a_changes_rooms_hears_it_once(app):
    leader = factories.user(role=Role.LEADER)
    sock, _ = signed_in_socket(app, leader)
    sock.get_received()
    send_change("loan.applied", ["loans"], coop_ids=[leader.cooperative_id], user_ids=[leader.id], roles=["LEADER"])
    assert len(updates(sock)) == 1


def test_one_flush_sends_each_socket_one_signal_covering_all_its_rooms(app):
    """Rows pending for different rooms of one socket reach it in a single signal, never one per room."""
    leader = factories.user(role=Role.LEADER)
    sock, _ = signed_in_socket(app, leader)
    sock.get_received()
    dispatcher = realtime.dispatcher
    dispatcher.mode = "loop"
    try:
        first = send_change("loan.applied", ["loans"], coop_ids=[leader.cooperative_id])
        second = send_change("notification.created", ["notifications"], user_ids=[leader.id])
        dispatcher.read()
        dispatcher.drain(force=True)
    finally:
        dispatcher.mode = "inline"
    got = updates(sock)
    assert len(got) == 1 and got[0]["v"] == second > first
    assert {"loans", "notifications"} <= set(got[0]["topics"])


@pytest.mark.parametrize("change", ["session_version", "is_active", "role"])
def test_a_session_ended_by_another_process_disconnects_the_socket_at_the_next_check(app, change):
    """No message needed: each process compares its sockets with the users table every few seconds."""
    from nogalss_app.services.connections import disconnect_revoked

    user = factories.user(role=Role.FINANCE)
    other = factories.user(role=Role.FINANCE)
    sock, _ = signed_in_socket(app, user)
    bystander, _ = signed_in_socket(app, other)
    assert disconnect_revoked() == 0
    values = {"session_version": user.session_version + 1, "is_active": False, "role": Role.APEX}
    db.session.execute(sa.update(User).where(User.id == user.id).values({change: values[change]}))
    db.session.commit()  # as the other process's logout, deactivation or role change does
    assert sock.is_connected()
    assert disconnect_revoked() == 1
    assert not sock.is_connected() and bystander.is_connected()


def test_sync_older_than_the_oldest_kept_row_asks_for_a_full_refresh(app):
    user = factories.user(role=Role.FINANCE)
    sock, _ = signed_in_socket(app, user)
    vs = [send_change("expense.created", ["expenses"], roles=[Role.FINANCE]) for _ in range(4)]
    db.session.query(ChangeLog).filter(ChangeLog.id <= vs[1]).delete()
    db.session.commit()
    assert sock.emit("dashboard:sync", {"v": vs[0] - 1}, callback=True)["refresh"] == "all"
    assert sock.emit("dashboard:sync", {"v": vs[1]}, callback=True) == {
        "topics": ["activity", "expenses"],
        "v": vs[3],
    }


def test_pruning_deletes_emitted_rows_past_the_retention_and_keeps_the_newest(app):
    from datetime import timedelta

    from nogalss_app.models.types import utcnow

    realtime.dispatcher.mode = "none"  # no server here: rows stay unsent unless stamped below
    old = utcnow() - timedelta(days=8)
    rows = [realtime.notify("expense.created", ["expenses"], rooms=["role:FINANCE"], now=old) for _ in range(3)]
    unsent_old = realtime.notify("expense.created", ["expenses"], rooms=["role:FINANCE"], now=old)
    db.session.commit()
    ids = [r.id for r in rows]
    db.session.query(ChangeLog).filter(ChangeLog.id.in_(ids)).update({"emitted_at": old}, synchronize_session=False)
    db.session.commit()
    fresh = send_change("expense.created", ["expenses"], roles=[Role.FINANCE])
    realtime.dispatcher.mode = "inline"
    assert realtime.prune(7) == 3
    db.session.expire_all()
    kept = {row.id for row in db.session.query(ChangeLog)}
    assert kept == {unsent_old.id, fresh}


def test_pruning_never_deletes_the_newest_row(app):
    from datetime import timedelta

    from nogalss_app.models.types import utcnow

    old = utcnow() - timedelta(days=30)
    row = realtime.notify("expense.created", ["expenses"], rooms=["role:FINANCE"], now=old)
    realtime.commit()
    assert db.session.get(ChangeLog, row.id).emitted_at is not None
    assert realtime.prune(7) == 0


def test_a_socket_that_floods_events_is_throttled_then_disconnected(app):
    user = factories.user(role=Role.FINANCE)
    flooder, _ = signed_in_socket(app, user)
    answers = [flooder.emit("dashboard:sync", {"v": 0}, callback=True) for _ in range(25)]
    assert "error" not in answers[0] and answers[0]["v"] == 0
    assert {"error": "throttled"} in answers
    for _ in range(60):
        if not flooder.is_connected():
            break
        flooder.emit("anything", {"x": 1})
    assert not flooder.is_connected()


def test_jobs_run_once_prunes_the_changelog(app):
    from nogalss_app.services import jobs

    send_change("expense.created", ["expenses"], roles=[Role.FINANCE])
    assert jobs.run_once(app, ["prune-changelog"]) == {"prune-changelog": "0 ChangeLog rows deleted"}


@pytest.mark.postgres  # the loop runs in its own thread: SQLite's in-memory test database has one connection
def test_the_dispatcher_loop_sends_each_change_once_and_marks_it_sent(app):
    """The server's background loop (its own thread) reads, coalesces, emits once, and never re-sends."""
    import threading
    import time

    finance = factories.user(role=Role.FINANCE)
    sock, _ = signed_in_socket(app, finance)
    sock.get_received()
    dispatcher = realtime.dispatcher
    dispatcher.running, dispatcher.mode = True, "loop"
    loop = threading.Thread(target=dispatcher.loop, args=(app,), daemon=True)
    loop.start()
    try:
        vs = [send_change("expense.created", ["expenses"], roles=["FINANCE"]) for _ in range(3)]
        deadline = time.monotonic() + 5
        while (
            time.monotonic() < deadline and db.session.query(ChangeLog).filter(ChangeLog.emitted_at.is_(None)).count()
        ):
            db.session.rollback()
            time.sleep(0.05)
        time.sleep(1.5)  # three poll intervals: nothing may be sent again
    finally:
        dispatcher.running, dispatcher.mode = False, "inline"
        loop.join(timeout=5)
    db.session.rollback()
    assert db.session.query(ChangeLog).filter(ChangeLog.emitted_at.is_(None)).count() == 0
    got = updates(sock)
    assert 1 <= len(got) <= 2 and got[-1]["v"] == vs[-1]  # coalesced, and no repeats afterwards
