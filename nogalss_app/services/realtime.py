"""The only code that records changes and emits `dashboard:update` (SPEC §6).

`notify()` adds a ChangeLog row to the caller's transaction; nothing is sent until that transaction commits.
After each commit, `flush_pending()` emits every committed row not yet emitted, in order, and marks it. A row
whose emit failed (queue down, crash) stays unmarked and goes out with the next flush or at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db, socketio
from ..models import ChangeLog
from ..models.types import utcnow

log = logging.getLogger(__name__)

EVENT_NAME = "dashboard:update"
EVERYONE_ROOM = "everyone"


def rooms_for(
    *,
    roles: Iterable[str] = (),
    coop_ids: Iterable[int | None] = (),
    user_ids: Iterable[int | None] = (),
    everyone: bool = False,
) -> list[str]:
    """Return the sorted room names for a change's audience."""
    if everyone:
        return [EVERYONE_ROOM]
    rooms = {f"role:{getattr(role, 'value', role)}" for role in roles}
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
) -> ChangeLog:
    """Record a change in the current transaction; it is emitted after commit."""
    row = ChangeLog(
        event=event_name,
        topics=sorted(set(topics)),
        rooms=sorted(set(rooms)),
        actor_id=actor_id,
        summary=summary[:300],
    )
    db.session.add(row)
    db.session.info["has_changes"] = True
    return row


def flush_pending(limit: int = 500) -> int:
    """Emit committed, unemitted ChangeLog rows in order and mark them; return how many were sent."""
    sent = 0
    with db.engine.begin() as conn:
        rows = conn.execute(
            sa.select(ChangeLog.id, ChangeLog.event, ChangeLog.topics, ChangeLog.rooms)
            .where(ChangeLog.emitted_at.is_(None))
            .order_by(ChangeLog.id)
            .limit(limit)
        ).all()
        for row in rows:
            payload = {"v": row.id, "event": row.event, "topics": list(row.topics)}
            try:
                for room in row.rooms:
                    socketio.emit(EVENT_NAME, payload, to=room, namespace="/")
            except Exception:  # the queue may be down: keep the row for the next flush
                log.exception("emit of change %s failed; will retry", row.id)
                break
            conn.execute(
                sa.update(ChangeLog)
                .where(ChangeLog.id == row.id, ChangeLog.emitted_at.is_(None))
                .values(emitted_at=utcnow())
            )
            sent += 1
    return sent


def commit() -> None:
    """Commit the current transaction, then emit the change signals it recorded."""
    had_changes = db.session.info.pop("has_changes", False)
    db.session.commit()
    if had_changes:
        flush_pending()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    """Forget signals of a rolled-back transaction: nothing is emitted."""
    session.info.pop("has_changes", None)
