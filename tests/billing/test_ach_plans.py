"""Billing plans on vaulted bank accounts: each payment is an ACH sale, and a returned
payment stops the plan before its next payment is charged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx
from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]

from homerun.ach.returns import reason_of
from tests.ach.helpers import ach_token, admin_post
from tests.billing.support import advance, get_plan, next_morning, plan_id, rule
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import transaction
from tests.vault.support import ACCOUNTS


def statuses(plan: dict[str, Any]) -> list[str]:
    return [p["payment_status"] for p in plan["scheduled_payments"]]


async def bank_plan(
    client: httpx.AsyncClient, m: MerchantAccess, count: int
) -> tuple[int, dict[str, Any], Any]:
    token = await ach_token(client, m, account_type="savings")
    made = await client.post(
        ACCOUNTS, json={"mid": m.mid, "account_token": token}, headers=m.headers
    )
    assert made.status_code == 200, made.text
    start = await next_morning(client, days=1)
    identifier = await plan_id(
        client,
        m,
        payment_account_uuid=made.json()["uuid"],
        amount="30.00",
        rrule_pattern=rule(start, f"FREQ=MONTHLY;COUNT={count}"),
    )
    return identifier, made.json(), start


async def test_a_plan_on_a_bank_account_charges_ach_sales_until_a_return_stops_it(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(accepts="both")
    identifier, _, start = await bank_plan(client, m, count=4)
    dates = [start + relativedelta(months=n) for n in range(4)]

    # Two months: two ACH sales of the savings account, each paid.
    m = await advance(client, m, dates[1] + timedelta(hours=1))
    plan = await get_plan(client, m, identifier)
    assert statuses(plan) == ["COMPLETED", "COMPLETED", "SCHEDULED", "SCHEDULED"]
    first = plan["scheduled_payments"][0]
    assert (first["amount_paid"], first["resp_code"], first["resp_text"]) == (30, "00", "Accepted")
    sale = await transaction(client, m, first["trans_id"])
    expected = {
        "payment_method": "ach",
        "trans_type": "sale",
        "account_type": "savings",
        "entry_class": "WEB",
        "cof": "M",
        "cof_sched": "Y",
        "amount": "30.00",
    }
    assert {k: sale[k] for k in expected} == expected
    assert sale["state"] in ("originated", "settled")  # the cut-offs ran meanwhile

    # The bank returns the first payment (R01): at the third payment's date the plan stops
    # and charges nothing.
    await admin_post(client, f"/homerun/v1/merchants/{m.mid}/ach/originate")
    await admin_post(
        client,
        f"/homerun/v1/merchants/{m.mid}/transactions/{first['trans_id']}/ach-return",
        return_code="R01",
    )
    m = await advance(client, m, dates[2] + timedelta(hours=1))
    plan = await get_plan(client, m, identifier)
    reason = reason_of("R01")
    assert (plan["status"], plan["status_reason"]) == (
        "STOPPED",
        f"an ACH payment was returned (R01: {reason})",
    )
    assert statuses(plan) == ["RETURNED", "COMPLETED", "CANCELLED", "CANCELLED"]
    returned = plan["scheduled_payments"][0]
    assert {k: returned[k] for k in ("amount_paid", "amount_remaining", "resp_code")} == {
        "amount_paid": 0,
        "amount_remaining": 30,
        "resp_code": "R01",
    }
    assert returned["resp_text"] == reason
    assert [p["trans_id"] for p in plan["scheduled_payments"][2:]] == [None, None]
    # Nothing more is ever charged.
    m = await advance(client, m, dates[3] + timedelta(hours=1))
    assert statuses(await get_plan(client, m, identifier))[2:] == ["CANCELLED", "CANCELLED"]


async def test_a_plan_on_a_bank_account_without_returns_completes(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(accepts="ach")
    identifier, account, start = await bank_plan(client, m, count=2)
    m = await advance(client, m, start + relativedelta(months=1) + timedelta(hours=1))
    plan = await get_plan(client, m, identifier)
    assert (plan["status"], statuses(plan)) == ("COMPLETED", ["COMPLETED", "COMPLETED"])
    for payment in plan["scheduled_payments"]:
        sale = await transaction(client, m, payment["trans_id"])
        assert (sale["payment_method"], sale["vault_id"]) == ("ach", account["uuid"])


async def test_a_plan_on_a_bank_account_stops_when_the_merchant_stops_taking_ach(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(accepts="both")
    identifier, _, start = await bank_plan(client, m, count=2)
    changed = await client.patch(
        f"/homerun/v1/merchants/{m.mid}", json={"accepts": "cards"}, headers=ADMIN
    )
    assert changed.status_code == 200, changed.text
    m = await advance(client, m, start + timedelta(hours=1))
    plan = await get_plan(client, m, identifier)
    assert (plan["status"], plan["status_reason"]) == (
        "STOPPED",
        "the merchant no longer takes ACH payments",
    )
    assert statuses(plan) == ["CANCELLED", "CANCELLED"]
    assert [p["trans_id"] for p in plan["scheduled_payments"]] == [None, None]
