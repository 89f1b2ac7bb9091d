"""Registration fees and one fund's Allocation rows, for the Apex Funds and Nogalss Funds dashboards.

A fund's share is always read from its Allocation rows (the split in force when each fee was paid), never
recomputed from today's percentages.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import Allocation, Cooperative, Recipient, Transaction, TxCategory, TxStatus, TxType, User
from .compute import Month

REGISTRATION_CATEGORIES = (TxCategory.MEMBER_REGISTRATION, TxCategory.COOPERATIVE_REGISTRATION)


def sum_kobo(expression: Any) -> sa.ColumnElement[int]:
    """Return SUM(expression) as a BIGINT that is 0 when there are no rows."""
    return sa.cast(sa.func.coalesce(sa.func.sum(expression), 0), sa.BigInteger)


def _registration_fees() -> sa.ColumnElement[bool]:
    """Return the condition for a registration fee: a SUCCESSFUL FEE transaction of a registration category."""
    return sa.and_(
        Transaction.type == TxType.FEE,
        Transaction.status == TxStatus.SUCCESSFUL,
        Transaction.category.in_(REGISTRATION_CATEGORIES),
    )


def fund_overview(recipient: Recipient) -> dict[str, int]:
    """Return fee totals and the fund's allocation totals in one SELECT of scalar subqueries."""
    fees = sa.select(Transaction.amount_kobo).where(_registration_fees()).subquery()
    member_fees = sa.and_(_registration_fees(), Transaction.category == TxCategory.MEMBER_REGISTRATION)
    shares = sa.select(Allocation.amount_kobo).where(Allocation.recipient == recipient).subquery()
    row = db.session.execute(
        sa.select(
            sa.select(sum_kobo(fees.c.amount_kobo)).scalar_subquery().label("fees_total"),
            sa.select(sa.func.count()).select_from(fees).scalar_subquery().label("fees_count"),
            sa.select(sa.func.count()).where(member_fees).scalar_subquery().label("member_fees"),
            sa.select(sum_kobo(shares.c.amount_kobo)).scalar_subquery().label("share_total"),
            sa.select(sa.func.count()).select_from(shares).scalar_subquery().label("share_count"),
        )
    ).one()
    return {
        "fees_total_kobo": int(row.fees_total),
        "fees_count": int(row.fees_count),
        "member_fees_count": int(row.member_fees),
        "allocation_total_kobo": int(row.share_total),
        "allocation_count": int(row.share_count),
    }


def recent_allocations(recipient: Recipient, limit: int = 10) -> list[dict[str, Any]]:
    """Return the fund's newest allocations with payer, fee, share, rate, date and transaction reference."""
    rows = db.session.execute(
        sa.select(
            Allocation.id,
            Allocation.amount_kobo,
            Allocation.fee_kobo,
            Allocation.bp,
            Allocation.created_at,
            Transaction.reference,
            Transaction.category,
            User.first_name,
            User.last_name,
            Cooperative.name.label("cooperative"),
        )
        .join(Transaction, Transaction.id == Allocation.transaction_id)
        .outerjoin(User, User.id == Allocation.payer_user_id)
        .outerjoin(Cooperative, Cooperative.id == Allocation.cooperative_id)
        .where(Allocation.recipient == recipient)
        .order_by(Allocation.created_at.desc(), Allocation.id.desc())
        .limit(limit)
    ).all()
    return [
        {
            "id": r.id,
            "payer": f"{r.first_name} {r.last_name}".strip() if r.first_name is not None else "Unknown payer",
            "cooperative": r.cooperative,
            "kind": r.category.label,
            "fee_kobo": int(r.fee_kobo),
            "share_kobo": int(r.amount_kobo),
            "bp": r.bp,
            "created_at": r.created_at,
            "reference": r.reference,
        }
        for r in rows
    ]


def monthly_allocations(recipient: Recipient, months: list[Month]) -> list[dict[str, Any]]:
    """Return per calendar month: fees allocated, their total and the fund's share (one SELECT)."""
    columns = []
    for index, month in enumerate(months):
        inside = sa.and_(Allocation.created_at >= month.start, Allocation.created_at < month.end)
        columns += [
            sa.func.count(sa.case((inside, 1))).label(f"n{index}"),
            sum_kobo(sa.case((inside, Allocation.fee_kobo), else_=0)).label(f"fees{index}"),
            sum_kobo(sa.case((inside, Allocation.amount_kobo), else_=0)).label(f"share{index}"),
        ]
    row = db.session.execute(
        sa.select(*columns).where(
            Allocation.recipient == recipient,
            Allocation.created_at >= months[0].start,
            Allocation.created_at < months[-1].end,
        )
    ).one()
    return [
        {
            "key": month.key,
            "label": month.label,
            "fees_count": int(row[3 * index]),
            "fees_kobo": int(row[3 * index + 1]),
            "share_kobo": int(row[3 * index + 2]),
        }
        for index, month in enumerate(months)
    ]
