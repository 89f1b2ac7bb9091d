"""Panels of the super_admin dashboard (SPEC §4): platform counts, loans, money, distribution, expenses, live."""

from __future__ import annotations

from typing import Any

from ....models import ExpenseStatus, LoanStatus
from ....models.enums import DISBURSED_LOAN_STATUSES
from ...settings import get_settings
from .. import compute, queries_orgs
from .. import queries_platform as q
from ..panel import Panel
from ..scope import Scope
from . import common

DISTRIBUTION_OPTIONS: dict[str, tuple[str, ...]] = {"period": compute.PERIODS, "group": ("cooperative", "month")}
TOP_COOPERATIVES = 20
CHART_COOPERATIVES = 8  # more bars would make their names unreadable; the table lists the rest
MONTHS_FOR_ALL = 12
EXPENSE_STATUSES = (ExpenseStatus.PENDING, ExpenseStatus.APPROVED, ExpenseStatus.PAID, ExpenseStatus.REJECTED)


def overview(scope: Scope) -> dict[str, Any]:
    """Users, cooperatives, parent organizations, transactions, current fees with registrations, fees paid, and
    the leader shares of fees paid while no leader was in office (unattributed, shown rather than dropped)."""
    settings = get_settings()
    return {
        **q.platform_overview(),
        "member_fee_kobo": settings.member_fee_kobo,
        "cooperative_fee_kobo": settings.cooperative_fee_kobo,
        "unattributed_leader": queries_orgs.unattributed_leader_shares(),
    }


def loans(scope: Scope) -> dict[str, Any]:
    """Count and sum per loan status (all five, zero included) and the total disbursed."""
    found = q.loans_by_status()
    by_status = [
        {"status": status, "count": found.get(status, (0, 0))[0], "amount_kobo": found.get(status, (0, 0))[1]}
        for status in LoanStatus
    ]
    disbursed = [row for row in by_status if row["status"] in DISBURSED_LOAN_STATUSES]
    return {
        "by_status": by_status,
        "total": sum(row["count"] for row in by_status),
        "disbursed_count": sum(row["count"] for row in disbursed),
        "disbursed_kobo": sum(row["amount_kobo"] for row in disbursed),
    }


def money(scope: Scope) -> dict[str, Any]:
    """Total contributions, loans disbursed and withdrawals processed."""
    return q.money_totals()


def distribution_months(period: str, now: Any) -> tuple[list[compute.Month], bool]:
    """Return the months to show for a period and whether older contributions get an 'earlier' bucket."""
    if period == "month":
        return compute.last_months(now, 1), False
    if period == "year":
        return compute.last_months(now, now.astimezone(compute.LOCAL_TZ).month), False
    return compute.last_months(now, MONTHS_FOR_ALL), True


def chart_series(group: str, rows: list[dict[str, Any]]) -> list[tuple[str, int]]:
    """Return the bars to draw: every month (short labels), or the largest cooperatives."""
    if group == "month":
        return [(row["short"], row["amount_kobo"]) for row in rows]
    return [(row["label"], row["amount_kobo"]) for row in rows[:CHART_COOPERATIVES]]


def distribution(scope: Scope) -> dict[str, Any]:
    """Contributions by cooperative (largest first) or by calendar month, over all time, this year or month."""
    period = scope.params.get("period", "all")
    group = scope.params.get("group", "cooperative")
    if group == "month":
        months, earlier = distribution_months(period, scope.now)
        result = q.contributions_by_month(months, include_earlier=earlier)
    else:
        result = q.contributions_by_cooperative(compute.period_start(period, scope.now), TOP_COOPERATIVES)
    rows = [{**row, "share_bp": compute.share_bp(row["amount_kobo"], result["total_kobo"])} for row in result["rows"]]
    return {
        "period": period,
        "group": group,
        "rows": rows,
        "bars": compute.bar_chart(chart_series(group, rows)),
        "total_kobo": result["total_kobo"],
        "count": result["count"],
        "groups": result["groups"],
        "shown": len(rows),
    }


def expense_totals(created_by_id: int | None = None) -> dict[str, Any]:
    """Expenses in total and per status (count and sum), optionally only one person's."""
    found = q.expenses_by_status(created_by_id)
    by_status = [
        {"status": status, "count": found.get(status, (0, 0))[0], "amount_kobo": found.get(status, (0, 0))[1]}
        for status in EXPENSE_STATUSES
    ]
    return {
        "total_count": sum(row["count"] for row in by_status),
        "total_kobo": sum(row["amount_kobo"] for row in by_status),
        "by_status": by_status,
    }


def expenses(scope: Scope) -> dict[str, Any]:
    """Expenses in total and per status (sum and count), and the five newest."""
    return {**expense_totals(), "latest": q.latest_expenses(5)}


PANELS: list[Panel] = [
    Panel(
        "overview", "Overview", ("users", "cooperatives", "transactions", "fees", "settings", "allocations"), overview
    ),
    Panel("loans", "Loans", ("loans",), loans),
    Panel("money", "Money", ("contributions", "loans", "withdrawals", "transactions"), money),
    Panel(
        "distribution",
        "Contributions distribution",
        ("contributions", "cooperatives"),
        distribution,
        wide=True,
        options=DISTRIBUTION_OPTIONS,
    ),
    Panel("expenses", "Expenses", ("expenses",), expenses, wide=True),
    Panel("notifications", "Notifications", ("notifications",), common.notifications),
    Panel("live", "Live connections", ("connections",), common.live_connections),
    Panel("activity", "Activity", ("activity",), common.activity, wide=True),
]
