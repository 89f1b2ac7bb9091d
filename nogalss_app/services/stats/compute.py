"""Pure arithmetic for panels: calendar months in Nigerian time, periods, averages, chart geometry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

try:
    LOCAL_TZ: timezone | ZoneInfo = ZoneInfo("Africa/Lagos")
except ZoneInfoNotFoundError:  # no tz database: Nigeria keeps UTC+1 all year
    LOCAL_TZ = timezone(timedelta(hours=1), "WAT")

MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
PERIODS = ("all", "year", "month")


@dataclass(frozen=True)
class Month:
    """One calendar month in Nigerian time, with its UTC bounds [start, end)."""

    year: int
    month: int
    start: datetime
    end: datetime

    @property
    def key(self) -> str:
        """Return YYYY-MM."""
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def label(self) -> str:
        """Return e.g. 'Mar 2026'."""
        return f"{MONTH_NAMES[self.month - 1]} {self.year}"


def month_start(year: int, month: int) -> datetime:
    """Return the UTC instant at which a local calendar month begins."""
    return datetime(year, month, 1, tzinfo=LOCAL_TZ).astimezone(UTC)


def add_months(year: int, month: int, delta: int) -> tuple[int, int]:
    """Shift a (year, month) pair by delta months."""
    index = year * 12 + (month - 1) + delta
    return index // 12, index % 12 + 1


def last_months(now: datetime, count: int) -> list[Month]:
    """Return the `count` calendar months ending with the current one, oldest first."""
    local = now.astimezone(LOCAL_TZ)
    months = []
    for delta in range(-(count - 1), 1):
        year, month = add_months(local.year, local.month, delta)
        next_year, next_month = add_months(year, month, 1)
        months.append(Month(year, month, month_start(year, month), month_start(next_year, next_month)))
    return months


def period_start(period: str, now: datetime) -> datetime | None:
    """Return the UTC start of 'year' or 'month' (local calendar), or None for 'all'."""
    local = now.astimezone(LOCAL_TZ)
    if period == "year":
        return month_start(local.year, 1)
    if period == "month":
        return month_start(local.year, local.month)
    if period == "all":
        return None
    raise ValueError(f"unknown period {period!r}")


def average(total: int, count: int) -> int:
    """Return total / count rounded half up to a whole kobo (0 when count is 0)."""
    if count <= 0:
        return 0
    return (2 * total + count) // (2 * count)


@dataclass(frozen=True)
class Bar:
    """One bar of a server-rendered SVG chart."""

    label: str
    value: int
    x: int
    y: int
    width: int
    height: int


def bar_chart(series: list[tuple[str, int]], *, width: int = 600, height: int = 160, gap: int = 8) -> list[Bar]:
    """Lay out bars for non-negative values in a width × height box (integer geometry).

    Each bar needs at least one pixel plus the gap; more bars than fit is a caller error.
    """
    if not series:
        return []
    if len(series) * (gap + 1) > width:
        raise ValueError(f"{len(series)} bars do not fit in {width} px with a {gap} px gap")
    peak = max(max(value for _, value in series), 1)
    slot = width // len(series)
    bar_width = max(slot - gap, 1)
    bars = []
    for index, (label, value) in enumerate(series):
        bar_height = (max(value, 0) * height + peak - 1) // peak if value > 0 else 0
        bars.append(Bar(label, value, index * slot + gap // 2, height - bar_height, bar_width, bar_height))
    return bars


def share_bp(part: int, whole: int) -> int:
    """Return part/whole in basis points, rounded half up (0 when whole is 0)."""
    if whole <= 0:
        return 0
    return (20_000 * part + whole) // (2 * whole)
