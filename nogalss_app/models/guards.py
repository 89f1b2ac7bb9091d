"""Rows that guard the API against abuse and retries: throttle events and idempotency keys."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class ThrottleEvent(db.Model):
    """One counted attempt of a throttled action (e.g. a registration) from one client address."""

    __tablename__ = "throttle_events"
    __table_args__ = (sa.Index("ix_throttle_events_kind_key_at", "kind", "key", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(sa.String(32))
    key: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdempotencyKey(db.Model):
    """The first answer to a create sent with an `Idempotency-Key`, replayed to retries for 24 hours.

    The answer is its status, body and the headers a client acts on (`response_headers`, a JSON object: the
    content type, X-Live-V, HX-* and Location), so a panel form's HTML answer replays as it was first given.

        (user_id, key) is unique: of two concurrent requests with one key, one inserts the row and runs the create;
        the other finds the row and waits for (or replays) its answer.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "key", name="uq_idempotency_keys_user_key"),
        sa.Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(sa.String(255))
    endpoint: Mapped[str] = mapped_column(sa.String(200))
    request_hash: Mapped[str] = mapped_column(sa.String(64))
    status_code: Mapped[int | None] = mapped_column(sa.Integer)
    response_body: Mapped[str | None] = mapped_column(sa.Text)
    response_headers: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
