"""Billing-plan schedules: `DTSTART:...` + `RRULE:...` (RFC 5545), checked and expanded.

Pure functions over python-dateutil. A rule is accepted when it
- has a DTSTART line (UTC `...Z`, floating = UTC, a date, or `;TZID=<zone>`) and one
  RRULE line, nothing else;
- uses FREQ DAILY, WEEKLY, MONTHLY or YEARLY and only the parts listed in `_PARTS`, in
  combinations that can occur (so that expanding it always moves forward: dateutil
  searches to the year 9999 for a date that can never come);
- if it ends (COUNT or UNTIL), ends within the horizon: every occurrence at most
  `horizon_days` after DTSTART; if it has no end (it runs until the plan is cancelled),
  falls at least twice within the horizon, so that its payments are never further apart;
- never falls twice on one day (in its own time zone).

An open-ended rule is never expanded whole: `after` continues it from its latest
occurrence (billing.window keeps a rolling window of the next payments as rows).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo

# python-dateutil 4 ships no type information (and the stubs are for 2.x).
from dateutil import rrule, tz  # type: ignore[import-untyped]

_LINE = re.compile(r"^(?P<name>[A-Za-z]+)(?P<params>(;[^:]*)?):(?P<value>.*)$")
_DATE_TIME = re.compile(r"^(\d{8})(T(\d{6})(Z?))?$")
_FREQS = {"DAILY", "WEEKLY", "MONTHLY", "YEARLY"}
_PARTS = {
    "FREQ",
    "INTERVAL",
    "COUNT",
    "UNTIL",
    "WKST",
    "BYDAY",
    "BYMONTHDAY",
    "BYMONTH",
    "BYSETPOS",
    "BYHOUR",
    "BYMINUTE",
    "BYSECOND",
}
_WEEKDAY = re.compile(r"^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$")
_MONTH_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
MAX_TEXT = 1000


class RuleError(ValueError):
    """Why a rule is refused, in words for the client (400 on rrule_pattern)."""


@dataclass(frozen=True)
class Schedule:
    dtstart: datetime  # aware
    zone: tzinfo
    rule: rrule.rrule
    count: int | None
    until: datetime | None
    text: str  # as sent, its lines joined by "\n"

    @property
    def open_ended(self) -> bool:
        """No COUNT or UNTIL: the plan runs until it is cancelled or stopped."""
        return self.count is None and self.until is None


def _ints(value: str, low: int, high: int, part: str) -> list[int]:
    try:
        numbers = [int(item) for item in value.split(",")]
    except ValueError:
        raise RuleError(f"{part} must be a list of integers") from None
    if any(not low <= n <= high or n == 0 for n in numbers) and part != "BYHOUR":
        raise RuleError(f"{part} values must be between {low} and {high} (not 0)")
    if part == "BYHOUR" and any(not 0 <= n <= 23 for n in numbers):
        raise RuleError("BYHOUR values must be between 0 and 23")
    return numbers


def _parse_moment(value: str, zone: tzinfo | None, what: str) -> datetime:
    match = _DATE_TIME.match(value.strip())
    if not match:
        raise RuleError(f"{what} must be YYYYMMDD or YYYYMMDDTHHMMSS[Z]")
    day, _, clock, utc = match.groups()
    try:
        moment = datetime.strptime(day + (clock or "000000"), "%Y%m%d%H%M%S")
    except ValueError:
        raise RuleError(f"{what} is not a real date and time") from None
    if utc:
        return moment.replace(tzinfo=UTC)
    return moment.replace(tzinfo=zone or UTC)


def _check_parts(parts: dict[str, str]) -> None:
    unknown = sorted(set(parts) - _PARTS)
    if unknown:
        raise RuleError(f"RRULE part {unknown[0]} is not supported")
    freq = parts.get("FREQ")
    if freq is None:
        raise RuleError("RRULE needs FREQ")
    if freq in ("HOURLY", "MINUTELY", "SECONDLY"):
        raise RuleError(f"FREQ={freq} would charge more often than once a day")
    if freq not in _FREQS:
        raise RuleError("FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY")
    if "COUNT" in parts and "UNTIL" in parts:
        raise RuleError("RRULE may have COUNT or UNTIL, not both")
    for part in ("BYHOUR", "BYMINUTE", "BYSECOND"):
        if part in parts and "," in parts[part]:
            raise RuleError(f"{part} with several values would charge more than once a day")
    months = _ints(parts["BYMONTH"], 1, 12, "BYMONTH") if "BYMONTH" in parts else []
    days = _ints(parts["BYMONTHDAY"], -31, 31, "BYMONTHDAY") if "BYMONTHDAY" in parts else []
    if months and days and not any(abs(d) <= _MONTH_DAYS[m - 1] for m in months for d in days):
        raise RuleError("BYMONTH and BYMONTHDAY name a date that never occurs")
    weekdays = parts.get("BYDAY", "")
    limit = {"MONTHLY": 5, "YEARLY": 53}.get(freq, 0)
    for item in filter(None, weekdays.split(",")):
        match = _WEEKDAY.match(item)
        if not match:
            raise RuleError(f"BYDAY value {item} is not a weekday such as MO or 2TU")
        if match.group(1) and not 1 <= abs(int(match.group(1))) <= limit:
            raise RuleError(f"BYDAY {item}: that occurrence never comes with FREQ={freq}")
    if "BYSETPOS" in parts:
        if not weekdays or days:
            raise RuleError("BYSETPOS is supported with BYDAY (and without BYMONTHDAY) only")
        count = len(weekdays.split(","))
        most = {"WEEKLY": count, "MONTHLY": 5 if count == 1 else 4 * count}.get(freq, 52)
        _ints(parts["BYSETPOS"], -most, most, "BYSETPOS")
    for part, high in (("INTERVAL", 1000), ("COUNT", 100_000)):
        if part in parts:
            _ints(parts[part], 1, high, part)


def parse(text: str, horizon_days: int) -> Schedule:
    """The checked schedule of `text`, or RuleError saying what is wrong."""
    schedule = stored(text)
    # Room after DTSTART for the horizon and a year of dunning retries before the last
    # date a datetime can hold: past it, expanding the rule would overflow.
    latest = datetime.max.replace(tzinfo=UTC) - timedelta(days=horizon_days + 2 * 366)
    if schedule.dtstart > latest:
        raise RuleError(f"DTSTART is too far in the future: it must be before {latest:%Y-%m-%d}")
    _check_expansion(schedule, horizon_days)
    return schedule


def stored(text: str) -> Schedule:
    """The schedule of `text` with the checks of its text only: for a plan's own rule,
    read again to extend its window (its expansion was checked when the plan was made,
    and a later horizon setting must not refuse a running plan)."""
    if len(text) > MAX_TEXT:
        raise RuleError(f"must be at most {MAX_TEXT} characters")
    # Clients write the line break as a real newline, CRLF, or a literal backslash-n.
    lines = [line.strip() for line in re.split(r"\r?\n|\\n", text.strip()) if line.strip()]
    found: dict[str, tuple[str, str]] = {}
    for line in lines:
        match = _LINE.match(line)
        if not match:
            raise RuleError(f'"{line[:40]}" is not a DTSTART or RRULE line')
        name = match["name"].upper()
        if name not in ("DTSTART", "RRULE"):
            raise RuleError(f"{name} lines are not supported (only DTSTART and RRULE)")
        if name in found:
            raise RuleError(f"has more than one {name} line")
        found[name] = (match["params"] or "", match["value"])
    if "DTSTART" not in found or "RRULE" not in found:
        raise RuleError('must be "DTSTART:<date-time>" then "RRULE:<rule>", one of each')

    params, value = found["DTSTART"]
    zone: tzinfo | None = None
    if params:
        tzid = re.fullmatch(r";TZID=([A-Za-z0-9_+\-/]{1,64})", params)
        zone = tz.gettz(tzid.group(1)) if tzid else None
        if zone is None:
            raise RuleError("DTSTART's TZID must name a time zone such as America/New_York")
    dtstart = _parse_moment(value, zone, "DTSTART")
    zone = dtstart.tzinfo or UTC

    rule_text = found["RRULE"][1].strip().upper().rstrip(";")
    parts: dict[str, str] = {}
    for item in rule_text.split(";"):
        key, sep, val = item.partition("=")
        if not sep or not key or not val or key in parts:
            raise RuleError(f'RRULE part "{item[:30]}" is not NAME=VALUE (once each)')
        parts[key] = val
    _check_parts(parts)
    until: datetime | None = None
    if "UNTIL" in parts:
        # UNTIL in UTC, as dateutil wants it beside an aware DTSTART; a local UNTIL is
        # read in DTSTART's zone (a date alone: that whole day).
        until = _parse_moment(parts["UNTIL"], zone, "UNTIL")
        if "T" not in parts["UNTIL"]:
            until += timedelta(days=1, seconds=-1)
        parts["UNTIL"] = until.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    normalised = ";".join(f"{k}={v}" for k, v in parts.items())
    try:
        rule = rrule.rrulestr(normalised, dtstart=dtstart)
    except (ValueError, TypeError) as problem:
        raise RuleError(f"RRULE is not valid: {problem}") from None
    assert isinstance(rule, rrule.rrule)
    count = int(parts["COUNT"]) if "COUNT" in parts else None
    return Schedule(dtstart, zone, rule, count, until, "\n".join(lines))


def _bounded(schedule: Schedule, end: datetime) -> Iterator[datetime]:
    """Occurrences up to `end` (and the rule's own COUNT or UNTIL), never searching far
    past `end`."""
    until = min(schedule.until, end) if schedule.until is not None else end
    rule = schedule.rule.replace(count=None, until=until.astimezone(UTC))
    for n, moment in enumerate(rule, start=1):
        if schedule.count is not None and n > schedule.count:
            return
        yield moment


def _check_expansion(schedule: Schedule, horizon_days: int) -> None:
    horizon_end = schedule.dtstart + timedelta(days=horizon_days)
    past_horizon = RuleError(
        f"runs past the horizon: every payment must fall within {horizon_days} days of DTSTART"
    )
    previous: date | None = None
    total = 0
    for moment in _bounded(schedule, horizon_end):
        day = moment.astimezone(schedule.zone).date()
        if previous is not None and day <= previous:
            raise RuleError("would charge more than once a day")
        previous = day
        total += 1
    if schedule.count is not None and total < schedule.count:
        raise past_horizon
    if schedule.open_ended and total == 1:
        raise RuleError(
            f"runs past the horizon: a rule with no end must fall at least twice within "
            f"{horizon_days} days of DTSTART"
        )
    beyond = schedule.until is not None and schedule.until > horizon_end
    if beyond and schedule.rule.after(horizon_end) is not None:
        raise past_horizon
    if total == 0:
        raise RuleError("has no occurrence")


def numbered(schedule: Schedule, end: datetime) -> Iterator[tuple[int, datetime]]:
    """(payment number, moment in UTC) up to `end`, in order; numbering counts from
    DTSTART's rule."""
    for n, moment in enumerate(_bounded(schedule, end), start=1):
        yield n, moment.astimezone(UTC)


def occurrences(schedule: Schedule, horizon_days: int) -> Iterator[tuple[int, datetime]]:
    """Every occurrence of a bounded rule (an open-ended one: those within the horizon)."""
    return numbered(schedule, schedule.dtstart + timedelta(days=horizon_days))


def after(
    schedule: Schedule, number: int, moment: datetime, end: datetime
) -> Iterator[tuple[int, datetime]]:
    """The occurrences after occurrence `number` (at `moment`) up to `end`, numbered on.

    An open-ended rule is started again on that occurrence's day, so that extending a
    plan's window never walks its whole past. The sequence is the same: without COUNT,
    what follows an occurrence depends on the rule's parts and on DTSTART only through
    the parts it fills in (weekday, day, month, time of day) and its INTERVAL phase, and
    the occurrence's day shares all of these. The time of day is DTSTART's own, not the
    occurrence's in UTC read back, which a daylight-saving gap would have moved.
    """
    if not schedule.open_ended:
        raise ValueError("only an open-ended rule is continued")
    day = moment.astimezone(schedule.zone).date()
    anchor = datetime.combine(day, schedule.dtstart.timetz())
    rule = schedule.rule.replace(dtstart=anchor, count=None, until=end.astimezone(UTC))
    for later in rule:
        utc = later.astimezone(UTC)
        if utc > moment:
            number += 1
            yield number, utc


def check_start(schedule: Schedule, now: datetime, horizon_days: int) -> None:
    """An open-ended rule's DTSTART lies within the horizon of now, either way (its
    payments are numbered from DTSTART, and its first one must come in sane time)."""
    horizon = timedelta(days=horizon_days)
    if schedule.dtstart > now + horizon:
        raise RuleError(f"DTSTART is beyond the horizon: more than {horizon_days} days away")
    if schedule.dtstart < now - horizon:
        raise RuleError(
            f"DTSTART is beyond the horizon: a rule with no end must start within the last "
            f"{horizon_days} days"
        )
