"""The one idempotent path from a gateway's answer to a credit (SPEC §5).

Callback, webhook, manual verify and the demo seeder all call `confirm_payment`. A payment leaves PENDING exactly
once, through a compare-and-set UPDATE; the delivery that wins applies the effect (account, fee split or
contribution) in the same transaction as its audit rows and change signal. Every other delivery writes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ...extensions import db
from ...models import (
    Contribution,
    Cooperative,
    LeaderLink,
    Payment,
    PaymentPurpose,
    PaymentStatus,
    Role,
    TxCategory,
    TxType,
    User,
)
from ...models.types import utcnow
from .. import audit, ledger, realtime, registration
from ..errors import NotFound
from ..fields import text_problem

# Gateway statuses that are not an answer yet: the payment stays PENDING.
IN_PROGRESS = frozenset({"pending", "ongoing", "processing", "queued"})
STAFF_ROLES = (Role.SUPER_ADMIN, Role.FINANCE, Role.APEX)
FEE_ROLES = (*STAFF_ROLES, Role.APEX_FUNDS, Role.NOGALSS_FUNDS)
FEE_TOPICS = ("fees", "allocations", "transactions", "users", "activity")
CONTRIBUTION_TOPICS = ("contributions", "transactions", "activity")
COOPERATIVE_FIELDS = (*registration.COOPERATIVE_TEXT, *registration.COOPERATIVE_OTHER_FIELDS)


def find_payment(reference: object) -> Payment:
    """Return the payment with this reference, freshly read, or raise NotFound."""
    payment = None
    if isinstance(reference, str) and 0 < len(reference) <= 64 and not text_problem(reference):
        query = sa.select(Payment).where(Payment.reference == reference)
        payment = db.session.scalar(query.execution_options(populate_existing=True))
    if payment is None:
        raise NotFound("No payment has this reference.")
    return payment


def _problem(payment: Payment, amount_kobo: object, currency: object, status: str) -> str | None:
    """Return why the gateway's answer cannot credit this payment, or None when it matches."""
    if status != "success":
        return f"the gateway reported {status[:40]!r}"
    if type(amount_kobo) is not int or amount_kobo != payment.amount_kobo:
        return f"amount mismatch: expected {payment.amount_kobo} kobo, the gateway reported {str(amount_kobo)[:30]}"
    if not isinstance(currency, str) or currency.strip().upper() != payment.currency:
        return f"currency mismatch: expected {payment.currency}, the gateway reported {str(currency)[:10]}"
    return None


def _claim(payment: Payment, status: PaymentStatus, now: datetime, reason: str | None = None) -> bool:
    """Compare-and-set PENDING → status; on False another delivery won and nothing was written."""
    values: dict = {"status": status, "completed_at": now}
    if reason is not None:
        values["failure_reason"] = reason[:300]
    claim = sa.update(Payment).where(Payment.id == payment.id, Payment.status == PaymentStatus.PENDING)
    if db.session.execute(claim.values(**values)).rowcount == 1:
        return True
    db.session.rollback()
    db.session.refresh(payment)
    return False


def _scrub(payment: Payment) -> None:
    """Drop the waiting password hashes: once final, the payment never needs them again."""
    if any(key.endswith("password_hash") for key in payment.details or {}):
        payment.details = {key: value for key, value in payment.details.items() if not key.endswith("password_hash")}


def _record_failure(payment: Payment, reason: str, now: datetime) -> None:
    """Audit and signal a payment that ended FAILED (someone may have to refund it)."""
    _scrub(payment)
    after = {"status": PaymentStatus.FAILED, "failure_reason": reason[:300]}
    audit.record(
        "payment.failed",
        "payment",
        payment.id,
        actor_id=None,
        before={"status": PaymentStatus.PENDING},
        after=after,
        now=now,
    )
    realtime.notify(
        "payment.failed",
        ["activity"],
        rooms=realtime.rooms_for(roles=[Role.SUPER_ADMIN, Role.FINANCE], user_ids=[payment.user_id]),
        summary=f"Payment {payment.reference} failed: {reason}",
        now=now,
    )


def _refuse(payment: Payment, reason: str, now: datetime) -> None:
    """Turn a claimed payment into FAILED within the same transaction (its effect is no longer possible)."""
    payment.status = PaymentStatus.FAILED
    payment.failure_reason = reason[:300]
    _record_failure(payment, reason, now)


