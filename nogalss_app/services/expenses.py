"""Platform expenses: finance records and edits its own while pending; a super admin decides and pays them."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from ..extensions import db
from ..models import Expense, ExpenseStatus, Role, TxCategory, TxType
from ..models.types import utcnow
from . import ledger, realtime
from .audit import audit_and_signal, person_name
from .errors import Conflict, NotFound, ValidationFailed
from .fields import (
    MAX_AMOUNT_KOBO,
    amount_field,
    is_id,
    notes_value,
    parse_status,
    require_mapping,
    status_arg,
    text_field,
)
from .money import format_naira
from .pages import Page, list_query, page_of
from .transitions import refusals_roll_back, transition_status

# field: (min length, max length, required)
TEXT_RULES = {"title": (3, 200, True), "description": (1, 1000, False), "category": (1, 100, True)}
MULTILINE = frozenset({"description"})
FIELDS = (*TEXT_RULES, "amount_kobo")
AUDIENCE = (Role.FINANCE, Role.SUPER_ADMIN)  # the dashboards with an `expenses` panel
SORTS = {
    "created_at": Expense.created_at,
    "amount_kobo": Expense.amount_kobo,
    "status": Expense.status,
    "title": Expense.title,
    "id": Expense.id,
}
DECIDED = {
    ExpenseStatus.APPROVED: ("expense.approved", "approved"),
    ExpenseStatus.REJECTED: ("expense.rejected", "rejected"),
    ExpenseStatus.PAID: ("expense.paid", "marked as paid"),
}


def list_own_expenses(actor_id: int, args: Mapping[str, str]) -> Page[Expense]:
    """Return one page of the actor's own expenses, filtered by ?status= and searched by title or category."""
    query = list_query(args, SORTS, "created_at")
    select = sa.select(Expense).where(Expense.created_by_id == actor_id)
    status = status_arg(args, ExpenseStatus)
    if status is not None:
        select = select.where(Expense.status == status)
    if query.q:
        like = f"%{query.q}%"
        select = select.where(sa.or_(Expense.title.ilike(like), Expense.category.ilike(like)))
    return page_of(select, query, SORTS)


def _state(expense: Expense) -> dict[str, Any]:
    """Return the audited fields of an expense."""
    return {name: getattr(expense, name) for name in (*FIELDS, "status")}


def _fields(data: object, *, partial: bool, maximum_kobo: int) -> dict[str, Any]:
    """Return the validated expense fields present in data (all of them unless partial), or refuse with 422."""
    data = require_mapping(data)
    errors: dict[str, str] = {}
    out: dict[str, Any] = {}
    for name, (min_len, max_len, required) in TEXT_RULES.items():
        if not partial or name in data:
            out[name] = text_field(
                data, name, errors, min_len=min_len, max_len=max_len, required=required, multiline=name in MULTILINE
            )
    if not partial or "amount_kobo" in data:
        out["amount_kobo"] = amount_field(data, errors, maximum_kobo=maximum_kobo)
    if partial and not out:
        errors["body"] = f"send at least one of {', '.join(FIELDS)}"
    if errors:
        raise ValidationFailed("Check the expense.", errors)
    return out


def _signal(
    event: str,
    expense: Expense,
    before: dict | None,
    after: dict | None,
    actor_id: int,
    summary: str,
    now: datetime,
    *,
    paid: bool = False,
) -> None:
    """Audit and signal an expense change to finance and super admins (with the ledger when paid), then commit."""
    rooms = realtime.rooms_for(roles=AUDIENCE)
    audit_and_signal(
        event,
        "expense",
        expense.id,
        actor_id=actor_id,
        before=before,
        after=after,
        topics=["expenses", "transactions"] if paid else ["expenses"],
        rooms=rooms,
        summary=summary,
        now=now,
    )
    realtime.commit()


def _describe(expense: Expense) -> str:
    """Return a short description of an expense for summaries."""
    return f"the {format_naira(expense.amount_kobo)} expense '{expense.title}'"


@refusals_roll_back
def create_expense(
    data: Mapping[str, Any], *, actor_id: int, now: datetime | None = None, maximum_kobo: int = MAX_AMOUNT_KOBO
) -> Expense:
    """Record a PENDING expense created by the actor."""
    now = now or utcnow()
    fields = _fields(data, partial=False, maximum_kobo=maximum_kobo)
    expense = Expense(**fields, status=ExpenseStatus.PENDING, created_by_id=actor_id, created_at=now, updated_at=now)
    db.session.add(expense)
    db.session.flush()
    summary = f"{person_name(actor_id)} recorded {_describe(expense)}"
    _signal("expense.created", expense, None, _state(expense), actor_id, summary, now)
    return expense


