"""The leader JSON API: approve or reject a pending loan of the leader's own cooperative."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ...models import LoanStatus, Role
from ...security import require_roles
from ...services import loans
from ..shapes import loan_json
from ..web import current_actor, optional_json_body

leader = Blueprint("api_leader_loans", __name__, url_prefix="/api/leader")
leader.before_request(require_roles({Role.LEADER}))


def _decide(loan_id: int, status: LoanStatus):
    """Decide a loan as the signed-in leader (another cooperative's loan is not found)."""
    notes = optional_json_body().get("notes")
    return jsonify(loan_json(loans.decide_loan(loan_id, status, actor=current_actor(), notes=notes)))


@leader.post("/loans/<id:loan_id>/approve")
def leader_approve(loan_id: int):
    """Approve a pending loan of the leader's own cooperative (another cooperative's is not found)."""
    return _decide(loan_id, LoanStatus.APPROVED)


@leader.post("/loans/<id:loan_id>/reject")
def leader_reject(loan_id: int):
    """Reject a pending loan of the leader's own cooperative (another cooperative's is not found)."""
    return _decide(loan_id, LoanStatus.REJECTED)


def blueprints() -> list[Blueprint]:
    """Return the leader loan blueprint."""
    return [leader]
