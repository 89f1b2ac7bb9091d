"""The built-in sandbox gateway: checkout is a local page with Pay and Decline buttons (no network needed).

It behaves like a gateway from the outside: `initialize` hands out a checkout URL, Pay delivers a signed
`charge.success` webhook body to the same handler Paystack's webhooks reach (see `flow.sandbox_pay`), and
`verify` answers from what the checkout delivered, so the callback and manual verify run the same code as with
Paystack. The sandbox charges no fee.
"""

from __future__ import annotations

import json
from urllib.parse import quote, urlsplit

import sqlalchemy as sa

from ...extensions import db
from ...models import Payment, PaymentStatus
from .gateway import CURRENCY, Verification, sign

# What the sandbox reports on verify for each state of the charge its checkout completed (or not yet).
ANSWERS = {
    PaymentStatus.SUCCESSFUL: "success",
    PaymentStatus.FAILED: "failed",
    PaymentStatus.PENDING: "ongoing",
    PaymentStatus.ABANDONED: "abandoned",
}
CHECKOUT_PATH = "/sandbox/checkout/"


class SandboxGateway:
    """The offline gateway."""

    name = "sandbox"

    def __init__(self, secret: bytes) -> None:
        """Keep the webhook secret (derived from SECRET_KEY)."""
        self._secret = secret

    def __repr__(self) -> str:
        """Describe the gateway without its secret."""
        return "SandboxGateway()"

    def webhook_secret(self) -> bytes:
        """Return the secret the sandbox signs its webhook bodies with."""
        return self._secret

    def customer_fee_kobo(self, amount_kobo: int) -> int:
        """The sandbox charges no fee."""
        return 0

    def initialize(self, payment: Payment, callback_url: str) -> str:
        """Return the local checkout page of the payment, on the same site as the callback."""
        parts = urlsplit(callback_url)
        origin = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
        return f"{origin}{CHECKOUT_PATH}{quote(payment.reference, safe='')}"

    def verify(self, reference: str) -> Verification:
        """Report what the checkout delivered for this charge: success, failed, or still ongoing."""
        query = sa.select(Payment).where(Payment.reference == reference)
        payment = db.session.scalar(query.execution_options(populate_existing=True))
        if payment is None:
            return Verification(reference, "failed", None, None)
        return Verification(reference, ANSWERS[payment.status], payment.amount_kobo, payment.currency)

    def charge_success_body(self, payment: Payment) -> tuple[bytes, str]:
        """Return a signed `charge.success` webhook body for the payment, as Paystack would send it."""
        event = {
            "event": "charge.success",
            "data": {
                "reference": payment.reference,
                "amount": payment.amount_kobo,
                "currency": CURRENCY,
                "status": "success",
                "channel": "sandbox",
            },
        }
        body = json.dumps(event, separators=(",", ":")).encode()
        return body, sign(body, self._secret)
