"""Banking days against the Federal Reserve's published holiday schedules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from homerun.kit import banking_days

# The weekdays the Federal Reserve Banks were (or will be) closed, as the Federal
# Reserve publishes them: Saturday holidays close nothing, Sunday ones the Monday.
FED_CLOSED = {
    2021: [
        "2021-01-01", "2021-01-18", "2021-02-15", "2021-05-31",
        # Juneteenth (first kept in 2021) fell on a Saturday: nothing closed.
        "2021-07-05",  # Independence Day on a Sunday
        "2021-09-06", "2021-10-11", "2021-11-11", "2021-11-25",
        # Christmas Day on a Saturday: Friday 24 December open.
    ],
    2022: [
        # New Year's Day 2022 on a Saturday: Friday 2021-12-31 open, nothing closed.
        "2022-01-17", "2022-02-21", "2022-05-30",
        "2022-06-20",  # Juneteenth on a Sunday
        "2022-07-04", "2022-09-05", "2022-10-10", "2022-11-11", "2022-11-24",
        "2022-12-26",  # Christmas Day on a Sunday
    ],
    2023: [
        "2023-01-02",  # New Year's Day on a Sunday
        "2023-01-16", "2023-02-20", "2023-05-29", "2023-06-19", "2023-07-04",
        "2023-09-04", "2023-10-09",
        # Veterans Day on a Saturday: Friday 10 November open.
        "2023-11-23", "2023-12-25",
    ],
    2024: [
        "2024-01-01", "2024-01-15", "2024-02-19", "2024-05-27", "2024-06-19",
        "2024-07-04", "2024-09-02", "2024-10-14", "2024-11-11", "2024-11-28",
        "2024-12-25",
    ],
    2025: [
        "2025-01-01", "2025-01-20", "2025-02-17", "2025-05-26", "2025-06-19",
        "2025-07-04", "2025-09-01", "2025-10-13", "2025-11-11", "2025-11-27",
        "2025-12-25",
    ],
    2026: [
        "2026-01-01", "2026-01-19", "2026-02-16", "2026-05-25", "2026-06-19",
        # Independence Day on a Saturday: Friday 3 July open.
        "2026-09-07", "2026-10-12", "2026-11-11", "2026-11-26", "2026-12-25",
    ],
    2027: [
        "2027-01-01", "2027-01-18", "2027-02-15", "2027-05-31",
        # Juneteenth on a Saturday: Friday 18 June open.
        "2027-07-05",  # Independence Day on a Sunday
        "2027-09-06", "2027-10-11", "2027-11-11", "2027-11-25",
        # Christmas Day on a Saturday: Friday 24 December open.
    ],
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(FED_CLOSED))
def test_every_day_of_the_year_matches_the_federal_reserve_schedule(year: int) -> None:
    closed = {date.fromisoformat(text) for text in FED_CLOSED[year]}
    assert set(banking_days.closed_days_of_year(year)) == closed
    day = date(year, 1, 1)
    banking = 0
    while day.year == year:
        expected = day.weekday() < 5 and day not in closed
        assert banking_days.is_banking_day(day) is expected, day
        banking += expected
        day += timedelta(days=1)
    weekdays = sum(
        1
        for offset in range((date(year + 1, 1, 1) - date(year, 1, 1)).days)
        if (date(year, 1, 1) + timedelta(days=offset)).weekday() < 5
    )
    assert banking == weekdays - len(closed)


@pytest.mark.parametrize("year", range(2021, 2036))
def test_the_library_names_all_eleven_statutory_holidays_every_year(year: int) -> None:
    names = set(banking_days.holidays_of_year(year).values())
    assert names == banking_days.FEDERAL_RESERVE_HOLIDAYS


def test_one_off_federal_closings_are_banking_days() -> None:
    # Executive-order Christmas Eves and the national days of mourning (Bush 2018,
    # Carter 2025) closed federal offices, not the Federal Reserve Banks.
    for text in ["2018-12-05", "2019-12-24", "2020-12-24", "2024-12-24", "2025-01-09"]:
        assert banking_days.is_banking_day(date.fromisoformat(text)), text


def test_the_observed_day_is_named() -> None:
    assert banking_days.closed_days_of_year(2022)[date(2022, 12, 26)] == (
        "Christmas Day (observed)"
    )
    assert banking_days.closed_days_of_year(2026)[date(2026, 11, 26)] == "Thanksgiving Day"


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        ("2021-12-23", "2021-12-24"),  # Thursday -> Friday before a Saturday Christmas
        ("2021-12-24", "2021-12-27"),  # Friday -> Monday
        ("2021-12-30", "2021-12-31"),  # Friday before a Saturday New Year's Day is open
        ("2022-12-23", "2022-12-27"),  # Friday -> Tuesday: Sunday Christmas closes Monday
        ("2026-11-25", "2026-11-27"),  # Wednesday -> Friday after Thanksgiving
        ("2026-12-24", "2026-12-28"),  # Thursday -> Monday over a Friday Christmas
        ("2026-12-31", "2027-01-04"),  # over New Year's Day and a weekend, into a new year
        ("2027-06-17", "2027-06-18"),  # Friday before a Saturday Juneteenth is open
        ("2027-07-02", "2027-07-06"),  # Friday -> Tuesday: Sunday Independence Day
    ],
)
def test_next_banking_day(day: str, expected: str) -> None:
    assert banking_days.next_banking_day(date.fromisoformat(day)) == date.fromisoformat(expected)


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        ("2026-11-25", 0, "2026-11-25"),  # a banking day is itself
        ("2026-11-26", 0, "2026-11-27"),  # Thanksgiving -> the next banking day
        ("2026-11-28", 0, "2026-11-30"),  # Saturday -> Monday
        ("2026-11-25", 1, "2026-11-27"),
        ("2026-11-25", 2, "2026-11-30"),
        ("2026-11-26", 1, "2026-11-27"),  # from a holiday, the next banking day is the first
        ("2026-12-23", 3, "2026-12-29"),  # Thu 24, (Fri 25, weekend), Mon 28, Tue 29
        ("2022-06-17", 1, "2022-06-21"),  # Juneteenth observed on Monday 20 June
        ("2021-12-23", 1, "2021-12-24"),
        ("2024-12-20", 10, "2025-01-07"),  # across 25 December and 1 January
    ],
)
def test_add_banking_days(day: str, count: int, expected: str) -> None:
    assert banking_days.add_banking_days(date.fromisoformat(day), count) == date.fromisoformat(
        expected
    )


def test_add_banking_days_refuses_a_negative_count() -> None:
    with pytest.raises(ValueError, match="negative"):
        banking_days.add_banking_days(date(2026, 11, 25), -1)
