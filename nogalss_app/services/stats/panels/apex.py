"""Panels of the apex dashboard (SPEC §4): platform overview, fees in force, all loans, distribution."""

from __future__ import annotations

from typing import Any

from ...settings import get_settings
from .. import queries_platform as q
from ..panel import Panel
from ..scope import Scope
from .super_admin import DISTRIBUTION_OPTIONS, distribution

LOANS_LIMIT = 50


def overview(scope: Scope) -> dict[str, Any]:
    """Users, cooperatives, transactions, pending loans (count and sum), contributions, loans disbursed."""
    return q.apex_overview()


def member_fee(scope: Scope) -> dict[str, Any]:
    """The member and cooperative registration fees in force (read-only here)."""
    settings = get_settings()
    return {"member_fee_kobo": settings.member_fee_kobo, "cooperative_fee_kobo": settings.cooperative_fee_kobo}


def loans(scope: Scope) -> dict[str, Any]:
    """All loans newest first (at most 50), each with the statuses it may move to next."""
    return {**q.recent_loans(LOANS_LIMIT), "limit": LOANS_LIMIT}


PANELS: list[Panel] = [
    Panel("overview", "Overview", ("users", "cooperatives", "transactions", "loans", "contributions"), overview),
    Panel("member_fee", "Member fee", ("settings",), member_fee),
    Panel("loans", "Loans", ("loans",), loans, wide=True),
    Panel(
        "distribution",
        "Contributions distribution",
        ("contributions", "cooperatives"),
        distribution,
        wide=True,
        options=DISTRIBUTION_OPTIONS,
    ),
]
