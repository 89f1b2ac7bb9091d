"""Panels of the finance dashboard (SPEC §4): ledger totals, recent lines, withdrawal queue, months, roles."""

from __future__ import annotations

from typing import Any

from ....models import ExpenseStatus, Role, TxStatus
from .. import compute, queries_loans
from .. import queries_platform as qp
from .. import queries_platform_finance as qf
from ..panel import Panel
from ..scope import Scope
from . import common
from .super_admin import expense_totals

RECENT_LIMIT = 20
QUEUE_LIMIT = 50
OWN_EXPENSES_LIMIT = 20
LOANS_LIMIT = 20
MONTHS = 6
STATUS_OPTIONS: dict[str, tuple[str, ...]] = {"status": ("all", *(status.value for status in TxStatus))}


def overview(scope: Scope) -> dict[str, Any]:
    """Fees, contributions, repayments, loans disbursed, withdrawals processed, inflow, outflow and net."""
    figures = qf.finance_overview()
    return {**figures, "net_kobo": figures["inflow_kobo"] - figures["outflow_kobo"]}


def recent(scope: Scope) -> dict[str, Any]:
    """The 20 newest transactions, optionally of one status."""
    status = scope.params.get("status", "all")
    chosen = None if status == "all" else TxStatus(status)
    return {"status": status, "items": qf.recent_transactions(RECENT_LIMIT, chosen)}


def withdrawals(scope: Scope) -> dict[str, Any]:
    """PENDING and APPROVED withdrawals, oldest first, with what may happen next to each."""
    return qf.withdrawal_queue(QUEUE_LIMIT)


def monthly(scope: Scope) -> dict[str, Any]:
    """Inflow and outflow per calendar month for the last six months."""
    rows = qf.flow_by_month(compute.last_months(scope.now, MONTHS))
    inflow = sum(row["inflow_kobo"] for row in rows)
    outflow = sum(row["outflow_kobo"] for row in rows)
    return {
        "months": rows,
        "inflow_kobo": inflow,
        "outflow_kobo": outflow,
        "net_kobo": inflow - outflow,
        "inflow_bars": compute.bar_chart([(row["label"], row["inflow_kobo"]) for row in rows]),
        "outflow_bars": compute.bar_chart([(row["label"], row["outflow_kobo"]) for row in rows]),
    }


def users_by_role(scope: Scope) -> dict[str, Any]:
    """The number of users of every role."""
    roles = qf.users_per_role()
    return {"by_role": roles, "total": sum(row["count"] for row in roles)}


def expenses(scope: Scope) -> dict[str, Any]:
    """The viewer's own expenses, newest first, with their totals per status; only finance records and edits them."""
    can_edit = scope.viewer_role is Role.FINANCE
    items = qp.latest_expenses(OWN_EXPENSES_LIMIT, created_by_id=scope.viewer_id)
    for item in items:
        item["editable"] = can_edit and item["status"] is ExpenseStatus.PENDING
    return {**expense_totals(created_by_id=scope.viewer_id), "items": items, "can_edit": can_edit}


def loans(scope: Scope) -> dict[str, Any]:
    """The loan portfolio: outstanding, repaid this month, arrears, PAR30; record an offline repayment."""
    rows = queries_loans.outstanding_loans(now=scope.now)
    this_month = compute.last_months(scope.now, 1)[0]
    late = sorted((r for r in rows if r["arrears_kobo"] > 0), key=lambda r: (-r["days_past_due"], r["id"]))
    return {
        **queries_loans.portfolio(rows),
        "repaid_this_month_kobo": queries_loans.repaid_between(this_month.start, this_month.end),
        "late": late[:LOANS_LIMIT],
        "loans": [{"id": r["id"], "member": r["member"], "remaining_kobo": r["remaining_kobo"]} for r in rows],
        "limit": LOANS_LIMIT,
        "can_record": scope.viewer_role in (Role.FINANCE, Role.SUPER_ADMIN),
    }


PANELS: list[Panel] = [
    Panel(
        "overview", "Overview", ("fees", "contributions", "transactions", "loans", "withdrawals"), overview, wide=True
    ),
    Panel("recent", "Recent transactions", ("transactions",), recent, wide=True, options=STATUS_OPTIONS),
    Panel("withdrawals", "Withdrawal queue", ("withdrawals",), withdrawals, wide=True, lead=True),
    Panel("monthly", "Inflow and outflow by month", ("transactions",), monthly, wide=True),
    Panel("users_by_role", "Users by role", ("users",), users_by_role),
    Panel("expenses", "My expenses", ("expenses",), expenses, per_user=("*",)),
    Panel("loans", "Loan portfolio", ("loans", "repayments", "transactions"), loans, wide=True),
    Panel("notifications", "Notifications", ("notifications",), common.notifications, per_user=("*",)),
]
