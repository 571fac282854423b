"""Billing plans with no COUNT or UNTIL: accepted, charged by the clock over a rolling
window of rows, and run until cancelled, stopped, or dunning gives up.

The tests here share a database of their own: they move its clock years on, past the
expiry of the cards the other billing tests vault (their own cards expire in 2049). Most
steps jump the clock (`jump`: the sandbox clock is moved, then what is due runs at that
moment, as a worker would) rather than step it through every day like the advance
endpoint, which runs every day's settlement jobs on the way.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]
from sqlalchemy import func, select, update

from homerun.billing import service as billing
from homerun.billing.models import BillingAttempt, BillingPlan, ScheduledPayment
from homerun.jobs import job_registry
from homerun.payments.models import Transaction
from homerun.runtime import Runtime
from homerun.sandbox.service import move_clock_to
from homerun.worker.report import Report
from homerun.worker.service import run_available
from tests.billing.support import (
    DECLINE_51,
    PLANS,
    account,
    advance,
    clock_now,
    create_plan,
    events_of,
    get_plan,
    iso,
    next_morning,
    plan_id,
    rekey,
    rule,
)
from tests.conftest import MerchantAccess
from tests.helpers import transaction
from tests.isolated import isolated_app, isolated_database, migrate, settings_for
from tests.vault.support import delete

JOBS = job_registry()

RUN_EXAMPLE = "DTSTART:20251014T000000Z\nRRULE:FREQ=YEARLY;INTERVAL=1"  # spec 4.13
MONTHLY = "FREQ=MONTHLY;INTERVAL=1"
WINDOW = 12  # HOMERUN_BILLING_WINDOW_PAYMENTS, the default
WINDOW_DAYS = 400  # HOMERUN_BILLING_WINDOW_DAYS, the default


EXPIRY = "2049-12"  # the plans' cards outlive every clock move here


@pytest.fixture(scope="module")
async def own_app() -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    async with isolated_database("homerun_open_ended") as database:
        await migrate(database.url)
        async with isolated_app(settings_for(database.url)) as (runtime, client):
            yield runtime, client


@pytest.fixture(name="runtime")
def own_runtime(own_app: tuple[Runtime, httpx.AsyncClient]) -> Runtime:
    return own_app[0]


@pytest.fixture(name="client")
def own_client(own_app: tuple[Runtime, httpx.AsyncClient]) -> httpx.AsyncClient:
    return own_app[1]


async def jump(runtime: Runtime, moment: datetime) -> None:
    """The clock moves to `moment` and what falls due there runs."""
    await move_clock_to(runtime, moment)
    await run_available(runtime, JOBS, "clock-jump", Report())


def shown(plan: dict[str, Any]) -> list[tuple[int, str, str]]:
    return [
        (p["payment_number"], p["payment_date"], p["payment_status"])
        for p in plan["scheduled_payments"]
    ]


def monthly(start: datetime, first: int, last: int, status: str) -> list[tuple[int, str, str]]:
    return [(n, iso(start + relativedelta(months=n - 1)), status) for n in range(first, last + 1)]


def yearly_window(now: datetime) -> list[tuple[int, datetime]]:
    """Run's example rule at `now`: the next occurrence, and those within the window's
    days (an independent reading of the documented window)."""
    dates = [datetime(2025 + k, 10, 14, tzinfo=UTC) for k in range(30)]
    upcoming = [(k + 1, d) for k, d in enumerate(dates) if d >= now - timedelta(minutes=5)]
    reach = now + timedelta(days=WINDOW_DAYS)
    return upcoming[:1] + [(n, d) for n, d in upcoming[1:WINDOW] if d <= reach]


async def test_runs_own_example_is_accepted_and_charged_every_year_by_the_clock(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    acct = await account(client, merchant, account_token="4111111111111111", expiration=EXPIRY)
    answer = await create_plan(
        client,
        merchant,
        payment_account_uuid=acct["uuid"],
        amount="10.00",
        rrule_pattern=RUN_EXAMPLE,
    )
    assert answer.status_code == 200, answer.text
    identifier = answer.json()["id"]
    assert answer.json() == {"id": identifier, "status": "ACTIVE"}
    expected = yearly_window(await clock_now(client))
    plan = await get_plan(client, merchant, identifier)
    assert (plan["status"], plan["rrule_pattern"]) == ("ACTIVE", RUN_EXAMPLE)
    assert shown(plan) == [(n, iso(d), "SCHEDULED") for n, d in expected]

    # Each 14 October at midnight UTC the clock reaches the payment and it is charged.
    first_number, first_date = expected[0]
    paid = [first_date, first_date + relativedelta(years=1)]
    for moment in paid:
        await jump(runtime, moment)
    merchant = await rekey(client, merchant)
    plan = await get_plan(client, merchant, identifier)
    payments = plan["scheduled_payments"]
    # Each payment made moved the window on: its next payment (the one after that is
    # two years away, beyond the window's 400 days).
    assert shown(plan) == [
        (first_number + k, iso(first_date + relativedelta(years=k)), status)
        for k, status in enumerate(["COMPLETED", "COMPLETED", "SCHEDULED"])
    ]
    for k, payment in enumerate(payments[:2]):
        txn = await transaction(client, merchant, payment["trans_id"])
        assert (txn["amount_captured"], txn["cof"], txn["order_id"]) == (
            1000,
            "M",
            f"BP{identifier}-{first_number + k}",
        )
        assert txn["trans_date"][:16] == iso(paid[k])[:16]
    assert await events_of(client, merchant) == ["transaction.entered"] * 2


async def test_a_monthly_plan_with_no_end_is_charged_on_schedule_by_the_clock(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    acct = await account(client, merchant, account_token="4111111111111111", expiration=EXPIRY)
    start = await next_morning(client, days=1)
    answer = await create_plan(
        client,
        merchant,
        payment_account_uuid=acct["uuid"],
        amount="25.00",
        rrule_pattern=rule(start, MONTHLY),
    )
    assert answer.status_code == 200, answer.text
    identifier = answer.json()["id"]
    plan = await get_plan(client, merchant, identifier)
    assert shown(plan) == monthly(start, 1, WINDOW, "SCHEDULED")
    assert plan["scheduled_payments"][0]["next_attempt_at"] == iso(start)

    # The advance endpoint steps the clock through the first two payment dates.
    merchant = await advance(client, merchant, start + relativedelta(months=1, hours=1))
    plan = await get_plan(client, merchant, identifier)
    # Each payment made moved the window on by one: twelve are open, numbered on.
    assert shown(plan) == monthly(start, 1, 2, "COMPLETED") + monthly(
        start, 3, 2 + WINDOW, "SCHEDULED"
    )
    for n, payment in enumerate(plan["scheduled_payments"][:2], start=1):
        txn = await transaction(client, merchant, payment["trans_id"])
        assert (txn["amount_captured"], txn["order_id"]) == (2500, f"BP{identifier}-{n}")
        assert txn["trans_date"] == iso(start + relativedelta(months=n - 1))[:19] + "Z"
    assert await events_of(client, merchant) == ["transaction.entered"] * 2


# ------------------------------------------------------ five years, racing and a kill


class Killed(BaseException):
    """The worker died: nothing after this line of its run happens."""


async def ledger(runtime: Runtime, plan_ids: list[int]) -> dict[str, Any]:
    async with runtime.db.transaction() as session:
        of_plans = ScheduledPayment.plan_id.in_(plan_ids)
        rows = (
            await session.execute(
                select(
                    ScheduledPayment.plan_id,
                    ScheduledPayment.status,
                    func.count(),
                    func.min(ScheduledPayment.payment_number),
                    func.max(ScheduledPayment.payment_number),
                )
                .where(of_plans)
                .group_by(ScheduledPayment.plan_id, ScheduledPayment.status)
            )
        ).all()
        counted = await session.execute(
            select(
                func.count(),
                func.count(func.distinct(BillingAttempt.transaction_id)),
                func.count(func.distinct(BillingAttempt.payment_id)),
            )
            .select_from(BillingAttempt)
            .join(ScheduledPayment, ScheduledPayment.id == BillingAttempt.payment_id)
            .where(of_plans)
        )
        merchant_id = await session.scalar(
            select(BillingPlan.merchant_id).where(BillingPlan.id == plan_ids[0])
        )
        sales = await session.execute(
            select(func.count(), func.count(func.distinct(Transaction.order_id))).where(
                Transaction.merchant_id == merchant_id, Transaction.kind == "sale"
            )
        )
    return {
        "rows": {(int(p), s): (int(c), int(lo), int(hi)) for p, s, c, lo, hi in rows},
        "approved_attempts": tuple(int(v) for v in counted.one()),
        "sales": tuple(int(v) for v in sales.one()),
    }


async def test_five_years_of_a_monthly_plan_charge_sixty_times_with_racing_workers(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Three plans (three buckets), three workers racing as the clock moves on for five
    years; one worker dies mid-run after a charge in year three. Every plan is charged
    exactly 60 times and never holds more than the window's twelve open payments."""
    acct = await account(client, merchant, account_token="4111111111111111", expiration=EXPIRY)
    start = await next_morning(client, days=1)
    plans = [
        await plan_id(
            client,
            merchant,
            name=f"member {n}",
            payment_account_uuid=acct["uuid"],
            amount="3.00",
            rrule_pattern=rule(start, MONTHLY),
        )
        for n in range(3)
    ]
    real = billing._record_outcome
    doom = {"armed": False, "killed": 0}

    def dies_once(*args: Any, **kwargs: Any) -> None:
        if doom["armed"]:
            doom["armed"], doom["killed"] = False, doom["killed"] + 1
            raise Killed  # after the processor approved and the transaction was written
        real(*args, **kwargs)

    monkeypatch.setattr(billing, "_record_outcome", dies_once)
    lease = timedelta(seconds=runtime.settings.worker_lease_seconds + 1)
    # The clock moves a year at a time (the first payment, then months 12, 24, ... 59):
    # each move finds twelve payments of each plan due, in a window of twelve rows that
    # moves on with every payment made in the same batch.
    for step, month in enumerate((0, 12, 24, 36, 48, 59)):
        moment = start + relativedelta(months=month)
        await move_clock_to(runtime, moment)
        doom["armed"] = step == 3  # the first worker to charge in year three dies
        outcomes = await asyncio.gather(
            *(run_available(runtime, JOBS, f"racer-{n}", Report()) for n in range(3)),
            return_exceptions=True,
        )
        if step == 3:
            assert [type(o) for o in outcomes].count(Killed) == 1
            await jump(runtime, moment + lease)  # its lease runs out; another takes the job
        else:
            assert not [o for o in outcomes if isinstance(o, BaseException)]
        state = await ledger(runtime, plans)
        for plan in plans:
            assert state["rows"][(plan, "COMPLETED")] == (month + 1, 1, month + 1)
            assert state["rows"][(plan, "SCHEDULED")] == (WINDOW, month + 2, month + 1 + WINDOW)
        assert state["approved_attempts"] == (3 * (month + 1),) * 3
        assert state["sales"] == (3 * (month + 1),) * 2
    assert doom["killed"] == 1
    assert set(state["rows"]) == {(p, s) for p in plans for s in ("COMPLETED", "SCHEDULED")}

    # Five years on, nothing more is due: the same sixty charges each.
    await jump(runtime, start + relativedelta(years=5) - timedelta(days=1))
    assert await ledger(runtime, plans) == state
    merchant = await rekey(client, merchant)
    plan = await get_plan(client, merchant, plans[0])
    assert shown(plan) == monthly(start, 1, 60, "COMPLETED") + monthly(
        start, 61, 60 + WINDOW, "SCHEDULED"
    )
    assert {p["attempts"] for p in plan["scheduled_payments"][:60]} == {1}


