"""billing.rules: which RFC 5545 rules a plan accepts, and how they expand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import islice

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
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=HOURLY", "more often than once a day"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY;BYHOUR=9,21", "more than once"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30", "never"),
        ("DTSTART:20270101T090000Z\nRRULE:FREQ=YEARLY;INTERVAL=11", "at least twice"),
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


# ------------------------------------------------------------------ rules with no end

RUN_EXAMPLE = "DTSTART:20251014T000000Z\nRRULE:FREQ=YEARLY;INTERVAL=1"  # spec 4.13


@pytest.mark.parametrize(
    ("text", "first_three"),
    [
        (
            RUN_EXAMPLE,
            [datetime(year, 10, 14, tzinfo=UTC) for year in (2025, 2026, 2027)],
        ),
        (
            "DTSTART:20270131T090000Z\nRRULE:FREQ=MONTHLY;INTERVAL=1",
            [datetime(2027, month, 31, 9, tzinfo=UTC) for month in (1, 3, 5)],
        ),
    ],
)
def test_rules_with_no_end_are_accepted(text: str, first_three: list[datetime]) -> None:
    schedule = rules.parse(text, HORIZON)
    assert schedule.open_ended and schedule.text == text
    assert list(rules.numbered(schedule, first_three[-1])) == list(enumerate(first_three, start=1))


def test_a_bounded_rule_is_not_open_ended() -> None:
    for body in ("COUNT=3", "UNTIL=20270301"):
        schedule = rules.parse(f"DTSTART:20270101T090000Z\nRRULE:FREQ=MONTHLY;{body}", HORIZON)
        assert not schedule.open_ended
        with pytest.raises(ValueError, match="open-ended"):
            next(rules.after(schedule, 1, schedule.dtstart, schedule.dtstart))


@pytest.mark.parametrize(
    "text",
    [
        RUN_EXAMPLE,
        "DTSTART:20270131T090000Z\nRRULE:FREQ=MONTHLY",
        "DTSTART:20270131T090000Z\nRRULE:FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=-1",
        "DTSTART:20270106T090000Z\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR",
        "DTSTART:20270101T090000Z\nRRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
        "DTSTART:20280229T090000Z\nRRULE:FREQ=YEARLY",
        # 02:30 does not exist on 14 March 2027 there: the next days are 02:30 again.
        "DTSTART;TZID=America/New_York:20270301T023000\nRRULE:FREQ=DAILY",
        "DTSTART;TZID=America/New_York:20271101T013000\nRRULE:FREQ=DAILY;INTERVAL=3",
        "DTSTART;TZID=Europe/London:20270115T000000\nRRULE:FREQ=WEEKLY;BYDAY=SU;INTERVAL=3",
        "DTSTART:20270101T090000Z\nRRULE:FREQ=DAILY;BYHOUR=7;BYMINUTE=15",
        "DTSTART:20270101\nRRULE:FREQ=YEARLY;BYMONTH=3,9;BYDAY=2TU",
    ],
)
def test_a_rule_continued_from_any_occurrence_is_the_same_rule(text: str) -> None:
    """A window is extended from its latest row, never from DTSTART: the same dates and
    numbers come out as expanding the rule from the start."""
    schedule = rules.parse(text, HORIZON)
    end = schedule.dtstart + timedelta(days=1200)
    whole = list(rules.numbered(schedule, end))
    for step in (1, 2, 5):
        pieced = whole[:1]
        while len(pieced) < len(whole):
            number, moment = pieced[-1]
            pieced += list(islice(rules.after(schedule, number, moment, end), step))
        assert pieced == whole


def test_an_open_ended_rule_starts_within_the_horizon_of_now() -> None:
    schedule = rules.parse("DTSTART:20270101T090000Z\nRRULE:FREQ=MONTHLY", 100)
    start = datetime(2027, 1, 1, 9, tzinfo=UTC)
    for now in (start - timedelta(days=100), start + timedelta(days=100)):
        rules.check_start(schedule, now, 100)
    for now, problem in (
        (start - timedelta(days=101), "more than 100 days away"),
        (start + timedelta(days=101), "within the last 100 days"),
    ):
        with pytest.raises(rules.RuleError, match=problem):
            rules.check_start(schedule, now, 100)
