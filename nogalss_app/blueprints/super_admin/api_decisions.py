"""API area (super admin records): deciding withdrawals and expenses."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from ...services import expenses, withdrawals
from ...services.actor import Actor
from ..shapes import expense_json, withdrawal_json
from ..web import json_body


def decide_withdrawal(withdrawal_id: int):
    """Approve or reject a PENDING withdrawal, or process an APPROVED one (`status`, optional `notes`)."""
    body = json_body()
    withdrawal = withdrawals.decide_withdrawal(
        withdrawal_id, body.get("status"), actor=Actor.of(current_user), notes=body.get("notes")
    )
    return jsonify(withdrawal_json(withdrawal))


def decide_expense(expense_id: int):
    """Approve or reject a PENDING expense, or mark an APPROVED one as paid (`status`, optional `notes`)."""
    body = json_body()
    expense = expenses.decide_expense(expense_id, body.get("status"), actor_id=current_user.id, notes=body.get("notes"))
    return jsonify(expense_json(expense))


def register(bp: Blueprint) -> None:
    """Add the decision routes to the super admin records blueprint."""
    bp.add_url_rule("/withdrawals/<id:withdrawal_id>", view_func=decide_withdrawal, methods=["PATCH"])
    bp.add_url_rule("/expenses/<id:expense_id>/status", view_func=decide_expense, methods=["PUT"])
