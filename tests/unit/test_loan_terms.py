"""Loan arithmetic: flat interest, the largest principal that fits, schedules, arrears and holds (pure)."""

from __future__ import annotations

from datetime import date

import pytest

from nogalss_app.services.loan_terms import (
    Position,
    add_months_clamped,
    interest_kobo,
    max_principal_kobo,
    schedule,
    standing,
    total_due_kobo,
)


@pytest.mark.parametrize(
    ("principal", "bp", "interest"),
    [(10_000_00, 500, 500_00), (1, 500, 0), (10, 500, 1), (9, 500, 0), (12_345, 500, 617), (100, 0, 0)],
)
def test_flat_interest_rounds_half_up(principal, bp, interest):
    assert interest_kobo(principal, bp) == interest
    assert total_due_kobo(principal, bp) == principal + interest


@pytest.mark.parametrize("limit", [0, 1, 20, 21, 426_000_00, 999_999_99])
@pytest.mark.parametrize("bp", [0, 500, 1_250, 10_000])
def test_the_largest_principal_is_the_largest_that_fits(limit, bp):
    best = max_principal_kobo(limit, bp)
    assert total_due_kobo(best, bp) <= limit or best == 0
    assert total_due_kobo(best + 1, bp) > limit


def test_a_schedule_has_equal_instalments_with_the_remainder_last_one_month_apart():
    rows = schedule(10_000_01, 3, date(2026, 1, 31))

    assert rows == [
        (1, date(2026, 2, 28), 3_333_33),
        (2, date(2026, 3, 31), 3_333_33),
        (3, date(2026, 4, 30), 3_333_35),
    ]
    assert add_months_clamped(date(2027, 12, 15), 2) == date(2028, 2, 15)


def test_a_schedule_refuses_less_than_one_kobo_per_month():
    with pytest.raises(ValueError):
        schedule(1, 2, date(2026, 1, 1))


def test_repayments_cover_instalments_in_order_and_arrears_count_from_the_oldest_unpaid():
    rows = schedule(300_00, 3, date(2026, 1, 10))  # due 10 Feb, 10 Mar, 10 Apr

    late = standing(rows, 150_00, date(2026, 3, 20))
    on_time = standing(rows, 200_00, date(2026, 3, 20))

    assert (late.arrears_kobo, late.days_past_due, late.next_instalment.number) == (50_00, 10, 2)
    assert [i.covered_kobo for i in late.instalments] == [100_00, 50_00, 0]
    assert (on_time.arrears_kobo, on_time.days_past_due, on_time.in_arrears) == (0, 0, False)
    assert standing(rows, 0, date(2026, 3, 20)).days_past_due == 38  # from 10 Feb


def test_a_position_holds_back_the_savings_that_back_a_loan():
    pos = Position(savings_kobo=71_000_00, committed_kobo=1_000_00, outstanding_kobo=100_00_01)

    assert pos.backing_kobo == 16_66_67  # ⌈10,000.01 / 6⌉
    assert pos.withdrawable_kobo == 70_000_00 - 16_66_67
    assert pos.loan_limit_kobo == 6 * 70_000_00 - 100_00_01
    assert pos.holds and not pos.after(outstanding=6 * 70_000_00).holds
    assert Position(0, 0, 0).withdrawable_kobo == 0 and not Position(1, 2, 0).holds
