"""Report periods: Nigerian calendar dates (inclusive) turned into UTC bounds, presets, and their months."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from .errors import ValidationFailed
from .stats.compute import LOCAL_TZ, Month, add_months, month_start

# Dates a report may name: wider than any record this system holds, and far inside what Python, SQLite and
# PostgreSQL can represent once shifted to UTC (0001-01-01 in Lagos is a year-0 instant in UTC: an overflow).
# Lagos has kept UTC+1 since 1919; before that the time-zone database gives older local offsets.
MIN_DATE = date(2000, 1, 1)
MAX_DATE = date(2999, 12, 31)
MAX_YEARS = 5
PRESETS = {
    "this_month": "This month",
    "last_month": "Last month",
    "this_quarter": "This quarter",
    "this_year": "This year",
}
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_DATE_HINT = "must be a date like 2026-01-31"
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def day_start(day: date) -> datetime:
    """Return the UTC instant at which a Nigerian calendar day begins."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_TZ).astimezone(UTC)


def local_today(now: datetime) -> date:
    """Return the Nigerian calendar date of an aware instant."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    return now.astimezone(LOCAL_TZ).date()


def add_years(day: date, years: int) -> date:
    """Shift a date by whole years; 29 February becomes 1 March in a common year."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return date(day.year + years, 3, 1)


def format_day(day: date) -> str:
    """Format a date as people read it on a report, e.g. '1 Mar 2026'."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class Period:
    """A range of Nigerian calendar days, both ends included, with its UTC bounds [start, end)."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        """Return the UTC instant the first day begins."""
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        """Return the UTC instant the day after the last one begins (exclusive bound)."""
        return day_start(self.last + timedelta(days=1))

    @property
    def label(self) -> str:
        """Return e.g. '1 Mar 2026 – 31 Mar 2026' (one date when the period is a single day)."""
        if self.first == self.last:
            return format_day(self.first)
        return f"{format_day(self.first)} \u2013 {format_day(self.last)}"

    def contains(self, instant: datetime) -> bool:
        """Return True when an aware instant falls inside the period."""
        return self.start <= instant.astimezone(UTC) < self.end

    def as_query(self) -> dict[str, str]:
        """Return the period as the `from`/`to` query parameters (and JSON keys) of a report."""
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}

    def months(self) -> list[Month]:
        """Return the calendar months the period touches, oldest first, each clipped to the period."""
        months = []
        year, month = self.first.year, self.first.month
        while (year, month) <= (self.last.year, self.last.month):
            next_year, next_month = add_months(year, month, 1)
            start = max(month_start(year, month), self.start)
            end = min(month_start(next_year, next_month), self.end)
            months.append(Month(year, month, start, end))
            year, month = next_year, next_month
        return months


def parse_date(raw: object, field: str, errors: dict[str, str]) -> date | None:
    """Return the ISO date (YYYY-MM-DD) in raw, noting a field message in errors when it is not one."""
    text = raw.strip(" \t\r\n") if isinstance(raw, str) else None
    if raw is None or text == "":
        errors[field] = "enter a date"
        return None
    if text is None or not _ISO_DATE.fullmatch(text):
        errors[field] = _DATE_HINT
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        errors[field] = f"{_DATE_HINT} (that day does not exist)"
        return None
    if not MIN_DATE <= day <= MAX_DATE:
        errors[field] = f"must be between {MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}"
        return None
    return day


def checked_period(first: date, last: date) -> Period:
    """Return the period first..last, or refuse it when it runs backwards or spans more than five years."""
    if first > last:
        raise ValidationFailed("Check the dates.", {"to": "must not be before from"})
    if last >= add_years(first, MAX_YEARS):
        raise ValidationFailed("Check the dates.", {"to": f"the range can cover at most {MAX_YEARS} years"})
    return Period(first, last)


def parse_period(raw_from: object, raw_to: object) -> Period:
    """Validate `from` and `to` (Nigerian dates, both included) into a Period; 422 with field messages."""
    errors: dict[str, str] = {}
    first = parse_date(raw_from, "from", errors)
    last = parse_date(raw_to, "to", errors)
    if errors or first is None or last is None:
        raise ValidationFailed("Check the dates.", errors)
    return checked_period(first, last)


def preset(name: str, now: datetime) -> Period:
    """Return a preset period relative to now; a 'this_' preset runs to today, 'last_month' is the whole month."""
    today = local_today(now)
    if name == "this_month":
        return Period(today.replace(day=1), today)
    if name == "last_month":
        this_month = today.replace(day=1)
        return Period((this_month - timedelta(days=1)).replace(day=1), this_month - timedelta(days=1))
    if name == "this_quarter":
        return Period(date(today.year, (today.month - 1) // 3 * 3 + 1, 1), today)
    if name == "this_year":
        return Period(date(today.year, 1, 1), today)
    raise ValidationFailed("Check the dates.", {"preset": f"must be one of {', '.join(PRESETS)}"})


def period_from_args(args: Mapping[str, str], now: datetime, default: str = "this_month") -> Period:
    """Return the period named by query arguments: a `preset`, or `from` and `to`, else the default preset.

    Only one of `from`/`to` given takes the other from the default preset, so `?from=2026-01-01` means "from
    then until the default's end" — still checked for order and length.
    """
    raw_preset = args.get("preset")
    raw_from, raw_to = args.get("from"), args.get("to")
    if raw_preset not in (None, "") and (raw_from or raw_to):
        raise ValidationFailed("Check the dates.", {"preset": "give either a preset or from and to, not both"})
    if raw_preset not in (None, ""):
        return preset(str(raw_preset).strip(), now)
    fallback = preset(default, now)
    if not raw_from and not raw_to:
        return fallback
    return parse_period(raw_from or fallback.first.isoformat(), raw_to or fallback.last.isoformat())
