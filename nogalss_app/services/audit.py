"""Audit rows, and audit-and-signal: what every mutation adds to the caller's transaction before it commits."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import AuditLog, User
from ..models.types import utcnow
from . import locks, realtime

# A super admin's "view as" is logged once per viewer, choice and surface in this long.
VIEW_AS_EVERY = timedelta(minutes=10)


def record(
    action: str,
    entity: str,
    entity_id: object,
    *,
    actor_id: int | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditLog:
    """Add an audit row (who, what, before → after, when) to the current session; the caller commits."""
    row = AuditLog(
        created_at=now or utcnow(),
        actor_id=actor_id,
        action=action,
        entity=entity,
        entity_id=None if entity_id is None else str(entity_id),
        before=_jsonable(before),
        after=_jsonable(after),
    )
    db.session.add(row)
    return row


def audit_and_signal(
    event: str,
    entity: str,
    entity_id: object,
    *,
    actor_id: int | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    topics: list[str],
    rooms: list[str],
    summary: str,
    now: datetime,
) -> None:
    """Add a mutation's audit row (action = event, dated `now`) and its change signal."""
    record(event, entity, entity_id, actor_id=actor_id, before=before, after=after, now=now)
    realtime.notify(event, topics, rooms=rooms, actor_id=actor_id, summary=summary, now=now)


def person_name(user_id: int | None) -> str:
    """Return a user's full name for change summaries ("Someone" when there is none)."""
    user = db.session.get(User, user_id) if user_id is not None else None
    return user.full_name if user else "Someone"


def record_view_as(
    dashboard: str, *, actor_id: int, chosen: dict[str, Any], surface: str = "page", now: datetime | None = None
) -> bool:
    """Log (and commit) that a super admin read someone else's dashboard: which one, whose, and through what
    (`page`, `panel`, `stats`); one row per (viewer, choice, surface) per VIEW_AS_EVERY, not one per request
    (a page load fetches every panel, and live updates refetch them). Return whether a row was written.
    """
    now = now or utcnow()
    entity_id = f"{dashboard}/{surface}"[:64]
    locks.lock_for_transaction(f"view_as:{actor_id}:{entity_id}")  # a page's panels load at the same moment
    recent = db.session.scalars(
        sa.select(AuditLog.after).where(
            AuditLog.action == "dashboard.view_as",
            AuditLog.actor_id == actor_id,
            AuditLog.entity == "dashboard",
            AuditLog.entity_id == entity_id,
            AuditLog.created_at >= now - VIEW_AS_EVERY,
        )
    )
    if any(after == _jsonable(chosen) for after in recent):
        db.session.commit()  # ends the transaction, and with it the lock: the other panels need not wait
        return False
    record("dashboard.view_as", "dashboard", entity_id, actor_id=actor_id, after=chosen, now=now)
    db.session.commit()
    return True


def _jsonable(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """Turn enums and datetimes into plain JSON values."""
    if values is None:
        return None
    out: dict[str, Any] = {}
    for key, value in values.items():
        if hasattr(value, "value") and not isinstance(value, (int, str)):
            value = value.value
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif isinstance(value, str) and hasattr(value, "value"):
            value = value.value
        out[key] = value
    return out
