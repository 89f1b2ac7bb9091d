"""One cooperative's figures for the leader dashboard; every query is filtered by the cooperative id in SQL."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    Allocation,
    Contribution,
    LeaderLink,
    Loan,
    LoanStatus,
    Recipient,
    Role,
    Transaction,
    TxStatus,
    TxType,
    User,
    Withdrawal,
    WithdrawalStatus,
)
from ..balances import balance_kobo


def sum_kobo(expression: Any) -> sa.ColumnElement[int]:
    """Return SUM(expression) as a BIGINT that is 0 when there are no rows."""
    return sa.cast(sa.func.coalesce(sa.func.sum(expression), 0), sa.BigInteger)


def _scalar(query: sa.Select, name: str) -> sa.Label:
    """Return a one-value SELECT as a labelled scalar subquery."""
    return query.scalar_subquery().label(name)


def coop_overview(cooperative_id: int) -> dict[str, int]:
    """Return members, contributions, pending loans and the current leader's allocation (one SELECT)."""
    leader_id = sa.select(LeaderLink.user_id).where(LeaderLink.cooperative_id == cooperative_id).scalar_subquery()
    in_coop = Contribution.cooperative_id == cooperative_id
    pending = sa.and_(Loan.cooperative_id == cooperative_id, Loan.status == LoanStatus.PENDING)
    earned = sa.and_(
        Allocation.recipient == Recipient.LEADER,
        Allocation.cooperative_id == cooperative_id,
        Allocation.leader_user_id == leader_id,
    )
    active_members = sa.and_(User.cooperative_id == cooperative_id, User.role == Role.MEMBER, User.is_active.is_(True))
    row = db.session.execute(
        sa.select(
            _scalar(sa.select(sa.func.count(User.id)).where(active_members), "members"),
            _scalar(sa.select(sum_kobo(Contribution.amount_kobo)).where(in_coop), "contributions_total"),
            _scalar(sa.select(sa.func.count(Contribution.id)).where(in_coop), "contributions_count"),
            _scalar(sa.select(sa.func.count(Loan.id)).where(pending), "pending_count"),
            _scalar(sa.select(sum_kobo(Loan.amount_kobo)).where(pending), "pending_total"),
            _scalar(sa.select(sum_kobo(Allocation.amount_kobo)).where(earned), "leader_earned"),
        )
    ).one()
    return {
        "members_count": int(row.members),
        "contributions_total_kobo": int(row.contributions_total),
        "contributions_count": int(row.contributions_count),
        "pending_loans_count": int(row.pending_count),
        "pending_loans_total_kobo": int(row.pending_total),
        "leader_allocation_kobo": int(row.leader_earned),
    }


def pending_loans(cooperative_id: int, limit: int = 50) -> list[dict[str, Any]]:
    """Return the cooperative's PENDING loan applications, oldest first."""
    rows = db.session.execute(
        sa.select(
            Loan.id,
            Loan.amount_kobo,
            Loan.purpose,
            Loan.duration_months,
            Loan.created_at,
            User.id.label("user_id"),
            User.first_name,
            User.last_name,
        )
        .join(User, User.id == Loan.user_id)
        .where(Loan.cooperative_id == cooperative_id, Loan.status == LoanStatus.PENDING)
        .order_by(Loan.created_at, Loan.id)
        .limit(limit)
    ).all()
    return [
        {
            "id": r.id,
            "user_id": r.user_id,
            "member": f"{r.first_name} {r.last_name}".strip(),
            "amount_kobo": int(r.amount_kobo),
            "purpose": r.purpose,
            "duration_months": r.duration_months,
            "applied_at": r.created_at,
        }
        for r in rows
    ]


def members_with_balances(cooperative_id: int, limit: int = 200) -> list[dict[str, Any]]:
    """Return the cooperative's MEMBER users by name with their savings balance, in one grouped SELECT.

    Balance = all their contributions ± their SUCCESSFUL savings adjustments − their PROCESSED withdrawals
    (services.balances rules).
    """
    member_ids = sa.select(User.id).where(User.cooperative_id == cooperative_id, User.role == Role.MEMBER)
    saved = (
        sa.select(
            Contribution.user_id,
            sum_kobo(Contribution.amount_kobo).label("total"),
            sa.func.count(Contribution.id).label("count"),
        )
        .where(Contribution.user_id.in_(member_ids))
        .group_by(Contribution.user_id)
        .subquery()
    )
    signed = sa.case((Transaction.is_debit.is_(True), -Transaction.amount_kobo), else_=Transaction.amount_kobo)
    adjusted = (
        sa.select(Transaction.user_id, sum_kobo(signed).label("total"))
        .where(
            Transaction.user_id.in_(member_ids),
            Transaction.type == TxType.ADJUSTMENT,
            Transaction.status == TxStatus.SUCCESSFUL,
        )
        .group_by(Transaction.user_id)
        .subquery()
    )
    withdrawn = (
        sa.select(Withdrawal.user_id, sum_kobo(Withdrawal.amount_kobo).label("total"))
        .where(Withdrawal.user_id.in_(member_ids), Withdrawal.status == WithdrawalStatus.PROCESSED)
        .group_by(Withdrawal.user_id)
        .subquery()
    )
    rows = db.session.execute(
        sa.select(
            User.id,
            User.first_name,
            User.last_name,
            User.email,
            User.is_active,
            User.created_at,
            sa.func.coalesce(saved.c.total, 0).label("contributed"),
            sa.func.coalesce(saved.c.count, 0).label("contributions"),
            sa.func.coalesce(withdrawn.c.total, 0).label("withdrawn"),
            sa.func.coalesce(adjusted.c.total, 0).label("adjusted"),
        )
        .outerjoin(saved, saved.c.user_id == User.id)
        .outerjoin(adjusted, adjusted.c.user_id == User.id)
        .outerjoin(withdrawn, withdrawn.c.user_id == User.id)
        .where(User.cooperative_id == cooperative_id, User.role == Role.MEMBER)
        .order_by(User.first_name, User.last_name, User.id)
        .limit(limit)
    ).all()
    return [
        {
            "id": r.id,
            "name": f"{r.first_name} {r.last_name}".strip(),
            "email": r.email,
            "is_active": r.is_active,
            "joined_at": r.created_at,
            "contributions_count": int(r.contributions),
            "savings_balance_kobo": balance_kobo(int(r.contributed) + int(r.adjusted), int(r.withdrawn)),
        }
        for r in rows
    ]
