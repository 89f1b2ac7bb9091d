"""API area: payments — initialize, the gateway's callback and webhook, and manual verify (SPEC §5 "Payments").

`api_payments` faces the gateway (no sign-in; the webhook is checked by its signature, and both its views are
CSRF-exempt in security.py); `api_payments_user` serves signed-in users. All completion goes through
services/payments/flow.py, whose every path ends in the one idempotent `confirm_payment`.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, request, url_for
from flask_login import current_user

from ..models import Payment, PaymentPurpose, PaymentStatus, Role
from ..security import client_address, require_roles
from ..services.errors import NotFound, ValidationFailed
from ..services.money import format_naira
from ..services.payments import flow
from ..services.payments.gateway import SIGNATURE_HEADER, GatewayError
from .web import callback_url, current_gateway, idempotent, iso, json_body

bp = Blueprint("api_payments", __name__, url_prefix="/api/payments")
user_bp = Blueprint("api_payments_user", __name__, url_prefix="/api/payments")
user_bp.before_request(require_roles(set(Role)))

REGISTRATION_PURPOSES = (PaymentPurpose.MEMBER_REGISTRATION, PaymentPurpose.COOPERATIVE_REGISTRATION)


def started_json(started: flow.Started) -> dict:
    """Return what a client needs to send the payer to the gateway."""
    payment = started.payment
    return {
        "id": payment.id,
        "reference": payment.reference,
        "authorization_url": started.authorization_url,
        "purpose": payment.purpose.value,
        "amount_kobo": payment.amount_kobo,
        "currency": payment.currency,
        "status": payment.status.value,
    }


def payment_json(payment: Payment) -> dict:
    """Return the public view of a payment."""
    return {
        "id": payment.id,
        "reference": payment.reference,
        "purpose": payment.purpose.value,
        "status": payment.status.value,
        "amount_kobo": payment.amount_kobo,
        "currency": payment.currency,
        "failure_reason": payment.failure_reason,
        "created_at": iso(payment.created_at),
        "completed_at": iso(payment.completed_at),
    }


def _outcome_message(payment: Payment) -> tuple[str, str]:
    """Return the flash category and sentence telling the payer how their payment ended."""
    amount = format_naira(payment.amount_kobo)
    if payment.status is PaymentStatus.SUCCESSFUL and payment.purpose is PaymentPurpose.REPAYMENT:
        return "success", f"Thank you: your repayment of {amount} was received and credited to your loan."
    if payment.status is PaymentStatus.SUCCESSFUL:
        return "success", f"Thank you: your contribution of {amount} was received and added to your savings."
    if payment.status is PaymentStatus.FAILED:
        return "error", f"Your payment of {amount} was not completed ({payment.failure_reason}). Nothing was charged."
    return "info", f"Your payment of {amount} is still being confirmed; your savings update as soon as it is."


@bp.post("/webhook")  # CSRF-exempt: the gateway signs the body instead
def webhook():
    """Receive a signed gateway event; a charge.success credits its payment once (401 when the signature fails)."""
    outcome = flow.handle_webhook(
        current_gateway(), request.get_data(cache=True), request.headers.get(SIGNATURE_HEADER), client=client_address()
    )
    return jsonify({"received": True, "outcome": outcome})


@bp.get("/verify")
def verify_callback():
    """The payer's return from the gateway: verify the payment, then send them where they can see the result."""
    gateway = current_gateway()
    payment = flow.find_payment(request.args.get("reference") or request.args.get("trxref"))
    try:
        payment = flow.verify(gateway, payment.reference)
    except GatewayError as exc:
        current_app.logger.warning("callback verify of %s failed: %s", payment.reference, exc.code)
    if payment.purpose in REGISTRATION_PURPOSES:
        return redirect(url_for("public.registration_complete", reference=payment.reference), 303)
    category, message = _outcome_message(payment)
    flash(message, category)
    return redirect(url_for("main.dashboard"), 303)


@user_bp.post("/verify")
def verify():
    """Verify one of your payments (any payment for a super admin) and answer its status."""
    reference = json_body().get("reference")
    if not isinstance(reference, str) or not reference.strip():
        raise ValidationFailed("Send the payment reference.", {"reference": "required"})
    payment = flow.find_payment(reference)
    if current_user.role is not Role.SUPER_ADMIN and payment.user_id != current_user.id:
        raise NotFound("No payment has this reference.")
    return jsonify(payment_json(flow.verify(current_gateway(), payment.reference)))


@user_bp.post("/initialize")
@idempotent
def initialize():
    """Open a contribution payment of amount_kobo for the signed-in member or leader (201)."""
    data = json_body()
    purpose = data.get("purpose")
    if not isinstance(purpose, str) or purpose.strip().lower() != "contribution":
        message = "must be contribution (registrations start at /api/auth/register)"
        raise ValidationFailed("Unknown payment purpose.", {"purpose": message})
    started = flow.start_contribution(
        current_gateway(),
        current_user.id,
        data.get("amount_kobo"),
        callback_url=callback_url(),
    )
    return jsonify(started_json(started)), 201


def blueprints() -> list[Blueprint]:
    """Return this area's blueprints."""
    return [bp, user_bp]
