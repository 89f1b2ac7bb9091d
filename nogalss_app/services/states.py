"""State machines of SPEC §3: the only transitions any service may make."""

from __future__ import annotations

from enum import Enum

from ..models.enums import ExpenseStatus, LoanStatus, TxStatus, WithdrawalStatus
from .errors import Conflict

TRANSITIONS: dict[type[Enum], dict[Enum, frozenset[Enum]]] = {
    LoanStatus: {
        LoanStatus.PENDING: frozenset({LoanStatus.APPROVED, LoanStatus.REJECTED}),
        LoanStatus.APPROVED: frozenset({LoanStatus.ACTIVE}),
        LoanStatus.ACTIVE: frozenset({LoanStatus.COMPLETED}),
    },
    WithdrawalStatus: {
        WithdrawalStatus.PENDING: frozenset({WithdrawalStatus.APPROVED, WithdrawalStatus.REJECTED}),
        WithdrawalStatus.APPROVED: frozenset({WithdrawalStatus.PROCESSED}),
    },
    ExpenseStatus: {
        ExpenseStatus.PENDING: frozenset({ExpenseStatus.APPROVED, ExpenseStatus.REJECTED}),
        ExpenseStatus.APPROVED: frozenset({ExpenseStatus.PAID}),
    },
    TxStatus: {
        TxStatus.PENDING: frozenset({TxStatus.SUCCESSFUL, TxStatus.FAILED, TxStatus.CANCELLED}),
    },
}


def allowed_next(current: Enum) -> frozenset[Enum]:
    """Return the statuses reachable from `current` in one step."""
    return TRANSITIONS[type(current)].get(current, frozenset())


def check_transition(current: Enum, new: Enum, what: str) -> None:
    """Raise Conflict (409) unless current → new is an allowed step."""
    if type(new) is not type(current):
        raise TypeError("status types differ")
    if new not in allowed_next(current):
        article = "An" if what[:1].lower() in "aeiou" else "A"
        raise Conflict(f"{article} {what} that is {current.value} cannot become {new.value}.")
