"""Form routes of the leader dashboard: approve or reject the cooperative's pending loan applications."""

from __future__ import annotations

from flask import Blueprint, request

from ...models import LoanStatus
from ...services import loans
from ...services.errors import ValidationFailed
from ...services.money import format_naira
from ..web import answer, current_actor, optional_text

DASHBOARD = "leader"
DECISIONS = {"approve": LoanStatus.APPROVED, "reject": LoanStatus.REJECTED}


def decision() -> LoanStatus:
    """Return the status the pressed button asks for, or refuse with 422."""
    chosen = DECISIONS.get(request.form.get("decision", ""))
    if chosen is None:
        raise ValidationFailed("Choose approve or reject.", {"decision": "must be approve or reject"})
    return chosen


def decide_loan(loan_id: int):
    """Approve or reject a pending loan of the leader's cooperative (another cooperative's is not found)."""

    def action() -> str:
        loan = loans.decide_loan(loan_id, decision(), actor=current_actor(), notes=optional_text("notes"))
        verb = "approved" if loan.status is LoanStatus.APPROVED else "rejected"
        return f"{loan.user.full_name}'s {format_naira(loan.amount_kobo)} loan was {verb}."

    return answer(DASHBOARD, "loans", action)


def register(bp: Blueprint) -> None:
    """Add this dashboard's form routes."""
    bp.add_url_rule("/loans/<id:loan_id>", view_func=decide_loan, methods=["POST"])
