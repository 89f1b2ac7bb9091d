"""Pure panel arithmetic: Nigerian calendar months, periods, half-up averages, shares and bar geometry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from nogalss_app.services.stats import compute


def utc(*args: int) -> datetime:
    """Return an aware UTC datetime."""
    return datetime(*args, tzinfo=UTC)


def test_local_time_is_west_africa_time_all_year():
    for month in (1, 7):
        assert compute.LOCAL_TZ.utcoffset(datetime(2026, month, 1)) == timedelta(hours=1)


def test_month_start_is_local_midnight_expressed_in_utc():
    assert compute.month_start(2026, 3) == utc(2026, 2, 28, 23)
    assert compute.month_start(2026, 1) == utc(2025, 12, 31, 23)


@pytest.mark.parametrize(
    ("year", "month", "delta", "expected"),
    [
        (2026, 1, -1, (2025, 12)),
        (2025, 12, 1, (2026, 1)),
        (2026, 3, -14, (2025, 1)),
        (2026, 5, 0, (2026, 5)),
        (2026, 12, 13, (2028, 1)),
    ],
)
def test_add_months_wraps_years(year, month, delta, expected):
    assert compute.add_months(year, month, delta) == expected


def test_last_months_wrap_the_year_oldest_first_with_contiguous_bounds():
    months = compute.last_months(utc(2026, 2, 10, 12), 4)
    assert [m.key for m in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert [m.label for m in months] == ["Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026"]
    assert months[0].start == utc(2025, 10, 31, 23)
    assert months[-1].end == utc(2026, 2, 28, 23)
    for earlier, later in zip(months, months[1:], strict=False):
        assert earlier.end == later.start


def test_current_month_follows_nigerian_time_not_utc():
    # 23:30 UTC on 31 January is 00:30 on 1 February in Lagos.
    late = utc(2026, 1, 31, 23, 30)
    assert compute.last_months(late, 1)[0].key == "2026-02"
    # New Year's Eve 23:30 UTC is already the new year locally.
    assert compute.last_months(utc(2025, 12, 31, 23, 30), 2)[-1].key == "2026-01"
    assert compute.last_months(utc(2025, 12, 31, 22, 59), 1)[0].key == "2025-12"


def test_a_boundary_instant_belongs_to_the_month_it_starts():
    feb = compute.last_months(utc(2026, 2, 15), 2)
    jan, february = feb
    instant = utc(2026, 1, 31, 23)  # local midnight, 1 February
    assert not (jan.start <= instant < jan.end)
    assert february.start <= instant < february.end


def test_last_months_accepts_any_aware_timezone():
    lagos_noon = datetime(2026, 6, 1, 0, 30, tzinfo=timezone(timedelta(hours=1)))
    assert compute.last_months(lagos_noon, 1)[0].key == "2026-06"


def test_last_months_of_zero_is_empty_and_twelve_spans_a_year():
    assert compute.last_months(utc(2026, 5, 1), 0) == []
    months = compute.last_months(utc(2026, 5, 20), 12)
    assert (months[0].key, months[-1].key) == ("2025-06", "2026-05")


def test_period_start_uses_the_local_calendar():
    now = utc(2025, 12, 31, 23, 30)  # 1 January 2026 locally
    assert compute.period_start("year", now) == utc(2025, 12, 31, 23)
    assert compute.period_start("month", now) == utc(2025, 12, 31, 23)
    assert compute.period_start("month", utc(2026, 3, 15)) == utc(2026, 2, 28, 23)
    assert compute.period_start("year", utc(2026, 3, 15)) == utc(2025, 12, 31, 23)
    assert compute.period_start("all", now) is None
    with pytest.raises(ValueError):
        compute.period_start("week", now)


@pytest.mark.parametrize(
    ("total", "count", "expected"),
    [
        (10, 4, 3),
        (9, 4, 2),
        (11, 4, 3),
        (5, 2, 3),
        (1, 3, 0),
        (2, 3, 1),
        (0, 5, 0),
        (7, 0, 0),
        (7, -1, 0),
        (1_000_000_000_001, 2, 500_000_000_001),
    ],
)
def test_average_rounds_half_up_to_whole_kobo(total, count, expected):
    assert compute.average(total, count) == expected


def test_average_returns_an_int():
    assert isinstance(compute.average(10, 3), int)


@pytest.mark.parametrize(
    ("part", "whole", "expected"), [(1, 3, 3333), (2, 3, 6667), (1, 8, 1250), (5, 0, 0), (3, 3, 10000)]
)
def test_share_bp_rounds_half_up(part, whole, expected):
    assert compute.share_bp(part, whole) == expected


def test_bar_chart_scales_to_the_peak_with_integer_geometry():
    bars = compute.bar_chart([("a", 50), ("b", 100), ("c", 0)], width=300, height=100, gap=10)
    assert [(b.label, b.value) for b in bars] == [("a", 50), ("b", 100), ("c", 0)]
    assert [b.x for b in bars] == [5, 105, 205]
    assert all(b.width == 90 for b in bars)
    assert [b.height for b in bars] == [50, 100, 0]
    assert [b.y for b in bars] == [50, 0, 100]
    for bar in bars:
        assert all(isinstance(v, int) for v in (bar.x, bar.y, bar.width, bar.height))
        assert bar.y + bar.height == 100


def test_bar_chart_gives_tiny_values_a_visible_bar_and_never_overflows():
    bars = compute.bar_chart([("big", 10_000_000), ("tiny", 1)], width=200, height=160)
    assert bars[1].height == 1
    assert bars[0].height == 160
    assert max(b.x + b.width for b in bars) <= 200


def test_bar_chart_of_nothing_or_only_zeros():
    assert compute.bar_chart([]) == []
    bars = compute.bar_chart([("a", 0), ("b", 0)])
    assert [b.height for b in bars] == [0, 0]


def test_bar_chart_treats_negative_values_as_empty_bars():
    bars = compute.bar_chart([("loss", -500), ("gain", 100)], height=100)
    assert bars[0].height == 0 and bars[0].y == 100
    assert bars[1].height == 100


def test_bar_chart_stays_inside_the_box_with_many_bars():
    bars = compute.bar_chart([(str(i), i + 1) for i in range(50)], width=600, gap=8)
    assert all(b.x >= 0 and b.x + b.width <= 600 for b in bars)


def test_bar_chart_refuses_more_bars_than_fit_and_keeps_the_rest_inside_the_box():
    with pytest.raises(ValueError, match="do not fit"):
        compute.bar_chart([(str(i), 1) for i in range(600)], width=600)
    bars = compute.bar_chart([(str(i), 1) for i in range(66)], width=600)  # 66 × (8 + 1) ≤ 600
    assert all(b.x >= 0 and b.x + b.width <= 600 for b in bars)
