"""Loans as they stand today: schedules, next instalments, arrears, days past due and the portfolio (SPEC §3, §4).

Two SELECTs per list (the loans, then their instalments); the standing of each loan is the pure
`loan_terms.standing` of its schedule and what has been repaid.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import Cooperative, Loan, LoanInstalment, Transaction, TxStatus, TxType, User
from ...models.enums import OUTSTANDING_LOAN_STATUSES
from ..loan_terms import BP_SCALE, standing
from ..periods import format_day, local_today
from .queries_platform import full_name

PAR_DAYS = 30


def schedules(loan_ids: list[int]) -> dict[int, list[tuple[int, date, int]]]:
    """Return each loan's (number, due date, amount) instalments, in order."""
    rows: dict[int, list[tuple[int, date, int]]] = {loan_id: [] for loan_id in loan_ids}
    if not loan_ids:
        return rows
    query = (
        sa.select(LoanInstalment.loan_id, LoanInstalment.number, LoanInstalment.due_on, LoanInstalment.amount_kobo)
        .where(LoanInstalment.loan_id.in_(loan_ids))
        .order_by(LoanInstalment.loan_id, LoanInstalment.number)
    )
    for loan_id, number, due_on, amount in db.session.execute(query):
        rows[loan_id].append((number, due_on, int(amount)))
    return rows


def _row(loan: Loan, member: str, cooperative: str, schedule: list, today: date) -> dict[str, Any]:
    """Return one loan as a panel row with its standing on `today`."""
    state = standing(schedule, loan.repaid_kobo, today)
    upcoming = state.next_instalment
    owed = loan.status in OUTSTANDING_LOAN_STATUSES
    return {
        "id": loan.id,
        "user_id": loan.user_id,
        "member": member,
        "cooperative": cooperative,
        "cooperative_id": loan.cooperative_id,
        "status": loan.status,
        "purpose": loan.purpose,
        "amount_kobo": loan.amount_kobo,
        "total_due_kobo": loan.total_due_kobo,
        "repaid_kobo": loan.repaid_kobo,
        "remaining_kobo": loan.remaining_kobo if owed else 0,
        "duration_months": loan.duration_months,
        "created_at": loan.created_at,
        "disbursed_at": loan.disbursed_at,
        "instalments": [
            {
                "number": i.number,
                "due_on": i.due_on.isoformat(),
                "due_text": format_day(i.due_on),
                "amount_kobo": i.amount_kobo,
                "covered_kobo": i.covered_kobo,
                "in_arrears": i.in_arrears,
            }
            for i in state.instalments
        ],
        "next_due_on": upcoming.due_on.isoformat() if upcoming and owed else None,
        "next_due_text": format_day(upcoming.due_on) if upcoming and owed else "",
        "next_amount_kobo": upcoming.remaining_kobo if upcoming and owed else 0,
        "arrears_kobo": state.arrears_kobo if owed else 0,
        "days_past_due": state.days_past_due if owed else 0,
    }


def loans_with_standing(*where: sa.ColumnElement, now: datetime, limit: int, offset: int = 0) -> list[dict]:
    """Return the matching loans (newest first) with member, cooperative and their standing today."""
    query = (
        sa.select(Loan, User.first_name, User.last_name, Cooperative.name)
        .join(User, User.id == Loan.user_id)
        .join(Cooperative, Cooperative.id == Loan.cooperative_id)
        .where(*where)
        .order_by(Loan.created_at.desc(), Loan.id.desc())
        .limit(limit)
        .offset(offset)
    )
    found = db.session.execute(query).all()
    instalments = schedules([row[0].id for row in found])
    today = local_today(now)
    return [_row(loan, full_name(first, last), coop, instalments[loan.id], today) for loan, first, last, coop in found]


def outstanding_loans(*where: sa.ColumnElement, now: datetime) -> list[dict]:
    """Return every APPROVED/ACTIVE loan matching `where` with its standing (for arrears and the portfolio)."""
    return loans_with_standing(Loan.status.in_(sorted(OUTSTANDING_LOAN_STATUSES)), *where, now=now, limit=100_000)


def repaid_between(start: datetime, end: datetime) -> int:
    """Return the sum of SUCCESSFUL REPAYMENT lines in [start, end)."""
    total = sa.func.coalesce(sa.func.sum(Transaction.amount_kobo), 0)
    query = sa.select(sa.cast(total, sa.BigInteger)).where(
        Transaction.type == TxType.REPAYMENT,
        Transaction.status == TxStatus.SUCCESSFUL,
        Transaction.created_at >= start,
        Transaction.created_at < end,
    )
    return int(db.session.scalar(query) or 0)


def portfolio(rows: list[dict]) -> dict[str, int]:
    """Return outstanding, arrears (count and sum) and PAR30 in basis points of outstanding loans' rows."""
    outstanding = sum(r["remaining_kobo"] for r in rows)
    late = [r for r in rows if r["arrears_kobo"] > 0]
    at_risk = sum(r["remaining_kobo"] for r in rows if r["days_past_due"] > PAR_DAYS)
    return {
        "outstanding_kobo": outstanding,
        "loans_count": len(rows),
        "arrears_count": len(late),
        "arrears_kobo": sum(r["arrears_kobo"] for r in late),
        "par30_bp": at_risk * BP_SCALE // outstanding if outstanding else 0,
        "at_risk_kobo": at_risk,
    }
