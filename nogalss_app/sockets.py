"""Socket.IO handlers: connect (rooms from the session), disconnect, sync; every client event is throttled.

Clients never choose rooms: there is no join handler, and rooms come from the signed-in session at connect.
The registry of sockets and the kicks are a service (`services/connections.py`); room names come from
`services/rooms.py`.
"""

from __future__ import annotations

import functools
import logging

import socketio as python_socketio
import sqlalchemy as sa
from flask import request
from flask_login import current_user
from flask_socketio import ConnectionRefusedError, disconnect, join_room
from sqlalchemy.exc import SQLAlchemyError

from .extensions import DatabaseUnavailable, db, socketio
from .models import Cooperative, Role, User
from .services import realtime
from .services import rooms as room_names
from .services.connections import connections_by_role, kick_user, registry

log = logging.getLogger(__name__)

__all__ = ["connections_by_role", "disconnect_user", "register_handlers", "client_manager"]

disconnect_user = kick_user  # the name the services used before the connections service existed


def rooms_of(user: User) -> list[str]:
    """Return the rooms a user's sockets are put in: own user, role, cooperative (leaders), organization, everyone."""
    leads = user.role in (Role.LEADER, Role.COOPERATIVE)
    org_id = user.parent_organization_id if user.role is Role.PARENT_ORGANIZATION else None
    coop_ids = (
        db.session.scalars(sa.select(Cooperative.id).where(Cooperative.parent_organization_id == org_id)).all()
        if org_id is not None
        else []
    )
    return room_names.rooms_of(
        user.id,
        user.role,
        user.cooperative_id,
        in_coop_room=leads,
        organization_id=org_id,
        organization_coop_ids=coop_ids,
    )


def reset_registry() -> None:
    """Forget every tracked socket (a test's fresh world)."""
    registry.reset()


def throttled(handler):
    """Refuse a socket's events beyond its rate; disconnect it when it keeps flooding."""

    @functools.wraps(handler)
    def wrapper(*args):
        verdict = registry.admit(request.sid)
        if verdict == "ok":
            return handler(*args)
        if verdict == "disconnect":
            disconnect()
        return {"error": "throttled"}

    return wrapper


def on_connect(auth=None):
    """Accept a signed-in, active user from an allowed origin and put the socket in its rooms."""
    try:
        user = current_user._get_current_object() if current_user.is_authenticated else None
        rooms = rooms_of(user) if user is not None else []
    except (SQLAlchemyError, DatabaseUnavailable) as exc:
        db.session.rollback()
        log.warning("socket refused: the session could not be loaded (%s)", type(exc).__name__)
        raise ConnectionRefusedError("service unavailable, try again shortly") from None
    if user is None:
        raise ConnectionRefusedError("sign in first")
    for room in rooms:
        join_room(room)
    registry.add(request.sid, user)
    return True


def on_disconnect(reason=None):
    """Forget the socket."""
    registry.remove(request.sid)


@throttled
def on_sync(data=None):
    """Answer a reconnecting client with what changed for its rooms since the `v` it last saw."""
    try:
        if not current_user.is_authenticated:
            return {"refresh": "all", "v": 0}
        since = data.get("v") if isinstance(data, dict) else None
        if not isinstance(since, int) or isinstance(since, bool) or since < 0:
            return {"refresh": "all", "v": realtime.latest_v()}
        return realtime.changes_since(since, rooms_of(current_user))
    except (SQLAlchemyError, DatabaseUnavailable):
        db.session.rollback()
        return {"error": "unavailable"}  # the client asks again after its next reconnect or signal


@throttled
def on_other_event(event_name, *args):
    """Ignore any other client event (clients cannot join rooms), counting it against the socket's rate."""
    return None


def client_manager(redis_url: str | None = None, channel: str | None = None):
    """Return the Socket.IO client manager: every process emits to its own sockets (the queue carries news only)."""
    return python_socketio.Manager()


def register_handlers(app=None) -> None:
    """Attach the handlers to the Socket.IO server; read the throttle settings."""
    if app is not None:
        registry.configure(app.config)
    socketio.on_event("connect", on_connect)
    socketio.on_event("disconnect", on_disconnect)
    socketio.on_event("dashboard:sync", on_sync)
    socketio.on_event("*", on_other_event)
