"""Ledger figures for the finance dashboard: inflow, outflow, recent transactions, withdrawal queue, roles."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import Cooperative, Role, Transaction, TxStatus, TxType, User, Withdrawal, WithdrawalStatus
from . import compute
from .queries_platform import (
    IS_FEE,
    SUCCESSFUL,
    as_int,
    contributions_sum,
    fetch_figures,
    full_name,
    in_month,
    loans_disbursed_sum,
    next_statuses,
    sum_of,
    withdrawals_processed_sum,
)

# Finance definitions (SPEC §3): adjustments count by direction, everything else by type; SUCCESSFUL only.
INFLOW = sa.and_(
    SUCCESSFUL,
    sa.or_(
        Transaction.type.in_([TxType.FEE, TxType.CONTRIBUTION, TxType.REPAYMENT]),
        sa.and_(Transaction.type == TxType.ADJUSTMENT, Transaction.is_debit.is_(False)),
    ),
)
OUTFLOW = sa.and_(
    SUCCESSFUL,
    sa.or_(
        Transaction.type.in_([TxType.LOAN_DISBURSEMENT, TxType.WITHDRAWAL, TxType.EXPENSE]),
        sa.and_(Transaction.type == TxType.ADJUSTMENT, Transaction.is_debit.is_(True)),
    ),
)
QUEUE_STATUSES = (WithdrawalStatus.PENDING, WithdrawalStatus.APPROVED)


def finance_overview() -> dict[str, int]:
    """Fees, contributions, repayments, loans disbursed, withdrawals processed, inflow and outflow."""
    return fetch_figures(
        fees_kobo=sum_of(Transaction.amount_kobo, IS_FEE),
        contributions_kobo=contributions_sum(),
        repayments_kobo=sum_of(Transaction.amount_kobo, SUCCESSFUL, Transaction.type == TxType.REPAYMENT),
        loans_disbursed_kobo=loans_disbursed_sum(),
        withdrawals_processed_kobo=withdrawals_processed_sum(),
        inflow_kobo=sum_of(Transaction.amount_kobo, INFLOW),
        outflow_kobo=sum_of(Transaction.amount_kobo, OUTFLOW),
    )


def flow_by_month(months: list[compute.Month]) -> list[dict[str, Any]]:
    """Return inflow and outflow per calendar month in one SELECT."""
    amount, created = Transaction.amount_kobo, Transaction.created_at
    columns = []
    for index, month in enumerate(months):
        inside = in_month(created, month)
        inflow = sa.case((sa.and_(inside, INFLOW), amount), else_=0)
        outflow = sa.case((sa.and_(inside, OUTFLOW), amount), else_=0)
        columns.append(sa.func.coalesce(sa.func.sum(inflow), 0).label(f"in{index}"))
        columns.append(sa.func.coalesce(sa.func.sum(outflow), 0).label(f"out{index}"))
    query = sa.select(*columns).where(SUCCESSFUL, created >= months[0].start, created < months[-1].end)
    row = db.session.execute(query).one()._mapping
    return [
        {
            "key": m.key,
            "label": m.label,
            "inflow_kobo": as_int(row[f"in{i}"]),
            "outflow_kobo": as_int(row[f"out{i}"]),
            "net_kobo": as_int(row[f"in{i}"]) - as_int(row[f"out{i}"]),
        }
        for i, m in enumerate(months)
    ]


def recent_transactions(limit: int, status: TxStatus | None) -> list[dict[str, Any]]:
    """Return the newest ledger lines (optionally of one status) with the user's name."""
    query = sa.select(Transaction, User.first_name, User.last_name).outerjoin(User, User.id == Transaction.user_id)
    if status is not None:
        query = query.where(Transaction.status == status)
    rows = db.session.execute(query.order_by(Transaction.created_at.desc(), Transaction.id.desc()).limit(limit))
    return [
        {
            "id": tx.id,
            "reference": tx.reference,
            "type": tx.type,
            "category": tx.category,
            "is_debit": tx.is_debit,
            "user": full_name(first, last),
            "amount_kobo": tx.amount_kobo,
            "status": tx.status,
            "created_at": tx.created_at,
        }
        for tx, first, last in rows.all()
    ]


def withdrawal_queue(limit: int) -> dict[str, Any]:
    """Return PENDING and APPROVED withdrawals oldest first, with the queue's size and sum."""
    waiting = Withdrawal.status.in_(QUEUE_STATUSES)
    pending = sa.case((Withdrawal.status == WithdrawalStatus.PENDING, 1), else_=0)
    rows = db.session.execute(
        sa.select(
            Withdrawal,
            User.first_name,
            User.last_name,
            Cooperative.name,
            sa.func.count().over().label("total"),
            sa.func.sum(Withdrawal.amount_kobo).over().label("total_kobo"),
            sa.func.sum(pending).over().label("pending"),
        )
        .outerjoin(User, User.id == Withdrawal.user_id)
        .outerjoin(Cooperative, Cooperative.id == Withdrawal.cooperative_id)
        .where(waiting)
        .order_by(Withdrawal.created_at.asc(), Withdrawal.id.asc())
        .limit(limit)
    ).all()
    items = [
        {
            "id": w.id,
            "member": full_name(first, last),
            "cooperative": coop or "—",
            "amount_kobo": w.amount_kobo,
            "reason": w.reason,
            "status": w.status,
            "next_statuses": next_statuses(w.status),
            "created_at": w.created_at,
        }
        for w, first, last, coop, *_ in rows
    ]
    head = rows[0] if rows else None
    total = as_int(head.total) if head else 0
    pending_count = as_int(head.pending) if head else 0
    return {
        "items": items,
        "count": total,
        "total_kobo": as_int(head.total_kobo) if head else 0,
        "pending": pending_count,
        "approved": total - pending_count,
    }


def users_per_role() -> list[dict[str, Any]]:
    """Return the number of users of every role (all roles listed, zero included)."""
    counts = dict(db.session.execute(sa.select(User.role, sa.func.count()).group_by(User.role)).all())
    return [{"role": role, "count": as_int(counts.get(role))} for role in Role]
