"""Panels shared by the Apex Funds and Nogalss Funds dashboards, parameterised by the fund's Recipient."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ....models import Recipient
from ...money import BP_TOTAL, split_by_bp
from ...settings import get_settings
from .. import compute, queries_funds
from ..panel import Panel
from ..scope import Scope

MONTHS = 12

RECIPIENT_LABELS = {
    Recipient.APEX_FUNDS: "Apex Fund",
    Recipient.NOGALSS_FUNDS: "Nogalss Fund",
    Recipient.COOPERATIVE: "Cooperative",
    Recipient.LEADER: "Cooperative leader",
    Recipient.PARENT_ORGANIZATION: "Parent organization",
}

Builder = Callable[[Scope], dict[str, Any]]


def overview_builder(fund: Recipient) -> Builder:
    """Return the builder of the fund's overview: fees, the fund's allocation total, count and average."""

    def overview(scope: Scope) -> dict[str, Any]:
        """Total registration fees and this fund's share of them at the rates in force when each was paid."""
        figures = queries_funds.fund_overview(fund)
        average = compute.average(figures["allocation_total_kobo"], figures["allocation_count"])
        return {
            "fund": fund,
            "fund_label": RECIPIENT_LABELS[fund],
            **figures,
            "cooperative_fees_count": figures["fees_count"] - figures["member_fees_count"],
            "average_allocation_kobo": average,
        }

    return overview


def recent_builder(fund: Recipient) -> Builder:
    """Return the builder of the fund's ten newest allocations."""

    def recent(scope: Scope) -> dict[str, Any]:
        """The ten newest allocations of this fund: payer, fee, share, date and reference."""
        return {"fund_label": RECIPIENT_LABELS[fund], "items": queries_funds.recent_allocations(fund, limit=10)}

    return recent


def monthly_builder(fund: Recipient) -> Builder:
    """Return the builder of the fund's last twelve calendar months."""

    def monthly(scope: Scope) -> dict[str, Any]:
        """This fund's share per calendar month (Nigerian time), for a chart and a table."""
        rows = queries_funds.monthly_allocations(fund, compute.last_months(scope.now, MONTHS))
        short = [f"{row['label'][:3]} {row['key'][2:4]}" for row in rows]
        return {
            "fund_label": RECIPIENT_LABELS[fund],
            "months": rows,
            "bars": compute.bar_chart([(label, row["share_kobo"]) for label, row in zip(short, rows, strict=True)]),
            "total_fees_count": sum(row["fees_count"] for row in rows),
            "total_fees_kobo": sum(row["fees_kobo"] for row in rows),
            "total_share_kobo": sum(row["share_kobo"] for row in rows),
        }

    return monthly


def split_rows(shares: list[tuple[str, int]], fund: Recipient, fees: dict[str, int]) -> list[dict[str, Any]]:
    """Return one row per recipient: share in bp, this fund flag and its part of each current fee."""
    valid = sum(bp for _, bp in shares) == BP_TOTAL
    parts = {kind: split_by_bp(fee, shares) if valid else {} for kind, fee in fees.items()}
    rows = []
    for name, bp in shares:
        recipient = Recipient(name.upper())
        rows.append(
            {
                "recipient": recipient,
                "label": RECIPIENT_LABELS[recipient],
                "bp": bp,
                "is_this_fund": recipient is fund,
                **{f"{kind}_share_kobo": parts[kind].get(name) for kind in fees},
            }
        )
    return rows


def split_builder(fund: Recipient) -> Builder:
    """Return the builder of the configured split (settings), with this fund highlighted."""

    def split(scope: Scope) -> dict[str, Any]:
        """The allocation split in force for new fees, and what each recipient gets of today's fees."""
        settings = get_settings()
        fees = {"member_fee": settings.member_fee_kobo, "cooperative_fee": settings.cooperative_fee_kobo}
        shares = settings.allocation_shares()
        return {
            "fund_label": RECIPIENT_LABELS[fund],
            "rows": split_rows(shares, fund, fees),
            "total_bp": sum(bp for _, bp in shares),
            "member_fee_kobo": fees["member_fee"],
            "cooperative_fee_kobo": fees["cooperative_fee"],
        }

    return split


def fund_panels(fund: Recipient) -> list[Panel]:
    """Return the four panels of a fund's dashboard in display order."""
    return [
        Panel("overview", "Overview", ("fees", "allocations"), overview_builder(fund)),
        Panel(
            "recent", "Recent allocations", ("allocations", "users", "cooperatives"), recent_builder(fund), wide=True
        ),
        Panel("monthly", "Last 12 months", ("allocations",), monthly_builder(fund), wide=True),
        Panel("split", "Allocation split", ("settings",), split_builder(fund)),
    ]
