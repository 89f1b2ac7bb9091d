"""Panels of the member dashboard: only the member's own money (scope.member_id).

Balances, the withdrawable amount and loan eligibility come from services.balances, the same code the loan and
withdrawal services use, so the dashboard and the services never disagree.
"""

from __future__ import annotations

from typing import Any

from ....models import Loan, LoanStatus, Role, WithdrawalStatus
from ....models.enums import OUTSTANDING_LOAN_STATUSES
from ... import balances, loan_terms
from ...settings import get_settings
from .. import compute, queries_loans, queries_member
from ..panel import Panel
from ..scope import Scope
from . import common

MAX_ROWS = 20

LOAN_NEXT = {
    LoanStatus.PENDING: "Waiting for your cooperative leader's decision.",
    LoanStatus.APPROVED: "Approved; the money is on its way to you.",
    LoanStatus.ACTIVE: "Disbursed; repay it to free your loan limit.",
    LoanStatus.COMPLETED: "Fully repaid.",
    LoanStatus.REJECTED: "Not approved.",
}

WITHDRAWAL_NEXT = {
    WithdrawalStatus.PENDING: "Waiting for finance to approve or reject it.",
    WithdrawalStatus.APPROVED: "Approved; waiting for finance to pay it out.",
    WithdrawalStatus.PROCESSED: "Paid out.",
    WithdrawalStatus.REJECTED: "Rejected; the amount is withdrawable again.",
}


def member_id(scope: Scope) -> int:
    """Return the member in scope; refuse to run without one (a None would match every NULL row)."""
    if scope.member_id is None:
        raise ValueError("member panels need a member in scope")
    return scope.member_id


def savings(scope: Scope) -> dict[str, Any]:
    """Savings balance, the amount contributed this calendar month and the number of contributions."""
    user_id = member_id(scope)
    this_month = compute.period_start("month", scope.now)
    summary = queries_member.contribution_summary(user_id, this_month)
    processed = balances.processed_withdrawals_kobo(user_id)
    adjusted = balances.savings_total_kobo(user_id) - summary["total_kobo"]  # savings adjustments (±)
    return {
        "balance_kobo": balances.balance_kobo(summary["total_kobo"] + adjusted, processed),
        "contributed_kobo": summary["total_kobo"],
        "withdrawn_kobo": processed,
        "this_month_kobo": summary["since_kobo"],
        "contributions_count": summary["count"],
    }


def loan_limit(scope: Scope) -> dict[str, Any]:
    """Whether the member may apply for a loan now, the maximum (total due and principal), and what is held back."""
    user_id = member_id(scope)
    pos = balances.position(user_id)
    eligibility = balances.loan_eligibility(user_id, scope.now, pos)
    interest_bp = get_settings().loan_interest_bp
    return {
        "eligible": eligibility.eligible,
        "max_kobo": eligibility.max_kobo,
        "max_principal_kobo": loan_terms.max_principal_kobo(eligibility.max_kobo, interest_bp),
        "interest_bp": interest_bp,
        "reasons": list(eligibility.reasons),
        "savings_balance_kobo": pos.savings_kobo,
        "committed_kobo": pos.committed_kobo,
        "free_kobo": max(0, pos.free_kobo),
        "outstanding_kobo": pos.outstanding_kobo,
        "backing_kobo": pos.backing_kobo,
        "withdrawable_kobo": pos.withdrawable_kobo,
        "held_reason": balances.held_back_reason(pos),
        "limit_kobo": pos.loan_limit_kobo,
        "multiplier": balances.LOAN_MULTIPLIER,
        "min_age_months": balances.MIN_SAVINGS_AGE_MONTHS,
    }


def history(scope: Scope) -> dict[str, Any]:
    """The member's ten latest contributions."""
    return {"items": queries_member.latest_contributions(member_id(scope), limit=10)}


def loans(scope: Scope) -> dict[str, Any]:
    """The member's own loans, newest first: schedule, next instalment, repaid, remaining, arrears; repay."""
    user_id = member_id(scope)
    items = queries_loans.loans_with_standing(Loan.user_id == user_id, now=scope.now, limit=MAX_ROWS)
    for item in items:
        owed = item["status"] in OUTSTANDING_LOAN_STATUSES
        item["left_kobo"] = item["remaining_kobo"]
        item["next"] = LOAN_NEXT[item["status"]]
        # Only the borrower repays, through the gateway; a super admin viewing the dashboard sees no form.
        item["can_repay"] = scope.viewing_self and owed and item["remaining_kobo"] > 0
    outstanding = sum(item["remaining_kobo"] for item in items)
    return {"items": items, "outstanding_kobo": outstanding, "limit": MAX_ROWS}


def withdrawals(scope: Scope) -> dict[str, Any]:
    """The member's own withdrawal requests, newest first, and the withdrawable balance."""
    user_id = member_id(scope)
    items = queries_member.own_withdrawals(user_id, limit=MAX_ROWS)
    for item in items:
        item["next"] = WITHDRAWAL_NEXT[item["status"]]
    return {"items": items, "withdrawable_kobo": balances.withdrawable_kobo(user_id), "limit": MAX_ROWS}


def actions(scope: Scope) -> dict[str, Any]:
    """What the member can do now: contribute, borrow up to the maximum, withdraw when enabled for the role."""
    user_id = member_id(scope)
    profile = queries_member.member_profile(user_id)
    pos = balances.position(user_id)
    eligibility = balances.loan_eligibility(user_id, scope.now, pos)
    role = profile["role"]
    return {
        "cooperative": profile["cooperative"],
        "role": role,
        "withdrawals_enabled": role in (Role.MEMBER, Role.LEADER) and get_settings().withdrawals_enabled_for(role),
        "loan_eligible": eligibility.eligible,
        "loan_max_kobo": eligibility.max_kobo,
        "loan_reasons": list(eligibility.reasons),
        "withdrawable_kobo": pos.withdrawable_kobo,
    }


PANELS: list[Panel] = [
    Panel("savings", "My savings", ("contributions", "withdrawals"), savings),
    Panel("loan_limit", "Loan limit", ("contributions", "withdrawals", "loans"), loan_limit),
    Panel("history", "Latest contributions", ("contributions",), history, wide=True),
    Panel("loans", "My loans", ("loans", "repayments"), loans, wide=True),
    # The withdrawable figure is S − W − ⌈O / 6⌉: a loan decision or repayment (topic `loans`) moves it too.
    Panel("withdrawals", "My withdrawals", ("withdrawals", "contributions", "loans"), withdrawals, wide=True),
    Panel(
        "actions",
        "What I can do",
        ("settings", "contributions", "withdrawals", "loans", "cooperatives"),
        actions,
        wide=True,
        lead=True,
    ),
    Panel("notifications", "Notifications", ("notifications",), common.member_notifications),
]
