"""Loans: apply, decide (leader of the cooperative, apex, super admin) and repay."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Loan, LoanStatus, Role, TxCategory, TxType, User
from ..models.types import utcnow
from . import ledger, notifications, realtime, states
from .actor import Actor
from .audit import audit_and_signal, person_name
from .balances import loan_eligibility
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .fields import MAX_AMOUNT_KOBO, amount_field, is_id, notes_value, parse_status, require_mapping, text_field
from .money import format_naira
from .transitions import refusals_roll_back, transition_status

BORROWER_ROLES = (Role.MEMBER, Role.LEADER)
DECIDER_ROLES = (Role.LEADER, Role.APEX, Role.SUPER_ADMIN)
AUDITED = ("status", "amount_kobo", "repaid_kobo", "user_id", "cooperative_id")
APPLIED_AUDIENCE = (Role.APEX, Role.SUPER_ADMIN)
DECIDED_AUDIENCE = (Role.APEX, Role.SUPER_ADMIN, Role.FINANCE)
LOAN_EVENTS = {
    LoanStatus.APPROVED: ("loan.approved", "approved"),
    LoanStatus.REJECTED: ("loan.rejected", "rejected"),
    LoanStatus.ACTIVE: ("loan.activated", "marked as disbursed"),
}

# Loans -------------------------------------------------------------------------------------------------------


def _loan_state(loan: Loan) -> dict[str, Any]:
    """Return the audited fields of a loan."""
    return {name: getattr(loan, name) for name in AUDITED}


def _signal(
    event: str,
    loan: Loan,
    before: dict | None,
    topics: list[str],
    summary: str,
    actor_id: int | None,
    now: datetime,
    audience: tuple[Role, ...] = DECIDED_AUDIENCE,
) -> None:
    """Audit and signal a loan change to its cooperative's leader, the member and the audience roles."""
    rooms = realtime.rooms_for(roles=audience, coop_ids=[loan.cooperative_id], user_ids=[loan.user_id])
    audit_and_signal(
        event,
        "loan",
        loan.id,
        actor_id=actor_id,
        before=before,
        after=_loan_state(loan),
        now=now,
        topics=topics,
        rooms=rooms,
        summary=summary,
    )


def _ledger(loan: Loan, tx_type: TxType, amount: int, actor_id: int | None, now: datetime) -> None:
    """Write a successful ledger line (disbursement or repayment) of the loan."""
    what = "Disbursement" if tx_type is TxType.LOAN_DISBURSEMENT else "Repayment"
    ledger.record_transaction(
        tx_type=tx_type,
        category=TxCategory.LOAN,
        amount_kobo=amount,
        user_id=loan.user_id,
        cooperative_id=loan.cooperative_id,
        loan_id=loan.id,
        created_by_id=actor_id,
        description=f"{what} of loan #{loan.id}",
        now=now,
    )


def _locked_borrower(user_id: int) -> User:
    """Return the applicant, row-locked (PostgreSQL) so one user's applications are serialised."""
    user = db.session.scalar(sa.select(User).where(User.id == user_id).with_for_update())
    if user is None:
        raise NotFound("No such user.")
    if not user.is_active or user.role not in BORROWER_ROLES or user.cooperative_id is None:
        raise Forbidden("Only active members and leaders of a cooperative can apply for a loan.")
    return user


def _loan_fields(data: object, maximum_kobo: int) -> dict[str, Any]:
    """Return amount_kobo, purpose and duration_months of an application, or refuse with 422."""
    data = require_mapping(data)
    errors: dict[str, str] = {}
    amount = amount_field(data, errors, maximum_kobo=maximum_kobo)
    purpose = text_field(data, "purpose", errors, min_len=3, max_len=500, multiline=True)
    duration = data.get("duration_months")
    if not isinstance(duration, int) or isinstance(duration, bool) or not 1 <= duration <= 60:
        errors["duration_months"] = "must be a whole number of months from 1 to 60"
    if errors:
        raise ValidationFailed("Check the loan application.", errors)
    return {"amount_kobo": amount, "purpose": purpose, "duration_months": duration}


def _check_limit(user_id: int, amount: int, now: datetime) -> None:
    """Refuse (422, with the reasons) an application the user is not eligible for or that exceeds the limit."""
    eligibility = loan_eligibility(user_id, now)
    if not eligibility.eligible:
        reasons = " ".join(eligibility.reasons)
        raise ValidationFailed(f"You are not eligible for a loan. {reasons}", {"eligibility": reasons})
    if amount > eligibility.max_kobo:
        limit = format_naira(eligibility.max_kobo)
        message = f"must not exceed {limit} (6 × your savings balance minus outstanding loans)"
        raise ValidationFailed("The amount is more than you may borrow.", {"amount_kobo": message})


@refusals_roll_back
def apply_for_loan(
    user_id: int, data: Mapping[str, Any], *, now: datetime | None = None, maximum_kobo: int = MAX_AMOUNT_KOBO
) -> Loan:
    """Create a PENDING loan application for an eligible member or leader (other fields in data are ignored)."""
    now = now or utcnow()
    user = _locked_borrower(user_id)
    fields = _loan_fields(data, maximum_kobo)
    _check_limit(user.id, fields["amount_kobo"], now)
    loan = Loan(
        **fields,
        user_id=user.id,
        cooperative_id=user.cooperative_id,
        repaid_kobo=0,
        status=LoanStatus.PENDING,
        created_at=now,
        updated_at=now,
    )
    db.session.add(loan)
    db.session.flush()
    summary = f"{user.full_name} applied for a {format_naira(loan.amount_kobo)} loan"
    _signal("loan.applied", loan, None, ["loans"], summary, user.id, now, audience=APPLIED_AUDIENCE)
    realtime.commit()
    return loan


