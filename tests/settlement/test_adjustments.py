"""Adjustments: manual ones through the admin API, the month-end account fee."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx

from tests.conftest import ADMIN, MerchantFactory
from tests.helpers import charge
from tests.settlement.support import (
    advance_until,
    balance,
    go_to_next,
    listing,
    now,
    rekey,
    utc_merchant,
)


async def adjust(client: httpx.AsyncClient, **body: object) -> httpx.Response:
    return await client.post("/homerun/v1/adjustments", json=body, headers=ADMIN)


async def test_manual_adjustments_ride_along_with_the_next_deposit(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    monday = await go_to_next(client, 0, 9)
    m = await utc_merchant(make_merchant)
    debit = await adjust(
        client,
        mid=m.mid,
        amount="-25.00",
        adjustment_type="equipment_fee",
        adjustment_reason="Terminal rental, December",
    )
    assert debit.status_code == 201, debit.text
    body = debit.json()
    assert body | {"id": 0} == {
        "id": 0,
        "mid": m.mid,
        "currency": "USD",
        "amount": "-25.00",
        "adjustment_type": "equipment_fee",
        "adjustment_reason": "Terminal rental, December",
        "adjustment_date": body["adjustment_date"],
        "chargeback_id": None,
        "created_by": "admin",
        "funding_master_id": None,
    }
    credit = await adjust(client, mid=m.mid, amount=10.5, adjustment_reason="Goodwill")
    assert credit.status_code == 201, credit.text
    assert (credit.json()["amount"], credit.json()["adjustment_type"]) == ("10.50", "manual")
    assert (await charge(client, m, amount="100.00")).json()["result"] == "A"

    await advance_until(client, monday + timedelta(days=1, hours=5))
    [deposit] = await listing(client, m, "deposits")
    # 100.00 - (2.90 + 0.30) - 25.00 + 10.50
    assert (deposit["amount"], deposit["adjustments_amount"]) == ("82.30", "-14.50")
    assert {a["funding_master_id"] for a in await listing(client, m, "adjustments")} == {
        deposit["funding_master_id"]
    }
    assert (await balance(client, m))["pending_funding"] == "0.00"


async def test_manual_adjustment_refusals(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await utc_merchant(make_merchant)
    for body, field in (
        ({"amount": "0.00", "adjustment_reason": "x"}, "amount"),
        ({"amount": "abc", "adjustment_reason": "x"}, "amount"),
        ({"amount": "1.234", "adjustment_reason": "x"}, "amount"),
        ({"amount": "5.00"}, "adjustment_reason"),
        ({"amount": "5.00", "adjustment_reason": ""}, "adjustment_reason"),
        (
            {"amount": "5.00", "adjustment_reason": "x", "adjustment_type": "Bad Type"},
            "adjustment_type",
        ),
        (
            {"amount": "5.00", "adjustment_reason": "x", "adjustment_type": "monthly_fee"},
            "adjustment_type",
        ),
        (
            {"amount": "5.00", "adjustment_reason": "x", "adjustment_type": "chargeback_fee"},
            "adjustment_type",
        ),
    ):
        answer = await adjust(client, mid=m.mid, **body)
        assert answer.status_code == 400, (body, answer.text)
        assert field in answer.json()["errors"], (body, answer.json())
    unknown = await adjust(client, mid="999999999999", amount="1.00", adjustment_reason="x")
    assert unknown.status_code == 404
    assert await listing(client, m, "adjustments") == []


async def test_month_end_fee_for_active_merchants_in_their_zone(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    # Start at least two days before a month's end, somewhere mid-week.
    start = await now(client)
    month_start = datetime(start.year + (start.month == 12), start.month % 12 + 1, 1, tzinfo=UTC)
    if month_start - start < timedelta(days=2):
        start = month_start + timedelta(days=1)
        await advance_until(client, start)
        month_start = datetime(
            start.year + (start.month == 12), start.month % 12 + 1, 1, tzinfo=UTC
        )
    charged = await utc_merchant(make_merchant, monthly_fee="9.95")
    tokyo = await utc_merchant(make_merchant, monthly_fee="20.00", timezone="Asia/Tokyo")
    free = await utc_merchant(make_merchant, monthly_fee="0")
    disabled = await utc_merchant(make_merchant, monthly_fee="9.95")
    off = await client.patch(
        f"/homerun/v1/merchants/{disabled.mid}", json={"status": "disabled"}, headers=ADMIN
    )
    assert off.status_code == 200

    # Midnight in Tokyo comes nine hours before midnight UTC.
    await advance_until(client, month_start - timedelta(hours=8))
    [fee] = await listing(client, tokyo, "adjustments")
    assert (fee["amount"], fee["adjustment_type"]) == ("-20.00", "monthly_fee")
    assert fee["adjustment_date"] == (month_start - timedelta(hours=9)).isoformat()
    assert await listing(client, charged, "adjustments") == []

    body = await advance_until(client, month_start + timedelta(minutes=1))
    assert body["summary"]["adjustments_made"] >= 1
    [fee] = await listing(client, charged, "adjustments")
    period = (month_start - timedelta(days=1)).strftime("%Y-%m")
    assert fee | {"id": 0} == {
        "id": 0,
        "mid": charged.mid,
        "currency": "USD",
        "amount": "-9.95",
        "adjustment_type": "monthly_fee",
        "adjustment_reason": f"Monthly account fee, {period}",
        "adjustment_date": month_start.isoformat(),
        "chargeback_id": None,
        "created_by": "system",
        "funding_master_id": None,
    }
    assert await listing(client, free, "adjustments") == []
    assert await listing(client, disabled, "adjustments") == []

    # With no sales to net it against, the fee is debited on its own deposit.
    await advance_until(client, month_start + timedelta(days=5))
    [deposit] = await listing(client, charged, "deposits")
    assert (deposit["amount"], deposit["batch_id"]) == ("-9.95", None)
    charged = await rekey(client, charged)
    assert (await balance(client, charged))["deposited"] == "-9.95"
    # Once per month: the next month's fee comes a month later, not before.
    assert len(await listing(client, charged, "adjustments")) == 1


async def test_an_adjustment_amount_is_a_decimal_string_or_a_number(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    """What openapi.json documents for it: "-25.00", "10.5", -25, 10.5 all sign the amount."""
    m = await utc_merchant(make_merchant)
    shown = []
    for amount in ("-25.00", "10.5", -25, 10.5, "7"):
        answer = await adjust(client, mid=m.mid, amount=amount, adjustment_reason="Forms")
        assert answer.status_code == 201, answer.text
        shown.append(answer.json()["amount"])
    assert shown == ["-25.00", "10.50", "-25.00", "10.50", "7.00"]
