"""What the database recorded: change signals (ChangeLog, the `v` browsers see), audit rows, rows as stored now."""

from __future__ import annotations

import sqlalchemy as sa

from nogalss_app.extensions import db
from nogalss_app.models import AuditLog, ChangeLog, Setting, Transaction, TxType
from nogalss_app.services import settings


def _after(v: int) -> list[tuple[str, list, list]]:
    """Return (event, topics, rooms) of the signals with an id above `v`, oldest first."""
    rows = db.session.scalars(sa.select(ChangeLog).where(ChangeLog.id > v).order_by(ChangeLog.id))
    return [(row.event, row.topics, row.rooms) for row in rows]


def _only(found: list[tuple[str, list, list]], event: str) -> tuple[list, list]:
    """Return (topics, rooms) of the one signal of `found` with this event."""
    matches = [(topics, rooms) for name, topics, rooms in found if name == event]
    assert len(matches) == 1, f"expected one {event!r} change, got {found}"
    return matches[0]


# Service tests: read inside the test's own transaction, so a signal written but not committed counts too.


def changes() -> list[tuple[str, list, list]]:
    """Return (event, topics, rooms) of every change signal this session sees, oldest first."""
    return _after(0)


def change(event: str) -> tuple[list, list]:
    """Return (topics, rooms) of the one change signal with this event."""
    return _only(changes(), event)


# Web tests: requests commit in sessions of their own, so start a fresh transaction before reading.


def last_v() -> int:
    """Return the newest ChangeLog id (0 when none)."""
    db.session.rollback()
    return db.session.scalar(sa.select(sa.func.max(ChangeLog.id))) or 0


def changes_after(v: int) -> list[tuple[str, list, list]]:
    """Return (event, topics, rooms) of the change signals recorded after `v`, oldest first."""
    db.session.rollback()
    return _after(v)


def only_change(v: int, event: str) -> tuple[list, list]:
    """Return (topics, rooms) of the one change with this event recorded after `v`."""
    return _only(changes_after(v), event)


def signals(event: str) -> list[ChangeLog]:
    """Return the change signals recorded with this event, oldest first."""
    return list(db.session.scalars(sa.select(ChangeLog).where(ChangeLog.event == event).order_by(ChangeLog.id)))


def last_change() -> ChangeLog:
    """Return the newest change signal."""
    return db.session.scalars(sa.select(ChangeLog).order_by(ChangeLog.id.desc())).first()


def audits(action: str) -> list[AuditLog]:
    """Return the audit rows of an action, oldest first."""
    return list(db.session.scalars(sa.select(AuditLog).where(AuditLog.action == action).order_by(AuditLog.id)))


def last_audit() -> AuditLog:
    """Return the newest audit row."""
    return db.session.scalars(sa.select(AuditLog).order_by(AuditLog.id.desc())).first()


def refresh(row):
    """Return the row as the database holds it now (None once deleted)."""
    db.session.rollback()
    return db.session.get(type(row), row.id)


def ledger_lines(tx_type: TxType) -> list[Transaction]:
    """Return the ledger lines of a type, oldest first."""
    return list(db.session.scalars(sa.select(Transaction).where(Transaction.type == tx_type).order_by(Transaction.id)))


def interest_free_loans() -> None:
    """Set the loan interest to 0 bp, for tests about limits and states written before loans carried interest."""
    db.session.merge(Setting(key=settings.LOANS_KEY, value={"loan_interest_bp": 0}))
    db.session.commit()