def _insert(*rows: object) -> bool:
    """Insert rows in a savepoint; False when a unique constraint refuses them (a concurrent sign-up won)."""
    try:
        with db.session.begin_nested():
            db.session.add_all(rows)
            db.session.flush()
    except IntegrityError:
        return False
    return True


def _succeed(payment: Payment, tx_id: int, actor_id: int, now: datetime) -> None:
    """Link the ledger line, drop the password hash and audit PENDING → SUCCESSFUL."""
    payment.transaction_id = tx_id
    _scrub(payment)
    after = {"status": PaymentStatus.SUCCESSFUL, "transaction_id": tx_id, "amount_kobo": payment.amount_kobo}
    audit.record(
        "payment.succeeded",
        "payment",
        payment.id,
        actor_id=actor_id,
        before={"status": PaymentStatus.PENDING},
        after=after,
        now=now,
    )


def _new_user(details: dict, role: Role, prefix: str, now: datetime, **fields: object) -> User:
    """Build the account a registration waited for (verified: its fee is paid)."""
    return User(
        email=details[f"{prefix}email"],
        first_name=details[f"{prefix}first_name"],
        last_name=details[f"{prefix}last_name"],
        password_hash=details["password_hash"],
        role=role,
        is_active=True,
        is_verified=True,
        created_at=now,
        updated_at=now,
        **fields,
    )


def _audit_new_user(user: User, cooperative_id: int, now: datetime) -> None:
    """Audit the account a paid registration created (the new user is its own actor)."""
    after = {"email": user.email, "role": user.role, "cooperative_id": cooperative_id, "via": "registration"}
    audit.record("user.create", "user", user.id, actor_id=user.id, after=after, now=now)


def _complete_member(payment: Payment, now: datetime) -> None:
    """Create the member account and split the fee, unless the email was taken meanwhile."""
    details = payment.details
    coop = db.session.get(Cooperative, details["cooperative_id"])
    if coop is None:
        return _refuse(payment, "the cooperative no longer exists; refund due", now)
    user = _new_user(details, Role.MEMBER, "", now, phone=details.get("phone"), cooperative_id=coop.id)
    if registration.email_taken(user.email) or not _insert(user):
        return _refuse(payment, "email already in use when the fee was paid; refund due", now)
    payment.user_id = user.id
    tx = ledger.record_registration_fee(payment, payer_user_id=user.id, cooperative=coop, now=now)
    _succeed(payment, tx.id, user.id, now)
    _audit_new_user(user, coop.id, now)
    realtime.notify(
        "payment.succeeded",
        FEE_TOPICS,
        rooms=realtime.rooms_for(roles=FEE_ROLES, coop_ids=[coop.id], user_ids=[user.id]),
        actor_id=user.id,
        summary=f"{user.full_name} paid the member registration fee",
        now=now,
    )


def _cooperative_from(details: dict, now: datetime) -> Cooperative:
    """Build the cooperative a registration waited for."""
    return Cooperative(**{field: details[field] for field in COOPERATIVE_FIELDS}, is_active=True, created_at=now)


def _new_leader(details: dict, coop: Cooperative, now: datetime) -> tuple[User | None, list[object]]:
    """Build the leader a registration named (with the link that makes them lead it); none for an old sign-up."""
    if "leader_email" not in details:
        return None, []
    leader = _new_user(
        {**details, "password_hash": details["leader_password_hash"]},
        Role.LEADER,
        "leader_",
        now,
        phone=details.get("leader_phone"),
        cooperative=coop,
    )
    return leader, [leader, LeaderLink(cooperative=coop, user=leader, created_at=now)]