def _loan_in_scope(loan_id: int, role: Role, cooperative_id: int | None) -> Loan:
    """Return the loan if the actor's scope covers it; a leader sees only their own cooperative's loans."""
    loan = db.session.get(Loan, loan_id) if is_id(loan_id) else None
    if loan is None or (role is Role.LEADER and loan.cooperative_id != cooperative_id):
        raise NotFound("Loan not found.")
    return loan


def _decider_role(actor: Actor) -> Role:
    """Return the actor's role if it may decide loans, else refuse with 403."""
    if actor.role not in DECIDER_ROLES:
        raise Forbidden("You may not decide loans.")
    return actor.role


@refusals_roll_back
def decide_loan(
    loan_id: int,
    new_status: LoanStatus | str,
    *,
    actor: Actor,
    notes: str | None = None,
    now: datetime | None = None,
) -> Loan:
    """Approve (writing the disbursement), reject or mark as disbursed (ACTIVE) a loan within the actor's scope."""
    now = now or utcnow()
    status, notes = parse_status(new_status, LoanStatus), notes_value(notes)
    role = _decider_role(actor)
    loan = _loan_in_scope(loan_id, role, actor.cooperative_id)
    actor_id = actor.id
    if loan.user_id == actor_id:
        raise Forbidden("You cannot decide your own loan.")
    if role is Role.LEADER and status not in (LoanStatus.APPROVED, LoanStatus.REJECTED):
        raise Forbidden("A leader may only approve or reject loan applications.")
    if status is LoanStatus.COMPLETED:
        states.check_transition(loan.status, status, "loan")
        raise Conflict("A loan becomes COMPLETED when its last repayment is recorded.")
    before = _loan_state(loan)
    values: dict[str, Any] = {"updated_at": now} | ({"notes": notes} if notes else {})
    if status is not LoanStatus.ACTIVE:
        values |= {"decided_by_id": actor_id, "decided_at": now}
    transition_status(loan, status, "loan", **values)
    return _finish_decision(loan, before, actor_id, now)


def _finish_decision(loan: Loan, before: dict[str, Any], actor_id: int, now: datetime) -> Loan:
    """Write the disbursement of an approval, audit, signal, tell the member, commit."""
    event, verb = LOAN_EVENTS[loan.status]
    topics = ["loans"]
    if loan.status is LoanStatus.APPROVED:
        _ledger(loan, TxType.LOAN_DISBURSEMENT, loan.amount_kobo, actor_id, now)
        topics.append("transactions")
    amount = format_naira(loan.amount_kobo)
    summary = f"{person_name(actor_id)} {verb} a {amount} loan for {person_name(loan.user_id)}"
    _signal(event, loan, before, topics, summary, actor_id, now)
    notifications.notify_users(
        [loan.user_id], f"Your loan was {verb}", f"Your {amount} loan was {verb}.", "/dashboard/member", now=now
    )
    realtime.commit()
    return loan


def _add_repaid(loan: Loan, amount: int, now: datetime) -> None:
    """Add to repaid_kobo by compare-and-set, never beyond the loan amount."""
    result = db.session.execute(
        sa.update(Loan)
        .where(Loan.id == loan.id, Loan.status == LoanStatus.ACTIVE, Loan.repaid_kobo + amount <= Loan.amount_kobo)
        .values(repaid_kobo=Loan.repaid_kobo + amount, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        raise Conflict("This loan was changed by someone else; reload and try again.")
    db.session.refresh(loan)


def _repayable(loan_id: int, amount: int) -> Loan:
    """Return the approved or active loan if `amount` does not exceed what is still owed; refuse otherwise."""
    loan = db.session.get(Loan, loan_id) if is_id(loan_id) else None
    if loan is None:
        raise NotFound("Loan not found.")
    if loan.status not in (LoanStatus.APPROVED, LoanStatus.ACTIVE):
        raise Conflict(f"A loan that is {loan.status.value} cannot take repayments.")
    outstanding = loan.amount_kobo - loan.repaid_kobo
    if amount > outstanding:
        message = f"must not exceed the outstanding {format_naira(outstanding)}"
        raise ValidationFailed("The repayment is more than is owed.", {"amount_kobo": message})
    return loan


@refusals_roll_back
def record_repayment(
    loan_id: int,
    amount_kobo: int,
    *,
    actor_id: int | None,
    now: datetime | None = None,
    maximum_kobo: int = MAX_AMOUNT_KOBO,
) -> Loan:
    """Record a repayment on an approved or active loan; the last one completes it."""
    now = now or utcnow()
    errors: dict[str, str] = {}
    amount = amount_field({"amount_kobo": amount_kobo}, errors, maximum_kobo=maximum_kobo)
    if errors:
        raise ValidationFailed("Check the repayment.", errors)
    loan = _repayable(loan_id, amount)
    before = _loan_state(loan)
    if loan.status is LoanStatus.APPROVED:
        transition_status(loan, LoanStatus.ACTIVE, "loan", updated_at=now)
    _add_repaid(loan, amount, now)
    _ledger(loan, TxType.REPAYMENT, amount, actor_id, now)
    if loan.repaid_kobo == loan.amount_kobo:
        transition_status(loan, LoanStatus.COMPLETED, "loan", updated_at=now)
    event = "loan.completed" if loan.status is LoanStatus.COMPLETED else "loan.repaid"
    summary = f"{person_name(actor_id)} recorded a {format_naira(amount)} repayment from {person_name(loan.user_id)}"
    _signal(event, loan, before, ["loans", "transactions"], summary, actor_id, now)
    realtime.commit()
    return loan
