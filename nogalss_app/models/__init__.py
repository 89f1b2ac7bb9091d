"""All models, importable from one place (Alembic and the app import this module)."""

from .audit import AuditLog, ChangeLog
from .content import EmergencyAlert, Notification, Partner, Setting
from .cooperative import Cooperative, LeaderLink, ParentOrganization
from .enums import (
    ExpenseStatus,
    LoanStatus,
    PaymentPurpose,
    PaymentStatus,
    Recipient,
    Role,
    Severity,
    TxCategory,
    TxStatus,
    TxType,
    WithdrawalStatus,
)
from .expense import Expense
from .guards import IdempotencyKey, ThrottleEvent
from .ledger import Allocation, Payment, Transaction
from .savings import Contribution, Loan, LoanInstalment, Withdrawal
from .user import ApiToken, LoginAttempt, User, normalise_email

__all__ = [
    "ApiToken",
    "Allocation",
    "AuditLog",
    "ChangeLog",
    "Contribution",
    "Cooperative",
    "EmergencyAlert",
    "Expense",
    "IdempotencyKey",
    "ExpenseStatus",
    "LeaderLink",
    "Loan",
    "LoanInstalment",
    "LoanStatus",
    "LoginAttempt",
    "Notification",
    "ParentOrganization",
    "Partner",
    "ThrottleEvent",
    "Payment",
    "PaymentPurpose",
    "PaymentStatus",
    "Recipient",
    "Role",
    "Setting",
    "Severity",
    "Transaction",
    "TxCategory",
    "TxStatus",
    "TxType",
    "User",
    "Withdrawal",
    "WithdrawalStatus",
    "normalise_email",
]
