"""A member's savings, withdrawable balance and loan limit, from the rows the ledger holds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from nogalss_app.models import LoanStatus, Role, WithdrawalStatus
from nogalss_app.services import balances
from nogalss_app.services.balances import Eligibility, eligibility_from, months_before
from tests import factories
from tests.factories import ContributionFactory, LoanFactory, WithdrawalFactory, saver
from tests.support.clock import LONG_AGO, NOW

# Pure arithmetic ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "months", "expected"),
    [
        (datetime(2025, 8, 31, 12, 0, tzinfo=UTC), 6, datetime(2025, 2, 28, 12, 0, tzinfo=UTC)),
        (datetime(2024, 8, 31, 12, 0, tzinfo=UTC), 6, datetime(2024, 2, 29, 12, 0, tzinfo=UTC)),
        (datetime(2025, 3, 31, 0, 0, tzinfo=UTC), 1, datetime(2025, 2, 28, 0, 0, tzinfo=UTC)),
        (datetime(2025, 5, 31, 23, 59, 59, tzinfo=UTC), 1, datetime(2025, 4, 30, 23, 59, 59, tzinfo=UTC)),
        (datetime(2025, 2, 15, 8, 30, tzinfo=UTC), 6, datetime(2024, 8, 15, 8, 30, tzinfo=UTC)),
        (datetime(2025, 1, 1, 0, 0, tzinfo=UTC), 1, datetime(2024, 12, 1, 0, 0, tzinfo=UTC)),
        (datetime(2025, 6, 30, 7, 0, tzinfo=UTC), 12, datetime(2024, 6, 30, 7, 0, tzinfo=UTC)),
        (datetime(2025, 6, 30, 7, 0, tzinfo=UTC), 0, datetime(2025, 6, 30, 7, 0, tzinfo=UTC)),
    ],
)
def test_months_before_counts_calendar_months_and_clamps_the_day(moment, months, expected):
    assert months_before(moment, months) == expected


def test_six_calendar_months_are_not_180_days():
    # 1 March → 1 September is 184 days; 180 days would already call it six months on 28 August.
    assert months_before(datetime(2025, 9, 1, tzinfo=UTC), 6) == datetime(2025, 3, 1, tzinfo=UTC)
    assert datetime(2025, 9, 1, tzinfo=UTC) - timedelta(days=180) != datetime(2025, 3, 1, tzinfo=UTC)


def test_withdrawable_and_loan_limit_never_go_below_zero():
    assert balances.withdrawable_from(10_000, 4_000) == 6_000
    assert balances.withdrawable_from(10_000, 12_000) == 0
    assert balances.loan_limit_kobo(10_000, 0) == 60_000
    assert balances.loan_limit_kobo(10_000, 45_000) == 15_000
    assert balances.loan_limit_kobo(10_000, 90_000) == 0
    assert balances.balance_kobo(10_000, 3_000) == 7_000


def _facts(**overrides) -> dict:
    """Return the facts of a member who may borrow, with overrides."""
    facts = {
        "has_pending_loan": False,
        "oldest_contribution_at": datetime(2025, 2, 28, 12, 0, tzinfo=UTC),
        "now": NOW,
        "savings_balance_kobo": 10_000_00,
        "outstanding_kobo": 0,
    }
    return facts | overrides


def test_a_saver_of_six_months_may_borrow_six_times_the_balance():
    assert eligibility_from(**_facts()) == Eligibility(eligible=True, max_kobo=60_000_00, reasons=[])


def test_each_rule_that_fails_gives_its_reason_and_no_maximum():
    result = eligibility_from(**_facts(has_pending_loan=True, oldest_contribution_at=None, outstanding_kobo=60_000_00))

    assert result.eligible is False
    assert result.max_kobo == 0
    assert result.reasons[0] == balances.REASON_PENDING
    assert result.reasons[1] == balances.REASON_TOO_NEW
    assert "₦0.00" in result.reasons[2]


# Queries over the database -----------------------------------------------------------------------------------


def test_savings_count_only_the_members_own_contributions():
    ada, obi = factories.user(role=Role.MEMBER), factories.user(role=Role.MEMBER)
    ContributionFactory(user=ada, amount_kobo=5_000_00)
    ContributionFactory(user=ada, amount_kobo=2_500_50)
    ContributionFactory(user=obi, amount_kobo=9_999_00)

    assert balances.savings_total_kobo(ada.id) == 7_500_50
    assert isinstance(balances.savings_total_kobo(ada.id), int)
    assert balances.savings_total_kobo(factories.user(role=Role.MEMBER).id) == 0


def test_processed_withdrawals_reduce_the_balance_and_committed_ones_the_withdrawable_amount():
    ada = saver(100_000_00)
    WithdrawalFactory(user=ada, amount_kobo=10_000_00, status=WithdrawalStatus.PROCESSED)
    WithdrawalFactory(user=ada, amount_kobo=20_000_00, status=WithdrawalStatus.APPROVED)
    WithdrawalFactory(user=ada, amount_kobo=30_000_00, status=WithdrawalStatus.PENDING)
    WithdrawalFactory(user=ada, amount_kobo=35_000_00, status=WithdrawalStatus.REJECTED)

    assert balances.processed_withdrawals_kobo(ada.id) == 10_000_00
    assert balances.committed_withdrawals_kobo(ada.id) == 60_000_00
    assert balances.savings_balance_kobo(ada.id) == 90_000_00
    assert balances.withdrawable_kobo(ada.id) == 40_000_00


def test_the_withdrawable_amount_is_never_negative_even_when_rows_disagree():
    ada = saver(10_000_00)
    WithdrawalFactory(user=ada, amount_kobo=15_000_00, status=WithdrawalStatus.APPROVED)

    assert balances.withdrawable_kobo(ada.id) == 0


def test_outstanding_loans_are_approved_and_active_ones_less_what_was_repaid():
    ada = saver()
    LoanFactory(user=ada, amount_kobo=50_000_00, status=LoanStatus.APPROVED)
    LoanFactory(user=ada, amount_kobo=40_000_00, status=LoanStatus.ACTIVE, repaid_kobo=15_000_00)
    LoanFactory(user=ada, amount_kobo=70_000_00, status=LoanStatus.PENDING)
    LoanFactory(user=ada, amount_kobo=80_000_00, status=LoanStatus.REJECTED)
    LoanFactory(user=ada, amount_kobo=90_000_00, status=LoanStatus.COMPLETED, repaid_kobo=90_000_00)

    assert balances.outstanding_loans_kobo(ada.id) == 75_000_00


def test_a_contribution_exactly_six_calendar_months_old_makes_a_member_eligible():
    ada = saver(10_000_00, since=datetime(2025, 2, 28, 12, 0, tzinfo=UTC))

    result = balances.loan_eligibility(ada.id, NOW)

    assert result == Eligibility(eligible=True, max_kobo=60_000_00, reasons=[])


def test_a_contribution_one_day_short_of_six_months_is_not_enough():
    ada = saver(10_000_00, since=datetime(2025, 3, 1, 12, 0, tzinfo=UTC))

    result = balances.loan_eligibility(ada.id, NOW)

    assert result.eligible is False
    assert result.reasons == [balances.REASON_TOO_NEW]
    assert balances.loan_eligibility(ada.id, datetime(2025, 9, 1, 12, 0, tzinfo=UTC)).eligible is True


def test_one_old_contribution_is_enough_and_newer_savings_still_raise_the_limit():
    ada = saver(10_000_00, since=LONG_AGO)
    ContributionFactory(user=ada, amount_kobo=5_000_00, created_at=NOW - timedelta(days=1))

    assert balances.loan_eligibility(ada.id, NOW).max_kobo == 90_000_00


def test_a_member_who_never_saved_cannot_borrow():
    result = balances.loan_eligibility(factories.user(role=Role.MEMBER).id, NOW)

    assert result.eligible is False
    assert balances.REASON_TOO_NEW in result.reasons


def test_a_pending_application_blocks_another_one():
    ada = saver(10_000_00)
    LoanFactory(user=ada, amount_kobo=1_000_00, status=LoanStatus.PENDING)

    result = balances.loan_eligibility(ada.id, NOW)

    assert result.eligible is False
    assert result.reasons == [balances.REASON_PENDING]


def test_the_limit_is_six_times_savings_less_outstanding_loans():
    ada = saver(10_000_00)
    WithdrawalFactory(user=ada, amount_kobo=2_000_00, status=WithdrawalStatus.PROCESSED)
    LoanFactory(user=ada, amount_kobo=20_000_00, status=LoanStatus.ACTIVE, repaid_kobo=5_000_00)

    assert balances.loan_eligibility(ada.id, NOW).max_kobo == 6 * 8_000_00 - 15_000_00


def test_a_member_who_owes_six_times_their_savings_may_not_borrow_more():
    ada = saver(10_000_00)
    LoanFactory(user=ada, amount_kobo=60_000_00, status=LoanStatus.APPROVED)

    result = balances.loan_eligibility(ada.id, NOW)

    assert result.eligible is False
    assert result.max_kobo == 0
    assert "₦0.00" in result.reasons[0]


def test_rejected_and_completed_loans_do_not_count_against_the_limit():
    ada = saver(10_000_00)
    LoanFactory(user=ada, amount_kobo=50_000_00, status=LoanStatus.REJECTED)
    LoanFactory(user=ada, amount_kobo=30_000_00, status=LoanStatus.COMPLETED, repaid_kobo=30_000_00)

    assert balances.loan_eligibility(ada.id, NOW) == Eligibility(eligible=True, max_kobo=60_000_00, reasons=[])
