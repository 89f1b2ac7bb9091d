"""The report catalogue (SPEC §10): which reports exist, who may run each, and their filters."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...models import Role
from ..errors import ValidationFailed
from . import audit_log, ledger, records
from .base import Report

FINANCE_AND_ADMIN = frozenset({Role.FINANCE, Role.SUPER_ADMIN})
FUNDS = frozenset({Role.APEX_FUNDS, Role.NOGALSS_FUNDS})
LOAN_ROLES = frozenset({Role.APEX, Role.FINANCE, Role.SUPER_ADMIN, Role.LEADER})
RECORD_ROLES = frozenset({Role.APEX, Role.FINANCE, Role.SUPER_ADMIN, Role.LEADER})
# Roles whose reports are limited to one cooperative (their own); a super admin may choose one.
COOPERATIVE_ROLES = frozenset({Role.LEADER})

REPORTS: dict[str, Report] = {
    report.name: report
    for report in [
        Report(
            "cashflow",
            "Cash flow",
            FINANCE_AND_ADMIN,
            ledger.cashflow_columns,
            ledger.cashflow_rows,
            ledger.cashflow_summary,
            "Inflow and outflow per category per month, with the opening and closing position.",
        ),
        Report(
            "fees",
            "Registration fees",
            FINANCE_AND_ADMIN | FUNDS,
            ledger.fees_columns,
            ledger.fees_rows,
            description="Every registration fee with its allocation rows (a fund sees its own share).",
        ),
        Report(
            "loans",
            "Loans",
            LOAN_ROLES,
            records.loans_columns,
            records.loans_rows,
            description="Loans disbursed in the period: repaid, outstanding and arrears by age.",
        ),
        Report(
            "contributions",
            "Contributions",
            RECORD_ROLES,
            records.contributions_columns,
            records.contributions_rows,
            description="Contributions by member or by cooperative.",
        ),
        Report(
            "withdrawals",
            "Withdrawals",
            FINANCE_AND_ADMIN | frozenset({Role.LEADER}),
            records.withdrawals_columns,
            records.withdrawals_rows,
            description="Withdrawal requests of the period and what was paid out.",
        ),
        Report(
            "expenses",
            "Expenses",
            FINANCE_AND_ADMIN,
            records.expenses_columns,
            records.expenses_rows,
            description="Expenses recorded in the period with their status.",
        ),
        Report(
            "audit",
            "Audit log",
            frozenset({Role.SUPER_ADMIN}),
            audit_log.audit_columns,
            audit_log.audit_rows,
            description="Who changed what, filtered by actor, action, entity and dates.",
            paged=audit_log.audit_page,
        ),
    ]
}


def reports_for(role: Role) -> list[Report]:
    """Return the reports a role may run, in catalogue order."""
    return [report for report in REPORTS.values() if role in report.roles]


def report_filters(name: str, args: Mapping[str, str]) -> dict[str, Any]:
    """Validate a report's own filters (422 when malformed)."""
    if name == "audit":
        return audit_log.audit_filters(args)
    if name == "contributions":
        group = (args.get("group") or "member").strip()
        if group not in ("member", "cooperative"):
            raise ValidationFailed("Check the filters.", {"group": "must be member or cooperative"})
        return {"group": group}
    return {}
