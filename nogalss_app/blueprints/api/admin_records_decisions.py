"""API area (super admin records): deciding withdrawals and expenses."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from ...models import Expense, Withdrawal
from ...services import expenses, withdrawals
from ...services.errors import NotFound
from ...services.fields import is_id
from .common import iso, json_body


def withdrawal_json(withdrawal: Withdrawal) -> dict:
    """Return a withdrawal as JSON."""
    names = ("id", "user_id", "cooperative_id", "amount_kobo", "reason", "notes")
    return {
        **{name: getattr(withdrawal, name) for name in names},
        "status": withdrawal.status.value,
        "decided_by_id": withdrawal.decided_by_id,
        "processed_by_id": withdrawal.processed_by_id,
        "transaction_id": withdrawal.transaction_id,
        "created_at": iso(withdrawal.created_at),
        "updated_at": iso(withdrawal.updated_at),
    }


def expense_json(expense: Expense) -> dict:
    """Return an expense as JSON."""
    names = ("id", "title", "description", "category", "amount_kobo", "notes", "created_by_id", "decided_by_id")
    return {
        **{name: getattr(expense, name) for name in names},
        "status": expense.status.value,
        "created_at": iso(expense.created_at),
        "updated_at": iso(expense.updated_at),
    }


def _existing(record_id: int, what: str) -> int:
    """Return the id if it can exist at all (a larger number than any id is simply not found)."""
    if not is_id(record_id):
        raise NotFound(f"{what} not found.")
    return record_id


def decide_withdrawal(withdrawal_id: int):
    """Approve or reject a PENDING withdrawal, or process an APPROVED one (`status`, optional `notes`)."""
    body = json_body()
    withdrawal = withdrawals.decide_withdrawal(
        _existing(withdrawal_id, "Withdrawal"), body.get("status"), actor_id=current_user.id, notes=body.get("notes")
    )
    return jsonify(withdrawal_json(withdrawal))


def decide_expense(expense_id: int):
    """Approve or reject a PENDING expense, or mark an APPROVED one as paid (`status`, optional `notes`)."""
    body = json_body()
    expense = expenses.decide_expense(
        _existing(expense_id, "Expense"), body.get("status"), actor_id=current_user.id, notes=body.get("notes")
    )
    return jsonify(expense_json(expense))


def register(bp: Blueprint) -> None:
    """Add the decision routes to the super admin records blueprint."""
    bp.add_url_rule("/withdrawals/<int:withdrawal_id>", view_func=decide_withdrawal, methods=["PATCH"])
    bp.add_url_rule("/expenses/<int:expense_id>/status", view_func=decide_expense, methods=["PUT"])
