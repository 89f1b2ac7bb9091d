"""Platform-wide figures for the super admin and apex dashboards: SQL aggregates, one SELECT per call."""

from __future__ import annotations

from datetime import datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import (
    Contribution,
    Cooperative,
    Expense,
    ExpenseStatus,
    Loan,
    LoanStatus,
    ParentOrganization,
    Transaction,
    TxCategory,
    TxStatus,
    TxType,
    User,
    Withdrawal,
    WithdrawalStatus,
)
from ...models.enums import DISBURSED_LOAN_STATUSES
from ..states import allowed_next
from . import compute

SUCCESSFUL = Transaction.status == TxStatus.SUCCESSFUL
IS_FEE = sa.and_(SUCCESSFUL, Transaction.type == TxType.FEE)


def as_int(value: Any) -> int:
    """Return an SQL aggregate as int (PostgreSQL sums arrive as Decimal, empty sums as None)."""
    return int(value or 0)


def count_of(model: Any, *where: Any) -> sa.ScalarSelect:
    """Return `(SELECT count(*) FROM model WHERE ...)` as a column expression."""
    return sa.select(sa.func.count()).select_from(model).where(*where).scalar_subquery()


def sum_of(column: Any, *where: Any) -> sa.ScalarSelect:
    """Return `(SELECT coalesce(sum(column), 0) ... WHERE ...)` as a column expression."""
    return sa.select(sa.func.coalesce(sa.func.sum(column), 0)).where(*where).scalar_subquery()


def fetch_figures(**columns: Any) -> dict[str, int]:
    """Run one SELECT of labelled scalar expressions and return them as ints."""
    row = db.session.execute(sa.select(*(column.label(name) for name, column in columns.items()))).one()
    return {name: as_int(value) for name, value in row._mapping.items()}


def in_month(column: Any, month: compute.Month) -> sa.ColumnElement:
    """Return `start <= column < end` for one calendar month (UTC bounds)."""
    return sa.and_(column >= month.start, column < month.end)


def since_clause(column: Any, since: datetime | None) -> sa.ColumnElement:
    """Return `column >= since`, or TRUE when there is no lower bound."""
    return sa.true() if since is None else column >= since


def fee_count(category: TxCategory) -> sa.ScalarSelect:
    """Count successful registration fees of one category."""
    return count_of(Transaction, IS_FEE, Transaction.category == category)


def contributions_sum(since: datetime | None = None) -> sa.ScalarSelect:
    """Sum of Contribution rows (the one place contributions are counted)."""
    return sum_of(Contribution.amount_kobo, since_clause(Contribution.created_at, since))


def contributions_count(since: datetime | None = None) -> sa.ScalarSelect:
    """Number of Contribution rows."""
    return count_of(Contribution, since_clause(Contribution.created_at, since))


def loans_disbursed_sum() -> sa.ScalarSelect:
    """Sum of loans that were paid out: APPROVED, ACTIVE or COMPLETED (never PENDING or REJECTED)."""
    return sum_of(Loan.amount_kobo, Loan.status.in_(DISBURSED_LOAN_STATUSES))


def withdrawals_processed_sum() -> sa.ScalarSelect:
    """Sum of PROCESSED withdrawals."""
    return sum_of(Withdrawal.amount_kobo, Withdrawal.status == WithdrawalStatus.PROCESSED)


def platform_overview() -> dict[str, int]:
    """Counts of people, cooperatives and ledger lines, and the registration fees paid."""
    return fetch_figures(
        users=count_of(User),
        cooperatives=count_of(Cooperative),
        parent_organizations=count_of(ParentOrganization),
        transactions=count_of(Transaction),
        members_registered=fee_count(TxCategory.MEMBER_REGISTRATION),
        cooperatives_registered=fee_count(TxCategory.COOPERATIVE_REGISTRATION),
        registration_fees_kobo=sum_of(Transaction.amount_kobo, IS_FEE),
    )


