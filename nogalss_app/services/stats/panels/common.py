"""Panels shared by several dashboards: notifications, activity, live connections."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ....extensions import db
from ....models import ChangeLog, Notification, User
from ... import connections
from ..scope import Scope


def notifications(scope: Scope) -> dict[str, Any]:
    """The viewer's own unread count and latest ten notifications."""
    return notifications_of(scope.viewer_id)


def member_notifications(scope: Scope) -> dict[str, Any]:
    """The member's own notifications; only the member marks them read (a super admin looking on does not)."""
    if scope.member_id is None:
        raise ValueError("member panels need a member in scope")
    return {**notifications_of(scope.member_id), "can_mark": scope.viewing_self}


def notifications_of(user_id: int) -> dict[str, Any]:
    """Return a user's unread count and latest ten notifications."""
    unread = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id, Notification.is_read.is_(False))
    )
    latest = db.session.scalars(
        sa.select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(10)
    ).all()
    return {
        "unread": unread or 0,
        "items": [
            {
                "id": n.id,
                "title": n.title,
                "body": n.body,
                "link": n.link,
                "is_read": n.is_read,
                "created_at": n.created_at,
            }
            for n in latest
        ],
    }


def activity(scope: Scope) -> dict[str, Any]:
    """The latest 20 changes: what, who, when."""
    rows = db.session.execute(
        sa.select(
            ChangeLog.id,
            ChangeLog.event,
            ChangeLog.summary,
            ChangeLog.created_at,
            User.first_name,
            User.last_name,
            User.role,
        )
        .outerjoin(User, User.id == ChangeLog.actor_id)
        .where(ChangeLog.is_activity)
        .order_by(ChangeLog.id.desc())
        .limit(20)
    ).all()
    return {
        "items": [
            {
                "v": r.id,
                "event": r.event,
                "what": r.summary or r.event,
                "who": f"{r.first_name} {r.last_name}" if r.first_name else "System",
                "role": r.role.label if r.role else None,
                "when": r.created_at,
            }
            for r in rows
        ]
    }


def live_connections(scope: Scope) -> dict[str, Any]:
    """Open dashboard connections per role (from the socket registry)."""
    counts = connections.connections_by_role()
    return {
        "by_role": [{"role": role, "count": count} for role, count in sorted(counts.items())],
        "total": sum(counts.values()),
    }
