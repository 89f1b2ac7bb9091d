"""Record reports: contributions (by member or by cooperative), withdrawals, expenses and loans with arrears.

A leader's reports (and a super admin's, when they choose a cooperative) are filtered by the cooperative in SQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import sqlalchemy as sa

from ...models import Contribution, Cooperative, Expense, Loan, User, Withdrawal, WithdrawalStatus
from ...models.enums import DISBURSED_LOAN_STATUSES, OUTSTANDING_LOAN_STATUSES
from ..exports import Column, Kind
from ..loan_terms import standing
from ..periods import local_today
from ..stats.queries_loans import schedules
from .base import Request, as_int, name_of, stream

AGING = (("arrears_1_30_kobo", 1, 30), ("arrears_31_60_kobo", 31, 60), ("arrears_61_90_kobo", 61, 90))
AGING_OVER = "arrears_over_90_kobo"
BATCH = 500


def _in(column: Any, request: Request) -> sa.ColumnElement[bool]:
    """Return `column` inside the request's period."""
    return sa.and_(column >= request.period.start, column < request.period.end)


def _coop_filter(column: Any, request: Request) -> tuple[sa.ColumnElement[bool], ...]:
    """Return the cooperative filter of the audience, if any."""
    coop = request.audience.cooperative_id
    return () if coop is None else (column == coop,)


# Contributions ----------------------------------------------------------------------------------------------------


def contributions_columns(request: Request) -> list[Column]:
    """Per member (with their cooperative) or per cooperative: number and sum of contributions."""
    by_member = request.filters.get("group", "member") == "member"
    head = [Column("cooperative", "Cooperative"), Column("code", "Code")]
    if by_member:
        head.append(Column("member", "Member"))
    return [*head, Column("count", "Contributions", Kind.COUNT), Column("amount_kobo", "Amount", Kind.AMOUNT)]


def contributions_rows(request: Request) -> Iterator[dict[str, Any]]:
    """Yield the period's contributions summed per member (default) or per cooperative."""
    by_member = request.filters.get("group", "member") == "member"
    keys = [Cooperative.id, Cooperative.name, Cooperative.registration_number]
    if by_member:
        keys += [User.id, User.first_name, User.last_name]
    query = (
        sa.select(*keys, sa.func.count(Contribution.id), sa.func.coalesce(sa.func.sum(Contribution.amount_kobo), 0))
        .join(Cooperative, Cooperative.id == Contribution.cooperative_id)
        .join(User, User.id == Contribution.user_id)
        .where(_in(Contribution.created_at, request), *_coop_filter(Contribution.cooperative_id, request))
        .group_by(*keys)
        .order_by(Cooperative.name, Cooperative.id, *((User.last_name, User.first_name, User.id) if by_member else ()))
    )
    for row in stream(query):
        out = {"cooperative": row[1], "code": row[2], "count": as_int(row[-2]), "amount_kobo": as_int(row[-1])}
        if by_member:
            out["member"] = name_of(row[4], row[5])
        yield out


# Withdrawals ------------------------------------------------------------------------------------------------------


def withdrawals_columns(request: Request) -> list[Column]:
    """Each withdrawal requested in the period, its status, and the part paid out."""
    return [
        Column("date", "Requested", Kind.DATETIME),
        Column("id", "Number", Kind.COUNT, total=False),
        Column("member", "Member"),
        Column("cooperative", "Cooperative"),
        Column("reason", "Reason"),
        Column("status", "Status"),
        Column("amount_kobo", "Amount", Kind.AMOUNT),
        Column("processed_kobo", "Paid out", Kind.AMOUNT),
    ]


def withdrawals_rows(request: Request) -> Iterator[dict[str, Any]]:
    """Yield the period's withdrawal requests, oldest first."""
    query = (
        sa.select(Withdrawal, User.first_name, User.last_name, Cooperative.name)
        .outerjoin(User, User.id == Withdrawal.user_id)
        .outerjoin(Cooperative, Cooperative.id == Withdrawal.cooperative_id)
        .where(_in(Withdrawal.created_at, request), *_coop_filter(Withdrawal.cooperative_id, request))
        .order_by(Withdrawal.created_at, Withdrawal.id)
    )
    for w, first, last, coop in stream(query):
        yield {
            "date": w.created_at,
            "id": w.id,
            "member": name_of(first, last),
            "cooperative": coop or "—",
            "reason": w.reason,
            "status": w.status.label,
            "amount_kobo": w.amount_kobo,
            "processed_kobo": w.amount_kobo if w.status is WithdrawalStatus.PROCESSED else 0,
        }


# Expenses ---------------------------------------------------------------------------------------------------------


