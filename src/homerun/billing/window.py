"""Which occurrences of a plan's rule are rows of scheduled_payments.

A bounded rule (COUNT or UNTIL) has every payment as a row from the moment the plan is
made: at most one a day within the horizon, a bounded number.

An open-ended rule runs until the plan is cancelled or stopped, so only a rolling window
of its next payments are rows: at most `billing_window_payments` open ones (SCHEDULED or
RETRYING), none dated more than `billing_window_days` after the moment the window is
filled, except that the plan's next payment is always a row (a yearly plan's may be
further away). The window is filled when the plan is made, and again by the runner each
time one of its payments is paid (a failed one stops the plan), continuing from the plan's
`window_number` and `window_date` (the latest occurrence made a row), in the transaction
of that charge and with the plan's row locked, as every writer of a plan's payments does.
`(plan_id, payment_number)` is unique: should two runs ever extend from the same place,
the second's insert fails and its whole transaction, charges included, rolls back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from homerun.billing import rules
from homerun.billing.models import BillingPlan
from homerun.billing.state import PaymentStatus
from homerun.config import Settings

# Occurrences this much before the plan is made are still charged (a DTSTART of "now"
# written by a client is a little in the past by the time it arrives); earlier ones are
# skipped, though they keep their place in the numbering.
PAST_GRACE = timedelta(minutes=5)

Occurrence = tuple[int, datetime]  # (payment number, moment in UTC)


@dataclass(frozen=True, slots=True)
class Limits:
    payments: int  # open payments at most
    days: int  # how far ahead of the filling moment (the next payment excepted)

    @classmethod
    def of(cls, settings: Settings) -> Limits:
        return cls(settings.billing_window_payments, settings.billing_window_days)


def take(
    candidates: Iterable[Occurrence], open_now: int, now: datetime, limits: Limits
) -> list[Occurrence]:
    """The next candidates that join a window already holding `open_now` open payments."""
    reach = now + timedelta(days=limits.days)
    chosen: list[Occurrence] = []
    for number, moment in candidates:
        held = open_now + len(chosen)
        if held >= limits.payments or (held > 0 and moment > reach):
            break
        chosen.append((number, moment))
    return chosen


def first(
    schedule: rules.Schedule, now: datetime, horizon_days: int, limits: Limits
) -> list[Occurrence]:
    """The occurrences that are rows when the plan is made: every one of a bounded rule,
    the window's of an open-ended one. Those before now (less the grace) are skipped."""
    if not schedule.open_ended:
        upcoming = rules.occurrences(schedule, horizon_days)
        return [(n, moment) for n, moment in upcoming if moment >= now - PAST_GRACE]
    rules.check_start(schedule, now, horizon_days)
    end = now + timedelta(days=horizon_days)
    upcoming = rules.numbered(schedule, end)
    return take(((n, m) for n, m in upcoming if m >= now - PAST_GRACE), 0, now, limits)


def following(
    plan: BillingPlan, now: datetime, horizon_days: int, limits: Limits
) -> list[Occurrence]:
    """The occurrences that join an open-ended plan's window now (after the rows it has).

    None when the rule has no occurrence within the horizon after the latest row: the
    schedule has ended (a rule accepted at creation falls at least twice within it)."""
    if plan.window_number is None or plan.window_date is None:
        return []  # a bounded rule: every payment is a row already
    schedule = rules.stored(plan.rrule_pattern)
    end = plan.window_date + timedelta(days=horizon_days)
    after = rules.after(schedule, plan.window_number, plan.window_date, end)
    return take(after, plan.open_payments, now, limits)


def rows(
    plan: BillingPlan, occurrences: list[Occurrence], bucket: int, now: datetime
) -> list[dict[str, Any]]:
    """Scheduled payment rows of these occurrences (for one executemany INSERT)."""
    return [
        {
            "plan_id": plan.id,
            "payment_number": number,
            "payment_date": moment,
            "due_at": moment,
            "bucket": bucket,
            "amount_scheduled": plan.amount,
            "amount_paid": 0,
            "status": PaymentStatus.SCHEDULED,
            "attempts": 0,
            "updated_at": now,
        }
        for number, moment in occurrences
    ]


def moved_on(plan: BillingPlan, added: list[Occurrence], *, open_ended: bool) -> None:
    """Count the occurrences made rows on the plan, and for an open-ended rule where its
    window now ends (the caller writes the plan, in the same transaction as the rows)."""
    plan.payment_count += len(added)
    plan.open_payments += len(added)
    if open_ended and added:
        plan.window_number, plan.window_date = added[-1]