def _complete_cooperative(payment: Payment, now: datetime) -> None:
    """Create the cooperative, its COOPERATIVE login and its LEADER together and split the fee (the leader's share
    is that leader's), unless the registration number or an email was taken meanwhile."""
    details = payment.details
    coop = _cooperative_from(details, now)
    contact = _new_user(details, Role.COOPERATIVE, "contact_", now, phone=details.get("phone"), cooperative=coop)
    leader, leader_rows = _new_leader(details, coop, now)
    emails = [contact.email] + ([leader.email] if leader else [])
    taken = registration.registration_number_taken(coop.registration_number) or any(
        map(registration.email_taken, emails)
    )
    if taken or not _insert(coop, contact, *leader_rows):
        return _refuse(payment, "registration number or email already in use when the fee was paid; refund due", now)
    payment.user_id, payment.cooperative_id = contact.id, coop.id
    tx = ledger.record_registration_fee(payment, payer_user_id=contact.id, cooperative=coop, now=now)
    _succeed(payment, tx.id, contact.id, now)
    audit.record(
        "cooperative.create",
        "cooperative",
        coop.id,
        actor_id=contact.id,
        after={"name": coop.name, "registration_number": coop.registration_number, "via": "registration"},
        now=now,
    )
    _audit_new_user(contact, coop.id, now)
    if leader is not None:
        _audit_new_user(leader, coop.id, now)
    realtime.notify(
        "payment.succeeded",
        (*FEE_TOPICS, "cooperatives"),
        rooms=realtime.rooms_for(
            roles=FEE_ROLES, coop_ids=[coop.id], user_ids=[contact.id], org_ids=[coop.parent_organization_id]
        ),
        actor_id=contact.id,
        summary=f"{coop.name} paid the cooperative registration fee",
        now=now,
    )


def _complete_contribution(payment: Payment, now: datetime) -> None:
    """Credit the saving: one SUCCESSFUL CONTRIBUTION transaction and one Contribution row pointing at it."""
    user = db.session.get(User, payment.user_id)
    tx = ledger.record_transaction(
        tx_type=TxType.CONTRIBUTION,
        category=TxCategory.SAVINGS,
        amount_kobo=payment.amount_kobo,
        user_id=user.id,
        cooperative_id=payment.cooperative_id,
        reference=payment.reference,
        description="Contribution",
        now=now,
    )
    db.session.add(
        Contribution(
            user_id=user.id,
            cooperative_id=payment.cooperative_id,
            amount_kobo=payment.amount_kobo,
            transaction_id=tx.id,
            created_at=now,
        )
    )
    _succeed(payment, tx.id, user.id, now)
    realtime.notify(
        "payment.succeeded",
        CONTRIBUTION_TOPICS,
        rooms=realtime.rooms_for(roles=STAFF_ROLES, coop_ids=[payment.cooperative_id], user_ids=[user.id]),
        actor_id=user.id,
        summary=f"{user.full_name} made a contribution",
        now=now,
    )


EFFECTS: dict[PaymentPurpose, Callable[[Payment, datetime], None]] = {
    PaymentPurpose.MEMBER_REGISTRATION: _complete_member,
    PaymentPurpose.COOPERATIVE_REGISTRATION: _complete_cooperative,
    PaymentPurpose.CONTRIBUTION: _complete_contribution,
}


def _settle(
    payment: Payment, status: PaymentStatus, now: datetime, effect: Callable[[], None], reason: str | None = None
) -> Payment:
    """Claim PENDING → status, apply the effect and commit in one transaction; a lost claim writes nothing."""
    try:
        if _claim(payment, status, now, reason):
            effect()
            realtime.commit()
    except Exception:
        db.session.rollback()
        raise
    return payment


def confirm_payment(
    reference: str, *, amount_kobo: int, currency: str, gateway_status: str, now: datetime | None = None
) -> Payment:
    """Apply a gateway's answer exactly once: credit on a matching success, FAILED otherwise; replays are no-ops."""
    now = now or utcnow()
    payment = find_payment(reference)
    status = str(gateway_status).strip().lower()
    if payment.status is not PaymentStatus.PENDING or status in IN_PROGRESS:
        return payment
    problem = _problem(payment, amount_kobo, currency, status)
    if problem is not None:
        return _fail(payment, problem, now)
    return _settle(payment, PaymentStatus.SUCCESSFUL, now, lambda: EFFECTS[payment.purpose](payment, now))


def _fail(payment: Payment, reason: str, now: datetime) -> Payment:
    """Move a PENDING payment to FAILED with its reason, audit row and signal (a no-op if it is final)."""
    return _settle(payment, PaymentStatus.FAILED, now, lambda: _record_failure(payment, reason, now), reason)


def fail_payment(reference: str, *, reason: str, now: datetime | None = None) -> Payment:
    """Mark a PENDING payment FAILED (declined or abandoned); a final payment is returned unchanged."""
    now = now or utcnow()
    payment = find_payment(reference)
    if payment.status is not PaymentStatus.PENDING:
        return payment
    return _fail(payment, str(reason or "declined").strip()[:300] or "declined", now)
