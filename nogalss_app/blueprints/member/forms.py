"""Form routes of the member dashboard's `actions` panel: contribute (with a fee preview), borrow, withdraw.

Amounts are naira text; each form has its own amount field name and its own form id (contribute, loan,
withdrawal), so a refusal shows next to the right input. Every answer is the re-rendered panel with the form's
outcome, except a contribution that started: the browser goes to the gateway's checkout (`HX-Redirect` for htmx).
The creates honour live.js's `Idempotency-Key` (`@idempotent`): a double submission answers the first result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, make_response, request
from flask_login import current_user

from ...security import DASHBOARDS, resolve_scope
from ...services import loans, withdrawals
from ...services.errors import ServiceError
from ...services.money import format_naira
from ...services.payments import flow
from ..dashboards.picker import picker_page
from ..public.pages import checkout_redirect
from ..web import Outcome, callback_url, current_gateway, idempotent, naira_field, panel_reply, refusal

DASHBOARD, PANEL = "member", "actions"


def _reply(outcome: Outcome | None = None, **extra: Any):
    """Re-render the actions panel for the poster, with the form's outcome."""
    return panel_reply(DASHBOARD, PANEL, outcome, **extra)


def _submit(verb: Callable[..., Any], data: dict[str, Any], amount_field: str) -> Any:
    """Call a loan or withdrawal verb with the form's fields and the parsed amount (as the member)."""
    data["amount_kobo"] = naira_field(request.form, amount_field)
    return verb(current_user.id, data)


def _whole_number(text: str | None) -> int | str | None:
    """Return ASCII digit text as an int (the service range-checks it); anything else unchanged."""
    raw = text.strip() if isinstance(text, str) else ""
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else text


def preview_contribution():
    """Show what a typed contribution will cost: the amount, any gateway fee, and the total to pay."""
    if resolve_scope(DASHBOARD, current_user, request.args) is None:
        return picker_page(DASHBOARD, DASHBOARDS[DASHBOARD])  # a super admin chooses whose dashboard first
    if "amount" not in request.args:
        return _reply()
    typed = Outcome(values=request.args, form_id="contribute")
    try:
        amount = naira_field(request.args, "amount")
    except ServiceError as exc:
        return _reply(Outcome(error=exc, values=request.args, form_id="contribute"))
    return _reply(typed, preview=flow.fee_preview(current_gateway(), amount))


@idempotent
def contribute():
    """Open a contribution payment and send the browser to the gateway's checkout."""
    try:
        amount = naira_field(request.form, "amount")
        started = flow.start_contribution(current_gateway(), current_user.id, amount, callback_url=callback_url())
    except ServiceError as exc:
        return _reply(refusal(exc, form_id="contribute", names={"amount_kobo": "amount"}))
    if request.headers.get("HX-Request"):
        response = make_response("", 204)
        response.headers["HX-Redirect"] = started.authorization_url
        return response
    return checkout_redirect(started.authorization_url)


@idempotent
def repay_loan(loan_id: int):
    """Open a repayment of one of your loans from the loans panel and send the browser to the checkout."""
    try:
        amount = naira_field(request.form, "amount")
        started = flow.start_repayment(current_gateway(), current_user.id, loan_id, amount, callback_url=callback_url())
    except ServiceError as exc:
        names = {"amount_kobo": "amount"}
        return panel_reply(DASHBOARD, "loans", refusal(exc, form_id=f"repay-{loan_id}", names=names))
    if request.headers.get("HX-Request"):
        response = make_response("", 204)
        response.headers["HX-Redirect"] = started.authorization_url
        return response
    return checkout_redirect(started.authorization_url)


@idempotent
def apply_for_loan():
    """Apply for a loan from the panel's form (amount in naira, purpose, duration in months)."""
    data = {
        "purpose": request.form.get("purpose"),
        "duration_months": _whole_number(request.form.get("duration_months")),
    }
    try:
        loan = _submit(loans.apply_for_loan, data, "loan_amount")
    except ServiceError as exc:
        return _reply(refusal(exc, form_id="loan", names={"amount_kobo": "loan_amount"}))
    amount = format_naira(loan.amount_kobo)
    return _reply(Outcome(notice=f"Your loan application for {amount} was sent to your cooperative leader."))


@idempotent
def request_withdrawal():
    """Request a withdrawal from the panel's form (amount in naira, reason)."""
    try:
        withdrawal = _submit(
            withdrawals.request_withdrawal, {"reason": request.form.get("reason")}, "withdrawal_amount"
        )
    except ServiceError as exc:
        return _reply(refusal(exc, form_id="withdrawal", names={"amount_kobo": "withdrawal_amount"}))
    amount = format_naira(withdrawal.amount_kobo)
    return _reply(Outcome(notice=f"Your withdrawal request for {amount} was sent to finance."))


def register(bp: Blueprint) -> None:
    """Add the actions panel's form routes to the member dashboard's blueprint."""
    bp.add_url_rule("/actions/preview", "actions_preview", preview_contribution, methods=["GET"])
    bp.add_url_rule("/actions/contribute", "contribute", contribute, methods=["POST"])
    bp.add_url_rule("/actions/loans", "apply_for_loan", apply_for_loan, methods=["POST"])
    bp.add_url_rule("/actions/withdrawals", "request_withdrawal", request_withdrawal, methods=["POST"])
    bp.add_url_rule("/loans/<id:loan_id>/repay", "repay_loan", repay_loan, methods=["POST"])
