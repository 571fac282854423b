"""The clock charges a monthly plan for a year: one decline, its retry, and every payment once."""

from __future__ import annotations

from datetime import timedelta

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
    statuses,
)
from tests.conftest import MerchantAccess
from tests.helpers import transaction
from tests.vault.support import put, tokenize


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
