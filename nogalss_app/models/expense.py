"""Platform expenses recorded by finance and decided by a super admin."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import ExpenseStatus
from .types import UTCDateTime, enum_column, utcnow


class Expense(db.Model):
    __tablename__ = "expenses"
    __table_args__ = (sa.CheckConstraint("amount_kobo > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(200))
    description: Mapped[str | None] = mapped_column(sa.String(1000))
    category: Mapped[str] = mapped_column(sa.String(100))
    amount_kobo: Mapped[int] = mapped_column(sa.BigInteger)
    status: Mapped[ExpenseStatus] = mapped_column(enum_column(ExpenseStatus), default=ExpenseStatus.PENDING, index=True)
    notes: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    # The EXPENSE ledger line written when the expense is paid.
    transaction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transactions.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    created_by = relationship("User", foreign_keys=[created_by_id])
