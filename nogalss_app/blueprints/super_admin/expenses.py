"""The form of the super admin's `expenses` panel: approve, reject or mark paid (answers the re-rendered panel)."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from ...services import expenses
from ..web import answer

EXPENSE_NOTICES = {"APPROVED": "Expense approved.", "REJECTED": "Expense rejected.", "PAID": "Expense marked as paid."}


def records_decide_expense(expense_id: int):
    """Approve, reject or mark paid an expense from the `expenses` panel; answer the re-rendered panel."""

    def action() -> str:
        expense = expenses.decide_expense(
            expense_id, request.form.get("status", ""), actor_id=current_user.id, notes=request.form.get("notes")
        )
        return EXPENSE_NOTICES[expense.status.value]

    return answer("super_admin", "expenses", action)


def register(bp: Blueprint) -> None:
    """Add the expense decision form route."""
    bp.add_url_rule("/expenses/<id:expense_id>/status", view_func=records_decide_expense, methods=["POST"])
