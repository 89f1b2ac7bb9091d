"""Loan repayments: through the gateway by the borrower, or recorded offline by finance; the last one completes.

Every repayment is one SUCCESSFUL REPAYMENT ledger line pointing at its loan, added to `repaid_kobo` by
compare-and-set (never beyond the total due) under the borrower's row lock. A repayment above what is still owed,
or on a loan that is not APPROVED/ACTIVE, is refused with 409; an offline repayment's reference is unique.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import Loan, LoanStatus, Payment, PaymentPurpose, PaymentStatus, Role, Transaction, TxType, User
from ..models.types import utcnow
from . import audit, balances, ledger, notifications, realtime
from .actor import Actor
from .audit import person_name
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .fields import MAX_AMOUNT_KOBO, amount_field, is_id, require_mapping, text_problem
from .loans import loan_ledger_line, loan_state, signal_loan
from .money import MoneyError, check_amount, format_naira, require_kobo
from .periods import local_today, parse_date
from .transitions import refusals_roll_back, transition_status

RECORDER_ROLES = (Role.FINANCE, Role.SUPER_ADMIN)
REPAYABLE = (LoanStatus.APPROVED, LoanStatus.ACTIVE)
TOPICS = ["loans", "repayments", "transactions"]
AUDIENCE = (Role.APEX, Role.SUPER_ADMIN, Role.FINANCE)
MAX_REFERENCE = 64


def _repayable(loan_id: object, amount: int) -> Loan:
    """Return the loan, locked with its borrower, if it takes `amount` now; refuse with 404 or 409 otherwise."""
    loan = db.session.get(Loan, loan_id) if is_id(loan_id) else None
    if loan is None:
        raise NotFound("Loan not found.")
    balances.lock_member(loan.user_id)
    db.session.refresh(loan)
    if loan.status not in REPAYABLE:
        raise Conflict(f"A loan that is {loan.status.value} cannot take repayments.")
    if amount > loan.remaining_kobo:
        raise Conflict(
            f"The repayment of {format_naira(amount)} is more than the {format_naira(loan.remaining_kobo)} "
            "still owed on this loan."
        )
    return loan


def _add_repaid(loan: Loan, amount: int, now: datetime) -> None:
    """Add to repaid_kobo by compare-and-set, never beyond the total due."""
    result = db.session.execute(
        sa.update(Loan)
        .where(Loan.id == loan.id, Loan.status.in_(REPAYABLE), Loan.repaid_kobo + amount <= Loan.total_due_kobo)
        .values(repaid_kobo=Loan.repaid_kobo + amount, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("This loan was changed by someone else; reload and try again.")
    db.session.refresh(loan)


def apply_repayment(loan: Loan, amount: int, actor_id: int | None, now: datetime, reference: str | None) -> None:
    """Add a checked repayment to the caller's transaction: ledger line, repaid, COMPLETED, audit, signal."""
    before = loan_state(loan)
    if loan.status is LoanStatus.APPROVED:
        transition_status(loan, LoanStatus.ACTIVE, "loan", updated_at=now)
    _add_repaid(loan, amount, now)
    try:
        with db.session.begin_nested():
            loan_ledger_line(loan, TxType.REPAYMENT, amount, actor_id, now, reference)
    except IntegrityError:
        raise Conflict("This repayment reference has already been used.", {"reference": "already used"}) from None
    if loan.repaid_kobo == loan.total_due_kobo:
        transition_status(loan, LoanStatus.COMPLETED, "loan", updated_at=now)
    completed = loan.status is LoanStatus.COMPLETED
    who = person_name(actor_id) if actor_id != loan.user_id else person_name(loan.user_id)
    summary = f"{who} recorded a {format_naira(amount)} repayment from {person_name(loan.user_id)}"
    if completed:
        summary += f"; loan #{loan.id} is fully repaid"
    signal_loan(
        "loan.completed" if completed else "loan.repaid", loan, before, TOPICS, summary, actor_id, now, AUDIENCE
    )
    title = "Your loan is fully repaid" if completed else "Repayment received"
    body = f"{format_naira(amount)} was credited to loan #{loan.id}; {format_naira(loan.remaining_kobo)} remains."
    notifications.notify_users([loan.user_id], title, body, "/dashboard/member", now=now)


def _amount(value: object, maximum_kobo: int) -> int:
    """Return a positive kobo amount, or refuse with 422."""
    errors: dict[str, str] = {}
    amount = amount_field({"amount_kobo": value}, errors, maximum_kobo=maximum_kobo)
    if errors:
        raise ValidationFailed("Check the repayment.", errors)
    return amount  # type: ignore[return-value]


