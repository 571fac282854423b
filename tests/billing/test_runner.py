"""The clock charges billing plans: dunning, stops and unknowns (a year of a monthly plan:
tests/billing/year)."""

from __future__ import annotations

from datetime import timedelta

import httpx

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
    statuses,
)
from tests.conftest import MerchantAccess
from tests.helpers import transaction
from tests.vault.support import delete


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
