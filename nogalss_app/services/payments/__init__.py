"""Gateway payments: the idempotent confirmation path (core) used by callback, webhook, verify and the seeder."""

from .core import confirm_payment, fail_payment

__all__ = ["confirm_payment", "fail_payment"]
