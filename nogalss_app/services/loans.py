"""Loans: apply, decide (leader of the cooperative, apex, super admin); approval disburses and makes the schedule.

Application and approval lock the borrower's row and check O ≤ 6 × (S − W) on the position they leave behind
(SPEC §3): an application over the limit is refused with 422, an approval that no longer fits with 409.
Repayments live in services/repayments.py.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Loan, LoanInstalment, LoanStatus, Role, TxCategory, TxType, User
from ..models.types import utcnow
from . import balances, ledger, loan_terms, notifications, realtime, settings, states
from .actor import Actor
from .audit import audit_and_signal, person_name
from .balances import loan_eligibility
from .errors import Conflict, Forbidden, NotFound, ValidationFailed
from .fields import MAX_AMOUNT_KOBO, amount_field, is_id, notes_value, parse_status, require_mapping, text_field
from .money import format_naira
from .periods import local_today
from .transitions import refusals_roll_back, transition_status

BORROWER_ROLES = (Role.MEMBER, Role.LEADER)
DECIDER_ROLES = (Role.LEADER, Role.APEX, Role.SUPER_ADMIN)
AUDITED = ("status", "amount_kobo", "total_due_kobo", "repaid_kobo", "user_id", "cooperative_id")
APPLIED_AUDIENCE = (Role.APEX, Role.SUPER_ADMIN)
DECIDED_AUDIENCE = (Role.APEX, Role.SUPER_ADMIN, Role.FINANCE)
LOAN_EVENTS = {
    LoanStatus.APPROVED: ("loan.approved", "approved"),
    LoanStatus.REJECTED: ("loan.rejected", "rejected"),
    LoanStatus.ACTIVE: ("loan.activated", "marked as disbursed"),
}

# Loans -------------------------------------------------------------------------------------------------------


def loan_state(loan: Loan) -> dict[str, Any]:
    """Return the audited fields of a loan."""
    return {name: getattr(loan, name) for name in AUDITED}


def signal_loan(
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
        after=loan_state(loan),
        now=now,
        topics=topics,
        rooms=rooms,
        summary=summary,
    )


def loan_ledger_line(
    loan: Loan, tx_type: TxType, amount: int, actor_id: int | None, now: datetime, reference: str | None = None
) -> None:
    """Write a successful ledger line (disbursement or repayment) of the loan."""
    what = "Disbursement" if tx_type is TxType.LOAN_DISBURSEMENT else "Repayment"
    ledger.record_transaction(
        tx_type=tx_type,
        category=TxCategory.LOAN,
        amount_kobo=amount,
        user_id=loan.user_id,
        cooperative_id=loan.cooperative_id,
        loan_id=loan.id,
        reference=reference,
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


def _check_limit(user_id: int, amount: int, duration: int, interest_bp: int, now: datetime) -> None:
    """Refuse (422, with the reasons) an application the user is not eligible for or whose total due is too big."""
    eligibility = loan_eligibility(user_id, now)
    if not eligibility.eligible:
        reasons = " ".join(eligibility.reasons)
        raise ValidationFailed(f"You are not eligible for a loan. {reasons}", {"eligibility": reasons})
    total = loan_terms.total_due_kobo(amount, interest_bp)
    if total < duration:
        message = f"must be at least {format_naira(duration)}: every monthly instalment is at least ₦0.01"
        raise ValidationFailed("The amount is too small for the duration.", {"amount_kobo": message})
    if total > eligibility.max_kobo:
        largest = format_naira(loan_terms.max_principal_kobo(eligibility.max_kobo, interest_bp))
        message = (
            f"must not exceed {largest}: with interest you would owe {format_naira(total)}, and your limit is "
            f"{format_naira(eligibility.max_kobo)} (6 × savings not promised to withdrawals, minus outstanding loans)"
        )
        raise ValidationFailed("The amount is more than you may borrow.", {"amount_kobo": message})


@refusals_roll_back
def apply_for_loan(
    user_id: int, data: Mapping[str, Any], *, now: datetime | None = None, maximum_kobo: int = MAX_AMOUNT_KOBO
) -> Loan:
    """Create a PENDING loan application for an eligible member or leader (other fields in data are ignored)."""
    now = now or utcnow()
    user = _locked_borrower(user_id)
    fields = _loan_fields(data, maximum_kobo)
    interest_bp = settings.get_settings().loan_interest_bp
    _check_limit(user.id, fields["amount_kobo"], fields["duration_months"], interest_bp, now)
    loan = Loan(
        **fields,
        interest_bp=interest_bp,
        total_due_kobo=loan_terms.total_due_kobo(fields["amount_kobo"], interest_bp),
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
    signal_loan("loan.applied", loan, None, ["loans"], summary, user.id, now, audience=APPLIED_AUDIENCE)
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
    if status is LoanStatus.APPROVED:
        _check_still_fits(loan)
    before = loan_state(loan)
    values: dict[str, Any] = {"updated_at": now} | ({"notes": notes} if notes else {})
    if status is not LoanStatus.ACTIVE:
        values |= {"decided_by_id": actor_id, "decided_at": now}
    if status is LoanStatus.APPROVED:
        values["disbursed_at"] = now
    transition_status(loan, status, "loan", **values)
    return _finish_decision(loan, before, actor_id, now)


def _check_still_fits(loan: Loan) -> None:
    """Lock the borrower and refuse (409) an approval that would leave O above 6 × (S − W)."""
    balances.lock_member(loan.user_id)
    if loan.status is not LoanStatus.PENDING:
        return  # the transition refuses it with the state machine's message
    pos = balances.position(loan.user_id)
    if pos.after(outstanding=loan.total_due_kobo).holds:
        return
    needed = loan_terms.ceil_div(pos.outstanding_kobo + loan.total_due_kobo, loan_terms.LOAN_MULTIPLIER)
    held = balances.held_back_reason(pos)
    raise Conflict(
        f"This loan no longer fits the member's savings: {format_naira(loan.total_due_kobo)} owed with what is "
        f"already outstanding needs {format_naira(needed)} of free savings, and only "
        f"{format_naira(max(0, pos.free_kobo))} is free" + (f" ({held})." if held else ".")
    )


def _make_schedule(loan: Loan, now: datetime) -> None:
    """Write the monthly instalments of a disbursed loan, the first one month after disbursement (Nigerian time)."""
    months = min(loan.duration_months, loan.total_due_kobo)  # a loan older than this rule may owe under 1 kobo/month
    rows = loan_terms.schedule(loan.total_due_kobo, months, local_today(now))
    for number, due_on, amount in rows:
        db.session.add(LoanInstalment(loan_id=loan.id, number=number, due_on=due_on, amount_kobo=amount))
    db.session.flush()


def _finish_decision(loan: Loan, before: dict[str, Any], actor_id: int, now: datetime) -> Loan:
    """Write the disbursement of an approval, audit, signal, tell the member, commit."""
    event, verb = LOAN_EVENTS[loan.status]
    topics = ["loans"]
    if loan.status is LoanStatus.APPROVED:
        loan_ledger_line(loan, TxType.LOAN_DISBURSEMENT, loan.amount_kobo, actor_id, now)
        _make_schedule(loan, now)
        topics.append("transactions")
    amount = format_naira(loan.amount_kobo)
    summary = f"{person_name(actor_id)} {verb} a {amount} loan for {person_name(loan.user_id)}"
    signal_loan(event, loan, before, topics, summary, actor_id, now)
    notifications.notify_users(
        [loan.user_id], f"Your loan was {verb}", f"Your {amount} loan was {verb}.", "/dashboard/member", now=now
    )
    realtime.commit()
    return loan
