"""Form routes of the finance dashboard: the withdrawal queue and finance's own expenses (htmx posts that
answer with the re-rendered panel)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request
from flask_login import current_user

from ...models import Role, WithdrawalStatus
from ...services import expenses, repayments, withdrawals
from ...services.actor import Actor
from ...services.fields import parse_status
from ...services.money import format_naira
from ..web import answer, idempotent, naira_field, optional_text, roles_only

DASHBOARD = "finance"
WITHDRAWAL_DONE = {
    WithdrawalStatus.APPROVED: "approved",
    WithdrawalStatus.REJECTED: "rejected",
    WithdrawalStatus.PROCESSED: "processed: the money was paid out",
}
EXPENSE_NAMES = {"amount_kobo": "amount"}


def decide_withdrawal(withdrawal_id: int):
    """Approve or reject a pending withdrawal, or mark an approved one processed."""

    def action() -> str:
        status = parse_status(request.form.get("status"), WithdrawalStatus)
        row = withdrawals.decide_withdrawal(
            withdrawal_id, status, actor=Actor.of(current_user), notes=optional_text("notes")
        )
        return f"The {format_naira(row.amount_kobo)} withdrawal was {WITHDRAWAL_DONE[status]}."

    return answer(DASHBOARD, "withdrawals", action)


def expense_fields(*, partial: bool) -> dict[str, Any]:
    """Return the expense fields of the form (amount as naira text → kobo); an edit sends only what it shows."""
    data: dict[str, Any] = {}
    for name in ("title", "category", "description"):
        if not partial or name in request.form:
            data[name] = request.form.get(name)
    if not partial or "amount" in request.form:
        data["amount_kobo"] = naira_field(request.form, "amount", maximum_kobo=None)
    return data


@roles_only({Role.FINANCE})
@idempotent
def create_expense():
    """Record a pending expense of the signed-in finance user."""

    def action() -> str:
        row = expenses.create_expense(expense_fields(partial=False), actor_id=current_user.id)
        return f"Expense “{row.title}” ({format_naira(row.amount_kobo)}) recorded; it waits for approval."

    return answer(DASHBOARD, "expenses", action, names=EXPENSE_NAMES)


@roles_only({Role.FINANCE})
def update_expense(expense_id: int):
    """Change one of the user's own pending expenses."""

    def action() -> str:
        row = expenses.update_expense(expense_id, expense_fields(partial=True), actor_id=current_user.id)
        return f"Expense “{row.title}” saved."

    return answer(DASHBOARD, "expenses", action, names=EXPENSE_NAMES)


@roles_only({Role.FINANCE})
def delete_expense(expense_id: int):
    """Delete one of the user's own pending expenses."""

    def action() -> str:
        expenses.delete_expense(expense_id, actor_id=current_user.id)
        return "Expense deleted."

    return answer(DASHBOARD, "expenses", action)


@roles_only({Role.FINANCE, Role.SUPER_ADMIN})
@idempotent
def record_repayment():
    """Record an offline repayment from the loans panel (loan, amount in naira, reference, paid on)."""

    def action() -> str:
        data = {
            "amount_kobo": naira_field(request.form, "amount"),
            "reference": request.form.get("reference"),
            "paid_on": request.form.get("paid_on"),
        }
        raw = (request.form.get("loan_id") or "").strip()
        loan_id = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 12 else None
        tx = repayments.record_offline_repayment(loan_id, data, actor=Actor.of(current_user))
        return f"Repayment of {format_naira(tx.amount_kobo)} recorded on loan #{tx.loan_id}."

    return answer(DASHBOARD, "loans", action, names={"amount_kobo": "amount"})


def register(bp: Blueprint) -> None:
    """Add this dashboard's form routes."""
    bp.add_url_rule("/withdrawals/<id:withdrawal_id>", view_func=decide_withdrawal, methods=["POST"])
    bp.add_url_rule("/expenses", view_func=create_expense, methods=["POST"])
    bp.add_url_rule("/loans/repayments", view_func=record_repayment, methods=["POST"])
    bp.add_url_rule("/expenses/<id:expense_id>", view_func=update_expense, methods=["POST"])
    bp.add_url_rule("/expenses/<id:expense_id>/delete", view_func=delete_expense, methods=["POST"])
