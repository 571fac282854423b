"""When ACH moves: banking days (the Federal Reserve's calendar, kit.banking_days, the one
card deposits follow too) and the merchant's cut-off."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from homerun.kit.banking_days import add_banking_days, is_banking_day

__all__ = ["add_banking_days", "is_banking_day", "local_date", "next_cutoff"]


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
