"""Member statements (SPEC §10): opening balance, one line per movement of savings with a running balance, the
closing balance, and each loan with its schedule (money's `loan_instalments`), its standing and repayments.

The lines are the rows of the member's "savings balance" figure (services.figures), the same definition the
member dashboard's balance drills down to, so a statement to today closes at the balance on the dashboard.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from ...extensions import db
from ...models import Loan, Role, Transaction, TxStatus, TxType, User
from ...models.enums import OUTSTANDING_LOAN_STATUSES
from ..errors import NotFound, ValidationFailed
from ..exports import Column, Kind, SummaryLine, Table
from ..figures import find_figure
from ..loan_terms import standing
from ..periods import MIN_DATE, Period, local_today, parse_date
from ..stats.compute import LOCAL_TZ
from ..stats.scope import Scope
from .base import ORGANISATION, name_of
from .records import schedules

MEMBER_ROLES = (Role.MEMBER, Role.LEADER)
KINDS = {TxType.CONTRIBUTION: "Contribution", TxType.ADJUSTMENT: "Savings adjustment"}
COLUMNS = [
    Column("date", "Date", Kind.DATETIME),
    Column("reference", "Reference"),
    Column("description", "Description"),
    Column("amount_kobo", "Amount", Kind.AMOUNT),
    Column("balance_kobo", "Balance", Kind.AMOUNT, total=False),
]


@dataclass(frozen=True)
class Statement:
    """A member's statement for a period: opening, lines with running balance, closing, loans."""

    member: User
    period: Period
    opening_kobo: int
    lines: list[dict[str, Any]]
    closing_kobo: int
    loans: list[dict[str, Any]]


def statement_member(viewer: User, member_id: int) -> User:
    """Return the member whose statement the viewer may read: themselves, their leader, finance, super admin.

    Anyone else — and an unknown member — gets 404, never someone else's data.
    """
    member = db.session.get(User, member_id)
    if member is None or member.role not in MEMBER_ROLES:
        raise NotFound("No such member.")
    allowed = (
        viewer.id == member.id
        or viewer.role in (Role.FINANCE, Role.SUPER_ADMIN)
        or (
            viewer.role is Role.LEADER
            and viewer.cooperative_id is not None
            and viewer.cooperative_id == member.cooperative_id
        )
    )
    if not allowed:
        raise NotFound("No such member.")
    return member


def statement_period(member: User, args: Mapping[str, str], now: datetime) -> Period:
    """Return from (default: the member's first day) .. to (default: today); 422 when malformed or backwards."""
    errors: dict[str, str] = {}
    today = local_today(now)
    joined = max(member.created_at.astimezone(LOCAL_TZ).date(), MIN_DATE)
    first = parse_date(args["from"], "from", errors) if args.get("from") else min(joined, today)
    last = parse_date(args["to"], "to", errors) if args.get("to") else today
    if errors or first is None or last is None:
        raise ValidationFailed("Check the dates.", errors)
    if first > last:
        raise ValidationFailed("Check the dates.", {"to": "must not be before from"})
    return Period(first, last)


def _movements(member: User, viewer: User, now: datetime) -> sa.Subquery:
    """Return the member's savings movements: the rows of their savings-balance figure."""
    figure = find_figure("member", "savings", "balance")
    assert figure is not None
    scope = Scope(viewer.id, viewer.role, cooperative_id=member.cooperative_id, member_id=member.id, now=now)
    return figure.rows(scope).subquery()


