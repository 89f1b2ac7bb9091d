"""Panels of the apex dashboard (SPEC §4): platform overview, fees in force, all loans, distribution."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from ....extensions import db
from ....models import Loan, LoanStatus
from ...settings import get_settings
from .. import queries_loans
from .. import queries_platform as q
from ..panel import Panel
from ..scope import Scope
from .super_admin import DISTRIBUTION_OPTIONS, distribution

LOANS_LIMIT = 50
MAX_PAGES = 200
LOAN_OPTIONS: dict[str, tuple[str, ...]] = {
    "status": ("all", *(status.value for status in LoanStatus)),
    "page": tuple(str(n) for n in range(1, MAX_PAGES + 1)),
}


def overview(scope: Scope) -> dict[str, Any]:
    """Users, cooperatives, transactions, pending loans (count and sum), contributions, loans disbursed."""
    return q.apex_overview()


def member_fee(scope: Scope) -> dict[str, Any]:
    """The member and cooperative registration fees in force (read-only here)."""
    settings = get_settings()
    return {"member_fee_kobo": settings.member_fee_kobo, "cooperative_fee_kobo": settings.cooperative_fee_kobo}


def loans(scope: Scope) -> dict[str, Any]:
    """All loans newest first, 50 a page, filterable by status: outstanding, days past due, next statuses."""
    status = scope.params.get("status", "all")
    page = int(scope.params.get("page", "1"))
    where = [] if status == "all" else [Loan.status == LoanStatus(status)]
    total = int(db.session.scalar(sa.select(sa.func.count(Loan.id)).where(*where)) or 0)
    offset = (page - 1) * LOANS_LIMIT
    items = queries_loans.loans_with_standing(*where, now=scope.now, limit=LOANS_LIMIT, offset=offset)
    for item in items:
        item["next_statuses"] = q.next_statuses(item["status"])
        item["cooperative"] = item["cooperative"] or "—"
    pages = max(1, -(-total // LOANS_LIMIT))
    return {"items": items, "total": total, "limit": LOANS_LIMIT, "status": status, "page": page, "pages": pages}


PANELS: list[Panel] = [
    Panel("overview", "Overview", ("users", "cooperatives", "transactions", "loans", "contributions"), overview),
    Panel("member_fee", "Member fee", ("settings",), member_fee),
    Panel("loans", "Loans", ("loans",), loans, wide=True, options=LOAN_OPTIONS),
    Panel(
        "distribution",
        "Contributions distribution",
        ("contributions", "cooperatives"),
        distribution,
        wide=True,
        options=DISTRIBUTION_OPTIONS,
    ),
]
