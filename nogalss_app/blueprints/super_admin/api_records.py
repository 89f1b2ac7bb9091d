"""The super admin JSON API of records — ledger lines (this module), cooperatives and decisions (siblings)."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user

from ...models import Role, Transaction
from ...security import require_roles
from ...services import transactions
from ..web import iso, json_body, page_json
from . import api_cooperatives, api_decisions, api_parent_orgs


def transaction_json(line: transactions.LedgerLine) -> dict:
    """Return a ledger line as JSON; `linked_to` names the record that owns its status, if any."""
    tx = line.tx
    return {
        "id": tx.id,
        "reference": tx.reference,
        "type": tx.type.value,
        "category": tx.category.value,
        "status": tx.status.value,
        "amount_kobo": tx.amount_kobo,
        "direction": "debit" if tx.is_debit else "credit",
        "is_debit": tx.is_debit,
        "user_id": tx.user_id,
        "user_email": tx.user.email if tx.user else None,
        "cooperative_id": tx.cooperative_id,
        "loan_id": tx.loan_id,
        "description": tx.description,
        "reason": tx.reason,
        "created_by_id": tx.created_by_id,
        "linked_to": line.linked_to,
        "editable": line.editable,
        "created_at": iso(tx.created_at),
        "updated_at": iso(tx.updated_at),
    }


def _one(tx: Transaction) -> dict:
    """Return one ledger line as JSON, with what it is linked to."""
    return transaction_json(transactions.ledger_line(tx))


def list_transactions():
    """List ledger lines: search q (reference, description, user email), filters, sort and paging."""
    return jsonify(page_json(transactions.list_transactions(request.args), transaction_json))


def create_transaction():
    """Record a manual ADJUSTMENT with its reason (SUCCESSFUL unless `status: "PENDING"` is sent); 201."""
    tx = transactions.create_adjustment(json_body(), actor_id=current_user.id)
    return jsonify(_one(tx)), 201


def change_transaction(tx_id: int):
    """Move a PENDING ledger line to SUCCESSFUL, FAILED or CANCELLED (`status`, optional `notes`)."""
    body = json_body()
    tx = transactions.change_status(tx_id, body.get("status"), notes=body.get("notes"), actor_id=current_user.id)
    return jsonify(_one(tx))


def cancel_transaction(tx_id: int):
    """Cancel a PENDING ledger line (the row is kept, CANCELLED)."""
    tx = transactions.cancel_transaction(tx_id, actor_id=current_user.id)
    return jsonify(_one(tx))


def blueprints() -> list[Blueprint]:
    """Return this area's blueprint (SUPER_ADMIN only)."""
    bp = Blueprint("api_admin_records", __name__, url_prefix="/api/admin")
    bp.before_request(require_roles({Role.SUPER_ADMIN}))
    bp.add_url_rule("/transactions", view_func=list_transactions, methods=["GET"])
    bp.add_url_rule("/transactions", view_func=create_transaction, methods=["POST"])
    bp.add_url_rule("/transactions/<id:tx_id>", view_func=change_transaction, methods=["PATCH"])
    bp.add_url_rule("/transactions/<id:tx_id>", view_func=cancel_transaction, methods=["DELETE"])
    api_cooperatives.register(bp)
    api_decisions.register(bp)
    api_parent_orgs.register(bp)
    return [bp]
