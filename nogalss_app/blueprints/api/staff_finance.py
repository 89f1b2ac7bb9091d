"""JSON API of finance: the withdrawal queue (FINANCE, SUPER_ADMIN) and finance's own expenses (FINANCE)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_login import current_user

from ...models import Expense, Role, Withdrawal
from ...security import require_roles
from ...services import expenses, withdrawals
from .common import iso, json_body, page_json

queue = Blueprint("api_finance_withdrawals", __name__, url_prefix="/api/finance")
queue.before_request(require_roles({Role.FINANCE, Role.SUPER_ADMIN}))

own = Blueprint("api_finance_expenses", __name__, url_prefix="/api/finance")
own.before_request(require_roles({Role.FINANCE}))

EXPENSE_FIELDS = ("title", "description", "amount_kobo", "category")
# Record ids fit a 32-bit column; a larger number in a URL is simply not found (never an overflow).
ID = "int(max=2147483647)"


def withdrawal_json(withdrawal: Withdrawal) -> dict[str, Any]:
    """Return a withdrawal as JSON fields."""
    return {
        "id": withdrawal.id,
        "user_id": withdrawal.user_id,
        "cooperative_id": withdrawal.cooperative_id,
        "amount_kobo": withdrawal.amount_kobo,
        "reason": withdrawal.reason,
        "status": withdrawal.status.value,
        "notes": withdrawal.notes,
        "decided_by_id": withdrawal.decided_by_id,
        "processed_by_id": withdrawal.processed_by_id,
        "transaction_id": withdrawal.transaction_id,
        "created_at": iso(withdrawal.created_at),
        "updated_at": iso(withdrawal.updated_at),
    }


def expense_json(expense: Expense) -> dict[str, Any]:
    """Return an expense as JSON fields."""
    return {
        "id": expense.id,
        "title": expense.title,
        "description": expense.description,
        "category": expense.category,
        "amount_kobo": expense.amount_kobo,
        "status": expense.status.value,
        "notes": expense.notes,
        "created_by_id": expense.created_by_id,
        "decided_by_id": expense.decided_by_id,
        "created_at": iso(expense.created_at),
        "updated_at": iso(expense.updated_at),
    }


def only(data: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    """Keep the fields an endpoint accepts; anything slipped in (status, created_by_id…) is ignored."""
    return {name: data[name] for name in names if name in data}


@queue.get("/withdrawals")
def list_withdrawals():
    """List withdrawals (all members), filtered by ?status= and searched by member name or reason."""
    return jsonify(page_json(withdrawals.list_withdrawals(request.args), withdrawal_json))


@queue.patch(f"/withdrawals/<{ID}:withdrawal_id>")
def decide_withdrawal(withdrawal_id: int):
    """Approve or reject a pending withdrawal, or mark an approved one processed (paying it out)."""
    data = json_body()
    withdrawal = withdrawals.decide_withdrawal(
        withdrawal_id, data.get("status"), actor_id=current_user.id, notes=data.get("notes")
    )
    return jsonify(withdrawal_json(withdrawal))


@own.get("/expenses")
def list_expenses():
    """List the caller's own expenses, filtered by ?status= and searched by title or category."""
    return jsonify(page_json(expenses.list_own_expenses(current_user.id, request.args), expense_json))


@own.post("/expenses")
def create_expense():
    """Record a pending expense of the caller."""
    expense = expenses.create_expense(only(json_body(), EXPENSE_FIELDS), actor_id=current_user.id)
    return jsonify(expense_json(expense)), 201


@own.put(f"/expenses/<{ID}:expense_id>")
def update_expense(expense_id: int):
    """Change the given fields of the caller's own pending expense."""
    expense = expenses.update_expense(expense_id, only(json_body(), EXPENSE_FIELDS), actor_id=current_user.id)
    return jsonify(expense_json(expense))


@own.delete(f"/expenses/<{ID}:expense_id>")
def delete_expense(expense_id: int):
    """Delete the caller's own pending expense."""
    expenses.delete_expense(expense_id, actor_id=current_user.id)
    return "", 204


def blueprints() -> list[Blueprint]:
    """Return the finance API blueprints."""
    return [queue, own]
