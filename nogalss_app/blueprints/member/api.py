"""API area: member self-service — contribute, apply for a loan, request a withdrawal (MEMBER, LEADER).

Only the documented fields are passed on: a slipped-in `role`, `user_id`, `cooperative_id`, `is_active` or
`status` never reaches a service (BAD_INPUTS 13); the acting user is always the signed-in one.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from flask_login import current_user

from ...models import Loan, Role, Withdrawal
from ...security import require_roles
from ...services import loans, withdrawals
from ...services.payments import flow
from .. import shapes
from ..payments import started_json
from ..web import callback_url, current_gateway, idempotent, json_body, only

bp = Blueprint("api_member", __name__, url_prefix="/api/member")
bp.before_request(require_roles({Role.MEMBER, Role.LEADER}))

LOAN_FIELDS = ("amount_kobo", "purpose", "duration_months")
WITHDRAWAL_FIELDS = ("amount_kobo", "reason")
MEMBER_LOAN_FIELDS = frozenset(
    {
        "id",
        "user_id",
        "cooperative_id",
        "amount_kobo",
        "interest_bp",
        "total_due_kobo",
        "repaid_kobo",
        "remaining_kobo",
        "purpose",
        "duration_months",
        "status",
        "created_at",
    }
)
MEMBER_WITHDRAWAL_FIELDS = frozenset(
    {"id", "user_id", "cooperative_id", "amount_kobo", "reason", "status", "created_at"}
)


def loan_json(loan: Loan) -> dict[str, Any]:
    """Return the member's view of their loan (the staff shape without who decided and why)."""
    return {name: value for name, value in shapes.loan_json(loan).items() if name in MEMBER_LOAN_FIELDS}


def withdrawal_json(withdrawal: Withdrawal) -> dict[str, Any]:
    """Return the member's view of their withdrawal request."""
    shape = shapes.withdrawal_json(withdrawal)
    return {name: value for name, value in shape.items() if name in MEMBER_WITHDRAWAL_FIELDS}


@bp.post("/contribute")
@idempotent
def contribute():
    """Open a contribution payment; answer where to pay it (201 {authorization_url, reference})."""
    started = flow.start_contribution(
        current_gateway(), current_user.id, json_body().get("amount_kobo"), callback_url=callback_url()
    )
    return jsonify(started_json(started)), 201


@bp.post("/loans")
@idempotent
def apply_for_loan():
    """Apply for a loan {amount_kobo, purpose, duration_months} (201 with the PENDING loan)."""
    data = only(json_body(), LOAN_FIELDS)
    loan = loans.apply_for_loan(current_user.id, data)
    return jsonify(loan_json(loan)), 201


@bp.post("/loans/<id:loan_id>/repay")
@idempotent
def repay_loan(loan_id: int):
    """Open a repayment payment of amount_kobo on your own loan (201 {authorization_url, reference})."""
    started = flow.start_repayment(
        current_gateway(), current_user.id, loan_id, json_body().get("amount_kobo"), callback_url=callback_url()
    )
    return jsonify(started_json(started)), 201


@bp.post("/withdrawals")
@idempotent
def request_withdrawal():
    """Request a withdrawal {amount_kobo, reason} (201; 403 when withdrawals are off for your role)."""
    data = only(json_body(), WITHDRAWAL_FIELDS)
    withdrawal = withdrawals.request_withdrawal(current_user.id, data)
    return jsonify(withdrawal_json(withdrawal)), 201


def blueprints() -> list[Blueprint]:
    """Return this area's blueprints."""
    return [bp]