# ------------------------------------------------------------ how an open-ended plan ends


async def monthly_plan(
    client: httpx.AsyncClient, merchant: MerchantAccess, pan: str = "4111111111111111"
) -> tuple[int, datetime, dict[str, Any]]:
    acct = await account(client, merchant, account_token=pan, expiration=EXPIRY)
    start = await next_morning(client, days=1)
    identifier = await plan_id(
        client,
        merchant,
        payment_account_uuid=acct["uuid"],
        amount="4.00",
        rrule_pattern=rule(start, MONTHLY),
    )
    return identifier, start, acct


async def test_cancelling_stops_the_next_payment(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    identifier, start, _ = await monthly_plan(client, merchant)
    await jump(runtime, start)
    merchant = await rekey(client, merchant)
    answer = await client.delete(f"{PLANS}/{identifier}", headers=merchant.headers)
    assert answer.json() == {"id": identifier, "success": True, "schedule_status": "CANCELLED"}
    for month in (1, 2, 13):
        await jump(runtime, start + relativedelta(months=month, minutes=1))
    merchant = await rekey(client, merchant)
    plan = await get_plan(client, merchant, identifier)
    assert (plan["status"], plan["status_reason"]) == ("CANCELLED", "cancelled by the merchant")
    # The window as it was when cancelled, every open payment cancelled; none added.
    assert shown(plan) == monthly(start, 1, 1, "COMPLETED") + monthly(
        start, 2, 1 + WINDOW, "CANCELLED"
    )
    assert {p["next_attempt_at"] for p in plan["scheduled_payments"]} == {None}
    assert await events_of(client, merchant) == ["transaction.entered"]


async def test_when_dunning_gives_up_the_plan_stops(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    identifier, start, _ = await monthly_plan(client, merchant, DECLINE_51)
    for days in (0, 1, 3, 7, 40, 80):  # the payment date, the three retries, and on
        await jump(runtime, start + timedelta(days=days, minutes=1))
    merchant = await rekey(client, merchant)
    plan = await get_plan(client, merchant, identifier)
    assert (plan["status"], plan["status_reason"]) == (
        "STOPPED",
        "a payment failed after its last dunning retry",
    )
    assert shown(plan) == monthly(start, 1, 1, "FAILED") + monthly(start, 2, WINDOW, "CANCELLED")
    assert plan["scheduled_payments"][0]["attempts"] == 4
    assert await events_of(client, merchant) == ["transaction.decline"] * 4
    refused = await client.delete(f"{PLANS}/{identifier}", headers=merchant.headers)
    assert refused.status_code == 409


async def test_when_its_account_is_deleted_the_plan_stops(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    identifier, start, acct = await monthly_plan(client, merchant)
    await jump(runtime, start)
    merchant = await rekey(client, merchant)
    assert (await delete(client, merchant, acct["uuid"])).status_code == 200
    for month in (1, 2):
        await jump(runtime, start + relativedelta(months=month))
    merchant = await rekey(client, merchant)
    plan = await get_plan(client, merchant, identifier)
    assert (plan["status"], plan["status_reason"]) == (
        "STOPPED",
        "the vault payment account was deleted",
    )
    assert shown(plan) == monthly(start, 1, 1, "COMPLETED") + monthly(
        start, 2, 1 + WINDOW, "CANCELLED"
    )
    assert await events_of(client, merchant) == ["transaction.entered"]


async def test_an_occurrence_can_never_become_two_payments(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    """Were a run ever to extend a window from a stale place (its plan's record one
    occurrence behind its rows), `(plan, payment_number)` refuses the second row, and the
    charge that ended the payment rolls back with it: nothing is charged unscheduled."""
    identifier, start, _ = await monthly_plan(client, merchant)
    async with runtime.db.transaction() as session:
        await session.execute(
            update(BillingPlan)
            .where(BillingPlan.id == identifier)
            .values(window_number=11, window_date=start + relativedelta(months=10))
        )
    await move_clock_to(runtime, start)
    report = Report()
    await run_available(runtime, JOBS, "stale", report)
    assert report.counts["jobs_failed"] == 1
    state = await ledger(runtime, [identifier])
    assert state == {
        "rows": {(identifier, "SCHEDULED"): (WINDOW, 1, WINDOW)},
        "approved_attempts": (0, 0, 0),
        "sales": (0, 0),
    }
    merchant = await rekey(client, merchant)
    assert await events_of(client, merchant) == []
    # The merchant cancels the plan: its bucket's job has nothing of it left to charge.
    answer = await client.delete(f"{PLANS}/{identifier}", headers=merchant.headers)
    assert answer.status_code == 200, answer.text
