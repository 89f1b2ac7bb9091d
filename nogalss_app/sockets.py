"""Socket.IO handlers: connect (rooms from the session), disconnect, sync; the connection registry; kicks.

Clients never choose rooms: there is no join handler, and rooms come from the signed-in session at connect.
"""

from __future__ import annotations

import threading
from collections import Counter

import socketio as python_socketio
from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, join_room

from .extensions import socketio
from .models import Role, User
from .services import realtime

_lock = threading.Lock()
_by_sid: dict[str, str] = {}


def rooms_of(user: User) -> list[str]:
    """Return the rooms a user's sockets are put in: own user, role, cooperative (leaders), everyone."""
    rooms = [f"user:{user.id}", f"role:{user.role.value}", realtime.EVERYONE_ROOM]
    if user.role in (Role.LEADER, Role.COOPERATIVE) and user.cooperative_id is not None:
        rooms.append(f"coop:{user.cooperative_id}")
    return rooms


def connections_by_role() -> dict[str, int]:
    """Return how many dashboard sockets are open in this process, per role."""
    with _lock:
        return dict(Counter(_by_sid.values()))


def reset_registry() -> None:
    """Forget every tracked socket (a test's fresh world)."""
    with _lock:
        _by_sid.clear()


def on_connect(auth=None):
    """Accept a signed-in, active user from an allowed origin and put the socket in its rooms."""
    if not current_user.is_authenticated:
        raise ConnectionRefusedError("sign in first")
    for room in rooms_of(current_user):
        join_room(room)
    with _lock:
        _by_sid[request.sid] = current_user.role.value
    realtime.start_background_work()
    realtime.connections_changed()
    return True


def on_disconnect(reason=None):
    """Forget the socket."""
    with _lock:
        _by_sid.pop(request.sid, None)
    realtime.connections_changed()


def on_sync(data=None):
    """Answer a reconnecting client with what changed for its rooms since the `v` it last saw."""
    if not current_user.is_authenticated:
        return {"refresh": "all", "v": 0}
    since = data.get("v") if isinstance(data, dict) else None
    if not isinstance(since, int) or isinstance(since, bool) or since < 0:
        return {"refresh": "all", "v": realtime.latest_v()}
    return realtime.changes_since(since, rooms_of(current_user))


def disconnect_user(user_id: int) -> None:
    """Disconnect every socket of a user, in every process (logout, deactivation, role change)."""
    socketio.close_room(f"user:{user_id}", namespace="/")


class _KicksOnCloseRoom:
    """Closing a user's room disconnects its sockets (locally and, through the queue, elsewhere)."""

    def _kick(self, room: str, namespace: str | None) -> None:
        if not room.startswith("user:"):
            return
        for sid, _eio_sid in list(self.get_participants(namespace or "/", room)):
            self.server.disconnect(sid, namespace=namespace or "/", ignore_queue=True)


class LocalManager(_KicksOnCloseRoom, python_socketio.Manager):
    """The single-process manager, with kicks."""

    def close_room(self, room, namespace):
        self._kick(room, namespace)
        return super().close_room(room, namespace)


class RedisManager(_KicksOnCloseRoom, python_socketio.RedisManager):
    """The Redis message-queue manager, with kicks handled in every process."""

    def _handle_close_room(self, message):
        self._kick(message.get("room"), message.get("namespace"))
        return super()._handle_close_room(message)


def client_manager(redis_url: str | None, channel: str = "nogalss-socketio"):
    """Return the client manager for the configured queue."""
    if redis_url:
        return RedisManager(redis_url, channel=channel)
    return LocalManager()


def register_handlers() -> None:
    """Attach the handlers to the Socket.IO server."""
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    socketio.on_event("dashboard:sync", on_sync)
