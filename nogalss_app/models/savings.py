"""Members' savings, loans and withdrawals."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import LoanStatus, WithdrawalStatus
from .types import UTCDateTime, enum_column, utcnow


class Contribution(db.Model):
    """One saving, backed by exactly one successful CONTRIBUTION transaction."""

    __tablename__ = "contributions"
    __table_args__ = (
        sa.CheckConstraint("amount_kobo > 0", name="amount_positive"),
        sa.Index("ix_contributions_coop_created", "cooperative_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id"))
    amount_kobo: Mapped[int] = mapped_column(sa.BigInteger)
    transaction_id: Mapped[int] = mapped_column(sa.ForeignKey("transactions.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user = relationship("User")


class Loan(db.Model):
    __tablename__ = "loans"
    __table_args__ = (
        sa.CheckConstraint("amount_kobo > 0", name="amount_positive"),
        sa.CheckConstraint("duration_months BETWEEN 1 AND 60", name="duration_range"),
        sa.CheckConstraint("repaid_kobo >= 0", name="repaid_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id"), index=True)
    amount_kobo: Mapped[int] = mapped_column(sa.BigInteger)
    repaid_kobo: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    purpose: Mapped[str] = mapped_column(sa.String(500))
    duration_months: Mapped[int] = mapped_column()
    status: Mapped[LoanStatus] = mapped_column(enum_column(LoanStatus), default=LoanStatus.PENDING, index=True)
    notes: Mapped[str | None] = mapped_column(sa.String(500))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    cooperative = relationship("Cooperative")


class Withdrawal(db.Model):
    __tablename__ = "withdrawals"
    __table_args__ = (sa.CheckConstraint("amount_kobo > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cooperatives.id"), index=True)
    amount_kobo: Mapped[int] = mapped_column(sa.BigInteger)
    reason: Mapped[str] = mapped_column(sa.String(500))
    status: Mapped[WithdrawalStatus] = mapped_column(
        enum_column(WithdrawalStatus), default=WithdrawalStatus.PENDING, index=True
    )
    notes: Mapped[str | None] = mapped_column(sa.String(500))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    processed_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    transaction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transactions.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", foreign_keys=[user_id])
