"""JSON API of loan decisions: apex moves any loan along its state machine; a leader decides their cooperative's."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, request
from flask_login import current_user

from ...models import Loan, LoanStatus, Role
from ...security import require_roles
from ...services import loans
from ...services.actor import Actor
from .common import iso, json_body
from .staff_finance import ID

apex = Blueprint("api_apex_loans", __name__, url_prefix="/api/apex")
apex.before_request(require_roles({Role.APEX}))

leader = Blueprint("api_leader_loans", __name__, url_prefix="/api/leader")
leader.before_request(require_roles({Role.LEADER}))


def loan_json(loan: Loan) -> dict[str, Any]:
    """Return a loan as JSON fields."""
    return {
        "id": loan.id,
        "user_id": loan.user_id,
        "cooperative_id": loan.cooperative_id,
        "amount_kobo": loan.amount_kobo,
        "repaid_kobo": loan.repaid_kobo,
        "purpose": loan.purpose,
        "duration_months": loan.duration_months,
        "status": loan.status.value,
        "notes": loan.notes,
        "decided_by_id": loan.decided_by_id,
        "decided_at": iso(loan.decided_at),
        "created_at": iso(loan.created_at),
        "updated_at": iso(loan.updated_at),
    }


def optional_body() -> dict[str, Any]:
    """Return the JSON object sent, or an empty one when the request has no body."""
    return json_body() if request.get_data(cache=True) else {}


def decide_as_current_user(loan_id: int, status: object, notes: object) -> Loan:
    """Decide a loan with the caller's id, role and cooperative as the scope (the service checks the scope)."""
    return loans.decide_loan(
        loan_id,
        status,
        actor=Actor.of(current_user),
        notes=notes,
    )


@apex.patch(f"/loans/<{ID}:loan_id>")
def apex_decide(loan_id: int):
    """Approve, reject or mark as disbursed (ACTIVE) any cooperative's loan."""
    data = json_body()
    return jsonify(loan_json(decide_as_current_user(loan_id, data.get("status"), data.get("notes"))))


@leader.post(f"/loans/<{ID}:loan_id>/approve")
def leader_approve(loan_id: int):
    """Approve a pending loan of the leader's own cooperative (another cooperative's is not found)."""
    notes = optional_body().get("notes")
    return jsonify(loan_json(decide_as_current_user(loan_id, LoanStatus.APPROVED, notes)))


@leader.post(f"/loans/<{ID}:loan_id>/reject")
def leader_reject(loan_id: int):
    """Reject a pending loan of the leader's own cooperative (another cooperative's is not found)."""
    notes = optional_body().get("notes")
    return jsonify(loan_json(decide_as_current_user(loan_id, LoanStatus.REJECTED, notes)))


def blueprints() -> list[Blueprint]:
    """Return the apex and leader loan blueprints."""
    return [apex, leader]
