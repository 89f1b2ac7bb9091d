"""The only code that records changes and emits `dashboard:update` (SPEC §6).

`notify()` adds a ChangeLog row to the caller's transaction, so a rolled-back change is never sent. `commit()`
commits, then tells the delivery of this process and, through the message queue, of every other process that the
ChangeLog grew. Each server process reads the ChangeLog with its own cursor and signals its own sockets
(`delivery.py`): the ChangeLog is the truth, the queue only carries the news, so neither a queue outage nor a crash
between commit and emit loses a change, and no change is signalled twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from .. import metrics
from ..extensions import db, socketio
from ..models import ChangeLog
from ..models.types import utcnow
from . import rooms as room_names
from .delivery import EVENT_NAME, Item, dispatcher
from .local_sockets import kick_local
from .queue_link import QueueUnavailable, link

log = logging.getLogger(__name__)

__all__ = ["EVENT_NAME", "dispatcher", "notify", "commit", "rooms_for", "changes_since"]

EVERYONE_ROOM = room_names.EVERYONE
SUPER_ADMIN_ROOM = room_names.SUPER_ADMIN
MAX_SYNC_ROWS = 500
rooms_for = room_names.rooms_for


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
    """Commit the current transaction, then announce the change signals it recorded."""
    had_changes = db.session.info.pop("has_changes", False)
    db.session.commit()
    if had_changes:
        metrics.CHANGES.inc()
        announce()


def announce() -> bool:
    """Tell this process's delivery and the other processes that the ChangeLog grew; False if the queue refused."""
    dispatcher.wake()
    if not link.configured:
        return True
    try:
        link.publish("changelog")
    except QueueUnavailable as exc:
        # Nothing is lost: every server process also reads the ChangeLog every REALTIME_POLL_MS.
        log.warning("%s; other processes will read the change on their next poll", exc)
        return False
    return True


def publish_kick(user_id: int) -> bool:
    """Ask the other processes, through the queue, to disconnect a user's sockets now (they also notice alone)."""
    if not link.configured:
        return False
    try:
        link.publish("kick", room=room_names.user_room(user_id))
    except QueueUnavailable:
        return False
    return True


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    """Forget signals of a rolled-back transaction: nothing is emitted."""
    session.info.pop("has_changes", None)


def flush_pending() -> int:
    """Read the ChangeLog now and send what this process has not sent yet; return how many rows were taken."""
    taken = dispatcher.read()
    dispatcher.drain(force=dispatcher.mode != "loop")
    return taken


def latest_v() -> int:
    """Return the newest ChangeLog sequence number (0 when there is none)."""
    return db.session.scalar(sa.select(sa.func.max(ChangeLog.id))) or 0


def changes_since(since: int, rooms: list[str]) -> dict:
    """Return the topics changed after `since` for these rooms, or ask for a full refresh when the gap is too old.

    Too old means: the client's `v` is newer than the server's history (a new database), more than MAX_SYNC_ROWS
    changes behind, or older than the oldest row kept by the ChangeLog retention.
    """
    latest, oldest = db.session.execute(sa.select(sa.func.max(ChangeLog.id), sa.func.min(ChangeLog.id))).one()
    latest, oldest = latest or 0, oldest or 0
    if since > latest or (since < oldest - 1):
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


def signal_local(room: str, event_name: str, topics: Iterable[str]) -> None:
    """Send this process's sockets in a room a signal that is not a ChangeLog change (e.g. connection counts)."""
    dispatcher.signal(Item(None, event_name, tuple(topics), (room,)))


def prune(retention_days: float, now: datetime | None = None) -> int:
    """Delete emitted rows older than the retention (always keeping the newest row, so `v` never restarts)."""
    cutoff = (now or utcnow()) - timedelta(days=retention_days)
    newest = sa.select(sa.func.max(ChangeLog.id)).scalar_subquery()
    with db.engine.begin() as conn:
        deleted = conn.execute(
            sa.delete(ChangeLog).where(
                ChangeLog.emitted_at.is_not(None), ChangeLog.created_at < cutoff, ChangeLog.id < newest
            )
        ).rowcount
    metrics.CHANGELOG_PRUNED.inc(deleted or 0)
    return deleted or 0


# Process roles ------------------------------------------------------------------------------------------------

_start_lock = threading.Lock()


def init_app(app) -> None:
    """Read the delivery settings and the queue of this app.

    Only a server process delivers (`start_server_work` switches to the loop): a CLI command or job records and
    announces, so it never stamps a row emitted that no socket heard. Tests deliver inline, at each commit.
    """
    dispatcher.reset()
    dispatcher.configure(app.config)
    dispatcher.mode = "inline" if app.config.get("TESTING") else "none"
    link.configure(app.config.get("REDIS_URL"), app.config.get("SOCKETIO_CHANNEL", "nogalss-socketio"))
    link.on_message(_on_queue_message)


def _on_queue_message(message: dict) -> None:
    """Read the ChangeLog when another process announces a change, or after (re)subscribing (a gap to fill)."""
    kind = message.get("kind")
    if kind in ("changelog", "subscribed"):
        dispatcher.wake()
    elif kind == "connections":  # another process's socket counts changed: the super admins' live panels
        signal_local(SUPER_ADMIN_ROOM, "connections.changed", ["connections"])
    elif kind == "kick" and str(message.get("room", "")).startswith("user:"):
        kick_local([message["room"]])


def start_server_work(app) -> bool:
    """Start this server process's delivery loop and queue subscription (once; at process start)."""
    with _start_lock:
        if dispatcher.running or not app.config.get("REALTIME_BACKGROUND", True):
            return False
        dispatcher.running = True
        dispatcher.mode = "loop"
    with app.app_context():
        try:
            dispatcher.read()  # rows never emitted (a crash, a restart with no client) go out now
        except Exception as exc:
            log.warning("could not read the ChangeLog at start (%s); the loop retries", type(exc).__name__)
    socketio.start_background_task(dispatcher.loop, app)
    if link.configured:
        socketio.start_background_task(link.listen, socketio.sleep)
    return True


def outside_server(app) -> None:
    """Declare this process a CLI command or job: it records and announces changes, the servers deliver them."""
    dispatcher.mode = "none"


def stop_server_work(app) -> None:
    """Stop the loop after sending what is pending (tests, shutdown)."""
    dispatcher.running = False
    link.stop()
    with app.app_context():
        dispatcher.drain(force=True)
