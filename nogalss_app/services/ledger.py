"""The platform ledger: references, transactions and the split of registration fees (SPEC §3).

These helpers add rows to the caller's transaction and never commit: the verb that calls them owns the
transaction, its audit row and its change signal.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import (
    Allocation,
    Cooperative,
    LeaderLink,
    Payment,
    PaymentPurpose,
    Recipient,
    Transaction,
    TxCategory,
    TxStatus,
    TxType,
)
from ..models.types import utcnow
from . import settings
from .money import require_kobo, split_by_bp

_PREFIX = re.compile(r"[A-Z0-9]{1,8}", re.ASCII)

# Reference prefixes of ledger lines created without a gateway reference.
TX_PREFIXES = {
    TxType.FEE: "FEE",
    TxType.CONTRIBUTION: "CON",
    TxType.LOAN_DISBURSEMENT: "LDB",
    TxType.REPAYMENT: "RPY",
    TxType.WITHDRAWAL: "WDR",
    TxType.EXPENSE: "EXP",
    TxType.ADJUSTMENT: "ADJ",
}

FEE_CATEGORIES = {
    PaymentPurpose.MEMBER_REGISTRATION: TxCategory.MEMBER_REGISTRATION,
    PaymentPurpose.COOPERATIVE_REGISTRATION: TxCategory.COOPERATIVE_REGISTRATION,
}

FEE_DESCRIPTIONS = {
    TxCategory.MEMBER_REGISTRATION: "Member registration fee",
    TxCategory.COOPERATIVE_REGISTRATION: "Cooperative registration fee",
}


def new_reference(prefix: str) -> str:
    """Return a fresh unguessable reference such as 'NGS-FEE-9F86D081884C7D65'."""
    if not isinstance(prefix, str) or not _PREFIX.fullmatch(prefix):
        raise ValueError("prefix must be 1-8 upper-case letters or digits")
    return f"NGS-{prefix}-{secrets.token_hex(8).upper()}"


def check_gateway(gateway: object) -> str:
    """Return the gateway name if it fits the payments table (a short name such as 'sandbox')."""
    if not isinstance(gateway, str) or not 0 < len(gateway) <= 20:
        raise ValueError("gateway must be a short name such as 'sandbox' or 'paystack'")
    return gateway


def record_transaction(
    *,
    tx_type: TxType,
    category: TxCategory,
    amount_kobo: int,
    status: TxStatus = TxStatus.SUCCESSFUL,
    user_id: int | None = None,
    cooperative_id: int | None = None,
    loan_id: int | None = None,
    reference: str | None = None,
    description: str = "",
    reason: str | None = None,
    is_debit: bool = False,
    created_by_id: int | None = None,
    now: datetime | None = None,
) -> Transaction:
    """Add one ledger line to the session and flush it (so it has an id); the caller commits."""
    amount = require_kobo(amount_kobo)
    if amount <= 0:
        raise ValueError("a transaction amount must be positive")
    now = now or utcnow()
    tx = Transaction(
        reference=reference or new_reference(TX_PREFIXES[tx_type]),
        type=tx_type,
        category=category,
        status=status,
        amount_kobo=amount,
        is_debit=is_debit,
        user_id=user_id,
        cooperative_id=cooperative_id,
        loan_id=loan_id,
        description=description[:300],
        reason=reason,
        created_by_id=created_by_id,
        created_at=now,
        updated_at=now,
    )
    db.session.add(tx)
    db.session.flush()
    return tx


def current_leader_id(cooperative_id: int) -> int | None:
    """Return the id of the cooperative's leader in office, if any."""
    return db.session.scalar(sa.select(LeaderLink.user_id).where(LeaderLink.cooperative_id == cooperative_id))


def record_registration_fee(
    payment: Payment, *, payer_user_id: int, cooperative: Cooperative, now: datetime | None = None
) -> Transaction:
    """Write the successful FEE transaction and its five Allocation rows at the split in force now."""
    category = FEE_CATEGORIES.get(payment.purpose)
    if category is None:
        raise ValueError(f"{payment.purpose.value} is not a registration fee")
    now = now or utcnow()
    tx = record_transaction(
        tx_type=TxType.FEE,
        category=category,
        amount_kobo=payment.amount_kobo,
        user_id=payer_user_id,
        cooperative_id=cooperative.id,
        reference=payment.reference,
        description=FEE_DESCRIPTIONS[category],
        now=now,
    )
    shares = settings.get_settings().allocation_shares()
    parts = split_by_bp(tx.amount_kobo, shares)
    leader_id = current_leader_id(cooperative.id)
    for name, bp in shares:
        db.session.add(
            Allocation(
                transaction_id=tx.id,
                recipient=Recipient(name.upper()),
                bp=bp,
                amount_kobo=parts[name],
                fee_kobo=tx.amount_kobo,
                payer_user_id=payer_user_id,
                cooperative_id=cooperative.id,
                leader_user_id=leader_id,
                parent_organization_id=cooperative.parent_organization_id,
                created_at=now,
            )
        )
    db.session.flush()
    return tx
