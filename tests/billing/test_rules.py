"""billing.rules: which RFC 5545 rules a plan accepts, and how they expand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from homerun.billing import rules

HORIZON = 3660


def expand(text: str) -> list[tuple[int, datetime]]:
    return list(rules.occurrences(rules.parse(text, HORIZON), HORIZON))


def test_the_docs_example_rule() -> None:
    text = "DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY;INTERVAL=1;UNTIL=20270110T235959Z"
    got = expand(text)
    assert [n for n, _ in got] == list(range(1, 11))
    assert got[0][1] == datetime(2027, 1, 1, 9, tzinfo=UTC)
    assert got[-1][1] == datetime(2027, 1, 10, 9, tzinfo=UTC)
    assert rules.parse(text, HORIZON).text == text


@pytest.mark.parametrize(
    ("text", "first", "count", "last"),
    [
        (
            "DTSTART:20270115T120000Z\\nRRULE:FREQ=MONTHLY;COUNT=12",  # a literal backslash-n
            datetime(2027, 1, 15, 12, tzinfo=UTC),
            12,
            datetime(2027, 12, 15, 12, tzinfo=UTC),
        ),
        (
            "DTSTART:20270115T120000Z\r\nRRULE:FREQ=YEARLY;COUNT=3",
            datetime(2027, 1, 15, 12, tzinfo=UTC),
            3,
            datetime(2029, 1, 15, 12, tzinfo=UTC),
        ),
        (
            "DTSTART:20270101\nRRULE:FREQ=WEEKLY;BYDAY=MO,FR;UNTIL=20270115",
            datetime(2027, 1, 1, tzinfo=UTC),
            5,
            datetime(2027, 1, 15, tzinfo=UTC),
        ),
        (
            "DTSTART;TZID=America/New_York:20270301T090000\nRRULE:FREQ=DAILY;COUNT=20",
            datetime(2027, 3, 1, 14, tzinfo=UTC),  # EST
            20,
            datetime(2027, 3, 20, 13, tzinfo=UTC),  # EDT after 14 March
        ),
        (
            "DTSTART:20270101T090000Z\nRRULE:FREQ=MONTHLY;BYDAY=-1FR;COUNT=2",
            datetime(2027, 1, 29, 9, tzinfo=UTC),
            2,
            datetime(2027, 2, 26, 9, tzinfo=UTC),
        ),
        (
            "DTSTART:20270101T090000Z\nrrule:freq=monthly;bymonthday=31;count=3",
            datetime(2027, 1, 31, 9, tzinfo=UTC),
            3,
            datetime(2027, 5, 31, 9, tzinfo=UTC),
        ),
    ],
)
def test_accepted_rules_expand_in_utc(
    text: str, first: datetime, count: int, last: datetime
) -> None:
    got = expand(text)
    assert (got[0][1], len(got), got[-1][1]) == (first, count, last)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "DTSTART"),
        ("FREQ=DAILY;COUNT=3", "not a DTSTART or RRULE line"),
        ("RRULE:FREQ=DAILY;COUNT=3", "one of each"),
        ("DTSTART:20270101T090000Z", "one of each"),
        ("DTSTART:2027-01-01\nRRULE:FREQ=DAILY;COUNT=3", "YYYYMMDD"),
        ("DTSTART:20270231T090000Z\nRRULE:FREQ=DAILY;COUNT=3", "not a real date"),
        ("DTSTART;TZID=Mars/Olympus:20270101T090000\nRRULE:FREQ=DAILY;COUNT=3", "TZID"),
        ("DTSTART:20270101T090000Z\nRRULE:COUNT=3", "needs FREQ"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=HOURLY;COUNT=3", "more often than once a day"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=MINUTELY;COUNT=3", "more often than once a day"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY;BYHOUR=9,21;COUNT=3", "more than once"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=FORTNIGHTLY;COUNT=3", "FREQ must be"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY", "no end"),
        ("DTSTART:20251014T000000Z\nRRULE:FREQ=YEARLY;INTERVAL=1", "no end"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY;COUNT=3;UNTIL=20270110", "not both"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY;COUNT=5000", "horizon"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY;UNTIL=99991231T000000Z", "horizon"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=YEARLY;UNTIL=20500101", "horizon"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2", "never"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=MONTHLY;BYDAY=6MO;COUNT=2", "never comes"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6;COUNT=2", "BYSETPOS"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY;BYWEEKNO=3;COUNT=2", "not supported"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY;COUNT=0", "COUNT"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY;COUNT=x", "integers"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY;COUNT", "NAME=VALUE"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY;COUNT=2\nEXDATE:20270102", "EXDATE"),
        ("DTSTART:20270101T090000Z\nDTSTART:20270101T090000Z\nRRULE:FREQ=DAILY", "more than one"),
        ("x" * 1001, "at most 1000"),
    ],
)
def test_refused_rules_say_why(text: str, problem: str) -> None:
    with pytest.raises(rules.RuleError) as refused:
        rules.parse(text, HORIZON)
    assert problem in str(refused.value)


def test_an_impossible_rule_is_refused_quickly() -> None:
    """dateutil would search to the year 9999 for 30 February; the check comes first."""
    with pytest.raises(rules.RuleError, match="never occurs"):
        rules.parse(
            "DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30;COUNT=1", HORIZON
        )


def test_the_horizon_is_a_setting() -> None:
    text = "DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY;COUNT=31"
    assert len(expand(text)) == 31
    with pytest.raises(rules.RuleError, match="within 10 days"):
        rules.parse(text, 10)
