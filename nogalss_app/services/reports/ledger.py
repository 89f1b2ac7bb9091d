"""Ledger reports: cash flow per category per month with the opening and closing position, and every fee with its
allocation rows. Inflow and outflow reuse the finance dashboard's predicates, so a new ledger kind added there
(e.g. EXPENSE as an outflow) appears here without a change."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import Allocation, Cooperative, Recipient, Transaction, User
from ..exports import Column, Kind, SummaryLine
from ..stats import queries_platform_finance as qf
from ..stats.queries_funds import REGISTRATION_CATEGORIES
from ..stats.queries_platform import IS_FEE
from .base import Request, as_int, name_of, stream

IN_AMOUNT = sa.case((qf.INFLOW, Transaction.amount_kobo), else_=0)
OUT_AMOUNT = sa.case((qf.OUTFLOW, Transaction.amount_kobo), else_=0)
FUND_LABELS = {Recipient.APEX_FUNDS: "Apex Fund share", Recipient.NOGALSS_FUNDS: "Nogalss Fund share"}


def _flows(*where: Any) -> tuple[int, int]:
    """Return (inflow, outflow) of successful ledger lines matching `where`."""
    row = db.session.execute(
        sa.select(sa.func.coalesce(sa.func.sum(IN_AMOUNT), 0), sa.func.coalesce(sa.func.sum(OUT_AMOUNT), 0)).where(
            sa.or_(qf.INFLOW, qf.OUTFLOW), *where
        )
    ).one()
    return as_int(row[0]), as_int(row[1])


def cashflow_columns(request: Request) -> list[Column]:
    """Month, kind and category, inflow and outflow."""
    return [
        Column("month", "Month"),
        Column("type", "Kind"),
        Column("category", "Category"),
        Column("count", "Lines", Kind.COUNT),
        Column("inflow_kobo", "Inflow", Kind.AMOUNT),
        Column("outflow_kobo", "Outflow", Kind.AMOUNT),
    ]


def cashflow_rows(request: Request) -> Iterator[dict[str, Any]]:
    """Yield inflow and outflow per ledger kind and category for each calendar month of the period."""
    for month in request.period.months():
        inside = sa.and_(Transaction.created_at >= month.start, Transaction.created_at < month.end)
        found = db.session.execute(
            sa.select(
                Transaction.type,
                Transaction.category,
                sa.func.count(),
                sa.func.coalesce(sa.func.sum(IN_AMOUNT), 0),
                sa.func.coalesce(sa.func.sum(OUT_AMOUNT), 0),
            )
            .where(sa.or_(qf.INFLOW, qf.OUTFLOW), inside)
            .group_by(Transaction.type, Transaction.category)
            .order_by(Transaction.type, Transaction.category)
        ).all()
        for kind, category, count, inflow, outflow in found:
            yield {
                "month": month.key,
                "type": kind.label,
                "category": category.label,
                "count": as_int(count),
                "inflow_kobo": as_int(inflow),
                "outflow_kobo": as_int(outflow),
            }


def cashflow_position(request: Request) -> dict[str, int]:
    """Return the opening position (everything before the period), the period's flows and the closing position."""
    before_in, before_out = _flows(Transaction.created_at < request.period.start)
    inflow, outflow = _flows(
        Transaction.created_at >= request.period.start, Transaction.created_at < request.period.end
    )
    opening = before_in - before_out
    return {"opening_kobo": opening, "closing_kobo": opening + inflow - outflow}


def cashflow_summary(request: Request) -> list[SummaryLine]:
    """Opening and closing position."""
    position = cashflow_position(request)
    return [
        SummaryLine("Opening position", position["opening_kobo"]),
        SummaryLine("Closing position", position["closing_kobo"]),
    ]


# Fees ------------------------------------------------------------------------------------------------------------


def fees_columns(request: Request) -> list[Column]:
    """Every fee with its allocation rows; a fund sees only its own share."""
    head = [
        Column("date", "Paid", Kind.DATETIME),
        Column("reference", "Reference"),
        Column("kind", "Fee"),
        Column("payer", "Payer"),
        Column("cooperative", "Cooperative"),
        Column("fee_kobo", "Fee amount", Kind.AMOUNT),
    ]
    fund = request.audience.fund
    if fund is not None:
        return [*head, Column("share_kobo", FUND_LABELS[fund], Kind.AMOUNT)]
    return [*head, *(Column(f"{r.value.lower()}_kobo", f"{r.label} share", Kind.AMOUNT) for r in Recipient)]


def fees_rows(request: Request) -> Iterator[dict[str, Any]]:
    """Yield each successful registration fee of the period with its allocation amounts (one row per fee)."""
    fund = request.audience.fund
    recipients = [fund] if fund is not None else list(Recipient)
    shares = [
        sa.func.coalesce(sa.func.sum(sa.case((Allocation.recipient == r, Allocation.amount_kobo), else_=0)), 0).label(
            r.value
        )
        for r in recipients
    ]
    period = request.period
    query = (
        sa.select(Transaction, User.first_name, User.last_name, Cooperative.name, *shares)
        .outerjoin(Allocation, Allocation.transaction_id == Transaction.id)
        .outerjoin(User, User.id == Transaction.user_id)
        .outerjoin(Cooperative, Cooperative.id == Transaction.cooperative_id)
        .where(IS_FEE, Transaction.category.in_(REGISTRATION_CATEGORIES))
        .where(Transaction.created_at >= period.start, Transaction.created_at < period.end)
        .group_by(Transaction.id, User.first_name, User.last_name, Cooperative.name)
        .order_by(Transaction.created_at, Transaction.id)
    )
    for row in stream(query):
        tx = row[0]
        out = {
            "date": tx.created_at,
            "reference": tx.reference,
            "kind": tx.category.label,
            "payer": name_of(row[1], row[2]),
            "cooperative": row[3] or "—",
            "fee_kobo": tx.amount_kobo,
        }
        if fund is not None:
            out["share_kobo"] = as_int(row[4])
        else:
            out.update({f"{r.value.lower()}_kobo": as_int(row[4 + i]) for i, r in enumerate(recipients)})
        yield out
