"""Payment orchestration: open a payment at the gateway, and turn the gateway's answers into one credit.

Every way a payment can complete — the browser's return to the callback, a signed webhook, a manual verify, the
sandbox's Pay button — ends in `core.confirm_payment`, which credits a payment exactly once whatever the number,
order or concurrency of deliveries. A gateway that is down leaves the payment PENDING (a later verify or webhook
completes it) and writes nothing else.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from ...models import Payment
from .. import contributions, registration, repayments
from ..errors import NotFound, ServiceError, Unauthorized, ValidationFailed
from ..fields import MAX_AMOUNT_KOBO
from .core import OPEN_STATUSES, confirm_payment, fail_payment, find_payment
from .gateway import Gateway, signature_valid
from .sandbox import SandboxGateway

log = logging.getLogger(__name__)

REGISTRATIONS = {
    "member": registration.start_member_registration,
    "cooperative": registration.start_cooperative_registration,
}
DECLINED = "declined at the checkout"


class BadWebhook(ServiceError):
    """A correctly signed webhook whose body is not a JSON event (400)."""

    status = 400
    code = "bad_request"


@dataclass(frozen=True)
class Started:
    """A PENDING payment and the URL where the payer completes it."""

    payment: Payment
    authorization_url: str


def start_contribution(
    gateway: Gateway, user_id: int, amount_kobo: object, *, callback_url: str, maximum_kobo: int = MAX_AMOUNT_KOBO
) -> Started:
    """Open a contribution payment for a member or leader and its charge at the gateway."""
    payment = contributions.start_contribution(user_id, amount_kobo, maximum_kobo=maximum_kobo, gateway=gateway.name)
    return Started(payment, gateway.initialize(payment, callback_url))


def start_repayment(
    gateway: Gateway, user_id: int, loan_id: object, amount_kobo: object, *, callback_url: str
) -> Started:
    """Open a repayment payment on the borrower's own loan and its charge at the gateway."""
    payment = repayments.start_repayment(user_id, loan_id, amount_kobo, gateway=gateway.name)
    return Started(payment, gateway.initialize(payment, callback_url))


def start_registration(gateway: Gateway, kind: object, data: dict[str, Any], *, callback_url: str) -> Started:
    """Open the fee payment of a member or cooperative sign-up and its charge at the gateway."""
    start = REGISTRATIONS.get(kind) if isinstance(kind, str) else None
    if start is None:
        raise ValidationFailed("Choose what to register.", {"kind": "must be member or cooperative"})
    payment = start(data, gateway=gateway.name)
    return Started(payment, gateway.initialize(payment, callback_url))


def fee_preview(gateway: Gateway, amount_kobo: int) -> dict[str, int]:
    """Return the amount, the gateway's fee on top of it and what the payer will pay."""
    fee = gateway.customer_fee_kobo(amount_kobo)
    return {"amount_kobo": amount_kobo, "fee_kobo": fee, "total_kobo": amount_kobo + fee}


def verify(gateway: Gateway, reference: object) -> Payment:
    """Ask the gateway about an open payment and apply its answer once; a final payment is returned as it is."""
    payment = find_payment(reference)
    if payment.status not in OPEN_STATUSES:
        return payment
    answer = gateway.verify(payment.reference)
    return confirm_payment(
        payment.reference, amount_kobo=answer.amount_kobo, currency=answer.currency, gateway_status=answer.status
    )


def handle_webhook(gateway: Gateway, body: bytes, signature: object, *, client: str = "") -> str:
    """Check a webhook's signature and apply a `charge.success` once; return what was done with it."""
    if not signature_valid(body, signature, gateway.webhook_secret()):
        log.warning("payment webhook refused: %s signature from %s", "missing" if not signature else "bad", client)
        raise Unauthorized("Invalid webhook signature.")
    try:
        event = json.loads(body)
    except ValueError:
        event = None
    if not isinstance(event, dict) or not isinstance(event.get("data"), dict):
        raise BadWebhook("The webhook body is not a JSON event.")
    if event.get("event") != "charge.success":
        return "ignored"
    data = event["data"]
    try:
        payment = find_payment(data.get("reference"))
    except NotFound:
        log.warning("payment webhook for an unknown reference ignored")
        return "unknown reference"
    payment = confirm_payment(
        payment.reference,
        amount_kobo=data.get("amount"),
        currency=data.get("currency"),
        gateway_status=str(data.get("status") or ""),
    )
    return payment.status.value


def sandbox_payment(gateway: Gateway, reference: object) -> Payment:
    """Return a payment the sandbox checkout may show, or raise NotFound."""
    payment = find_payment(reference)
    if not isinstance(gateway, SandboxGateway) or payment.gateway != gateway.name:
        raise NotFound("No payment has this reference.")
    return payment


def sandbox_pay(gateway: Gateway, reference: object) -> Payment:
    """The sandbox's Pay button: deliver a signed charge.success through the webhook handler."""
    payment = sandbox_payment(gateway, reference)
    if payment.status in OPEN_STATUSES:
        body, signature = gateway.charge_success_body(payment)
        handle_webhook(gateway, body, signature, client="sandbox")
    return find_payment(payment.reference)


def sandbox_decline(gateway: Gateway, reference: object) -> Payment:
    """The sandbox's Decline button: the charge ends FAILED; nothing is credited."""
    payment = sandbox_payment(gateway, reference)
    return fail_payment(payment.reference, reason=DECLINED)
