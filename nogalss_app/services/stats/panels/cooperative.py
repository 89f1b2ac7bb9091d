"""Panels of the cooperative dashboard (the cooperative's own login): exactly one cooperative, read only."""

from __future__ import annotations

from typing import Any

from ....models import Recipient
from .. import queries_coop, queries_orgs
from ..panel import Panel
from ..scope import Scope
from .leader import cooperative_id

MAX_LOANS = 50
MAX_MEMBERS = 200


def overview(scope: Scope) -> dict[str, Any]:
    """Members, contributions, loans outstanding and the cooperative allocation earned (sum of its rows)."""
    return queries_orgs.cooperative_overview(cooperative_id(scope))


def members(scope: Scope) -> dict[str, Any]:
    """The cooperative's members by name with savings balance, contributions and joined date."""
    rows = queries_coop.members_with_balances(cooperative_id(scope), limit=MAX_MEMBERS + 1)
    return {"items": rows[:MAX_MEMBERS], "more": len(rows) > MAX_MEMBERS, "limit": MAX_MEMBERS}


def loans(scope: Scope) -> dict[str, Any]:
    """The cooperative's loans, newest first, read only."""
    rows = queries_orgs.cooperative_loans(cooperative_id(scope), limit=MAX_LOANS + 1)
    return {"items": rows[:MAX_LOANS], "more": len(rows) > MAX_LOANS, "limit": MAX_LOANS}


def allocations(scope: Scope) -> dict[str, Any]:
    """The 10 newest allocation rows paid to this cooperative."""
    rows = queries_orgs.recent_allocations(Recipient.COOPERATIVE, cooperative_id=cooperative_id(scope))
    return {"items": rows, "limit": queries_orgs.ALLOCATION_LIMIT}


PANELS: list[Panel] = [
    Panel("overview", "Overview", ("users", "contributions", "loans", "allocations", "fees"), overview),
    Panel("allocations", "Fee shares received", ("allocations", "fees"), allocations, wide=True),
    Panel("members", "Members", ("users", "contributions", "withdrawals"), members, wide=True),
    Panel("loans", "Loans", ("loans", "users"), loans, wide=True),
]