def _own_pending(expense_id: int, actor_id: int) -> Expense:
    """Return the actor's own expense if it is still pending; someone else's is not found."""
    expense = db.session.get(Expense, expense_id) if is_id(expense_id) else None
    if expense is None or expense.created_by_id != actor_id:
        raise NotFound("Expense not found.")
    if expense.status is not ExpenseStatus.PENDING:
        raise Conflict(f"An expense that is {expense.status.value} can no longer be changed.")
    return expense


def _while_pending(statement: Any, expense: Expense, actor_id: int) -> Any:
    """Limit an UPDATE/DELETE to the actor's expense while it is still pending (compare-and-set)."""
    return statement.where(
        Expense.id == expense.id, Expense.created_by_id == actor_id, Expense.status == ExpenseStatus.PENDING
    ).execution_options(synchronize_session=False)


@refusals_roll_back
def update_expense(
    expense_id: int,
    data: Mapping[str, Any],
    *,
    actor_id: int,
    now: datetime | None = None,
    maximum_kobo: int = MAX_AMOUNT_KOBO,
) -> Expense:
    """Change the given fields of the actor's own pending expense."""
    now = now or utcnow()
    expense = _own_pending(expense_id, actor_id)
    fields = _fields(data, partial=True, maximum_kobo=maximum_kobo)
    before = _state(expense)
    result = db.session.execute(_while_pending(sa.update(Expense), expense, actor_id).values(**fields, updated_at=now))
    if result.rowcount != 1:
        raise Conflict("This expense was changed by someone else; reload and try again.")
    db.session.refresh(expense)
    summary = f"{person_name(actor_id)} edited {_describe(expense)}"
    _signal("expense.updated", expense, before, _state(expense), actor_id, summary, now)
    return expense


@refusals_roll_back
def delete_expense(expense_id: int, *, actor_id: int, now: datetime | None = None) -> None:
    """Delete the actor's own pending expense."""
    now = now or utcnow()
    expense = _own_pending(expense_id, actor_id)
    before, description = _state(expense), _describe(expense)
    result = db.session.execute(_while_pending(sa.delete(Expense), expense, actor_id))
    if result.rowcount != 1:
        raise Conflict("This expense was changed by someone else; reload and try again.")
    db.session.expunge(expense)
    _signal("expense.deleted", expense, before, None, actor_id, f"{person_name(actor_id)} deleted {description}", now)


@refusals_roll_back
def decide_expense(
    expense_id: int,
    new_status: ExpenseStatus | str,
    *,
    actor_id: int,
    notes: str | None = None,
    now: datetime | None = None,
) -> Expense:
    """Approve or reject a pending expense, or mark an approved one as paid."""
    now = now or utcnow()
    status, notes = parse_status(new_status, ExpenseStatus), notes_value(notes)
    expense = db.session.get(Expense, expense_id) if is_id(expense_id) else None
    if expense is None:
        raise NotFound("Expense not found.")
    before = _state(expense)
    values: dict[str, Any] = {"updated_at": now, "decided_by_id": actor_id} | ({"notes": notes} if notes else {})
    transition_status(expense, status, "expense", **values)
    if status is ExpenseStatus.PAID:
        _pay_out(expense, actor_id, now)
    event, verb = DECIDED[status]
    summary = f"{person_name(actor_id)} {verb} {_describe(expense)}"
    _signal(event, expense, before, _state(expense), actor_id, summary, now, paid=status is ExpenseStatus.PAID)
    return expense


def _pay_out(expense: Expense, actor_id: int, now: datetime) -> None:
    """Write the successful EXPENSE ledger line of a paid expense (a platform outflow) and link it."""
    tx = ledger.record_transaction(
        tx_type=TxType.EXPENSE,
        category=TxCategory.EXPENSE,
        amount_kobo=expense.amount_kobo,
        created_by_id=actor_id,
        description=f"Expense #{expense.id}: {expense.title}",
        now=now,
    )
    expense.transaction_id = tx.id
    db.session.flush()