def money_totals() -> dict[str, int]:
    """Contributions, loans disbursed and withdrawals processed (sums and counts)."""
    return fetch_figures(
        contributions_kobo=contributions_sum(),
        contributions_count=contributions_count(),
        loans_disbursed_kobo=loans_disbursed_sum(),
        loans_disbursed_count=count_of(Loan, Loan.status.in_(DISBURSED_LOAN_STATUSES)),
        withdrawals_processed_kobo=withdrawals_processed_sum(),
        withdrawals_processed_count=count_of(Withdrawal, Withdrawal.status == WithdrawalStatus.PROCESSED),
    )


def apex_overview() -> dict[str, int]:
    """Users, cooperatives, transactions, pending loans, contributions and loans disbursed."""
    pending = Loan.status == LoanStatus.PENDING
    return fetch_figures(
        users=count_of(User),
        cooperatives=count_of(Cooperative),
        transactions=count_of(Transaction),
        pending_loans=count_of(Loan, pending),
        pending_loans_kobo=sum_of(Loan.amount_kobo, pending),
        contributions_kobo=contributions_sum(),
        contributions_count=contributions_count(),
        loans_disbursed_kobo=loans_disbursed_sum(),
    )


def loans_by_status() -> dict[LoanStatus, tuple[int, int]]:
    """Return (count, sum) per loan status; statuses without loans are absent."""
    rows = db.session.execute(
        sa.select(Loan.status, sa.func.count(), sa.func.coalesce(sa.func.sum(Loan.amount_kobo), 0)).group_by(
            Loan.status
        )
    ).all()
    return {status: (as_int(count), as_int(total)) for status, count, total in rows}


def expenses_by_status(created_by_id: int | None = None) -> dict[ExpenseStatus, tuple[int, int]]:
    """Return (count, sum) per expense status, optionally only one person's expenses."""
    query = sa.select(Expense.status, sa.func.count(), sa.func.coalesce(sa.func.sum(Expense.amount_kobo), 0))
    if created_by_id is not None:
        query = query.where(Expense.created_by_id == created_by_id)
    rows = db.session.execute(query.group_by(Expense.status)).all()
    return {status: (as_int(count), as_int(total)) for status, count, total in rows}


def latest_expenses(limit: int, created_by_id: int | None = None) -> list[dict[str, Any]]:
    """Return the newest expenses with who recorded them."""
    query = sa.select(Expense, User.first_name, User.last_name).outerjoin(User, User.id == Expense.created_by_id)
    if created_by_id is not None:
        query = query.where(Expense.created_by_id == created_by_id)
    rows = db.session.execute(query.order_by(Expense.created_at.desc(), Expense.id.desc()).limit(limit)).all()
    return [
        {
            "id": e.id,
            "title": e.title,
            "category": e.category,
            "amount_kobo": e.amount_kobo,
            "status": e.status,
            "created_by": full_name(first, last),
            "created_at": e.created_at,
            "updated_at": e.updated_at,
        }
        for e, first, last in rows
    ]


def next_statuses(status: Enum) -> list[Enum]:
    """Return the statuses reachable in one step, in the enum's declaration order."""
    allowed = allowed_next(status)
    return [candidate for candidate in type(status) if candidate in allowed]


def full_name(first: str | None, last: str | None) -> str:
    """Join a first and last name; an unknown person shows as a dash."""
    name = f"{first or ''} {last or ''}".strip()
    return name or "—"


