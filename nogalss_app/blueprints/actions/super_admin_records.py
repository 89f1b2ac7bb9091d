"""Super admin records: the ledger and cooperative pages, and the expense decisions of the `expenses` panel."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from ...services import expenses
from ...services.errors import ServiceError
from ...services.fields import is_id
from .common import panel_reply

EXPENSE_NOTICES = {"APPROVED": "Expense approved.", "REJECTED": "Expense rejected.", "PAID": "Expense marked as paid."}


def expenses_reply(*, notice: str | None = None, error: ServiceError | None = None):
    """Re-render the super admin's `expenses` panel with a notice or the refusal (status = the refusal's)."""
    return panel_reply("super_admin", "expenses", notice=notice, error=error, form_values=request.form)


def register(bp: Blueprint) -> None:
    """Add the super admin's record pages and the expense decision form route."""
    from . import super_admin_records_coops, super_admin_records_tx

    super_admin_records_tx.register(bp)
    super_admin_records_coops.register(bp)

    @bp.post("/expenses/<int:expense_id>/status")
    def records_decide_expense(expense_id: int):
        """Approve, reject or mark paid an expense from the `expenses` panel; answer the re-rendered panel."""
        try:
            expense = expenses.decide_expense(
                expense_id if is_id(expense_id) else 0,
                request.form.get("status", ""),
                actor_id=current_user.id,
                notes=request.form.get("notes"),
            )
        except ServiceError as exc:
            return expenses_reply(error=exc)
        return expenses_reply(notice=EXPENSE_NOTICES[expense.status.value])
