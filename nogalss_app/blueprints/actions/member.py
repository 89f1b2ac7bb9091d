"""Form routes of the member dashboard's `actions` panel: contribute (with a fee preview), borrow, withdraw.

Amounts are naira text (money.parse_naira); each form has its own amount field name so a refusal shows next to
the right input. Every answer is the re-rendered panel (notice, form_error, field_errors, form_values), except a
contribution that started: the browser goes to the gateway's checkout (`HX-Redirect` for htmx posts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from flask import Blueprint, make_response, request
from flask_login import current_user

from ...security import DASHBOARDS, resolve_scope
from ...services import balances, loans, withdrawals
from ...services.errors import NotFound, ServiceError, ValidationFailed
from ...services.money import MoneyError, check_amount, format_naira, parse_naira
from ...services.payments import flow
from ...services.stats.registry import clean_options, find_panel
from ..api.payments import callback_url, current_gateway, max_amount_kobo
from ..dashboards.picker import picker_page
from ..dashboards.render import render_panel
from ..public import checkout_redirect

PANEL = "actions"


def _scoped_panel():
    """Return the actions panel and the caller's member scope (404 when a super admin has chosen nobody)."""
    panel = find_panel("member", PANEL)
    scope = resolve_scope("member", current_user, request.args)
    if panel is None or scope is None:
        raise NotFound("Not found.")
    return panel, replace(scope, params=clean_options(panel, request.args))


def _facts(member_id: int, now: datetime) -> dict[str, Any]:
    """Return what the forms show beside the panel's figures: the withdrawable balance and why no loan.

    The panel's own builder (stats/panels/member.actions) does not carry these yet; a form's answer does.
    """
    return {
        "withdrawable_kobo": balances.withdrawable_kobo(member_id),
        "loan_reasons": list(balances.loan_eligibility(member_id, now).reasons),
    }


def _reply(
    *,
    notice: str | None = None,
    error: ServiceError | None = None,
    form_values: dict | None = None,
    preview: dict | None = None,
):
    """Re-render the actions panel for the poster, with a notice or the refusal (and what they typed)."""
    panel, scope = _scoped_panel()
    extra = {
        "notice": notice,
        "form_error": error.message if error else None,
        "field_errors": error.fields if error else {},
        "form_values": form_values or {},
        "preview": preview,
        "facts": _facts(scope.member_id, scope.now),
    }
    response = render_panel("member", panel, scope, extra)
    if error is not None and response.status_code == 200:
        response.status_code = error.status
    return response


def _amount(text: str | None, field: str) -> int:
    """Parse naira text into kobo within the configured maximum, or refuse with 422 on the form's field."""
    try:
        return check_amount(parse_naira(text), maximum_kobo=max_amount_kobo())
    except MoneyError as exc:
        raise ValidationFailed("Check the amount.", {field: exc.message}) from None


def _submit(verb: Callable[..., Any], data: dict[str, Any], amount_field: str) -> Any:
    """Call a loan or withdrawal verb with the form's fields and the parsed amount; refusals name the form's fields."""
    data["amount_kobo"] = _amount(request.form.get(amount_field), amount_field)
    try:
        return verb(current_user.id, data, maximum_kobo=max_amount_kobo())
    except ServiceError as exc:
        fields = {(amount_field if k == "amount_kobo" else k): v for k, v in exc.fields.items()}
        raise type(exc)(exc.message, fields) from None


def _whole_number(text: str | None) -> int | str | None:
    """Return ASCII digit text as an int (the service range-checks it); anything else unchanged."""
    if isinstance(text, str) and text.strip().isascii() and text.strip().isdigit() and len(text.strip()) <= 4:
        return int(text.strip())
    return text


def preview_contribution():
    """Show what a typed contribution will cost: the amount, any gateway fee, and the total to pay."""
    if resolve_scope("member", current_user, request.args) is None:
        return picker_page("member", DASHBOARDS["member"])  # a super admin chooses whose dashboard first
    if "amount" not in request.args:
        return _reply()
    try:
        amount = _amount(request.args.get("amount"), "amount")
    except ValidationFailed as exc:
        return _reply(error=exc, form_values=request.args)
    return _reply(form_values=request.args, preview=flow.fee_preview(current_gateway(), amount))


def contribute():
    """Open a contribution payment and send the browser to the gateway's checkout."""
    try:
        amount = _amount(request.form.get("amount"), "amount")
        started = flow.start_contribution(
            current_gateway(), current_user.id, amount, callback_url=callback_url(), maximum_kobo=max_amount_kobo()
        )
    except ServiceError as exc:
        fields = {("amount" if k == "amount_kobo" else k): v for k, v in exc.fields.items()}
        return _reply(error=type(exc)(exc.message, fields), form_values=request.form)
    if request.headers.get("HX-Request"):
        response = make_response("", 204)
        response.headers["HX-Redirect"] = started.authorization_url
        return response
    return checkout_redirect(started.authorization_url)


def apply_for_loan():
    """Apply for a loan from the panel's form (amount in naira, purpose, duration in months)."""
    data = {
        "purpose": request.form.get("purpose"),
        "duration_months": _whole_number(request.form.get("duration_months")),
    }
    try:
        loan = _submit(loans.apply_for_loan, data, "loan_amount")
    except ServiceError as exc:
        return _reply(error=exc, form_values=request.form)
    amount = format_naira(loan.amount_kobo)
    return _reply(notice=f"Your loan application for {amount} was sent to your cooperative leader.")


def request_withdrawal():
    """Request a withdrawal from the panel's form (amount in naira, reason)."""
    try:
        withdrawal = _submit(
            withdrawals.request_withdrawal, {"reason": request.form.get("reason")}, "withdrawal_amount"
        )
    except ServiceError as exc:
        return _reply(error=exc, form_values=request.form)
    amount = format_naira(withdrawal.amount_kobo)
    return _reply(notice=f"Your withdrawal request for {amount} was sent to finance.")


def register(bp: Blueprint) -> None:
    """Add the actions panel's form routes to the member dashboard's blueprint."""
    bp.add_url_rule("/actions/preview", "actions_preview", preview_contribution, methods=["GET"])
    bp.add_url_rule("/actions/contribute", "contribute", contribute, methods=["POST"])
    bp.add_url_rule("/actions/loans", "apply_for_loan", apply_for_loan, methods=["POST"])
    bp.add_url_rule("/actions/withdrawals", "request_withdrawal", request_withdrawal, methods=["POST"])
