"""Append-only records: who changed what (AuditLog) and which dashboards must hear of it (ChangeLog)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from .types import UTCDateTime, utcnow


class AuditLog(db.Model):
    __tablename__ = "audit_logs"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(64))
    entity: Mapped[str] = mapped_column(sa.String(64))
    entity_id: Mapped[str | None] = mapped_column(sa.String(64))
    before: Mapped[dict | None] = mapped_column(sa.JSON)
    after: Mapped[dict | None] = mapped_column(sa.JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class ChangeLog(db.Model):
    """One change signal; its id is the `v` sent to browsers. Emitted after commit, at most late, never lost."""

    __tablename__ = "change_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    event: Mapped[str] = mapped_column(sa.String(64))
    topics: Mapped[list] = mapped_column(sa.JSON)
    rooms: Mapped[list] = mapped_column(sa.JSON)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    summary: Mapped[str] = mapped_column(sa.String(300), default="")
    # Shown in the super admin's activity feed (housekeeping such as "notification read" is not).
    is_activity: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    emitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


@event.listens_for(AuditLog, "before_update")
@event.listens_for(AuditLog, "before_delete")
def _audit_is_append_only(_mapper, _connection, _target) -> None:
    """Refuse to change or delete an audit row through the ORM."""
    raise PermissionError("the audit log is append-only")