def expenses_columns(request: Request) -> list[Column]:
    """Each expense recorded in the period, by whom, its status and amount."""
    return [
        Column("date", "Recorded", Kind.DATETIME),
        Column("id", "Number", Kind.COUNT, total=False),
        Column("title", "Title"),
        Column("category", "Category"),
        Column("recorded_by", "Recorded by"),
        Column("status", "Status"),
        Column("amount_kobo", "Amount", Kind.AMOUNT),
    ]


def expenses_rows(request: Request) -> Iterator[dict[str, Any]]:
    """Yield the period's expenses, oldest first."""
    query = (
        sa.select(Expense, User.first_name, User.last_name)
        .outerjoin(User, User.id == Expense.created_by_id)
        .where(_in(Expense.created_at, request))
        .order_by(Expense.created_at, Expense.id)
    )
    for e, first, last in stream(query):
        yield {
            "date": e.created_at,
            "id": e.id,
            "title": e.title,
            "category": e.category,
            "recorded_by": name_of(first, last),
            "status": e.status.label,
            "amount_kobo": e.amount_kobo,
        }


# Loans ------------------------------------------------------------------------------------------------------------


def loans_columns(request: Request) -> list[Column]:
    """Each loan disbursed in the period: disbursed, repaid, outstanding, and arrears aged by days past due."""
    return [
        Column("date", "Disbursed on", Kind.DATETIME),
        Column("id", "Loan", Kind.COUNT, total=False),
        Column("member", "Member"),
        Column("cooperative", "Cooperative"),
        Column("status", "Status"),
        Column("disbursed_kobo", "Disbursed", Kind.AMOUNT),
        Column("total_due_kobo", "Total due", Kind.AMOUNT),
        Column("repaid_kobo", "Repaid", Kind.AMOUNT),
        Column("outstanding_kobo", "Outstanding", Kind.AMOUNT),
        Column("days_past_due", "Days past due", Kind.COUNT, total=False),
        *(Column(key, f"Arrears {low}–{high} days", Kind.AMOUNT) for key, low, high in AGING),
        Column(AGING_OVER, "Arrears over 90 days", Kind.AMOUNT),
    ]


def _disbursed_at() -> Any:
    """Return when a loan was disbursed (its approval for loans older than the disbursement column)."""
    return sa.func.coalesce(Loan.disbursed_at, Loan.decided_at, Loan.created_at)


def _loan_row(loan: Loan, member: str, coop: str | None, schedule: list, today: date) -> dict[str, Any]:
    """Return one loan's position today from its schedule (services.loan_terms.standing)."""
    open_ = loan.status in OUTSTANDING_LOAN_STATUSES
    state = standing(schedule, loan.repaid_kobo, today)
    owed, days = (state.arrears_kobo, state.days_past_due) if open_ else (0, 0)
    return {
        "date": loan.disbursed_at or loan.decided_at or loan.created_at,
        "id": loan.id,
        "member": member,
        "cooperative": coop or "—",
        "status": loan.status.label,
        "disbursed_kobo": loan.amount_kobo,
        "total_due_kobo": loan.total_due_kobo,
        "repaid_kobo": loan.repaid_kobo,
        "outstanding_kobo": loan.remaining_kobo if open_ else 0,
        "days_past_due": days,
        **{key: (owed if low <= days <= high else 0) for key, low, high in AGING},
        AGING_OVER: owed if days > 90 else 0,
    }


def loans_rows(request: Request) -> Iterator[dict[str, Any]]:
    """Yield the loans disbursed in the period with their position today, read in batches with their schedules."""
    disbursed_at = _disbursed_at()
    query = (
        sa.select(Loan, User.first_name, User.last_name, Cooperative.name)
        .outerjoin(User, User.id == Loan.user_id)
        .outerjoin(Cooperative, Cooperative.id == Loan.cooperative_id)
        .where(Loan.status.in_(sorted(DISBURSED_LOAN_STATUSES)), _in(disbursed_at, request))
        .where(*_coop_filter(Loan.cooperative_id, request))
        .order_by(disbursed_at, Loan.id)
    )
    today = local_today(request.now)
    batch: list[Any] = []
    for row in stream(query):
        batch.append(row)
        if len(batch) >= BATCH:
            yield from _loan_batch(batch, today)
            batch = []
    yield from _loan_batch(batch, today)


def _loan_batch(batch: list[Any], today: date) -> Iterator[dict[str, Any]]:
    """Yield the rows of a batch of loans, reading their instalments in one SELECT."""
    found = schedules([row[0].id for row in batch])
    for loan, first, last, coop in batch:
        yield _loan_row(loan, name_of(first, last), coop, found[loan.id], today)
