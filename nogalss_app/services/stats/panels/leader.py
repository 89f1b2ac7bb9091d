"""Panels of the leader dashboard: exactly one cooperative (scope.cooperative_id), never another's rows."""

from __future__ import annotations

from typing import Any

from ....models import Loan
from .. import queries_coop, queries_loans
from ..panel import Panel
from ..scope import Scope

MAX_LOANS = 50
MAX_MEMBERS = 200


def cooperative_id(scope: Scope) -> int:
    """Return the cooperative in scope; refuse to run without one (a None would match every NULL row)."""
    if scope.cooperative_id is None:
        raise ValueError("leader panels need a cooperative in scope")
    return scope.cooperative_id


def overview(scope: Scope) -> dict[str, Any]:
    """Active members, contributions, pending loans and the leader allocation earned by the current leader."""
    return queries_coop.coop_overview(cooperative_id(scope))


def loans(scope: Scope) -> dict[str, Any]:
    """The cooperative's pending loan applications, oldest first; nobody decides their own application."""
    rows = queries_coop.pending_loans(cooperative_id(scope), limit=MAX_LOANS + 1)
    for row in rows:
        row["can_decide"] = row["user_id"] != scope.viewer_id
    return {"items": rows[:MAX_LOANS], "more": len(rows) > MAX_LOANS, "limit": MAX_LOANS}


def members(scope: Scope) -> dict[str, Any]:
    """The cooperative's members by name with savings balance, contributions and joined date."""
    rows = queries_coop.members_with_balances(cooperative_id(scope), limit=MAX_MEMBERS + 1)
    return {"items": rows[:MAX_MEMBERS], "more": len(rows) > MAX_MEMBERS, "limit": MAX_MEMBERS}


def repayments(scope: Scope) -> dict[str, Any]:
    """The cooperative's loans in arrears, longest overdue first: member, amount due, days past due."""
    rows = queries_loans.outstanding_loans(Loan.cooperative_id == cooperative_id(scope), now=scope.now)
    late = sorted((r for r in rows if r["arrears_kobo"] > 0), key=lambda r: (-r["days_past_due"], r["id"]))
    return {
        "items": late[:MAX_LOANS],
        "more": len(late) > MAX_LOANS,
        "limit": MAX_LOANS,
        "arrears_kobo": sum(r["arrears_kobo"] for r in late),
        "outstanding_kobo": sum(r["remaining_kobo"] for r in rows),
        "loans_count": len(rows),
    }


PANELS: list[Panel] = [
    Panel("overview", "Overview", ("users", "contributions", "loans", "allocations"), overview),
    Panel("loans", "Pending loan applications", ("loans", "users"), loans, wide=True, per_user=("LEADER",), lead=True),
    Panel("members", "Members", ("users", "contributions", "withdrawals"), members, wide=True),
    Panel("repayments", "Repayments in arrears", ("loans", "repayments"), repayments, wide=True),
]
