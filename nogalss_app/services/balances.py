"""One user's balances, holds and loan eligibility (SPEC §3): queries that return ints, over small pure functions.

S (savings) = successful contributions ± savings adjustments − processed withdrawals; W = pending and approved
withdrawals; O = total due − repaid on APPROVED and ACTIVE loans. Every verb that could break O ≤ 6 × (S − W)
locks the member's row first (`lock_member`) and checks the position it is about to leave behind, so two racing
steps for one member run one after the other.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import Contribution, Loan, LoanStatus, Transaction, TxStatus, TxType, User, Withdrawal, WithdrawalStatus
from ..models.enums import COMMITTED_WITHDRAWAL_STATUSES, OUTSTANDING_LOAN_STATUSES
from ..models.types import utcnow
from .errors import NotFound
from .loan_terms import LOAN_MULTIPLIER, Position
from .money import format_naira

HELD_WITHDRAWAL_STATUSES = (WithdrawalStatus.PENDING, WithdrawalStatus.APPROVED)
MIN_SAVINGS_AGE_MONTHS = 6

REASON_PENDING = "You already have a loan application waiting for a decision."
REASON_TOO_NEW = "You need at least one contribution made 6 or more months ago."


@dataclass(frozen=True)
class Eligibility:
    """Whether a user may apply for a loan now, up to how much, and why not."""

    eligible: bool
    max_kobo: int
    reasons: list[str] = field(default_factory=list)


# Pure arithmetic (no database) -------------------------------------------------------------------------------


def months_before(moment: datetime, months: int) -> datetime:
    """Return `moment` moved back whole calendar months, clamping the day (Aug 31 − 6 months = Feb 28/29)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def balance_kobo(contributed_kobo: int, withdrawn_kobo: int) -> int:
    """Return savings left after withdrawals."""
    return contributed_kobo - withdrawn_kobo


def withdrawable_from(contributed_kobo: int, committed_kobo: int) -> int:
    """Return what may still be withdrawn: savings minus committed withdrawals, never below zero."""
    return max(0, contributed_kobo - committed_kobo)


def loan_limit_kobo(savings_balance_kobo: int, outstanding_kobo: int) -> int:
    """Return 6 × savings balance − outstanding loans, never below zero."""
    return max(0, LOAN_MULTIPLIER * savings_balance_kobo - outstanding_kobo)


def eligibility_from(
    *,
    has_pending_loan: bool,
    oldest_contribution_at: datetime | None,
    now: datetime,
    savings_balance_kobo: int,
    outstanding_kobo: int,
) -> Eligibility:
    """Apply the SPEC loan rules to plain facts about one user."""
    reasons: list[str] = []
    if has_pending_loan:
        reasons.append(REASON_PENDING)
    cutoff = months_before(now, MIN_SAVINGS_AGE_MONTHS)
    if oldest_contribution_at is None or oldest_contribution_at > cutoff:
        reasons.append(REASON_TOO_NEW)
    limit = loan_limit_kobo(savings_balance_kobo, outstanding_kobo)
    if limit == 0:
        reasons.append(
            f"Your loan limit is {format_naira(0)}: {LOAN_MULTIPLIER} × your savings not promised to withdrawals "
            f"({format_naira(savings_balance_kobo)}) minus outstanding loans ({format_naira(outstanding_kobo)})."
        )
    return Eligibility(eligible=not reasons, max_kobo=0 if reasons else limit, reasons=reasons)


# Queries for one user -----------------------------------------------------------------------------------------


def _sum(column: sa.ColumnElement, *where: sa.ColumnElement) -> int:
    """Return SUM(column) over the matching rows as an int (0 when none)."""
    total = sa.cast(sa.func.coalesce(sa.func.sum(column), 0), sa.BigInteger)
    return int(db.session.scalar(sa.select(total).where(*where)) or 0)


def savings_total_kobo(user_id: int) -> int:
    """Return C: the user's contributions plus credit and minus debit savings adjustments (SUCCESSFUL)."""
    signed = sa.case((Transaction.is_debit.is_(True), -Transaction.amount_kobo), else_=Transaction.amount_kobo)
    adjusted = _sum(
        signed,
        Transaction.user_id == user_id,
        Transaction.type == TxType.ADJUSTMENT,
        Transaction.status == TxStatus.SUCCESSFUL,
    )
    return _sum(Contribution.amount_kobo, Contribution.user_id == user_id) + adjusted


