"""The clock charges billing plans: a year of a monthly plan, dunning, stops and unknowns."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]

from tests.billing.support import (
    DECLINE_51,
    account,
    advance,
    events_of,
    get_plan,
    iso,
    next_morning,
    plan_id,
    rule,
)
from tests.conftest import MerchantAccess
from tests.helpers import transaction
from tests.vault.support import delete, put, tokenize


def statuses(plan: dict[str, Any]) -> list[str]:
    return [p["payment_status"] for p in plan["scheduled_payments"]]


async def test_a_monthly_plan_over_a_year_with_one_decline_and_a_recovered_retry(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    acct = await account(client, merchant, DECLINE_51, custom07="plan-account")
    start = await next_morning(client, days=1)
    identifier = await plan_id(
        client,
        merchant,
        payment_account_uuid=acct["uuid"],
        amount="120.00",
        rrule_pattern=rule(start, "FREQ=MONTHLY;INTERVAL=1;COUNT=12"),
    )
    dates = [start + relativedelta(months=n) for n in range(12)]

    # The first payment falls due and the card declines: it is retried a day later.
    merchant = await advance(client, merchant, start + timedelta(hours=1))
    plan = await get_plan(client, merchant, identifier)
    first = plan["scheduled_payments"][0]
    assert {k: first[k] for k in ("payment_status", "attempts", "amount_paid")} == {
        "payment_status": "RETRYING",
        "attempts": 1,
        "amount_paid": 0,
    }
    assert (first["resp_code"], first["resp_text"]) == ("51", "Insufficient funds")
    assert first["next_attempt_at"] == iso(start + timedelta(days=1))
    declined = await transaction(client, merchant, first["trans_id"])
    assert (declined["state"], declined["cof"], declined["cof_sched"]) == ("declined", "M", "Y")
    assert statuses(plan) == ["RETRYING"] + ["SCHEDULED"] * 11

    # The customer gives a new card; a year later every payment is paid, once each.
    token = await tokenize(client, merchant, "4111111111111111")
    assert (await put(client, merchant, acct["uuid"], account_token=token)).status_code == 200
    merchant = await advance(client, merchant, dates[-1] + timedelta(days=1))
    plan = await get_plan(client, merchant, identifier)
    assert (plan["status"], plan["status_reason"]) == ("COMPLETED", "the schedule has ended")
    payments = plan["scheduled_payments"]
    assert [p["payment_date"] for p in payments] == [iso(d) for d in dates]
    assert [p["payment_number"] for p in payments] == list(range(1, 13))
    assert statuses(plan) == ["COMPLETED"] * 12
    assert [p["attempts"] for p in payments] == [2] + [1] * 11
    assert {(p["amount_paid"], p["amount_remaining"], p["next_attempt_at"]) for p in payments} == {
        (120, 0, None)
    }
    assert (
        await events_of(client, merchant) == ["transaction.decline"] + ["transaction.entered"] * 12
    )
    for n, payment in enumerate(payments, start=1):
        txn = await transaction(client, merchant, payment["trans_id"])
        assert (txn["state"], txn["amount_captured"], txn["amount"]) in (
            ("captured", 12000, "120.00"),
            ("settled", 12000, "120.00"),
        )
        assert (txn["cof"], txn["cof_sched"], txn["order_id"]) == ("M", "Y", f"BP{identifier}-{n}")
        assert (txn["vault_id"], txn["card_number"]) == (acct["uuid"], "**** **** **** 1111")
        assert (txn["custom_06"], txn["custom_07"]) == ("member-7", "plan-account")
        assert txn["trans_date"] == (
            (dates[0] + timedelta(days=1)) if n == 1 else dates[n - 1]
        ).strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_declines_follow_the_dunning_schedule_then_fail(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    acct = await account(client, merchant, DECLINE_51)
    start = await next_morning(client, days=1)
    identifier = await plan_id(
        client,
        merchant,
        payment_account_uuid=acct["uuid"],
        amount="9.99",
        rrule_pattern=rule(start, "FREQ=WEEKLY;COUNT=2"),
    )
    # Default schedule: retried 1, 3 and 7 days after the payment date, then FAILED.
    for days, attempts in ((0, 1), (1, 2), (3, 3)):
        merchant = await advance(client, merchant, start + timedelta(days=days, minutes=1))
        first = (await get_plan(client, merchant, identifier))["scheduled_payments"][0]
        assert (first["payment_status"], first["attempts"]) == ("RETRYING", attempts)
    merchant = await advance(client, merchant, start + timedelta(days=7, minutes=1))
    plan = await get_plan(client, merchant, identifier)
    first, second = plan["scheduled_payments"]
    assert (first["payment_status"], first["attempts"], first["next_attempt_at"]) == (
        "FAILED",
        4,
        None,
    )
    # The plan goes on: the next payment has its own chances.
    assert (plan["status"], second["payment_status"], second["attempts"]) == (
        "ACTIVE",
        "RETRYING",
        1,
    )
    merchant = await advance(client, merchant, start + timedelta(days=15))
    plan = await get_plan(client, merchant, identifier)
    assert (plan["status"], statuses(plan)) == ("COMPLETED", ["FAILED", "FAILED"])
    assert await events_of(client, merchant) == ["transaction.decline"] * 8


async def test_a_plan_whose_account_is_deleted_stops(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    acct = await account(client, merchant)
    start = await next_morning(client, days=1)
    identifier = await plan_id(
        client,
        merchant,
        payment_account_uuid=acct["uuid"],
        amount="3.00",
        rrule_pattern=rule(start, "FREQ=DAILY;COUNT=4"),
    )
    merchant = await advance(client, merchant, start + timedelta(hours=1))
    assert (await delete(client, merchant, acct["vault_id"])).status_code == 200
    merchant = await advance(client, merchant, start + timedelta(days=5))
    plan = await get_plan(client, merchant, identifier)
    assert (plan["status"], plan["status_reason"]) == (
        "STOPPED",
        "the vault payment account was deleted",
    )
    assert statuses(plan) == ["COMPLETED", "CANCELLED", "CANCELLED", "CANCELLED"]
    assert await events_of(client, merchant) == ["transaction.entered"]


async def test_an_unknown_outcome_is_asked_about_never_charged_twice(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    acct = await account(client, merchant, "4000000000000119")  # the processor times out
    start = await next_morning(client, days=1)
    identifier = await plan_id(
        client,
        merchant,
        payment_account_uuid=acct["uuid"],
        amount="50.00",
        rrule_pattern=rule(start, "FREQ=DAILY;COUNT=1"),
    )
    merchant = await advance(client, merchant, start + timedelta(minutes=5))
    payment = (await get_plan(client, merchant, identifier))["scheduled_payments"][0]
    assert (payment["payment_status"], payment["attempts"], payment["resp_code"]) == (
        "RETRYING",
        1,
        "62",
    )
    assert payment["next_attempt_at"] == iso(start + timedelta(hours=1))
    merchant = await advance(client, merchant, start + timedelta(hours=2))
    plan = await get_plan(client, merchant, identifier)
    payment = plan["scheduled_payments"][0]
    assert (plan["status"], payment["payment_status"], payment["attempts"]) == (
        "COMPLETED",
        "COMPLETED",
        1,
    )
    txn = await transaction(client, merchant, payment["trans_id"])
    assert (txn["state"], txn["amount_captured"]) == ("captured", 5000)
    assert await events_of(client, merchant) == ["transaction.entered"]
