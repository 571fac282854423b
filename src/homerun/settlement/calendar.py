"""Merchant-local moments and business days: cut-offs, deposit dates, month ends.

Every function takes UTC datetimes and IANA zone names and returns UTC datetimes
or local dates; wall-clock arithmetic happens only here. A business day is a US
banking day (`kit.banking_days`): Monday to Friday, less the Federal Reserve's
holidays, judged on the merchant's local date.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from homerun.kit import banking_days

_EPSILON = timedelta(microseconds=1)


def parse_hhmm(text: str) -> time:
    hours, minutes = text.split(":")
    return time(int(hours), int(minutes))


def local_date(moment: datetime, timezone: str) -> date:
    return moment.astimezone(ZoneInfo(timezone)).date()


def is_business_day(day: date) -> bool:
    return banking_days.is_banking_day(day)


def add_business_days(day: date, count: int) -> date:
    """`count` business days after `day`; with 0, `day` itself or the next business day."""
    return banking_days.add_banking_days(day, max(count, 0))


def local_moment(day: date, hhmm: str, timezone: str) -> datetime:
    """The UTC moment of a local wall time (the earlier one when a clock change repeats it)."""
    return datetime.combine(day, parse_hhmm(hhmm), tzinfo=ZoneInfo(timezone)).astimezone(UTC)


def next_local_time(
    after: datetime, hhmm: str, timezone: str, *, business_days_only: bool = False
) -> datetime:
    """The first moment strictly after `after` whose local wall time is `hhmm`."""
    day = local_date(after, timezone) - timedelta(days=1)
    for _ in range(12):
        if not business_days_only or is_business_day(day):
            candidate = local_moment(day, hhmm, timezone)
            if candidate > after:
                return candidate
        day += timedelta(days=1)
    # At most three days in a row are not banking days (a holiday beside a weekend).
    raise AssertionError("unreachable: a wall time recurs within a week")


def cutoff_on_or_after(moment: datetime, hhmm: str, timezone: str) -> datetime:
    """The merchant's cut-off at or after `moment`: the one a batch closed now belongs to."""
    return next_local_time(moment - _EPSILON, hhmm, timezone)


def next_month_start(after: datetime, timezone: str) -> datetime:
    """Midnight of the first day of the month after the local month of `after`."""
    local = after.astimezone(ZoneInfo(timezone))
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    return local_moment(date(year, month, 1), "00:00", timezone)


def month_before(moment: datetime, timezone: str) -> str:
    """The local month that ended at a month start, as "YYYY-MM"."""
    day = local_date(moment - _EPSILON, timezone)
    return f"{day.year:04d}-{day.month:02d}"
