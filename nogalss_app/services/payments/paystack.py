"""Paystack's HTTP API: initialize and verify transactions (https://paystack.com/docs/api/transaction/).

Every request carries `Authorization: Bearer <secret key>` and a timeout. The key is never logged and never
appears in an error message; a gateway that is down, slow or answers nonsense raises GatewayError (nothing is
credited and the payment stays PENDING, so a later verify or webhook can still complete it).
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

from ...models import Payment
from .gateway import CURRENCY, GatewayError, Verification

log = logging.getLogger(__name__)

MAX_ANSWER_BYTES = 256 * 1024
UNAVAILABLE = "The payment gateway is not answering right now. Nothing was charged; please try again shortly."


class PaystackGateway:
    """The Paystack client."""

    name = "paystack"

    def __init__(self, secret_key: str, base_url: str, *, timeout: float) -> None:
        """Keep the key, the API base URL (no trailing slash) and the request timeout."""
        self._secret = secret_key
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout

    def __repr__(self) -> str:
        """Describe the client without its key."""
        return f"PaystackGateway(base_url={self.base_url!r})"

    def webhook_secret(self) -> bytes:
        """Paystack signs webhooks with the account's secret key."""
        return self._secret.encode()

    def customer_fee_kobo(self, amount_kobo: int) -> int:
        """Paystack's fee is settled by the platform: the payer pays exactly the amount."""
        return 0

    def initialize(self, payment: Payment, callback_url: str) -> str:
        """POST /transaction/initialize; return the authorization URL the payer is sent to."""
        body = {
            "amount": payment.amount_kobo,
            "email": payment.email,
            "reference": payment.reference,
            "callback_url": callback_url,
            "currency": CURRENCY,
            "metadata": {"purpose": payment.purpose.value},
        }
        data = self._call("POST", "/transaction/initialize", body)
        url = data.get("authorization_url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            log.warning("paystack initialize for %s answered without an authorization URL", payment.reference)
            raise GatewayError(UNAVAILABLE)
        return url

    def verify(self, reference: str) -> Verification:
        """GET /transaction/verify/<reference>; return its status, amount (kobo) and currency."""
        data = self._call("GET", f"/transaction/verify/{quote(reference, safe='')}", None)
        if data.get("reference") != reference:
            log.warning("paystack verify for %s answered about another reference", reference)
            raise GatewayError(UNAVAILABLE)
        return Verification(
            reference=reference,
            status=str(data.get("status") or "")[:40],
            amount_kobo=data.get("amount"),
            currency=data.get("currency"),
        )

    def _call(self, method: str, path: str, body: dict | None) -> dict[str, Any]:
        """Send one request; return the answer's `data` object, or raise GatewayError."""
        request = urllib.request.Request(self.base_url + path, method=method)
        request.add_header("Authorization", f"Bearer {self._secret}")
        request.add_header("Accept", "application/json")
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, payload, timeout=self.timeout) as response:
                raw = response.read(MAX_ANSWER_BYTES + 1)
        except urllib.error.HTTPError as exc:
            log.warning("paystack %s %s answered HTTP %s", method, path, exc.code)
            raise GatewayError(UNAVAILABLE) from None
        except (OSError, http.client.HTTPException) as exc:  # refused, reset, timed out, garbled
            log.warning("paystack %s %s failed: %s", method, path, type(exc).__name__)
            raise GatewayError(UNAVAILABLE) from None
        return _data_of(raw, method, path)


def _data_of(raw: bytes, method: str, path: str) -> dict[str, Any]:
    """Return the `data` object of a Paystack answer `{status: true, data: {...}}`, or raise GatewayError."""
    try:
        answer = json.loads(raw) if len(raw) <= MAX_ANSWER_BYTES else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or answer.get("status") is not True or not isinstance(answer.get("data"), dict):
        log.warning("paystack %s %s answered something unexpected", method, path)
        raise GatewayError(UNAVAILABLE)
    return answer["data"]
