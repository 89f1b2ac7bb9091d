"""Loan arithmetic (SPEC §3), pure: flat interest, the largest principal that fits, schedules, arrears, holds.

Everything is integer kobo and basis points. A loan's instalments are covered in order by what has been repaid;
an instalment whose due date has passed and that is not fully covered is in arrears.
"""

from __future__ import annotations

import calendar
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

LOAN_MULTIPLIER = 6
BP_SCALE = 10_000


def interest_kobo(principal_kobo: int, interest_bp: int) -> int:
    """Return the flat interest ⌊principal × bp / 10,000 + ½⌋ for the whole term."""
    return (2 * principal_kobo * interest_bp + BP_SCALE) // (2 * BP_SCALE)


def total_due_kobo(principal_kobo: int, interest_bp: int) -> int:
    """Return principal plus its flat interest."""
    return principal_kobo + interest_kobo(principal_kobo, interest_bp)


def max_principal_kobo(limit_kobo: int, interest_bp: int) -> int:
    """Return the largest principal whose total due fits within limit_kobo (0 when none does)."""
    if limit_kobo <= 0:
        return 0
    principal = limit_kobo * BP_SCALE // (BP_SCALE + interest_bp)
    while total_due_kobo(principal + 1, interest_bp) <= limit_kobo:
        principal += 1
    while principal > 0 and total_due_kobo(principal, interest_bp) > limit_kobo:
        principal -= 1
    return principal


def ceil_div(numerator: int, denominator: int) -> int:
    """Return ⌈numerator / denominator⌉ for integers (denominator > 0)."""
    return -(-numerator // denominator)


@dataclass(frozen=True)
class Position:
    """One member's money: savings S, committed withdrawals W (pending + approved) and outstanding loans O."""

    savings_kobo: int
    committed_kobo: int
    outstanding_kobo: int

    @property
    def free_kobo(self) -> int:
        """Return savings not already promised to a withdrawal (S − W)."""
        return self.savings_kobo - self.committed_kobo

    @property
    def backing_kobo(self) -> int:
        """Return the savings that back outstanding loans, ⌈O / 6⌉ (held: they cannot be withdrawn)."""
        return ceil_div(self.outstanding_kobo, LOAN_MULTIPLIER)

    @property
    def loan_limit_kobo(self) -> int:
        """Return the most a new loan's total due may be: max(0, 6 × (S − W) − O)."""
        return max(0, LOAN_MULTIPLIER * self.free_kobo - self.outstanding_kobo)

    @property
    def withdrawable_kobo(self) -> int:
        """Return max(0, S − W − ⌈O / 6⌉)."""
        return max(0, self.free_kobo - self.backing_kobo)

    @property
    def holds(self) -> bool:
        """Return whether the invariant O ≤ 6 × (S − W) holds (and no balance is negative)."""
        return self.free_kobo >= 0 and self.outstanding_kobo <= LOAN_MULTIPLIER * self.free_kobo

    def after(self, *, savings: int = 0, committed: int = 0, outstanding: int = 0) -> Position:
        """Return the position once the given changes are applied."""
        return Position(
            self.savings_kobo + savings, self.committed_kobo + committed, self.outstanding_kobo + outstanding
        )


# Schedules -----------------------------------------------------------------------------------------------------


def add_months_clamped(day: date, months: int) -> date:
    """Return the same day of the month `months` later, clamped to that month's last day (31 Jan + 1 = 28/29 Feb)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def schedule(total_kobo: int, months: int, disbursed_on: date) -> list[tuple[int, date, int]]:
    """Return (number, due date, amount) of `months` equal monthly instalments, the remainder on the last."""
    if months < 1 or total_kobo < months:
        raise ValueError("a schedule needs at least one month and at least one kobo per instalment")
    base = total_kobo // months
    rows = []
    for number in range(1, months + 1):
        amount = base + (total_kobo - base * months if number == months else 0)
        rows.append((number, add_months_clamped(disbursed_on, number), amount))
    return rows


@dataclass(frozen=True)
class Instalment:
    """One instalment with what repayments have covered of it."""

    number: int
    due_on: date
    amount_kobo: int
    covered_kobo: int
    overdue: bool

    @property
    def remaining_kobo(self) -> int:
        """Return what is still owed on this instalment."""
        return self.amount_kobo - self.covered_kobo

    @property
    def in_arrears(self) -> bool:
        """Return whether it is past due and not fully covered."""
        return self.overdue and self.remaining_kobo > 0


@dataclass(frozen=True)
class Standing:
    """A loan's schedule seen on one day: instalments, the next one due, arrears and days past due."""

    instalments: list[Instalment]
    arrears_kobo: int
    days_past_due: int

    @property
    def next_instalment(self) -> Instalment | None:
        """Return the first instalment not fully covered."""
        return next((i for i in self.instalments if i.remaining_kobo > 0), None)

    @property
    def in_arrears(self) -> bool:
        """Return whether any instalment is in arrears."""
        return self.arrears_kobo > 0


def standing(rows: Sequence[tuple[int, date, int]], repaid_kobo: int, today: date) -> Standing:
    """Cover the instalments in order with repaid_kobo; return the arrears and days past due on `today`."""
    left = repaid_kobo
    items = []
    for number, due_on, amount in rows:
        covered = min(amount, max(0, left))
        left -= covered
        items.append(Instalment(number, due_on, amount, covered, due_on < today))
    late = [i for i in items if i.in_arrears]
    days = (today - late[0].due_on).days if late else 0
    return Standing(items, sum(i.remaining_kobo for i in late), days)
