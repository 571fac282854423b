"""Merchant-local moments and business (banking) days (pure functions, exact values)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from homerun.settlement import calendar


def utc(year: int, month: int, day: int, hour: int = 0) -> datetime:
    return datetime(year, month, day, hour, tzinfo=UTC)


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        (date(2026, 11, 23), 1, date(2026, 11, 24)),  # Monday -> Tuesday
        (date(2026, 11, 27), 1, date(2026, 11, 30)),  # Friday -> Monday
        (date(2026, 11, 28), 1, date(2026, 11, 30)),  # Saturday -> Monday
        (date(2026, 11, 29), 1, date(2026, 11, 30)),  # Sunday -> Monday
        (date(2026, 11, 19), 2, date(2026, 11, 23)),  # Thursday + 2 -> Monday
        (date(2026, 11, 18), 2, date(2026, 11, 20)),  # Wednesday + 2 -> Friday
        (date(2026, 11, 26), 2, date(2026, 11, 30)),  # Thanksgiving + 2 -> Friday, Monday
        (date(2026, 11, 25), 2, date(2026, 11, 30)),  # Wednesday + 2 over Thanksgiving
        (date(2026, 11, 24), 2, date(2026, 11, 27)),  # Tuesday + 2 -> Wednesday, Friday
        (date(2026, 12, 24), 1, date(2026, 12, 28)),  # over Christmas (a Friday) -> Monday
        (date(2026, 11, 25), 0, date(2026, 11, 25)),  # same day when it is a business day
        (date(2026, 11, 28), 0, date(2026, 11, 30)),  # else the next business day
        (date(2026, 11, 27), 5, date(2026, 12, 4)),
    ],
)
def test_add_business_days(day: date, count: int, expected: date) -> None:
    assert calendar.add_business_days(day, count) == expected


def test_cutoff_follows_the_merchant_zone_across_daylight_saving() -> None:
    zone = "America/New_York"
    # 22:00 EST is 03:00 UTC; 22:00 EDT is 02:00 UTC (clocks moved on 8 March 2026).
    assert calendar.next_local_time(utc(2026, 3, 6, 12), "22:00", zone) == utc(2026, 3, 7, 3)
    assert calendar.next_local_time(utc(2026, 3, 8, 12), "22:00", zone) == utc(2026, 3, 9, 2)
    # Strictly after: at the cut-off itself the next one is a day later.
    assert calendar.next_local_time(utc(2026, 3, 9, 2), "22:00", zone) == utc(2026, 3, 10, 2)
    assert calendar.cutoff_on_or_after(utc(2026, 3, 9, 2), "22:00", zone) == utc(2026, 3, 9, 2)


def test_a_cutoff_in_a_zone_ahead_of_utc_falls_on_the_previous_utc_day() -> None:
    # 01:00 in Auckland (UTC+13 in December) is 12:00 UTC the day before.
    moment = calendar.next_local_time(utc(2026, 12, 1, 0), "01:00", "Pacific/Auckland")
    assert moment == utc(2026, 12, 1, 12)
    assert calendar.local_date(moment, "Pacific/Auckland") == date(2026, 12, 2)


def test_funding_moments_skip_weekends() -> None:
    friday_afternoon = utc(2026, 11, 27, 14)
    assert calendar.next_local_time(
        friday_afternoon, "13:00", "UTC", business_days_only=True
    ) == utc(2026, 11, 30, 13)
    assert calendar.next_local_time(friday_afternoon, "13:00", "UTC") == utc(2026, 11, 28, 13)


def test_funding_moments_skip_federal_reserve_holidays() -> None:
    # Wednesday afternoon before Thanksgiving (Thursday 26 November 2026): Friday next.
    wednesday_afternoon = utc(2026, 11, 25, 14)
    assert calendar.next_local_time(
        wednesday_afternoon, "13:00", "UTC", business_days_only=True
    ) == utc(2026, 11, 27, 13)
    # Friday 3 July 2026 is a banking day: Independence Day falls on the Saturday.
    assert calendar.next_local_time(
        utc(2026, 7, 2, 14), "13:00", "UTC", business_days_only=True
    ) == utc(2026, 7, 3, 13)
    # In New York, 13:00 on Christmas Eve; Christmas Day (a Friday) and the weekend skipped.
    assert calendar.next_local_time(
        utc(2026, 12, 24, 19), "13:00", "America/New_York", business_days_only=True
    ) == utc(2026, 12, 28, 18)


def test_month_ends_in_the_merchant_zone() -> None:
    assert calendar.next_month_start(utc(2026, 12, 15), "UTC") == utc(2027, 1, 1)
    # Midnight of 1 December in New York is 05:00 UTC.
    start = calendar.next_month_start(utc(2026, 11, 30, 23), "America/New_York")
    assert start == utc(2026, 12, 1, 5)
    assert calendar.month_before(start, "America/New_York") == "2026-11"
    assert calendar.next_month_start(start, "America/New_York") == utc(2027, 1, 1, 5)
