"""Serializing a check-then-insert on PostgreSQL: a transaction-scoped advisory lock named by a text key.

Two requests that must not both pass the same check (one pending sign-up per email, one view-as audit row per
10 minutes) take the lock of their key first; the second waits until the first commits, then sees its row. On
SQLite there is one writer at a time anyway, and the call does nothing.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..extensions import db


def lock_for_transaction(key: str) -> None:
    """Hold the advisory lock of `key` until the current transaction ends (PostgreSQL; a no-op elsewhere)."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": key})
