"""Batches and deposits: cut-offs in the merchant's zone, fees, surcharges, weekends."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx

from tests.conftest import ADMIN, MerchantFactory
from tests.helpers import charge, post, transaction
from tests.settlement.support import (
    advance_until,
    balance,
    go_to_next,
    listing,
    rekey,
    utc_merchant,
)


async def test_close_now_settles_with_fees_on_the_gross_and_belongs_to_todays_cutoff(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    monday = await go_to_next(client, 0, 9)
    m = await utc_merchant(
        make_merchant,
        surcharge_enabled=True,
        surcharge_rate="3.00",
        processing_rate="2.50",
        processing_fixed_fee="0.10",
    )
    sale = (await charge(client, m, amount="100.00", account_zip="19106")).json()
    assert sale["result"] == "A"
    debit = (await charge(client, m, amount="10.00", account_token="4000056655665556")).json()
    assert debit["result"] == "A"  # debit cards carry no surcharge
    closed = await client.post(f"/homerun/v1/merchants/{m.mid}/batches/close", headers=ADMIN)
    assert closed.status_code == 200
    body = closed.json()
    # Gross 103.00 (3 % surcharge) and 10.00; fees 2.575 -> 2.58 + 0.10, 0.25 + 0.10.
    assert (body["transaction_count"], body["net_amount"], body["processing_fee"]) == (
        2,
        "113.00",
        "3.03",
    )
    assert body["business_date"] == monday.date().isoformat()
    assert body["deposit_date"] == (monday + timedelta(days=1)).date().isoformat()
    assert (await transaction(client, m, sale["trans_id"]))["batch_id"] == body["batch_id"]
    again = await client.post(f"/homerun/v1/merchants/{m.mid}/batches/close", headers=ADMIN)
    assert again.json() == {"batch_id": None, "transaction_count": 0, "net_amount": "0.00"}
    assert (await balance(client, m))["pending_funding"] == "109.97"

    # A refund of a settled surcharged sale gives back its surcharge in proportion.
    refund = await post(client, m, "/api/v1/refund", trans_id=sale["trans_id"], amount="50.00")
    assert refund.json()["result"] == "A"
    second = (
        await client.post(f"/homerun/v1/merchants/{m.mid}/batches/close", headers=ADMIN)
    ).json()
    assert (second["transaction_count"], second["net_amount"], second["processing_fee"]) == (
        1,
        "-51.50",
        "0.00",
    )
    await advance_until(client, monday + timedelta(days=1, hours=5))
    deposits = await listing(client, m, "deposits")
    assert [(d["batch_id"], d["amount"]) for d in deposits] == [
        (body["batch_id"], "109.97"),
        (second["batch_id"], "-51.50"),
    ]
    assert (await balance(client, m))["deposited"] == "58.47"


async def test_friday_saturday_and_sunday_batches_are_all_funded_on_monday(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    friday = await go_to_next(client, 4, 9)
    m = await utc_merchant(make_merchant)
    for day in range(3):
        if day:
            await advance_until(client, friday + timedelta(days=day))
            m = await rekey(client, m)
        assert (await charge(client, m, amount=1000 * (day + 1))).json()["result"] == "A"
    await advance_until(client, friday + timedelta(days=3, hours=12))  # Monday 21:00
    batches = await listing(client, m, "batches")
    assert [b["business_date"] for b in batches] == [
        (friday + timedelta(days=n)).date().isoformat() for n in range(3)
    ]
    monday = (friday + timedelta(days=3)).date().isoformat()
    assert {b["deposit_date"] for b in batches} == {monday}
    deposits = await listing(client, m, "deposits")
    assert [d["amount"] for d in deposits] == ["9.41", "19.12", "28.83"]
    assert {d["funded_at"] for d in deposits} == {(friday + timedelta(days=3, hours=4)).isoformat()}


async def test_funding_delay_counts_business_days(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    thursday = await go_to_next(client, 3, 9)
    m = await utc_merchant(make_merchant, funding_delay_days=2)
    assert (await charge(client, m, amount=5000)).json()["result"] == "A"
    await advance_until(client, thursday + timedelta(days=4, hours=3))  # Monday 12:00
    [batch] = await listing(client, m, "batches")
    assert batch["deposit_date"] == (thursday + timedelta(days=4)).date().isoformat()
    assert await listing(client, m, "deposits") == []  # funding is at 13:00
    await advance_until(client, thursday + timedelta(days=4, hours=5))
    [deposit] = await listing(client, m, "deposits")
    assert deposit["amount"] == "48.25"


async def test_the_cutoff_is_in_the_merchants_zone_and_follows_a_change(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    monday = await go_to_next(client, 0, 9)
    m = await utc_merchant(make_merchant, timezone="America/Los_Angeles", batch_cutoff="17:30")
    assert (await charge(client, m, amount=2000)).json()["result"] == "A"
    zone = ZoneInfo("America/Los_Angeles")
    local_cutoff = datetime.combine(monday.date(), datetime.min.time(), zone).replace(
        hour=17, minute=30
    )
    await advance_until(client, local_cutoff.astimezone(UTC) + timedelta(minutes=1))
    [batch] = await listing(client, m, "batches")
    assert batch["closed_at"] == local_cutoff.astimezone(UTC).isoformat()
    assert batch["business_date"] == monday.date().isoformat()

    changed = await client.patch(
        f"/homerun/v1/merchants/{m.mid}", json={"batch_cutoff": "06:15"}, headers=ADMIN
    )
    assert changed.status_code == 200
    m = await rekey(client, m)
    assert (await charge(client, m, amount=3000)).json()["result"] == "A"
    tuesday_cutoff = datetime.combine(
        (monday + timedelta(days=1)).date(), datetime.min.time(), zone
    ).replace(hour=6, minute=15)
    await advance_until(client, tuesday_cutoff.astimezone(UTC) + timedelta(minutes=1))
    second = (await listing(client, m, "batches"))[1]
    assert second["closed_at"] == tuesday_cutoff.astimezone(UTC).isoformat()


async def test_a_merchant_with_nothing_captured_gets_no_batch(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    monday = await go_to_next(client, 0, 9)
    m = await utc_merchant(make_merchant)
    assert (await charge(client, m, amount=2000, capture="N")).json()["result"] == "A"
    declined = await charge(client, m, amount=2000, account_token="4000000000000002")
    assert declined.json()["result"] == "C"
    await advance_until(client, monday + timedelta(days=2))
    assert await listing(client, m, "batches") == []
    assert await listing(client, m, "deposits") == []
    assert (await balance(client, m))["pending_settlement"] == "0.00"
