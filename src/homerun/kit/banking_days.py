"""US banking days: the days the Federal Reserve Banks settle money (docs/ach.md).

A banking day is a Monday to Friday that is not a Federal Reserve holiday. The
holidays are the federal holidays of 5 U.S.C. 6103 as the PyPI `holidays` library
dates them (its "government" category of the US calendar), observed by the Federal
Reserve's own rule rather than the federal government's:

- a holiday on a Sunday is observed on the Monday after (the Banks are closed);
- a holiday on a Saturday is not observed at all: the Banks are open on the Friday
  before, which the federal government takes off. So Friday 2021-12-24 and Friday
  2021-12-31 were banking days.

One-off closings of the federal government (a national day of mourning, a Christmas
Eve given by executive order) do not close the Federal Reserve Banks, so only the
statutory holidays below count, by their name in the library; the tests check that
every year since 2021 yields all eleven, so a library that renames one fails them.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from functools import cache
from types import MappingProxyType

from holidays import country_holidays
from holidays.constants import GOVERNMENT

_SATURDAY = 5
_SUNDAY = 6
_ONE_DAY = timedelta(days=1)

# The statutory federal holidays (5 U.S.C. 6103), named as the library names them.
FEDERAL_RESERVE_HOLIDAYS = frozenset(
    {
        "New Year's Day",
        "Birthday of Martin Luther King, Jr.",
        "Washington's Birthday",
        "Memorial Day",
        "Juneteenth National Independence Day",
        "Independence Day",
        "Labor Day",
        "Columbus Day",
        "Veterans Day",
        "Thanksgiving Day",
        "Christmas Day",
    }
)


@cache
def holidays_of_year(year: int) -> Mapping[date, str]:
    """The statutory holidays of `year` on their own dates (not yet moved), by name."""
    calendar = country_holidays(
        "US", years=year, categories=(GOVERNMENT,), observed=False, language="en_US"
    )
    return MappingProxyType(
        {
            day: name
            for day, name in calendar.items()
            if day.year == year and name in FEDERAL_RESERVE_HOLIDAYS
        }
    )


@cache
def closed_days_of_year(year: int) -> Mapping[date, str]:
    """The weekdays of `year` on which the Federal Reserve Banks are closed, by holiday.

    A Sunday holiday closes the Monday after (never in another year: no holiday falls
    on 31 December); a Saturday holiday closes nothing.
    """
    closed: dict[date, str] = {}
    for day, name in holidays_of_year(year).items():
        if day.weekday() == _SUNDAY:
            closed[day + _ONE_DAY] = f"{name} (observed)"
        elif day.weekday() != _SATURDAY:
            closed[day] = name
    return MappingProxyType(closed)


def is_banking_day(day: date) -> bool:
    return day.weekday() < _SATURDAY and day not in closed_days_of_year(day.year)


def next_banking_day(day: date) -> date:
    """The first banking day strictly after `day`."""
    day += _ONE_DAY
    while not is_banking_day(day):
        day += _ONE_DAY
    return day


def add_banking_days(day: date, count: int) -> date:
    """`count` banking days after `day`; with 0, `day` itself or else the next banking day."""
    if count < 0:
        raise ValueError("count must not be negative")
    if count == 0:
        return day if is_banking_day(day) else next_banking_day(day)
    for _ in range(count):
        day = next_banking_day(day)
    return day
