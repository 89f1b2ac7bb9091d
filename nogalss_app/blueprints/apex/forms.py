"""Form routes of the apex dashboard: the member registration fee and loan status changes."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user

from ...models import LoanStatus
from ...services import loans, settings
from ...services.fields import parse_status
from ...services.money import format_naira
from ..web import answer, current_actor, naira_field, optional_text

DASHBOARD = "apex"
LOAN_DONE = {
    LoanStatus.APPROVED: "approved (the disbursement is recorded)",
    LoanStatus.REJECTED: "rejected",
    LoanStatus.ACTIVE: "marked as disbursed",
    LoanStatus.COMPLETED: "completed",
}


def update_member_fee():
    """Change the member registration fee (naira text)."""

    def action() -> str:
        kobo = naira_field(request.form, "member_fee", maximum_kobo=None)
        fees = settings.update_fees({"member_fee_kobo": kobo}, actor_id=current_user.id, only=("member_fee_kobo",))
        return f"The member registration fee is now {format_naira(fees.member_fee_kobo)}."

    return answer(DASHBOARD, "member_fee", action, names={"member_fee_kobo": "member_fee"})


def decide_loan(loan_id: int):
    """Move a loan to one of the statuses its state machine allows next."""

    def action() -> str:
        status = parse_status(request.form.get("status"), LoanStatus)
        loan = loans.decide_loan(loan_id, status, actor=current_actor(), notes=optional_text("notes"))
        return f"The {format_naira(loan.amount_kobo)} loan was {LOAN_DONE[loan.status]}."

    return answer(DASHBOARD, "loans", action)


def register(bp: Blueprint) -> None:
    """Add this dashboard's form routes."""
    bp.add_url_rule("/member-fee", view_func=update_member_fee, methods=["POST"])
    bp.add_url_rule("/loans/<id:loan_id>", view_func=decide_loan, methods=["POST"])
