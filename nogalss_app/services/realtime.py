"""The only code that records changes and emits `dashboard:update` (SPEC §6).

`notify()` adds a ChangeLog row to the caller's transaction, so a rolled-back change is never sent. After the
commit, `commit()` hands committed, unemitted rows to the dispatcher, which merges signals per room for a short
window (bounded by a maximum wait) and then emits one `{v, event, topics}` per room and marks the rows emitted.
A row whose emit never happened (crash, queue down) is picked up by the sweeper of any server process, or by the
next flush: nothing is lost, at worst a signal arrives twice (refetching is idempotent).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import Flask
from sqlalchemy import event
from sqlalchemy.orm import Session

from .. import metrics
from ..extensions import db, socketio
from ..models import ChangeLog
from ..models.types import utcnow

log = logging.getLogger(__name__)

EVENT_NAME = "dashboard:update"
EVERYONE_ROOM = "everyone"
SUPER_ADMIN_ROOM = "role:SUPER_ADMIN"  # the super admin sees everything, including the activity feed
MAX_SYNC_ROWS = 500


def rooms_for(
    *,
    roles: Iterable[object] = (),
    coop_ids: Iterable[int | None] = (),
    user_ids: Iterable[int | None] = (),
    everyone: bool = False,
) -> list[str]:
    """Return the sorted room names for a change's audience."""
    if everyone:
        return [EVERYONE_ROOM]
    rooms: set[str] = set()
    rooms |= {f"role:{getattr(role, 'value', role)}" for role in roles}
    rooms |= {f"coop:{cid}" for cid in coop_ids if cid is not None}
    rooms |= {f"user:{uid}" for uid in user_ids if uid is not None}
    return sorted(rooms)


def notify(
    event_name: str,
    topics: Iterable[str],
    *,
    rooms: Iterable[str],
    actor_id: int | None = None,
    summary: str = "",
    activity: bool = True,
    now: datetime | None = None,
) -> ChangeLog:
    """Record a change in the current transaction; it is emitted after commit.

    An activity change also reaches the super admins (who see everything) with the `activity` topic;
    housekeeping (activity=False, e.g. a notification marked read) reaches only the rooms given.
    """
    topics, rooms = set(topics), set(rooms)
    if activity:
        topics.add("activity")
        if EVERYONE_ROOM not in rooms:
            rooms.add(SUPER_ADMIN_ROOM)
    row = ChangeLog(
        event=event_name,
        topics=sorted(topics),
        rooms=sorted(rooms),
        actor_id=actor_id,
        summary=summary[:300],
        is_activity=activity,
        created_at=now or utcnow(),
    )
    db.session.add(row)
    db.session.info["has_changes"] = True
    return row


def commit() -> None:
    """Commit the current transaction, then send the change signals it recorded."""
    had_changes = db.session.info.pop("has_changes", False)
    db.session.commit()
    if had_changes:
        metrics.CHANGES.inc()
        if dispatcher.delivers:
            flush_pending()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    """Forget signals of a rolled-back transaction: nothing is emitted."""
    session.info.pop("has_changes", None)


def flush_pending(older_than: float = 0.0) -> int:
    """Hand committed, unemitted rows to the dispatcher; return how many were taken."""
    query = (
        sa.select(ChangeLog.id, ChangeLog.event, ChangeLog.topics, ChangeLog.rooms, ChangeLog.created_at)
        .where(ChangeLog.emitted_at.is_(None))
        .order_by(ChangeLog.id)
        .limit(MAX_SYNC_ROWS)
    )
    if older_than:
        query = query.where(ChangeLog.created_at <= utcnow() - timedelta(seconds=older_than))
    with db.engine.connect() as conn:
        rows = conn.execute(query).all()
    return dispatcher.take(rows)


def latest_v() -> int:
    """Return the newest ChangeLog sequence number (0 when there is none)."""
    return db.session.scalar(sa.select(sa.func.max(ChangeLog.id))) or 0


