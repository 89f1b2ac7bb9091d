"""Socket.IO handlers: connect (rooms from the session, the view from `auth`), disconnect, sync; throttled events.

A dashboard page connects with `auth: {"view": <slug>, "params": {...}}`; the socket joins that view's room only
if the page's own guard and scope rule let its user open it. A kick (logout, deactivation, role or cooperative
change) disconnects the socket, and the view is resolved again when it reconnects.

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
from .security import DASHBOARDS, resolve_scope
from .services import realtime, views
from .services import rooms as room_names
from .services.connections import connections_by_role, kick_user, registry
from .services.errors import ServiceError
from .services.stats.registry import dashboard_panels

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
    views.registry.reset()


SCOPE_PARAMS = ("cooperative", "member")  # the query parameters a dashboard page's scope is read from
DASHBOARD_BY_SLUG = {spec["slug"]: key for key, spec in DASHBOARDS.items()}


def views_of(user: User, auth) -> list[views.View]:
    """Return the views a socket's `auth: {view, params}` names, if the user may open that page; else none.

    The page's own guard (the dashboard's roles) and scope rule (`security.resolve_scope`) decide, so a socket
    joins exactly the view its user would see by loading the page. Anything malformed names no view.
    """
    if not isinstance(auth, dict) or not isinstance(auth.get("view"), str):
        return []
    key = DASHBOARD_BY_SLUG.get(auth["view"])
    if key is None or user.role not in DASHBOARDS[key]["roles"]:
        return []
    raw = auth.get("params")
    params = raw if isinstance(raw, dict) else {}
    args = {}
    for name in SCOPE_PARAMS:
        value = params.get(name)
        if isinstance(value, bool) or not isinstance(value, str | int):
            continue
        args[name] = str(value)[:40]
    try:
        scope = resolve_scope(key, user, args)
    except ServiceError:
        return []
    if scope is None:
        return []
    return views.views_for(key, dashboard_panels()[key], scope)


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
        shown = views_of(user, auth) if user is not None else []
    except (SQLAlchemyError, DatabaseUnavailable) as exc:
        db.session.rollback()
        log.warning("socket refused: the session could not be loaded (%s)", type(exc).__name__)
        raise ConnectionRefusedError("service unavailable, try again shortly") from None
    if user is None:
        raise ConnectionRefusedError("sign in first")
    for room in rooms + [view.room for view in shown]:
        join_room(room)
    views.registry.add(request.sid, shown)
    registry.add(request.sid, user)
    return True


def on_disconnect(reason=None):
    """Forget the socket."""
    registry.remove(request.sid)
    views.registry.remove(request.sid)


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
