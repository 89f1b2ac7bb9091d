"""The two loophole orders of issue 10 (BAD_INPUTS 31), over the JSON API as the people involved would play them.

A member with ₦71,000 of savings borrows at the limit and withdraws all their savings. Before the fix both orders
ended with savings ₦0 and ₦426,000 outstanding; now one step is refused and O ≤ 6 × (S − W) holds at the end.
Interest is set to 0 here so the amounts are the ones of the report (interest has its own tests).
"""

from __future__ import annotations

import pytest

from nogalss_app.models import Role
from nogalss_app.services import balances
from tests import factories
from tests.factories import cooperative_with_saver
from tests.support.client import send, sign_in
from tests.support.records import interest_free_loans

SAVINGS = 71_000_00
LIMIT = 6 * SAVINGS  # ₦426,000


@pytest.fixture
def people(app):
    """Return signed-in clients of the borrower, their leader and two finance officers."""
    interest_free_loans()
    leader, member = cooperative_with_saver(SAVINGS)
    first, second = factories.user(Role.FINANCE), factories.user(Role.FINANCE)
    clients = {}
    for name, user in (("member", member), ("leader", leader), ("finance", first), ("finance2", second)):
        clients[name] = sign_in(app.test_client(), user)
    return clients, member


def money(member_id: int) -> tuple[int, int, int]:
    """Return (S, W, O) of the member as the database holds them now."""
    pos = balances.position(member_id)
    return pos.savings_kobo, pos.committed_kobo, pos.outstanding_kobo


def assert_invariant(member_id: int) -> None:
    """O ≤ 6 × (S − W) and no negative balance."""
    savings, committed, outstanding = money(member_id)
    assert savings - committed >= 0 and outstanding <= 6 * (savings - committed)


def test_apply_then_withdraw_everything_then_approve_the_loan_is_refused_at_the_approval(people):
    clients, member = people
    loan = send(
        clients["member"], "POST", "/api/member/loans", {"amount_kobo": LIMIT, "purpose": "Shop", "duration_months": 6}
    )
    assert loan.status_code == 201
    request = send(clients["member"], "POST", "/api/member/withdrawals", {"amount_kobo": SAVINGS, "reason": "Rent"})
    assert request.status_code == 201  # the loan is only an application: nothing is owed yet
    withdrawal_id = request.get_json()["id"]
    approved = send(clients["finance"], "PATCH", f"/api/finance/withdrawals/{withdrawal_id}", {"status": "APPROVED"})
    processed = send(clients["finance2"], "PATCH", f"/api/finance/withdrawals/{withdrawal_id}", {"status": "PROCESSED"})
    assert (approved.status_code, processed.status_code) == (200, 200)

    decision = send(clients["leader"], "POST", f"/api/leader/loans/{loan.get_json()['id']}/approve", {})

    assert decision.status_code == 409  # before the fix: 200, savings ₦0 and ₦426,000 outstanding
    error = decision.get_json()["error"]
    assert error["code"] == "conflict" and "₦426,000.00" in error["message"] and "free savings" in error["message"]
    assert money(member.id) == (0, 0, 0)
    assert_invariant(member.id)


def test_approve_the_loan_then_withdraw_everything_is_refused_at_the_request(people):
    clients, member = people
    loan = send(
        clients["member"], "POST", "/api/member/loans", {"amount_kobo": LIMIT, "purpose": "Shop", "duration_months": 6}
    )
    decision = send(clients["leader"], "POST", f"/api/leader/loans/{loan.get_json()['id']}/approve", {})
    assert (loan.status_code, decision.status_code) == (201, 200)

    request = send(clients["member"], "POST", "/api/member/withdrawals", {"amount_kobo": SAVINGS, "reason": "Rent"})
    one_kobo = send(clients["member"], "POST", "/api/member/withdrawals", {"amount_kobo": 1, "reason": "Rent"})

    assert (request.status_code, one_kobo.status_code) == (422, 422)  # before the fix: 201, then paid out
    error = request.get_json()["error"]
    assert "₦0.00" in error["fields"]["amount_kobo"] and "outstanding loans" in error["message"]
    assert money(member.id) == (SAVINGS, 0, LIMIT)
    assert_invariant(member.id)


def test_a_withdrawal_approved_before_the_loan_holds_its_savings_at_the_loan_approval(people):
    clients, member = people
    loan = send(
        clients["member"], "POST", "/api/member/loans", {"amount_kobo": LIMIT, "purpose": "Shop", "duration_months": 6}
    )
    request = send(clients["member"], "POST", "/api/member/withdrawals", {"amount_kobo": 1_000_00, "reason": "Rent"})
    send(clients["finance"], "PATCH", f"/api/finance/withdrawals/{request.get_json()['id']}", {"status": "APPROVED"})

    decision = send(clients["leader"], "POST", f"/api/leader/loans/{loan.get_json()['id']}/approve", {})

    assert decision.status_code == 409  # ₦1,000 promised to a withdrawal leaves ₦70,000 free: ₦420,000 at most
    assert money(member.id) == (SAVINGS, 1_000_00, 0)
    assert_invariant(member.id)
