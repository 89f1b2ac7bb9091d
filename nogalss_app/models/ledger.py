"""The platform ledger: transactions, gateway payments and registration-fee allocations."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .enums import PaymentPurpose, PaymentStatus, Recipient, TxCategory, TxStatus, TxType
from .types import UTCDateTime, enum_column, utcnow


class Transaction(db.Model):
    """One money movement. Final statuses (SUCCESSFUL, FAILED, CANCELLED) never change."""

    __tablename__ = "transactions"
    __table_args__ = (
        sa.CheckConstraint("amount_kobo > 0", name="amount_positive"),
        sa.Index("ix_transactions_type_status_created", "type", "status", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(64), unique=True)
    type: Mapped[TxType] = mapped_column(enum_column(TxType))
    category: Mapped[TxCategory] = mapped_column(enum_column(TxCategory))
    status: Mapped[TxStatus] = mapped_column(enum_column(TxStatus), default=TxStatus.PENDING)
    amount_kobo: Mapped[int] = mapped_column(sa.BigInteger)
    # For ADJUSTMENT only: True when money leaves the platform.
    is_debit: Mapped[bool] = mapped_column(default=False)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cooperatives.id"), index=True)
    # Disbursement and repayments point at their loan.
    loan_id: Mapped[int | None] = mapped_column(sa.ForeignKey("loans.id"), index=True)
    description: Mapped[str] = mapped_column(sa.String(300), default="")
    reason: Mapped[str | None] = mapped_column(sa.String(500))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", foreign_keys=[user_id])
    cooperative = relationship("Cooperative")
    loan = relationship("Loan")


class Payment(db.Model):
    """One gateway charge, keyed by its reference; credited exactly once."""

    __tablename__ = "payments"
    __table_args__ = (sa.CheckConstraint("amount_kobo > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(sa.String(64), unique=True)
    purpose: Mapped[PaymentPurpose] = mapped_column(enum_column(PaymentPurpose))
    status: Mapped[PaymentStatus] = mapped_column(enum_column(PaymentStatus), default=PaymentStatus.PENDING)
    amount_kobo: Mapped[int] = mapped_column(sa.BigInteger)
    currency: Mapped[str] = mapped_column(sa.String(3), default="NGN")
    email: Mapped[str] = mapped_column(sa.String(254))
    gateway: Mapped[str] = mapped_column(sa.String(20))
    # What to create when the payment succeeds (a pending registration), as JSON.
    details: Mapped[dict] = mapped_column(sa.JSON, default=dict)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    cooperative_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cooperatives.id"))
    transaction_id: Mapped[int | None] = mapped_column(sa.ForeignKey("transactions.id"), unique=True)
    failure_reason: Mapped[str | None] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    transaction = relationship("Transaction")


class Allocation(db.Model):
    """One recipient's share of one successful registration fee, fixed at the moment it was paid."""

    __tablename__ = "allocations"
    __table_args__ = (
        sa.UniqueConstraint("transaction_id", "recipient", name="uq_allocations_transaction_recipient"),
        sa.CheckConstraint("amount_kobo >= 0", name="amount_not_negative"),
        sa.CheckConstraint("bp >= 0 AND bp <= 10000", name="bp_range"),
        sa.Index("ix_allocations_recipient_created", "recipient", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    transaction_id: Mapped[int] = mapped_column(sa.ForeignKey("transactions.id"), index=True)
    recipient: Mapped[Recipient] = mapped_column(enum_column(Recipient))
    bp: Mapped[int] = mapped_column()
    amount_kobo: Mapped[int] = mapped_column(sa.BigInteger)
    fee_kobo: Mapped[int] = mapped_column(sa.BigInteger)
    payer_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    cooperative_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cooperatives.id"), index=True)
    leader_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)
    parent_organization_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parent_organizations.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    transaction = relationship("Transaction")
