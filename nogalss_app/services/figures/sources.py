"""Row sources for drill-down: each turns a filter into a SELECT of labelled ledger-like rows.

Every source yields the same columns — `entity`, `id`, `reference`, `date`, `description`, `amount_kobo` — so a
figure can combine several (a balance is contributions minus processed withdrawals) and its total, count and
pages are all read from the one SELECT.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ...models import Allocation, Contribution, Expense, Loan, Transaction, TxType, Withdrawal


def _rows(entity: str, id_: Any, reference: Any, date: Any, description: Any, amount: Any) -> list[Any]:
    """Return the shared column list of a source."""
    return [
        sa.literal(entity).label("entity"),
        id_.label("id"),
        sa.cast(reference, sa.String).label("reference"),
        date.label("date"),
        sa.cast(sa.func.coalesce(description, ""), sa.String).label("description"),
        sa.cast(amount, sa.BigInteger).label("amount_kobo"),
    ]


def _code(prefix: str, column: Any) -> Any:
    """Return e.g. 'LOAN-12' for records that have no ledger reference of their own yet."""
    return sa.literal(prefix).concat(sa.cast(column, sa.String))


def ledger(*where: Any, negative: Any = None) -> sa.Select:
    """Ledger lines (transactions); `negative` is a condition under which a line counts as an outflow (−)."""
    amount = Transaction.amount_kobo
    if negative is not None:
        amount = sa.case((negative, -Transaction.amount_kobo), else_=Transaction.amount_kobo)
    columns = _rows(
        "transaction", Transaction.id, Transaction.reference, Transaction.created_at, Transaction.description, amount
    )
    return sa.select(*columns).where(*where)


def contributions(*where: Any) -> sa.Select:
    """Contribution rows (each backed by one CONTRIBUTION transaction, whose id and reference they show)."""
    columns = _rows(
        "transaction",
        Contribution.transaction_id,
        Transaction.reference,
        Contribution.created_at,
        Transaction.description,
        Contribution.amount_kobo,
    )
    return sa.select(*columns).join(Transaction, Transaction.id == Contribution.transaction_id).where(*where)


def _disbursement_reference() -> Any:
    """Return the reference of a loan's disbursement transaction (the first), as a correlated subquery."""
    return (
        sa.select(Transaction.reference)
        .where(Transaction.loan_id == Loan.id, Transaction.type == TxType.LOAN_DISBURSEMENT)
        .order_by(Transaction.id)
        .limit(1)
        .correlate(Loan)
        .scalar_subquery()
    )


def loans(*where: Any, amount: Any = None) -> sa.Select:
    """Loans (principal by default), referenced by their disbursement transaction when there is one."""
    reference = sa.func.coalesce(_disbursement_reference(), _code("LOAN-", Loan.id))
    columns = _rows(
        "loan", Loan.id, reference, Loan.created_at, Loan.purpose, Loan.amount_kobo if amount is None else amount
    )
    return sa.select(*columns).where(*where)


def withdrawals(*where: Any, negative: bool = False) -> sa.Select:
    """Withdrawals, referenced by their WITHDRAWAL transaction once processed; negative when netted."""
    amount = -Withdrawal.amount_kobo if negative else Withdrawal.amount_kobo
    reference = sa.func.coalesce(Transaction.reference, _code("WD-", Withdrawal.id))
    # A processed withdrawal is dated by its ledger line (when the money left), a waiting one by its request.
    when = sa.func.coalesce(Transaction.created_at, Withdrawal.created_at)
    columns = _rows("withdrawal", Withdrawal.id, reference, when, Withdrawal.reason, amount)
    return sa.select(*columns).outerjoin(Transaction, Transaction.id == Withdrawal.transaction_id).where(*where)


def expenses(*where: Any) -> sa.Select:
    """Expenses recorded by finance."""
    columns = _rows(
        "expense", Expense.id, _code("EXP-", Expense.id), Expense.created_at, Expense.title, Expense.amount_kobo
    )
    return sa.select(*columns).where(*where)


def allocations(*where: Any) -> sa.Select:
    """Allocation rows (one recipient's share of one fee), shown with the fee's transaction."""
    columns = _rows(
        "transaction",
        Allocation.transaction_id,
        Transaction.reference,
        Allocation.created_at,
        Transaction.description,
        Allocation.amount_kobo,
    )
    return sa.select(*columns).join(Transaction, Transaction.id == Allocation.transaction_id).where(*where)
