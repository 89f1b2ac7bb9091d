"""Members' savings, loans and withdrawals."""

from __future__ import annotations

from datetime import date, datetime

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


def _principal_of(context) -> int:
    """Default a loan's total due to its principal (a loan written without interest)."""
    return context.get_current_parameters()["amount_kobo"]


class Loan(db.Model):
    __tablename__ = "loans"
    __table_args__ = (
        sa.CheckConstraint("amount_kobo > 0", name="amount_positive"),
        sa.CheckConstraint("duration_months BETWEEN 1 AND 60", name="duration_range"),
        sa.CheckConstraint("repaid_kobo >= 0", name="repaid_not_negative"),
        sa.CheckConstraint("total_due_kobo >= amount_kobo", name="total_due_covers_principal"),
        sa.CheckConstraint("repaid_kobo <= total_due_kobo", name="repaid_within_total_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    cooperative_id: Mapped[int] = mapped_column(sa.ForeignKey("cooperatives.id"), index=True)
    # The principal; total_due_kobo adds the flat interest fixed at application (SPEC §3).
    amount_kobo: Mapped[int] = mapped_column(sa.BigInteger)
    interest_bp: Mapped[int] = mapped_column(default=0, server_default="0")
    total_due_kobo: Mapped[int] = mapped_column(sa.BigInteger, default=_principal_of)
    repaid_kobo: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    purpose: Mapped[str] = mapped_column(sa.String(500))
    duration_months: Mapped[int] = mapped_column()
    status: Mapped[LoanStatus] = mapped_column(enum_column(LoanStatus), default=LoanStatus.PENDING, index=True)
    notes: Mapped[str | None] = mapped_column(sa.String(500))
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    disbursed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    cooperative = relationship("Cooperative")
    instalments = relationship("LoanInstalment", order_by="LoanInstalment.number", viewonly=True)

    @property
    def remaining_kobo(self) -> int:
        """Return what is still owed (total due − repaid)."""
        return self.total_due_kobo - self.repaid_kobo


class LoanInstalment(db.Model):
    """One monthly instalment of a disbursed loan; repayments cover instalments in order (SPEC §3)."""

    __tablename__ = "loan_instalments"
    __table_args__ = (
        sa.UniqueConstraint("loan_id", "number", name="uq_loan_instalments_loan_number"),
        sa.CheckConstraint("amount_kobo > 0", name="amount_positive"),
        sa.CheckConstraint("number >= 1", name="number_positive"),
        sa.Index("ix_loan_instalments_due_on", "due_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    loan_id: Mapped[int] = mapped_column(sa.ForeignKey("loans.id"), index=True)
    number: Mapped[int] = mapped_column()
    due_on: Mapped[date] = mapped_column(sa.Date)
    amount_kobo: Mapped[int] = mapped_column(sa.BigInteger)


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
