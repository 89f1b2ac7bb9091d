"""Counting attempts per client address in a sliding window (registrations; sign-ins count in services.auth).

The count lives in the database, so every server process shares it and a restart forgets nothing. An attempt is
counted before the work it guards (validation, argon2), so a refused one costs a count and an indexed query only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa

from ..extensions import db
from ..models import ThrottleEvent
from ..models.types import utcnow
from .errors import Throttled


def count_and_check(
    kind: str, key: str, *, limit: int, window_seconds: float, message: str, now: datetime | None = None
):
    """Count one attempt of `kind` from `key` (committed at once); refuse with 429 past `limit` in the window.

    Refused attempts are not counted, so a client that waits out the window is let in again.
    """
    now = now or utcnow()
    since = now - timedelta(seconds=window_seconds)
    query = sa.select(sa.func.count()).select_from(ThrottleEvent)
    recent = db.session.scalar(
        query.where(ThrottleEvent.kind == kind, ThrottleEvent.key == key, ThrottleEvent.created_at >= since)
    )
    if (recent or 0) >= limit:
        raise Throttled(message)
    db.session.add(ThrottleEvent(kind=kind, key=key[:64], created_at=now))
    db.session.commit()


def prune(kind: str, older_than_seconds: float, now: datetime | None = None) -> int:
    """Delete the counted attempts of `kind` older than the given age; return how many."""
    cutoff = (now or utcnow()) - timedelta(seconds=older_than_seconds)
    result = db.session.execute(
        sa.delete(ThrottleEvent).where(ThrottleEvent.kind == kind, ThrottleEvent.created_at < cutoff)
    )
    db.session.commit()
    return result.rowcount or 0
