"""The payment gateway interface: initialize a charge, verify it, and sign or check webhook bodies.

Two implementations: the Paystack HTTP client (when PAYSTACK_SECRET_KEY is set) and the built-in sandbox
(offline: a local checkout page). Both are driven by `flow`, which is the only code that turns their answers
into a credit (through `core.confirm_payment`).
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Protocol

from ...models import Payment
from ..errors import ServiceError

SIGNATURE_HEADER = "x-paystack-signature"
CURRENCY = "NGN"


class GatewayError(ServiceError):
    """The gateway did not give a usable answer (down, slow, refused): nothing was credited (502)."""

    status = 502
    code = "gateway_error"


class PaymentsUnavailable(ServiceError):
    """No gateway may be used here (production without a Paystack key): nothing was started (503)."""

    status = 503
    code = "payments_unavailable"


@dataclass(frozen=True)
class Verification:
    """The gateway's answer about one charge (values as the gateway sent them; core checks them)."""

    reference: str
    status: str
    amount_kobo: object
    currency: object


class Gateway(Protocol):
    """What `flow` needs from a gateway."""

    name: str

    def initialize(self, payment: Payment, callback_url: str) -> str:
        """Open a charge for the payment; return the URL where the payer completes it."""

    def verify(self, reference: str) -> Verification:
        """Ask the gateway what happened to the charge with this reference."""

    def webhook_secret(self) -> bytes:
        """Return the secret webhook bodies are signed with."""

    def customer_fee_kobo(self, amount_kobo: int) -> int:
        """Return what the payer pays on top of the amount (0: fees are not passed on)."""


def sign(body: bytes, secret: bytes) -> str:
    """Return the hex HMAC-SHA512 of a webhook body, as Paystack sends in x-paystack-signature."""
    return hmac.new(secret, body, hashlib.sha512).hexdigest()


def signature_valid(body: bytes, signature: object, secret: bytes) -> bool:
    """Return whether the signature is the body's HMAC-SHA512 (constant-time comparison)."""
    if not isinstance(signature, str) or not signature or not secret:
        return False
    expected = sign(body, secret)
    return hmac.compare_digest(expected.encode(), signature.strip().lower().encode("ascii", "replace"))


def sandbox_secret(secret_key: str) -> bytes:
    """Derive the sandbox's webhook secret from the app's SECRET_KEY (never the key itself)."""
    return hmac.new(secret_key.encode(), b"nogalss-sandbox-webhook-v1", hashlib.sha256).hexdigest().encode()