def contributions_by_cooperative(since: datetime | None, limit: int) -> dict[str, Any]:
    """Return the cooperatives with the largest contributions since a moment, plus the totals of all of them."""
    total = sa.func.coalesce(sa.func.sum(Contribution.amount_kobo), 0)
    count = sa.func.count(Contribution.id)
    rows = db.session.execute(
        sa.select(
            Cooperative.id,
            Cooperative.name,
            Cooperative.registration_number,
            count.label("count"),
            total.label("amount"),
            sa.func.sum(total).over().label("all_amount"),
            sa.func.sum(count).over().label("all_count"),
            sa.func.count().over().label("groups"),
        )
        .join(Cooperative, Cooperative.id == Contribution.cooperative_id)
        .where(since_clause(Contribution.created_at, since))
        .group_by(Cooperative.id, Cooperative.name, Cooperative.registration_number)
        .order_by(total.desc(), Cooperative.name, Cooperative.id)
        .limit(limit)
    ).all()
    first = rows[0] if rows else None
    return {
        "rows": [
            {
                "id": r.id,
                "label": r.name,
                "code": r.registration_number,
                "count": as_int(r.count),
                "amount_kobo": as_int(r.amount),
            }
            for r in rows
        ],
        "total_kobo": as_int(first.all_amount) if first else 0,
        "count": as_int(first.all_count) if first else 0,
        "groups": as_int(first.groups) if first else 0,
    }


def contributions_by_month(months: list[compute.Month], include_earlier: bool) -> dict[str, Any]:
    """Return contribution sums and counts per calendar month (one SELECT), with an optional 'earlier' bucket."""
    amount, created = Contribution.amount_kobo, Contribution.created_at
    columns = []
    for index, month in enumerate(months):
        inside = in_month(created, month)
        columns.append(sa.func.coalesce(sa.func.sum(sa.case((inside, amount), else_=0)), 0).label(f"a{index}"))
        columns.append(sa.func.coalesce(sa.func.sum(sa.case((inside, 1), else_=0)), 0).label(f"c{index}"))
    before = created < months[0].start
    columns.append(sa.func.coalesce(sa.func.sum(sa.case((before, amount), else_=0)), 0).label("earlier_a"))
    columns.append(sa.func.coalesce(sa.func.sum(sa.case((before, 1), else_=0)), 0).label("earlier_c"))
    lower = None if include_earlier else months[0].start
    query = sa.select(*columns).where(since_clause(created, lower), created < months[-1].end)
    row = db.session.execute(query).one()._mapping
    rows = [
        {
            "key": m.key,
            "label": m.label,
            "short": f"{compute.MONTH_NAMES[m.month - 1]} '{m.year % 100:02d}",
            "count": as_int(row[f"c{i}"]),
            "amount_kobo": as_int(row[f"a{i}"]),
        }
        for i, m in enumerate(months)
    ]
    earlier = {
        "key": "earlier",
        "label": f"Before {months[0].label}",
        "short": "Earlier",
        "count": as_int(row["earlier_c"]),
        "amount_kobo": as_int(row["earlier_a"]),
    }
    if include_earlier and earlier["count"]:
        rows.insert(0, earlier)
    return {
        "rows": rows,
        "total_kobo": sum(r["amount_kobo"] for r in rows),
        "count": sum(r["count"] for r in rows),
        "groups": len(rows),
    }


def recent_loans(limit: int) -> dict[str, Any]:
    """Return the newest loans with member and cooperative, and how many loans exist in all."""
    rows = db.session.execute(
        sa.select(Loan, User.first_name, User.last_name, Cooperative.name, sa.func.count().over().label("total"))
        .outerjoin(User, User.id == Loan.user_id)
        .outerjoin(Cooperative, Cooperative.id == Loan.cooperative_id)
        .order_by(Loan.created_at.desc(), Loan.id.desc())
        .limit(limit)
    ).all()
    items = [
        {
            "id": loan.id,
            "member": full_name(first, last),
            "cooperative": coop or "—",
            "amount_kobo": loan.amount_kobo,
            "purpose": loan.purpose,
            "duration_months": loan.duration_months,
            "status": loan.status,
            "next_statuses": next_statuses(loan.status),
            "created_at": loan.created_at,
        }
        for loan, first, last, coop, _total in rows
    ]
    return {"items": items, "total": as_int(rows[0].total) if rows else 0}
