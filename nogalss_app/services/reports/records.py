"""Record reports: contributions (by member or by cooperative), withdrawals, expenses and loans with arrears.

A leader's reports (and a super admin's, when they choose a cooperative) are filtered by the cooperative in SQL.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ...models import Contribution, Cooperative, Expense, Loan, User, Withdrawal, WithdrawalStatus
from ...models.enums import DISBURSED_LOAN_STATUSES, OUTSTANDING_LOAN_STATUSES
from ..exports import Column, Kind
from ..stats.compute import LOCAL_TZ
from .base import Request, as_int, name_of, stream

AGING = (("arrears_1_30_kobo", 1, 30), ("arrears_31_60_kobo", 31, 60), ("arrears_61_90_kobo", 61, 90))
AGING_OVER = "arrears_over_90_kobo"


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


def add_months_clamped(day: date, months: int) -> date:
    """Return the same day `months` later, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def arrears(total_kobo: int, repaid_kobo: int, months: int, disbursed_at: datetime, today: date) -> tuple[int, int]:
    """Return (amount in arrears, days past due of the oldest uncovered instalment) of a flat schedule.

    Equal monthly instalments (the remainder on the last), the first one month after disbursement (Nigerian
    date); repayments cover instalments in order.
    """
    start = disbursed_at.astimezone(LOCAL_TZ).date()
    base, remainder = divmod(total_kobo, months)
    covered, owed, oldest = repaid_kobo, 0, None
    for number in range(1, months + 1):
        amount = base + (remainder if number == months else 0)
        due = add_months_clamped(start, number)
        paid = min(covered, amount)
        covered -= paid
        if due < today and paid < amount:
            owed += amount - paid
            oldest = oldest or due
    return owed, (today - oldest).days if oldest else 0


def loans_columns(request: Request) -> list[Column]:
    """Each loan disbursed in the period: disbursed, repaid, outstanding, and arrears aged by days past due."""
    return [
        Column("date", "Disbursed on", Kind.DATETIME),
        Column("id", "Loan", Kind.COUNT, total=False),
        Column("member", "Member"),
        Column("cooperative", "Cooperative"),
        Column("status", "Status"),
        Column("disbursed_kobo", "Disbursed", Kind.AMOUNT),
        Column("repaid_kobo", "Repaid", Kind.AMOUNT),
        Column("outstanding_kobo", "Outstanding", Kind.AMOUNT),
        Column("days_past_due", "Days past due", Kind.COUNT, total=False),
        *(Column(key, f"Arrears {low}–{high} days", Kind.AMOUNT) for key, low, high in AGING),
        Column(AGING_OVER, "Arrears over 90 days", Kind.AMOUNT),
    ]


def loans_rows(request: Request) -> Iterator[dict[str, Any]]:
    """Yield the loans disbursed (approved) in the period with their position today."""
    disbursed_at = sa.func.coalesce(Loan.decided_at, Loan.created_at)
    query = (
        sa.select(Loan, User.first_name, User.last_name, Cooperative.name)
        .outerjoin(User, User.id == Loan.user_id)
        .outerjoin(Cooperative, Cooperative.id == Loan.cooperative_id)
        .where(Loan.status.in_(sorted(DISBURSED_LOAN_STATUSES)), _in(disbursed_at, request))
        .where(*_coop_filter(Loan.cooperative_id, request))
        .order_by(disbursed_at, Loan.id)
    )
    today = request.now.astimezone(LOCAL_TZ).date()
    for loan, first, last, coop in stream(query):
        when = loan.decided_at or loan.created_at
        open_ = loan.status in OUTSTANDING_LOAN_STATUSES
        outstanding = loan.amount_kobo - loan.repaid_kobo if open_ else 0
        owed, days = arrears(loan.amount_kobo, loan.repaid_kobo, loan.duration_months, when, today) if open_ else (0, 0)
        row = {
            "date": when,
            "id": loan.id,
            "member": name_of(first, last),
            "cooperative": coop or "—",
            "status": loan.status.label,
            "disbursed_kobo": loan.amount_kobo,
            "repaid_kobo": loan.repaid_kobo,
            "outstanding_kobo": outstanding,
            "days_past_due": days,
            **{key: (owed if low <= days <= high else 0) for key, low, high in AGING},
            AGING_OVER: owed if days > 90 else 0,
        }
        yield row
