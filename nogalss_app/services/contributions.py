"""Contributions (savings): open the gateway payment; `payments.confirm_payment` credits it once paid."""

from __future__ import annotations

from datetime import datetime

from ..extensions import db
from ..models import Cooperative, Payment, PaymentPurpose, PaymentStatus, Role, User
from ..models.types import utcnow
from . import audit, ledger
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .fields import MAX_AMOUNT_KOBO, is_id
from .money import MoneyError, check_amount, require_kobo

CONTRIBUTOR_ROLES = (Role.MEMBER, Role.LEADER)


def _contributor(user_id: int) -> User:
    """Return the user if they may contribute: an active MEMBER or LEADER of an active cooperative."""
    user = db.session.get(User, user_id) if is_id(user_id) else None
    if user is None:
        raise NotFound("No such user.")
    if not user.is_active or user.role not in CONTRIBUTOR_ROLES:
        raise Forbidden("Only active members and leaders can contribute.")
    coop = db.session.get(Cooperative, user.cooperative_id) if user.cooperative_id else None
    if coop is None:
        raise Conflict("You are not in a cooperative, so you cannot contribute yet.")
    if not coop.is_active:
        raise Conflict("Your cooperative is inactive, so contributions are paused.")
    return user


def start_contribution(
    user_id: int,
    amount_kobo: int,
    *,
    maximum_kobo: int = MAX_AMOUNT_KOBO,
    gateway: str = "sandbox",
    now: datetime | None = None,
) -> Payment:
    """Open a PENDING contribution payment for a member or leader; it is credited once paid."""
    now = now or utcnow()
    try:
        amount = check_amount(require_kobo(amount_kobo), maximum_kobo=maximum_kobo)
    except MoneyError as exc:
        raise ValidationFailed("Check the amount.", {"amount_kobo": exc.message}) from None
    user = _contributor(user_id)
    payment = Payment(
        reference=ledger.new_reference("CON"),
        purpose=PaymentPurpose.CONTRIBUTION,
        status=PaymentStatus.PENDING,
        amount_kobo=amount,
        currency="NGN",
        email=user.email,
        gateway=ledger.check_gateway(gateway),
        details={},
        user_id=user.id,
        cooperative_id=user.cooperative_id,
        created_at=now,
    )
    db.session.add(payment)
    db.session.flush()
    after = {
        "reference": payment.reference,
        "purpose": payment.purpose,
        "amount_kobo": amount,
        "status": payment.status,
    }
    audit.record("payment.start", "payment", payment.id, actor_id=user.id, after=after, now=now)
    # No change signal: nothing any dashboard shows has changed until the gateway confirms the payment.
    db.session.commit()
    return payment
