"""Report periods (SPEC §10, BAD_INPUTS 27): Nigerian dates in, UTC bounds out, presets, months, refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from nogalss_app.services import periods
from nogalss_app.services.errors import ValidationFailed
from nogalss_app.services.periods import Period, parse_period, period_from_args, preset
from nogalss_app.services.stats import compute


def refusal(raw_from, raw_to) -> dict[str, str]:
    """Return the field messages of a refused range."""
    with pytest.raises(ValidationFailed) as caught:
        parse_period(raw_from, raw_to)
    assert caught.value.status == 422
    return caught.value.fields


def test_a_day_is_midnight_to_midnight_in_lagos_which_is_an_hour_earlier_in_utc():
    period = parse_period("2026-03-01", "2026-03-31")
    assert period.start == datetime(2026, 2, 28, 23, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 3, 31, 23, 0, tzinfo=UTC)  # the day after `to` begins: `to` is included
    assert period.as_query() == {"from": "2026-03-01", "to": "2026-03-31"}


def test_the_bounds_agree_with_the_dashboards_month_boundaries():
    period = parse_period("2026-03-01", "2026-03-31")
    assert period.start == compute.month_start(2026, 3)
    assert period.end == compute.month_start(2026, 4)


def test_a_range_crossing_a_nigerian_month_boundary_at_midnight():
    period = parse_period("2026-03-31", "2026-04-01")
    just_before = datetime(2026, 3, 31, 22, 59, 59, tzinfo=UTC)  # 31 Mar 23:59:59 in Lagos
    midnight = datetime(2026, 3, 31, 23, 0, tzinfo=UTC)  # 1 Apr 00:00 in Lagos
    march, april = period.months()
    assert (march.key, april.key) == ("2026-03", "2026-04")
    assert march.start <= just_before < march.end == midnight
    assert april.start == midnight and april.end == period.end
    assert march.start == period.start == datetime(2026, 3, 30, 23, 0, tzinfo=UTC)  # clipped to the period
    assert period.contains(just_before) and period.contains(midnight)
    assert not period.contains(period.end) and not period.contains(period.start - timedelta(microseconds=1))
    # The same instant in another zone is the same instant.
    assert period.contains(midnight.astimezone(timezone(timedelta(hours=-5))))


def test_months_between_two_dates_cover_the_range_without_gaps():
    period = parse_period("2025-11-15", "2026-02-10")
    months = period.months()
    assert [m.key for m in months] == ["2025-11", "2025-12", "2026-01", "2026-02"]
    assert months[0].start == period.start and months[-1].end == period.end
    for earlier, later in zip(months, months[1:], strict=False):
        assert earlier.end == later.start
    assert [m.label for m in months] == ["Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026"]


def test_a_single_day_is_a_valid_period_with_one_month():
    period = parse_period("2026-02-28", "2026-02-28")
    assert period.end - period.start == timedelta(days=1)
    assert [m.key for m in period.months()] == ["2026-02"]
    assert period.label == "28 Feb 2026"


@pytest.mark.parametrize("raw", ["2026-13-01", "2026-02-30", "2025-02-29", "0000-01-01", "2026-00-10"])
def test_days_that_do_not_exist_are_refused(raw):
    assert "does not exist" in refusal(raw, "2026-12-31")["from"]


@pytest.mark.parametrize(
    "raw",
    [
        "26-03-01",
        "2026/03/01",
        "2026-3-1",
        "20260301",
        "2026-03-01T00:00",
        "２０２６-03-01",
        "2026-03-01x",
        "yesterday",
    ],
)
def test_malformed_dates_are_refused_with_a_hint(raw):
    assert refusal("2026-01-01", raw) == {"to": "must be a date like 2026-01-31"}


@pytest.mark.parametrize("raw", [None, "", "   ", 20260301, ["2026-01-01"], True])
def test_missing_or_non_text_dates_are_refused(raw):
    assert "from" in refusal(raw, "2026-01-31")


@pytest.mark.parametrize("raw", ["0001-01-01", "9999-12-31", "1999-12-31", "3000-01-01"])
def test_calendar_edges_are_refused_rather_than_overflowing(raw):
    fields = refusal(raw, raw)
    assert fields["from"] == fields["to"] == "must be between 2000-01-01 and 2999-12-31"


def test_the_supported_edges_themselves_work_without_overflow():
    low = parse_period("2000-01-01", "2004-12-31")
    high = parse_period("2995-01-01", "2999-12-31")
    assert low.start == datetime(1999, 12, 31, 23, 0, tzinfo=UTC)
    assert high.end == datetime(2999, 12, 31, 23, 0, tzinfo=UTC)
    assert len(low.months()) == len(high.months()) == 60


def test_from_after_to_is_refused():
    assert refusal("2026-04-01", "2026-03-31") == {"to": "must not be before from"}


def test_five_years_is_the_longest_range():
    assert parse_period("2021-01-01", "2025-12-31").months()[-1].key == "2025-12"
    assert refusal("2021-01-01", "2026-01-01") == {"to": "the range can cover at most 5 years"}
    # From a leap day, five years later has no 29 February: the limit falls on 28 February.
    assert parse_period("2024-02-29", "2029-02-28").last == date(2029, 2, 28)
    assert "to" in refusal("2024-02-29", "2029-03-01")


def test_both_fields_are_reported_at_once():
    assert set(refusal("2026-02-30", "soon")) == {"from", "to"}


def test_surrounding_spaces_are_forgiven():
    assert parse_period(" 2026-01-01 ", "\t2026-01-31\n") == Period(date(2026, 1, 1), date(2026, 1, 31))


# Presets, relative to a moment just after midnight in Lagos (still the previous day in UTC).
NOW = datetime(2026, 4, 30, 23, 30, tzinfo=UTC)  # 1 May 2026, 00:30 in Lagos


@pytest.mark.parametrize(
    ("name", "first", "last"),
    [
        ("this_month", date(2026, 5, 1), date(2026, 5, 1)),
        ("last_month", date(2026, 4, 1), date(2026, 4, 30)),
        ("this_quarter", date(2026, 4, 1), date(2026, 5, 1)),
        ("this_year", date(2026, 1, 1), date(2026, 5, 1)),
    ],
)
def test_presets_follow_the_nigerian_calendar(name, first, last):
    assert preset(name, NOW) == Period(first, last)


def test_last_month_in_january_is_last_years_december():
    assert preset("last_month", datetime(2026, 1, 15, 12, tzinfo=UTC)) == Period(date(2025, 12, 1), date(2025, 12, 31))


@pytest.mark.parametrize(
    ("month", "quarter_start"), [(1, 1), (3, 1), (4, 4), (6, 4), (7, 7), (9, 7), (10, 10), (12, 10)]
)
def test_this_quarter_starts_on_the_quarters_first_month(month, quarter_start):
    assert preset("this_quarter", datetime(2026, month, 15, 12, tzinfo=UTC)).first == date(2026, quarter_start, 1)


def test_this_month_starts_where_the_dashboards_month_starts():
    assert preset("this_month", NOW).start == compute.period_start("month", NOW)
    assert preset("this_year", NOW).start == compute.period_start("year", NOW)


def test_a_naive_now_is_a_programming_error():
    with pytest.raises(ValueError):
        preset("this_month", datetime(2026, 5, 1))


def test_query_arguments_pick_a_preset_or_dates_or_the_default():
    assert period_from_args({}, NOW) == preset("this_month", NOW)
    assert period_from_args({}, NOW, default="this_year") == preset("this_year", NOW)
    assert period_from_args({"preset": "last_month"}, NOW) == Period(date(2026, 4, 1), date(2026, 4, 30))
    assert period_from_args({"from": "2026-02-01", "to": "2026-02-28"}, NOW) == Period(
        date(2026, 2, 1), date(2026, 2, 28)
    )
    assert period_from_args({"from": "2026-04-15"}, NOW) == Period(date(2026, 4, 15), date(2026, 5, 1))


@pytest.mark.parametrize(
    ("args", "field"),
    [
        ({"preset": "next_month"}, "preset"),
        ({"preset": "this_month", "from": "2026-01-01"}, "preset"),
        ({"from": "2026-06-01"}, "to"),  # after the default's end (today)
        ({"to": "9999-12-31"}, "to"),
        ({"from": "0001-01-01", "to": "2026-01-01"}, "from"),
    ],
)
def test_bad_query_arguments_are_refused_by_field(args, field):
    with pytest.raises(ValidationFailed) as caught:
        period_from_args(args, NOW)
    assert field in caught.value.fields


def test_labels_read_like_a_report_heading():
    assert parse_period("2026-03-01", "2026-03-31").label == "1 Mar 2026 \u2013 31 Mar 2026"
    assert periods.format_day(date(2026, 12, 5)) == "5 Dec 2026"
