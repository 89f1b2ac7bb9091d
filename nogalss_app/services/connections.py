"""The sockets of this process: who is connected (per role), per-socket event throttling, and kicks.

A kick (logout, deactivation, role or cooperative change) disconnects the user's sockets here at once and asks
the other processes through the queue. The queue is only the fast path: every few seconds each server process
compares its sockets with the users table (session version, active flag, role, cooperative) and disconnects those
whose session has ended, so a kick survives a queue outage and reaches every process without any message.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import sqlalchemy as sa

from .. import metrics
from ..extensions import db, socketio
from ..models import User
from . import realtime
from . import rooms as room_names
from .delivery import dispatcher
from .local_sockets import kick_local
from .queue_link import link

log = logging.getLogger(__name__)


@dataclass
class Throttle:
    """A token bucket for one socket's events, and how many it refused."""

    rate: float
    burst: float
    tokens: float = 0.0
    stamp: float = field(default_factory=time.monotonic)
    refused: int = 0

    def __post_init__(self) -> None:
        self.tokens = self.burst

    def allow(self, now: float | None = None) -> bool:
        """Spend a token if there is one."""
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        self.refused += 1
        return False


@dataclass
class Connection:
    """One open dashboard socket of this process."""

    user_id: int
    role: str
    throttle: Throttle
    session_version: int = 0
    cooperative_id: int | None = None


class Registry:
    """The open sockets of this process and their throttles."""

    def __init__(self) -> None:
        self.rate = 5.0
        self.burst = 20.0
        self.max_refused = 50
        self._lock = threading.Lock()
        self._by_sid: dict[str, Connection] = {}

    def configure(self, config) -> None:
        """Read the SOCKET_EVENTS_* settings."""
        self.rate = float(config.get("SOCKET_EVENTS_PER_SECOND", 5))
        self.burst = float(config.get("SOCKET_EVENTS_BURST", 20))
        self.max_refused = int(config.get("SOCKET_EVENTS_REFUSED_BEFORE_DISCONNECT", 50))

    def add(self, sid: str, user: User) -> None:
        """Track a socket that has just connected, with the session state it was accepted with."""
        connection = Connection(
            user.id, user.role.value, Throttle(self.rate, self.burst), user.session_version, user.cooperative_id
        )
        with self._lock:
            self._by_sid[sid] = connection
        connections_changed()

    def remove(self, sid: str) -> None:
        """Forget a socket that disconnected."""
        with self._lock:
            known = self._by_sid.pop(sid, None)
        if known is not None:
            connections_changed()

    def admit(self, sid: str) -> str:
        """Judge one event from a socket: 'ok', 'throttled', or 'disconnect' (it kept flooding)."""
        connection = self._by_sid.get(sid)
        if connection is None:
            return "ok"
        if connection.throttle.allow():
            return "ok"
        metrics.THROTTLED_EVENTS.inc()
        if connection.throttle.refused > self.max_refused:
            metrics.FLOOD_DISCONNECTS.inc()
            return "disconnect"
        return "throttled"

    def revoked(self) -> list[str]:
        """Return the sockets whose user's session ended (or whose role or cooperative changed) since connecting."""
        with self._lock:
            sockets = dict(self._by_sid)
        if not sockets:
            return []
        ids = sorted({c.user_id for c in sockets.values()})
        rows = db.session.execute(
            sa.select(User.id, User.session_version, User.is_active, User.role, User.cooperative_id).where(
                User.id.in_(ids)
            )
        ).all()
        db.session.rollback()
        now = {row.id: (row.session_version, row.is_active, row.role.value, row.cooperative_id) for row in rows}
        return [
            sid
            for sid, c in sockets.items()
            if now.get(c.user_id) != (c.session_version, True, c.role, c.cooperative_id)
        ]

    def by_role(self) -> dict[str, int]:
        """Return how many dashboard sockets are open in this process, per role."""
        with self._lock:
            return dict(Counter(c.role for c in self._by_sid.values()))

    def reset(self) -> None:
        """Forget every tracked socket (a test's fresh world)."""
        with self._lock:
            self._by_sid.clear()


registry = Registry()


def connections_by_role() -> dict[str, int]:
    """Return how many dashboard sockets are open in this process, per role."""
    return registry.by_role()


PROCESS = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
COUNTS_FRESH_FOR = 10.0  # seconds a process's published counts are believed (it republishes every 2 s)
_published: dict = {"counts": None, "at": 0.0}


def connections_in_cluster() -> dict[str, int]:
    """Return the open dashboard sockets per role of every server process (this process's alone without a queue).

    Each process publishes its counts to a Redis hash every few seconds (`share_counts`); counts older than
    COUNTS_FRESH_FOR are of a process that stopped, and are dropped.
    """
    mine = registry.by_role()
    if not link.configured:
        return mine
    try:
        rows = link.client().hgetall(f"{link.channel}:sockets")
    except Exception:
        return mine
    total: Counter = Counter(mine)
    now = time.time()
    for process, raw in rows.items():
        name = process.decode() if isinstance(process, bytes) else process
        if name == PROCESS:
            continue
        try:
            entry = json.loads(raw)
        except (TypeError, ValueError):
            continue
        if now - float(entry.get("at", 0)) <= COUNTS_FRESH_FOR:
            total.update({str(role): int(count) for role, count in entry.get("counts", {}).items()})
    return dict(total)


def share_counts() -> None:
    """Publish this process's counts (every check, so they stay fresh); tell the others when they changed."""
    if not link.configured:
        return
    counts = registry.by_role()
    now = time.time()
    try:
        store = link.client()
        store.hset(f"{link.channel}:sockets", PROCESS, json.dumps({"at": now, "counts": counts}))
        store.expire(f"{link.channel}:sockets", int(COUNTS_FRESH_FOR * 6))
        if counts != _published["counts"]:
            link.publish("connections")
    except Exception as exc:
        log.info("socket counts not shared (%s); the live panel shows this process's", type(exc).__name__)
        return
    _published.update(counts=counts, at=now)


def connections_changed() -> None:
    """Tell the super admins' `live` panels that the connection counts moved (not a ChangeLog change)."""
    counts = registry.by_role()
    for role in set(counts) | _seen_roles:
        metrics.SOCKETS.labels(role=role).set(counts.get(role, 0))
    _seen_roles.update(counts)
    realtime.signal_local(room_names.SUPER_ADMIN, "connections.changed", ["connections"])


_seen_roles: set[str] = set()  # roles that had sockets: their gauge goes back to 0, not stale


def kick_user(user_id: int) -> None:
    """Disconnect every socket of a user, in every process (logout, deactivation, role change)."""
    kick_local([room_names.user_room(user_id)])
    if not realtime.publish_kick(user_id):
        log.info("kick of user %s not sent on the queue; other processes notice within seconds", user_id)


def disconnect_revoked() -> int:
    """Disconnect this process's sockets whose session has ended elsewhere; return how many."""
    server = socketio.server
    if server is None:
        return 0
    revoked = registry.revoked()
    for sid in revoked:
        server.disconnect(sid, namespace="/", ignore_queue=True)
    return len(revoked)


dispatcher.checks.append(disconnect_revoked)
dispatcher.checks.append(share_counts)
