"""The JSON shapes of the records staff act on (withdrawals, expenses, loans): one shape per record, used by
every endpoint that answers one.
"""

from __future__ import annotations

from typing import Any

from ..models import Expense, Loan, Withdrawal
from .web import iso


def withdrawal_json(withdrawal: Withdrawal) -> dict[str, Any]:
    """Return a withdrawal as JSON fields."""
    return {
        "id": withdrawal.id,
        "user_id": withdrawal.user_id,
        "cooperative_id": withdrawal.cooperative_id,
        "amount_kobo": withdrawal.amount_kobo,
        "reason": withdrawal.reason,
        "status": withdrawal.status.value,
        "notes": withdrawal.notes,
        "decided_by_id": withdrawal.decided_by_id,
        "processed_by_id": withdrawal.processed_by_id,
        "transaction_id": withdrawal.transaction_id,
        "created_at": iso(withdrawal.created_at),
        "updated_at": iso(withdrawal.updated_at),
    }


def expense_json(expense: Expense) -> dict[str, Any]:
    """Return an expense as JSON fields."""
    return {
        "id": expense.id,
        "title": expense.title,
        "description": expense.description,
        "category": expense.category,
        "amount_kobo": expense.amount_kobo,
        "status": expense.status.value,
        "notes": expense.notes,
        "created_by_id": expense.created_by_id,
        "decided_by_id": expense.decided_by_id,
        "created_at": iso(expense.created_at),
        "updated_at": iso(expense.updated_at),
    }


def loan_json(loan: Loan) -> dict[str, Any]:
    """Return a loan as JSON fields."""
    return {
        "id": loan.id,
        "user_id": loan.user_id,
        "cooperative_id": loan.cooperative_id,
        "amount_kobo": loan.amount_kobo,
        "interest_bp": loan.interest_bp,
        "total_due_kobo": loan.total_due_kobo,
        "repaid_kobo": loan.repaid_kobo,
        "remaining_kobo": loan.remaining_kobo,
        "purpose": loan.purpose,
        "duration_months": loan.duration_months,
        "status": loan.status.value,
        "notes": loan.notes,
        "decided_by_id": loan.decided_by_id,
        "decided_at": iso(loan.decided_at),
        "created_at": iso(loan.created_at),
        "updated_at": iso(loan.updated_at),
    }