def changes_since(since: int, rooms: list[str]) -> dict:
    """Return the topics changed after `since` for these rooms, or ask for a full refresh when the gap is too old."""
    latest = latest_v()
    if since > latest:  # the server's history is younger than the client's: start over
        return {"refresh": "all", "v": latest}
    rows = db.session.execute(
        sa.select(ChangeLog.topics, ChangeLog.rooms)
        .where(ChangeLog.id > since, ChangeLog.id <= latest)
        .order_by(ChangeLog.id)
        .limit(MAX_SYNC_ROWS + 1)
    ).all()
    if len(rows) > MAX_SYNC_ROWS:
        return {"refresh": "all", "v": latest}
    mine = set(rooms)
    topics = sorted({t for row in rows if mine & set(row.rooms) for t in row.topics})
    return {"topics": topics, "v": latest}


def connections_changed() -> None:
    """Tell the super admins' `live` panels that the connection counts moved (not a ChangeLog change)."""
    from ..sockets import connections_by_role

    for role, count in connections_by_role().items():
        metrics.SOCKETS.labels(role=role).set(count)
    dispatcher.signal(SUPER_ADMIN_ROOM, "connections.changed", ["connections"], v=None)


@dataclass
class _Pending:
    """Signals waiting to be merged into one emit for a room."""

    topics: set[str] = field(default_factory=set)
    events: list[str] = field(default_factory=list)
    ids: set[int] = field(default_factory=set)
    v: int = 0
    first: float = 0.0
    last: float = 0.0


