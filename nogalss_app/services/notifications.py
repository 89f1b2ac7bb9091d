"""In-app notifications: one row per recipient, read and marked by their owner only."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import Notification
from ..models.types import utcnow
from . import audit, realtime
from .errors import NotFound
from .fields import is_id
from .pages import Page, list_query, page_of

MAX_LATEST = 100
SORTS = {"created_at": Notification.created_at, "id": Notification.id}


def notify_users(
    user_ids: Iterable[int | None], title: str, body: str, link: str | None = None, *, now: datetime | None = None
) -> list[Notification]:
    """Add a notification for each user to the caller's transaction (no commit) and signal their rooms."""
    now = now or utcnow()
    ids = sorted({uid for uid in user_ids if uid is not None})
    if not ids:
        return []
    rows = [
        Notification(
            user_id=uid,
            title=title[:200],
            body=body[:1000],
            link=link[:300] if link else None,
            is_read=False,
            created_at=now,
        )
        for uid in ids
    ]
    db.session.add_all(rows)
    realtime.notify(
        "notification.created",
        ["notifications"],
        rooms=realtime.rooms_for(user_ids=ids),
        summary=f"Notification: {title}",
        activity=False,
    )
    return rows


def list_own(user_id: int, args) -> Page[Notification]:
    """Return one page of the user's own notifications (newest first by default), searched by title or body."""
    query = list_query(args, SORTS, "created_at")
    select = sa.select(Notification).where(Notification.user_id == user_id)
    if query.q:
        like = f"%{query.q}%"
        select = select.where(sa.or_(Notification.title.ilike(like), Notification.body.ilike(like)))
    return page_of(select, query, SORTS)


def unread_count(user_id: int) -> int:
    """Return how many of the user's notifications are unread."""
    query = sa.select(sa.func.count()).where(Notification.user_id == user_id, Notification.is_read.is_(False))
    return int(db.session.scalar(query) or 0)


def latest(user_id: int, limit: int = 10) -> list[Notification]:
    """Return the user's newest notifications, newest first."""
    limit = max(1, min(int(limit), MAX_LATEST))
    query = (
        sa.select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(query))


def _mark(user_id: int, where: sa.ColumnElement, entity_id: object, now: datetime) -> int:
    """Mark the user's unread notifications matching `where` as read, audit and signal it; return how many."""
    result = db.session.execute(
        sa.update(Notification)
        .where(Notification.user_id == user_id, Notification.is_read.is_(False), where)
        .values(is_read=True)
        .execution_options(synchronize_session="fetch")
    )
    if result.rowcount:
        audit.record(
            "notification.read",
            "notification",
            entity_id,
            actor_id=user_id,
            before={"unread": result.rowcount},
            after={"unread": 0},
            now=now,
        )
        realtime.notify(
            "notification.read",
            ["notifications"],
            rooms=realtime.rooms_for(user_ids=[user_id]),
            actor_id=user_id,
            summary="Notifications marked as read",
            activity=False,
        )
        realtime.commit()
    return result.rowcount


def mark_read(user_id: int, notification_id: int, *, now: datetime | None = None) -> Notification:
    """Mark one of the user's own notifications as read (someone else's is not found)."""
    row = db.session.get(Notification, notification_id) if is_id(notification_id) else None
    if row is None or row.user_id != user_id:
        raise NotFound("Notification not found.")
    _mark(user_id, Notification.id == row.id, row.id, now or utcnow())
    return row


def mark_all_read(user_id: int, *, now: datetime | None = None) -> int:
    """Mark all the user's notifications as read; return how many changed."""
    return _mark(user_id, sa.true(), "all", now or utcnow())
