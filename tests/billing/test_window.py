"""billing.window: which occurrences of a plan's rule are rows, when made and as it runs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]

from homerun.billing import rules, window
from homerun.billing.models import BillingPlan

HORIZON = 3660
MONTHLY = "DTSTART:20270101T090000Z\nRRULE:FREQ=MONTHLY;INTERVAL=1"
START = datetime(2027, 1, 1, 9, tzinfo=UTC)
TWELVE = window.Limits(payments=12, days=400)


def months(first: int, last: int) -> list[tuple[int, datetime]]:
    """Occurrences `first`..`last` of MONTHLY (numbered from 1)."""
    return [(n, START + relativedelta(months=n - 1)) for n in range(first, last + 1)]


def plan_at(number: int, open_payments: int, text: str = MONTHLY) -> BillingPlan:
    """An open-ended plan whose rows reach occurrence `number`, `open_payments` still open."""
    _, date = months(number, number)[0]
    return BillingPlan(
        id=7,
        amount=1000,
        rrule_pattern=text,
        payment_count=number,
        open_payments=open_payments,
        window_number=number,
        window_date=date,
    )


def test_a_new_monthly_plan_has_its_next_twelve_payments_as_rows() -> None:
    schedule = rules.parse(MONTHLY, HORIZON)
    assert window.first(schedule, START, HORIZON, TWELVE) == months(1, 12)
    # Made later, the occurrences gone by keep their numbers and are not rows.
    later = START + relativedelta(months=2, days=3)
    assert window.first(schedule, later, HORIZON, TWELVE) == months(4, 15)


@pytest.mark.parametrize(
    ("limits", "last"),
    [
        (window.Limits(payments=12, days=400), 12),
        (window.Limits(payments=3, days=400), 3),
        (window.Limits(payments=12, days=100), 4),  # 1 April is day 90, 1 May day 120
        (window.Limits(payments=12, days=1), 1),  # the next payment is always a row
    ],
)
def test_the_window_is_the_fewer_of_its_payments_and_its_days(
    limits: window.Limits, last: int
) -> None:
    schedule = rules.parse(MONTHLY, HORIZON)
    assert window.first(schedule, START, HORIZON, limits) == months(1, last)


def test_runs_example_has_its_next_yearly_payment_as_a_row() -> None:
    schedule = rules.parse("DTSTART:20251014T000000Z\nRRULE:FREQ=YEARLY;INTERVAL=1", HORIZON)
    now = datetime(2026, 12, 6, 5, tzinfo=UTC)
    # 2025 and 2026 have gone by (numbers 1 and 2); 2028 is more than 400 days away.
    assert window.first(schedule, now, HORIZON, TWELVE) == [(3, datetime(2027, 10, 14, tzinfo=UTC))]
    assert window.first(schedule, now, HORIZON, window.Limits(12, 1100)) == [
        (3, datetime(2027, 10, 14, tzinfo=UTC)),
        (4, datetime(2028, 10, 14, tzinfo=UTC)),
        (5, datetime(2029, 10, 14, tzinfo=UTC)),
    ]


def test_a_bounded_rule_has_every_payment_as_a_row_whatever_the_window() -> None:
    schedule = rules.parse("DTSTART:20270101T090000Z\nRRULE:FREQ=MONTHLY;COUNT=30", HORIZON)
    assert window.first(schedule, START, HORIZON, TWELVE) == months(1, 30)
    assert (
        window.following(BillingPlan(window_number=None, window_date=None), START, 1, TWELVE) == []
    )


def test_the_window_moves_on_by_what_has_ended() -> None:
    # Payment 1 is paid: 11 open, so the 13th joins; nothing joins a full window.
    paid_at = START + timedelta(minutes=1)
    assert window.following(plan_at(12, 11), paid_at, HORIZON, TWELVE) == months(13, 13)
    assert window.following(plan_at(12, 12), paid_at, HORIZON, TWELVE) == []
    # A worker that was down for years finds the window empty: twelve join, the first
    # of them long due (they are charged at once, in order).
    years_later = START + relativedelta(years=5)
    assert window.following(plan_at(12, 0), years_later, HORIZON, TWELVE) == months(13, 24)


def test_an_open_ended_plan_may_start_no_further_than_the_horizon() -> None:
    schedule = rules.parse(MONTHLY, HORIZON)
    with pytest.raises(rules.RuleError, match="beyond the horizon"):
        window.first(schedule, START - timedelta(days=HORIZON + 1), HORIZON, TWELVE)
    with pytest.raises(rules.RuleError, match="beyond the horizon"):
        window.first(schedule, START + timedelta(days=HORIZON + 1), HORIZON, TWELVE)


def test_rows_and_the_plan_record_the_window() -> None:
    plan = plan_at(12, 11)
    added = window.following(plan, START, HORIZON, TWELVE)
    (row,) = window.rows(plan, added, bucket=3, now=START)
    assert row == {
        "plan_id": 7,
        "payment_number": 13,
        "payment_date": START + relativedelta(months=12),
        "due_at": START + relativedelta(months=12),
        "bucket": 3,
        "amount_scheduled": 1000,
        "amount_paid": 0,
        "status": "SCHEDULED",
        "attempts": 0,
        "updated_at": START,
    }
    window.moved_on(plan, added, open_ended=True)
    assert (plan.payment_count, plan.open_payments, plan.window_number, plan.window_date) == (
        13,
        12,
        13,
        START + relativedelta(months=12),
    )
