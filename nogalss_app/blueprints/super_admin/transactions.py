"""Super admin ledger page: search, filter, sort and page transactions; manual adjustments; settle or cancel."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ...models import TxCategory, TxStatus, TxType
from ...services import transactions
from ...services.errors import ServiceError, ValidationFailed
from ...services.money import MoneyError, format_naira, parse_naira
from ..web import IDEMPOTENCY_FIELD, Outcome, idempotent, new_form_key, refusal

PAGE = "super_admin.records_transactions"
FORM_ID = "adjustment"
FORM_FIELDS = {"amount_kobo": "amount", "user_id": "user"}  # service field → form field


def transactions_page(outcome: Outcome | None = None):
    """Render the ledger page for the list arguments in the query string (with a form's outcome)."""
    outcome = outcome or Outcome()
    page = transactions.list_transactions(request.args)
    html = render_template(
        "super_admin/transactions.html",
        page=page,
        params=page.query,
        filters=page.filters,
        types=list(TxType),
        statuses=list(TxStatus),
        categories=list(TxCategory),
        form_id=FORM_ID,
        key_field=IDEMPOTENCY_FIELD,
        form_key=new_form_key(),
        **outcome.context(),
    )
    return html, outcome.status


def _adjustment_data(form) -> tuple[dict, dict[str, str]]:
    """Turn the adjustment form into the service's fields; return them with the form's own field errors."""
    errors: dict[str, str] = {}
    amount = None
    try:
        amount = parse_naira(form.get("amount"))
    except MoneyError as exc:
        errors["amount"] = exc.message
    user_id = transactions.user_id_for(form.get("user", ""))
    if user_id is None:
        errors["user"] = "enter the email address or id of an existing user"
    data = {
        "type": TxType.ADJUSTMENT.value,
        "user_id": user_id,
        "amount_kobo": amount,
        "reason": form.get("reason"),
        "direction": form.get("direction") or None,
        "status": form.get("status") or None,
    }
    return data, errors


def _back():
    """Redirect to the ledger page with the list arguments the form was posted with."""
    return redirect(url_for(PAGE, **request.args.to_dict()), 303)


def records_transactions():
    """Show the ledger with search, filters, sortable columns, paging and the adjustment form."""
    return transactions_page()


@idempotent
def records_create_adjustment():
    """Record a manual adjustment from the form (naira text, a reason, credit or debit)."""
    data, errors = _adjustment_data(request.form)
    try:
        tx = transactions.create_adjustment(data, actor_id=current_user.id)
    except ValidationFailed as exc:
        outcome = refusal(exc, form_id=FORM_ID, names=FORM_FIELDS)
        both = ValidationFailed(exc.message, outcome.error.fields | errors)  # the form's own errors win
        return transactions_page(Outcome(error=both, values=outcome.values, form_id=FORM_ID))
    flash(f"Adjustment {tx.reference} of {format_naira(tx.amount_kobo)} recorded.", "success")
    return _back()


def records_transaction_status(tx_id: int):
    """Settle a PENDING ledger line (SUCCESSFUL or FAILED) after the confirm step."""
    try:
        tx = transactions.change_status(
            tx_id, request.form.get("status"), notes=request.form.get("notes"), actor_id=current_user.id
        )
    except ServiceError as exc:
        return transactions_page(Outcome(error=exc))
    flash(f"Transaction {tx.reference} is now {tx.status.label.lower()}.", "success")
    return _back()


def records_cancel_transaction(tx_id: int):
    """Cancel a PENDING ledger line after the confirm step (the row is kept)."""
    try:
        tx = transactions.cancel_transaction(tx_id, actor_id=current_user.id)
    except ServiceError as exc:
        return transactions_page(Outcome(error=exc))
    flash(f"Transaction {tx.reference} was cancelled.", "success")
    return _back()


def register(bp: Blueprint) -> None:
    """Add the ledger page and its forms to the super admin blueprint."""
    bp.add_url_rule("/transactions", view_func=records_transactions, methods=["GET"])
    bp.add_url_rule("/transactions", view_func=records_create_adjustment, methods=["POST"])
    bp.add_url_rule("/transactions/<id:tx_id>/status", view_func=records_transaction_status, methods=["POST"])
    bp.add_url_rule("/transactions/<id:tx_id>/cancel", view_func=records_cancel_transaction, methods=["POST"])