class Dispatcher:
    """Per-room coalescing of signals with a short window and a maximum wait, emitting from one loop."""

    def __init__(self) -> None:
        self.enabled = True
        # False in a process that can reach no socket (a CLI command or job without a message queue): its rows
        # stay unemitted for the server's sweeper instead of being "sent" to nobody.
        self.delivers = True
        self.window = 0.1
        self.max_wait = 0.5
        self.sweep_every = 1.0
        self.sweep_age = 0.5  # leave the committing process a moment to send its own rows
        self.app: Flask | None = None
        self.running = False
        self.last_v = 0
        self._lock = threading.Lock()
        self._pending: dict[str, _Pending] = {}
        self._queued: set[int] = set()
        self._row_rooms: dict[int, set[str]] = {}
        self._created: dict[int, object] = {}

    def reset(self) -> None:
        """Forget everything pending (a new app, or a test's fresh database)."""
        with self._lock:
            self._pending.clear()
            self._queued.clear()
            self._row_rooms.clear()
            self._created.clear()
        self.last_v = 0

    def take(self, rows) -> int:
        """Queue ChangeLog rows (or emit them at once when no loop runs in this process)."""
        fresh = [row for row in rows if row.id not in self._queued]
        if not self.running:
            for row in fresh:
                self._emit(row.rooms, {"v": row.id, "event": row.event, "topics": list(row.topics)})
                self._mark([row.id], {row.id: row.created_at})
            return len(fresh)
        for row in fresh:
            with self._lock:
                self._queued.add(row.id)
                self._row_rooms[row.id] = set(row.rooms)
                self._created[row.id] = row.created_at
            for room in row.rooms:
                self.signal(room, row.event, row.topics, v=row.id)
        return len(fresh)

    def signal(self, room: str, event_name: str, topics: Iterable[str], *, v: int | None) -> None:
        """Merge a signal into the room's pending emit."""
        now = time.monotonic()
        with self._lock:
            pending = self._pending.get(room)
            if pending is None:
                pending = self._pending[room] = _Pending(first=now)
            else:
                metrics.COALESCED.inc()
            pending.topics.update(topics)
            pending.events.append(event_name)
            pending.last = now
            if v is not None:
                pending.ids.add(v)
                pending.v = max(pending.v, v)
        if not self.running:
            self.drain(force=True)

    def drain(self, force: bool = False) -> None:
        """Emit every room whose window has passed (or waited too long) and mark fully sent rows."""
        now = time.monotonic()
        with self._lock:
            due = {
                room: p
                for room, p in self._pending.items()
                if force or now - p.last >= self.window or now - p.first >= self.max_wait
            }
            for room in due:
                del self._pending[room]
        # Rooms due with the same payload get one emit together: a client in several of them hears it once.
        groups: dict[tuple, list[str]] = {}
        sent_ids: set[int] = set()
        for room, pending in due.items():
            event_name = pending.events[0] if len(set(pending.events)) == 1 else "batch"
            key = (pending.v or self.last_v, event_name, tuple(sorted(pending.topics)))
            groups.setdefault(key, []).append(room)
            sent_ids |= pending.ids
        for (v, event_name, topics), rooms in groups.items():
            self._emit(rooms, {"v": v, "event": event_name, "topics": list(topics)})
        self._complete(sent_ids)

    def _complete(self, sent_ids: set[int]) -> None:
        """Mark rows emitted once none of their rooms is still pending."""
        with self._lock:
            waiting = {i for p in self._pending.values() for i in p.ids}
            done = [i for i in sent_ids if i not in waiting]
            created = {i: self._created.pop(i, None) for i in done}
            for i in done:
                self._queued.discard(i)
                self._row_rooms.pop(i, None)
        if done:
            self._mark(done, created)

    def _emit(self, rooms: Iterable[str], payload: dict) -> None:
        """Send one payload to a set of rooms; Socket.IO delivers it once to a client in several of them."""
        socketio.emit(EVENT_NAME, payload, to=sorted(set(rooms)), namespace="/")
        metrics.EMITS.inc()
        if payload.get("v"):
            self.last_v = max(self.last_v, payload["v"])

    def _mark(self, ids: list[int], created: dict) -> None:
        """Record the emit time of rows; observe their delivery lag."""
        now = utcnow()
        for created_at in created.values():
            if created_at is not None:
                metrics.DELIVERY_LAG.observe(max((now - created_at).total_seconds(), 0.0))
        with db.engine.begin() as conn:
            conn.execute(
                sa.update(ChangeLog).where(ChangeLog.id.in_(ids), ChangeLog.emitted_at.is_(None)).values(emitted_at=now)
            )

    def loop(self) -> None:
        """Drain due rooms every 25 ms; sweep for undelivered rows every second."""
        next_sweep = 0.0
        while self.running:
            try:
                with self.app.app_context():  # marking rows sent and sweeping both use the database
                    self.drain()
                    if time.monotonic() >= next_sweep:
                        next_sweep = time.monotonic() + self.sweep_every
                        flush_pending(older_than=self.sweep_age)
            except Exception:
                log.exception("realtime dispatcher iteration failed; retrying")
            socketio.sleep(0.025)


dispatcher = Dispatcher()
_start_lock = threading.Lock()


def init_app(app: Flask) -> None:
    """Read the coalescing settings."""
    dispatcher.reset()
    dispatcher.delivers = True
    dispatcher.app = app
    dispatcher.enabled = app.config.get("REALTIME_BACKGROUND", True)
    dispatcher.window = app.config.get("REALTIME_WINDOW_MS", 100) / 1000
    dispatcher.max_wait = app.config.get("REALTIME_MAX_WAIT_MS", 500) / 1000


def start_background_work() -> None:
    """Start this server process's dispatcher loop once (on the first socket connect)."""
    with _start_lock:
        if dispatcher.running or dispatcher.app is None or not dispatcher.enabled:
            return
        dispatcher.running = True
    socketio.start_background_task(dispatcher.loop)
    with dispatcher.app.app_context():
        flush_pending()  # rows left unemitted by a previous run go out now


def outside_server(app: Flask) -> None:
    """Declare this process a CLI command or background job: deliver through the queue, or leave it to the server."""
    dispatcher.delivers = bool(app.config.get("REDIS_URL"))


def stop_background_work() -> None:
    """Stop the loop after emitting what is pending (tests, shutdown)."""
    dispatcher.running = False
    with dispatcher.app.app_context():
        dispatcher.drain(force=True)