@refusals_roll_back
def record_repayment(
    loan_id: int,
    amount_kobo: int,
    *,
    actor_id: int | None,
    reference: str | None = None,
    now: datetime | None = None,
    maximum_kobo: int = MAX_AMOUNT_KOBO,
) -> Loan:
    """Record a repayment on an approved or active loan (the demo seed and finance use it); the last completes it."""
    now = now or utcnow()
    amount = _amount(amount_kobo, maximum_kobo)
    loan = _repayable(loan_id, amount)
    apply_repayment(loan, amount, actor_id, now, reference)
    realtime.commit()
    return loan


def _offline_fields(data: object, maximum_kobo: int, now: datetime) -> tuple[int, str, date]:
    """Return (amount_kobo, reference, paid_on) of an offline repayment, or refuse with 422."""
    data = require_mapping(data)
    errors: dict[str, str] = {}
    amount = amount_field(data, errors, maximum_kobo=maximum_kobo)
    reference = data.get("reference")
    if not isinstance(reference, str) or not reference.strip():
        errors["reference"] = "required: the bank or teller reference of the payment"
    elif len(reference.strip()) > MAX_REFERENCE or text_problem(reference.strip()) or " " in reference.strip():
        errors["reference"] = f"must be at most {MAX_REFERENCE} printable characters without spaces"
    paid_on = parse_date(data.get("paid_on"), "paid_on", errors)
    if paid_on is not None and paid_on > local_today(now):
        errors["paid_on"] = "must not be in the future"
    if errors:
        raise ValidationFailed("Check the repayment.", errors)
    return amount, reference.strip(), paid_on  # type: ignore[return-value]


@refusals_roll_back
def record_offline_repayment(
    loan_id: object, data: Mapping[str, Any], *, actor: Actor, now: datetime | None = None
) -> Transaction:
    """Record a repayment paid outside the gateway {amount_kobo, reference, paid_on} (FINANCE, SUPER_ADMIN)."""
    now = now or utcnow()
    if actor.role not in RECORDER_ROLES:
        raise Forbidden("Only finance staff record repayments.")
    amount, reference, paid_on = _offline_fields(data, MAX_AMOUNT_KOBO, now)
    loan = _repayable(loan_id, amount)
    if db.session.scalar(sa.select(Transaction.id).where(Transaction.reference == reference)) is not None:
        raise Conflict("This repayment reference has already been used.", {"reference": "already used"})
    apply_repayment(loan, amount, actor.id, now, reference)
    tx = db.session.scalar(sa.select(Transaction).where(Transaction.reference == reference))
    tx.reason = f"Paid on {paid_on.isoformat()}"
    realtime.commit()
    return tx


# Through the gateway ---------------------------------------------------------------------------------------------


def start_repayment(
    user_id: int, loan_id: object, amount_kobo: object, *, gateway: str, now: datetime | None = None
) -> Payment:
    """Open a PENDING repayment payment for the borrower's own loan; it is credited once the gateway confirms it."""
    now = now or utcnow()
    try:
        amount = check_amount(require_kobo(amount_kobo), maximum_kobo=MAX_AMOUNT_KOBO)
    except MoneyError as exc:
        raise ValidationFailed("Check the amount.", {"amount_kobo": exc.message}) from None
    loan = db.session.get(Loan, loan_id) if is_id(loan_id) else None
    user = db.session.get(User, user_id)
    if loan is None or user is None or loan.user_id != user.id:
        raise NotFound("Loan not found.")
    if loan.status not in REPAYABLE:
        raise Conflict(f"A loan that is {loan.status.value} cannot take repayments.")
    if amount > loan.remaining_kobo:
        raise Conflict(f"{format_naira(amount)} is more than the {format_naira(loan.remaining_kobo)} still owed.")
    payment = Payment(
        reference=ledger.new_reference("RPY"),
        purpose=PaymentPurpose.REPAYMENT,
        status=PaymentStatus.PENDING,
        amount_kobo=amount,
        currency="NGN",
        email=user.email,
        gateway=ledger.check_gateway(gateway),
        details={"loan_id": loan.id},
        user_id=user.id,
        cooperative_id=loan.cooperative_id,
        created_at=now,
    )
    db.session.add(payment)
    db.session.flush()
    after = {"reference": payment.reference, "purpose": payment.purpose, "amount_kobo": amount, "loan_id": loan.id}
    audit.record("payment.start", "payment", payment.id, actor_id=user.id, after=after, now=now)
    db.session.commit()
    return payment


def repayment_problem(payment: Payment) -> str | None:
    """Return why a confirmed repayment payment can no longer be applied (refund due), or None when it can."""
    loan = db.session.get(Loan, (payment.details or {}).get("loan_id"))
    if loan is None:
        return "the loan no longer exists; refund due"
    balances.lock_member(loan.user_id)
    db.session.refresh(loan)
    if loan.status not in REPAYABLE:
        return f"the loan is {loan.status.value} and takes no repayments; refund due"
    if payment.amount_kobo > loan.remaining_kobo:
        return f"only {format_naira(loan.remaining_kobo)} was still owed; refund due"
    return None
