"""Gateway payments: the gateway this app is configured for, and the idempotent confirmation path (core).

`from_config` lives here, above the gateway interface (gateway.py) and its two implementations (paystack.py,
sandbox.py), so none of them imports another to be chosen.
"""

from __future__ import annotations

from collections.abc import Mapping

from .core import confirm_payment, fail_payment
from .gateway import Gateway, PaymentsUnavailable, sandbox_secret
from .paystack import PaystackGateway
from .sandbox import SandboxGateway

__all__ = ["confirm_payment", "fail_payment", "from_config"]


def from_config(config: Mapping) -> Gateway:
    """Return Paystack when a secret key is configured, else the sandbox (refused unless PAYMENTS_SANDBOX_ALLOWED)."""
    key = config.get("PAYSTACK_SECRET_KEY")
    if key:
        return PaystackGateway(key, config["PAYSTACK_BASE_URL"], timeout=float(config["PAYSTACK_TIMEOUT_SECONDS"]))
    if not config["PAYMENTS_SANDBOX_ALLOWED"]:
        raise PaymentsUnavailable("Payments are not configured on this server. Please try again later.")
    return SandboxGateway(sandbox_secret(config["SECRET_KEY"]))
