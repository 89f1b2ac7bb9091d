"""One user's balances and loan eligibility (SPEC §3): queries that return ints, over small pure functions."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa

from ..extensions import db
from ..models import Contribution, Loan, LoanStatus, Withdrawal, WithdrawalStatus
from ..models.enums import COMMITTED_WITHDRAWAL_STATUSES, OUTSTANDING_LOAN_STATUSES
from ..models.types import utcnow
from .money import format_naira

LOAN_MULTIPLIER = 6
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
            f"Your loan limit is {format_naira(0)}: {LOAN_MULTIPLIER} × your savings balance "
            f"({format_naira(savings_balance_kobo)}) minus outstanding loans ({format_naira(outstanding_kobo)})."
        )
    return Eligibility(eligible=not reasons, max_kobo=0 if reasons else limit, reasons=reasons)


# Queries for one user -----------------------------------------------------------------------------------------


def _sum(column: sa.ColumnElement, *where: sa.ColumnElement) -> int:
    """Return SUM(column) over the matching rows as an int (0 when none)."""
    total = sa.cast(sa.func.coalesce(sa.func.sum(column), 0), sa.BigInteger)
    return int(db.session.scalar(sa.select(total).where(*where)) or 0)


def savings_total_kobo(user_id: int) -> int:
    """Return the sum of the user's contributions."""
    return _sum(Contribution.amount_kobo, Contribution.user_id == user_id)


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
    """Return contributions minus committed withdrawals, never below zero."""
    return withdrawable_from(savings_total_kobo(user_id), committed_withdrawals_kobo(user_id))


def outstanding_loans_kobo(user_id: int) -> int:
    """Return what the user still owes on APPROVED and ACTIVE loans (amount − repaid)."""
    return _sum(
        Loan.amount_kobo - Loan.repaid_kobo,
        Loan.user_id == user_id,
        Loan.status.in_(sorted(OUTSTANDING_LOAN_STATUSES)),
    )


def has_pending_loan(user_id: int) -> bool:
    """Return whether the user has a loan application awaiting a decision."""
    query = sa.select(Loan.id).where(Loan.user_id == user_id, Loan.status == LoanStatus.PENDING).limit(1)
    return db.session.scalar(query) is not None


def oldest_contribution_at(user_id: int) -> datetime | None:
    """Return when the user's first contribution was made, if any."""
    return db.session.scalar(sa.select(sa.func.min(Contribution.created_at)).where(Contribution.user_id == user_id))


def loan_eligibility(user_id: int, now: datetime | None = None) -> Eligibility:
    """Return whether the user may borrow now and the most they may borrow."""
    return eligibility_from(
        has_pending_loan=has_pending_loan(user_id),
        oldest_contribution_at=oldest_contribution_at(user_id),
        now=now or utcnow(),
        savings_balance_kobo=savings_balance_kobo(user_id),
        outstanding_kobo=outstanding_loans_kobo(user_id),
    )
