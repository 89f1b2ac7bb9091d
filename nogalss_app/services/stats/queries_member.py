"""One member's own rows for the member dashboard; every query is filtered by the member's user id in SQL.

Balances and loan rules live in services.balances (shared with the loan and withdrawal services).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import Contribution, Cooperative, Loan, Transaction, User, Withdrawal


def sum_kobo(expression: Any) -> sa.ColumnElement[int]:
    """Return SUM(expression) as a BIGINT that is 0 when there are no rows."""
    return sa.cast(sa.func.coalesce(sa.func.sum(expression), 0), sa.BigInteger)


def contribution_summary(user_id: int, since: datetime) -> dict[str, int]:
    """Return the member's contributions: total, count and the part made since `since` (one SELECT)."""
    recent = sa.case((Contribution.created_at >= since, Contribution.amount_kobo), else_=0)
    row = db.session.execute(
        sa.select(
            sum_kobo(Contribution.amount_kobo).label("total"),
            sa.func.count(Contribution.id).label("count"),
            sum_kobo(recent).label("recent"),
        ).where(Contribution.user_id == user_id)
    ).one()
    return {"total_kobo": int(row.total), "count": int(row.count), "since_kobo": int(row.recent)}


def latest_contributions(user_id: int, limit: int = 10) -> list[dict[str, Any]]:
    """Return the member's newest contributions with their transaction reference."""
    rows = db.session.execute(
        sa.select(Contribution.id, Contribution.amount_kobo, Contribution.created_at, Transaction.reference)
        .join(Transaction, Transaction.id == Contribution.transaction_id)
        .where(Contribution.user_id == user_id)
        .order_by(Contribution.created_at.desc(), Contribution.id.desc())
        .limit(limit)
    ).all()
    return [
        {"id": r.id, "amount_kobo": int(r.amount_kobo), "created_at": r.created_at, "reference": r.reference}
        for r in rows
    ]


def own_loans(user_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """Return the member's loans, newest first."""
    rows = db.session.execute(
        sa.select(
            Loan.id,
            Loan.amount_kobo,
            Loan.repaid_kobo,
            Loan.purpose,
            Loan.duration_months,
            Loan.status,
            Loan.notes,
            Loan.created_at,
            Loan.decided_at,
        )
        .where(Loan.user_id == user_id)
        .order_by(Loan.created_at.desc(), Loan.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "id": r.id,
            "amount_kobo": int(r.amount_kobo),
            "repaid_kobo": int(r.repaid_kobo),
            "purpose": r.purpose,
            "duration_months": r.duration_months,
            "status": r.status,
            "notes": r.notes,
            "created_at": r.created_at,
            "decided_at": r.decided_at,
        }
        for r in rows
    ]


def own_withdrawals(user_id: int, limit: int = 20) -> list[dict[str, Any]]:
    """Return the member's withdrawal requests, newest first."""
    rows = db.session.execute(
        sa.select(
            Withdrawal.id,
            Withdrawal.amount_kobo,
            Withdrawal.reason,
            Withdrawal.status,
            Withdrawal.notes,
            Withdrawal.created_at,
            Withdrawal.updated_at,
        )
        .where(Withdrawal.user_id == user_id)
        .order_by(Withdrawal.created_at.desc(), Withdrawal.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "id": r.id,
            "amount_kobo": int(r.amount_kobo),
            "reason": r.reason,
            "status": r.status,
            "notes": r.notes,
            "created_at": r.created_at,
            "updated_at": r.updated_at,
        }
        for r in rows
    ]


def member_profile(user_id: int) -> dict[str, Any]:
    """Return the member's role and cooperative name (one SELECT)."""
    row = db.session.execute(
        sa.select(User.role, User.cooperative_id, Cooperative.name.label("cooperative"))
        .outerjoin(Cooperative, Cooperative.id == User.cooperative_id)
        .where(User.id == user_id)
    ).one()
    return {"role": row.role, "cooperative_id": row.cooperative_id, "cooperative": row.cooperative}