def build_statement(member: User, viewer: User, period: Period, now: datetime) -> Statement:
    """Return the statement: opening = Σ movements before the period, lines inside it, closing = opening + Σ lines."""
    rows = _movements(member, viewer, now)
    opening = int(
        db.session.scalar(
            sa.select(sa.func.coalesce(sa.func.sum(rows.c.amount_kobo), 0)).where(rows.c.date < period.start)
        )
        or 0
    )
    found = db.session.execute(
        sa.select(rows)
        .where(rows.c.date >= period.start, rows.c.date < period.end)
        .order_by(rows.c.date, rows.c.entity, rows.c.id)
    ).all()
    types = _ledger_types([int(row.id) for row in found if row.entity == "transaction"])
    balance, lines = opening, []
    for row in found:
        amount = int(row.amount_kobo)
        balance += amount
        kind = "Withdrawal" if row.entity == "withdrawal" else KINDS.get(types.get(int(row.id)), "Contribution")
        lines.append(
            {
                "date": row.date,
                "reference": row.reference,
                "description": f"{kind}: {row.description}" if row.description else kind,
                "amount_kobo": amount,
                "balance_kobo": balance,
            }
        )
    return Statement(member, period, opening, lines, balance, member_loans(member.id, local_today(now)))


def _ledger_types(ids: list[int]) -> dict[int, TxType]:
    """Return the ledger type of each transaction line (a contribution or a savings adjustment)."""
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(Transaction.id, Transaction.type).where(Transaction.id.in_(ids))).all())


def member_loans(member_id: int, today: date) -> list[dict[str, Any]]:
    """Return the member's loans with money's instalment schedule, its standing on `today`, and repayments."""
    loans = db.session.scalars(
        sa.select(Loan).where(Loan.user_id == member_id).order_by(Loan.created_at, Loan.id)
    ).all()
    found = schedules([loan.id for loan in loans])
    out = []
    for loan in loans:
        owed = loan.status in OUTSTANDING_LOAN_STATUSES
        state = standing(found[loan.id], loan.repaid_kobo, today)
        repayments = db.session.scalars(
            sa.select(Transaction)
            .where(Transaction.loan_id == loan.id, Transaction.type == TxType.REPAYMENT)
            .where(Transaction.status == TxStatus.SUCCESSFUL)
            .order_by(Transaction.created_at, Transaction.id)
        ).all()
        out.append(
            {
                "id": loan.id,
                "status": loan.status.value,
                "amount_kobo": loan.amount_kobo,
                "interest_bp": loan.interest_bp,
                "total_due_kobo": loan.total_due_kobo,
                "repaid_kobo": loan.repaid_kobo,
                "outstanding_kobo": loan.remaining_kobo if owed else 0,
                "arrears_kobo": state.arrears_kobo if owed else 0,
                "days_past_due": state.days_past_due if owed else 0,
                "schedule": [
                    {
                        "number": i.number,
                        "due": i.due_on.isoformat(),
                        "amount_kobo": i.amount_kobo,
                        "covered_kobo": i.covered_kobo,
                        "in_arrears": i.in_arrears,
                    }
                    for i in state.instalments
                ],
                "repayments": [
                    {"reference": tx.reference, "date": tx.created_at.isoformat(), "amount_kobo": tx.amount_kobo}
                    for tx in repayments
                ],
            }
        )
    return out


def statement_json(statement: Statement) -> dict[str, Any]:
    """Return the statement as JSON values."""
    return {
        "member": {"id": statement.member.id, "name": name_of(statement.member.first_name, statement.member.last_name)},
        **statement.period.as_query(),
        "opening_kobo": statement.opening_kobo,
        "lines": [{**line, "date": line["date"].isoformat()} for line in statement.lines],
        "closing_kobo": statement.closing_kobo,
        "loans": statement.loans,
    }


def statement_table(statement: Statement, now: datetime) -> Table:
    """Return the statement as an export table: the lines, then opening, closing and each loan's position."""
    member = statement.member
    summary = [
        SummaryLine("Opening balance", statement.opening_kobo),
        SummaryLine("Closing balance", statement.closing_kobo),
        *(
            SummaryLine(f"Loan {loan['id']} ({loan['status'].lower()}) outstanding", loan["outstanding_kobo"])
            for loan in statement.loans
        ),
    ]
    return Table(
        title=f"Statement · {name_of(member.first_name, member.last_name)}",
        organisation=ORGANISATION,
        period=statement.period,
        generated_at=now,
        columns=COLUMNS,
        rows=iter(statement.lines),
        summary=summary,
        filename_stem=f"statement_{member.id}",
    )
