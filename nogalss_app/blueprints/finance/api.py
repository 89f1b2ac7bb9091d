"""The finance JSON API: the withdrawal queue (FINANCE, SUPER_ADMIN) and finance's own expenses (FINANCE)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from ...models import Role
from ...security import require_roles
from ...services import expenses, repayments, withdrawals
from ...services.actor import Actor
from ..shapes import expense_json, loan_json, withdrawal_json
from ..web import idempotent, json_body, only, page_json

queue = Blueprint("api_finance_withdrawals", __name__, url_prefix="/api/finance")
queue.before_request(require_roles({Role.FINANCE, Role.SUPER_ADMIN}))

own = Blueprint("api_finance_expenses", __name__, url_prefix="/api/finance")
own.before_request(require_roles({Role.FINANCE}))

EXPENSE_FIELDS = ("title", "description", "amount_kobo", "category")
REPAYMENT_FIELDS = ("amount_kobo", "reference", "paid_on")


@queue.get("/withdrawals")
def list_withdrawals():
    """List withdrawals (all members), filtered by ?status= and searched by member name or reason."""
    return jsonify(page_json(withdrawals.list_withdrawals(request.args), withdrawal_json))


@queue.patch("/withdrawals/<id:withdrawal_id>")
def decide_withdrawal(withdrawal_id: int):
    """Approve or reject a pending withdrawal, or mark an approved one processed (paying it out)."""
    data = json_body()
    withdrawal = withdrawals.decide_withdrawal(
        withdrawal_id, data.get("status"), actor=Actor.of(current_user), notes=data.get("notes")
    )
    return jsonify(withdrawal_json(withdrawal))


@queue.post("/loans/<id:loan_id>/repayments")
@idempotent
def record_repayment(loan_id: int):
    """Record an offline repayment {amount_kobo, reference, paid_on} on a loan (201 with the ledger line and loan)."""
    data = only(json_body(), REPAYMENT_FIELDS)
    tx = repayments.record_offline_repayment(loan_id, data, actor=Actor.of(current_user))
    body = {
        "id": tx.id,
        "reference": tx.reference,
        "amount_kobo": tx.amount_kobo,
        "paid_on": data["paid_on"].strip() if isinstance(data.get("paid_on"), str) else None,
        "loan": loan_json(tx.loan),
    }
    return jsonify(body), 201


@own.get("/expenses")
def list_expenses():
    """List the caller's own expenses, filtered by ?status= and searched by title or category."""
    return jsonify(page_json(expenses.list_own_expenses(current_user.id, request.args), expense_json))


@own.post("/expenses")
@idempotent
def create_expense():
    """Record a pending expense of the caller."""
    expense = expenses.create_expense(only(json_body(), EXPENSE_FIELDS), actor_id=current_user.id)
    return jsonify(expense_json(expense)), 201


@own.put("/expenses/<id:expense_id>")
def update_expense(expense_id: int):
    """Change the given fields of the caller's own pending expense."""
    expense = expenses.update_expense(expense_id, only(json_body(), EXPENSE_FIELDS), actor_id=current_user.id)
    return jsonify(expense_json(expense))


@own.delete("/expenses/<id:expense_id>")
def delete_expense(expense_id: int):
    """Delete the caller's own pending expense."""
    expenses.delete_expense(expense_id, actor_id=current_user.id)
    return "", 204


def blueprints() -> list[Blueprint]:
    """Return the finance API blueprints."""
    return [queue, own]
