"""Panels of the parent organization dashboard: the cooperatives registered under one organization."""

from __future__ import annotations

from typing import Any

from ....models import Recipient
from .. import queries_orgs
from ..panel import Panel
from ..scope import Scope

MAX_COOPERATIVES = 200


def organization_id(scope: Scope) -> int:
    """Return the organization in scope; refuse to run without one (a None would match every NULL row)."""
    if scope.organization_id is None:
        raise ValueError("parent organization panels need an organization in scope")
    return scope.organization_id


def overview(scope: Scope) -> dict[str, Any]:
    """Cooperatives, members, their registration fees and the organization's allocation earned (sum of its rows)."""
    return queries_orgs.organization_overview(organization_id(scope))


def cooperatives(scope: Scope) -> dict[str, Any]:
    """Each cooperative of the organization with members, contributions and fees."""
    rows = queries_orgs.organization_cooperatives(organization_id(scope))
    return {"items": rows[:MAX_COOPERATIVES], "more": len(rows) > MAX_COOPERATIVES, "limit": MAX_COOPERATIVES}


def allocations(scope: Scope) -> dict[str, Any]:
    """The 10 newest allocation rows paid to this organization."""
    rows = queries_orgs.recent_allocations(Recipient.PARENT_ORGANIZATION, parent_organization_id=organization_id(scope))
    return {"items": rows, "limit": queries_orgs.ALLOCATION_LIMIT}


PANELS: list[Panel] = [
    Panel("overview", "Overview", ("cooperatives", "users", "fees", "allocations"), overview),
    Panel("allocations", "Fee shares received", ("allocations", "fees"), allocations, wide=True),
    Panel("cooperatives", "Cooperatives", ("cooperatives", "users", "contributions", "fees"), cooperatives, wide=True),
]