def held_withdrawals_kobo(user_id: int) -> int:
    """Return W: the sum of the user's PENDING and APPROVED withdrawals (promised, not yet paid out)."""
    return _sum(Withdrawal.amount_kobo, Withdrawal.user_id == user_id, Withdrawal.status.in_(HELD_WITHDRAWAL_STATUSES))


def processed_withdrawals_kobo(user_id: int) -> int:
    """Return the sum of the user's PROCESSED withdrawals (money that has left)."""
    return _sum(Withdrawal.amount_kobo, Withdrawal.user_id == user_id, Withdrawal.status == WithdrawalStatus.PROCESSED)


def committed_withdrawals_kobo(user_id: int) -> int:
    """Return the sum of the user's PENDING, APPROVED and PROCESSED withdrawals."""
    return _sum(
        Withdrawal.amount_kobo,
        Withdrawal.user_id == user_id,
        Withdrawal.status.in_(sorted(COMMITTED_WITHDRAWAL_STATUSES)),
    )


def savings_balance_kobo(user_id: int) -> int:
    """Return contributions minus processed withdrawals."""
    return balance_kobo(savings_total_kobo(user_id), processed_withdrawals_kobo(user_id))


def withdrawable_kobo(user_id: int) -> int:
    """Return max(0, S − W − ⌈O / 6⌉): savings neither promised to a withdrawal nor backing a loan."""
    return position(user_id).withdrawable_kobo


def outstanding_loans_kobo(user_id: int) -> int:
    """Return O: what the user still owes on APPROVED and ACTIVE loans (total due − repaid)."""
    return _sum(
        Loan.total_due_kobo - Loan.repaid_kobo,
        Loan.user_id == user_id,
        Loan.status.in_(sorted(OUTSTANDING_LOAN_STATUSES)),
    )


def position(user_id: int) -> Position:
    """Return the user's S, W and O as they stand in this transaction."""
    return Position(savings_balance_kobo(user_id), held_withdrawals_kobo(user_id), outstanding_loans_kobo(user_id))


def lock_member(user_id: int) -> User:
    """Lock the member's row (SELECT … FOR UPDATE on PostgreSQL) so their money steps run one at a time."""
    user = db.session.scalar(
        sa.select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
    )
    if user is None:
        raise NotFound("No such user.")
    return user


def held_back_reason(pos: Position) -> str:
    """Explain in money terms what is held back from a member's savings, or '' when nothing is."""
    parts = []
    if pos.committed_kobo:
        parts.append(f"{format_naira(pos.committed_kobo)} is promised to withdrawals waiting to be paid")
    if pos.outstanding_kobo:
        parts.append(
            f"{format_naira(min(pos.backing_kobo, max(0, pos.free_kobo)))} of savings back "
            f"{format_naira(pos.outstanding_kobo)} of outstanding loans (1/{LOAN_MULTIPLIER} of what is owed)"
        )
    return "; ".join(parts)


def has_pending_loan(user_id: int) -> bool:
    """Return whether the user has a loan application awaiting a decision."""
    query = sa.select(Loan.id).where(Loan.user_id == user_id, Loan.status == LoanStatus.PENDING).limit(1)
    return db.session.scalar(query) is not None


def oldest_contribution_at(user_id: int) -> datetime | None:
    """Return when the user's first contribution was made, if any."""
    return db.session.scalar(sa.select(sa.func.min(Contribution.created_at)).where(Contribution.user_id == user_id))


def loan_eligibility(user_id: int, now: datetime | None = None, pos: Position | None = None) -> Eligibility:
    """Return whether the user may borrow now and the most a loan's total due may be (6 × (S − W) − O)."""
    pos = pos or position(user_id)
    return eligibility_from(
        has_pending_loan=has_pending_loan(user_id),
        oldest_contribution_at=oldest_contribution_at(user_id),
        now=now or utcnow(),
        savings_balance_kobo=pos.free_kobo,
        outstanding_kobo=pos.outstanding_kobo,
    )
