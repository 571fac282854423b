"""When ACH moves: banking days and the merchant's cut-off.

A banking day here is a weekday. The one place that says so, `is_banking_day`, is what the
Federal Reserve holiday calendar replaces (docs/ach.md); everything else asks it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def is_banking_day(day: date) -> bool:
    return day.weekday() < 5


def add_banking_days(day: date, days: int) -> date:
    """The banking day `days` banking days after `day` (a non-banking `day` counts from
    the next banking day)."""
    while not is_banking_day(day):
        day += timedelta(days=1)
    for _ in range(days):
        day += timedelta(days=1)
        while not is_banking_day(day):
            day += timedelta(days=1)
    return day


def local_date(moment: datetime, zone: str) -> date:
    return moment.astimezone(ZoneInfo(zone)).date()


def next_cutoff(after: datetime, cutoff: str, zone: str) -> datetime:
    """The first moment strictly after `after` at the local time `cutoff` ("HH:MM")."""
    tz = ZoneInfo(zone)
    hour, minute = (int(part) for part in cutoff.split(":"))
    day = after.astimezone(tz).date()
    while True:
        candidate = datetime.combine(day, time(hour, minute), tzinfo=tz).astimezone(UTC)
        if candidate > after:
            return candidate
        day += timedelta(days=1)
