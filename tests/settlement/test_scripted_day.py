"""The issue's scripted sandbox day, to the cent: charges, a void, a refund, the clock over
cut-offs and fundings, a chargeback drawn by a simulator card, an authorization expiring.

Merchant: UTC, cut-off 22:00, funding 13:00 next business day, 2.90 % + $0.30 per sale,
chargeback fee $15.00, no monthly fee.
"""

from __future__ import annotations

from datetime import timedelta

import httpx

from tests.conftest import ADMIN, MerchantFactory
from tests.helpers import charge, events, post, transaction
from tests.settlement.support import (
    advance_until,
    balance,
    go_to_next,
    listing,
    rekey,
    utc_merchant,
)

CHARGEBACK_VISA = "4000000000000259"  # chargeback 5 days after settlement, Visa 10.4


async def test_a_scripted_day_from_charge_to_chargeback(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    monday = await go_to_next(client, 0, 10)  # Monday 10:00 UTC
    m = await utc_merchant(make_merchant)

    # Monday: three sales, one of them drawing a chargeback; one voided sale; one auth.
    a = (await charge(client, m, amount="100.00", cvn="123")).json()
    b = (await charge(client, m, amount="50.00", cvn="123")).json()
    d = (await charge(client, m, amount="40.00", cvn="123", account_token=CHARGEBACK_VISA)).json()
    c = (await charge(client, m, amount="25.00")).json()
    e = (await charge(client, m, amount="30.00", capture="N")).json()
    assert {x["result"] for x in (a, b, c, d, e)} == {"A"}
    voided = await post(client, m, "/api/v1/void", trans_id=c["trans_id"])
    assert voided.json()["result"] == "A"
    assert (await balance(client, m))["pending_settlement"] == "190.00"

    # Over Monday's 22:00 cut-off and Tuesday's 13:00 funding.
    body = await advance_until(client, monday + timedelta(days=1, hours=4))  # Tue 14:00
    [batch1] = await listing(client, m, "batches")
    assert batch1["batch_id"] in body["summary"]["batch_ids"]
    assert batch1 | {"batch_id": None, "funding_master_id": None} == {
        "batch_id": None,
        "business_date": monday.date().isoformat(),
        "closed_at": (monday + timedelta(hours=12)).isoformat(),
        "currency": "USD",
        "transaction_count": 3,
        "sale_count": 3,
        "sale_amount": "190.00",
        "refund_count": 0,
        "refund_amount": "0.00",
        "net_amount": "190.00",
        # 100.00: 2.90 + 0.30; 50.00: 1.45 + 0.30; 40.00: 1.16 + 0.30
        "processing_fee": "6.41",
        "deposit_date": (monday + timedelta(days=1)).date().isoformat(),
        "funding_master_id": None,
        "funded_at": (monday + timedelta(days=1, hours=3)).isoformat(),
    }
    assert batch1["batch_id"].startswith(monday.strftime("%Y%m%d"))
    for sale in (a, b, d):
        stored = await transaction(client, m, sale["trans_id"])
        assert (stored["state"], stored["batch_id"]) == ("settled", batch1["batch_id"])
    assert (await transaction(client, m, c["trans_id"]))["state"] == "voided"
    assert (await transaction(client, m, e["trans_id"]))["state"] == "authorized"
    [deposit1] = await listing(client, m, "deposits")
    assert deposit1["funding_master_id"] == batch1["funding_master_id"]
    assert deposit1["funding_master_id"] in body["summary"]["funding_master_ids"]
    assert deposit1 | {"funding_master_id": None} == {
        "funding_master_id": None,
        "batch_id": batch1["batch_id"],
        "deposit_date": (monday + timedelta(days=1)).date().isoformat(),
        "funded_at": (monday + timedelta(days=1, hours=3)).isoformat(),
        "currency": "USD",
        "amount": "183.59",
        "sales_count": 3,
        "sales_amount": "190.00",
        "refunds_count": 0,
        "refunds_amount": "0.00",
        "fees_amount": "6.41",
        "chargebacks_amount": "0.00",
        "reversals_amount": "0.00",
        "adjustments_amount": "0.00",
    }

    # Tuesday: a refund of part of a settled sale, and one more sale.
    m = await rekey(client, m)
    refund = await post(client, m, "/api/v1/refund", trans_id=b["trans_id"], amount="20.00")
    assert refund.json()["result"] == "A"
    f = (await charge(client, m, amount="60.00")).json()
    await advance_until(client, monday + timedelta(days=2, hours=4))  # Wed 14:00
    batch2 = (await listing(client, m, "batches"))[1]
    assert (batch2["sale_amount"], batch2["refund_amount"], batch2["processing_fee"]) == (
        "60.00",
        "20.00",
        "2.04",
    )
    assert (batch2["transaction_count"], batch2["net_amount"]) == (2, "40.00")
    deposit2 = (await listing(client, m, "deposits"))[1]
    assert (deposit2["batch_id"], deposit2["amount"]) == (batch2["batch_id"], "37.96")
    assert (await transaction(client, m, f["trans_id"]))["state"] == "settled"

    # Saturday 22:00, five days after Monday's batch: the chargeback lands. Monday after:
    # the auth (7 days old) expires at the cut-off, the chargeback and its fee are funded.
    body = await advance_until(client, monday + timedelta(days=8))  # next Tuesday 10:00
    [cb] = await listing(client, m, "chargebacks")
    assert str(cb["chargeback_id"]) in body["summary"]["chargeback_ids"]
    assert body["summary"]["authorizations_expired"] >= 1
    assert (await transaction(client, m, e["trans_id"]))["state"] == "expired"
    assert cb | {"chargeback_id": 0, "case_number": "", "funding_master_id": None} == {
        "chargeback_id": 0,
        "case_number": "",
        "mid": m.mid,
        "trans_id": d["trans_id"],
        "batch_id": batch1["batch_id"],
        "currency": "USD",
        "amount": "40.00",
        "fee_amount": "15.00",
        "reason_code": "10.4",
        "reason_text": "Other Fraud - Card-Absent Environment",
        "card_brand": "VISA",
        "last_four": "0259",
        "state": "open",
        "source": "simulator",
        "opened_at": (monday + timedelta(days=5, hours=12)).isoformat(),
        "respond_by": (monday + timedelta(days=35, hours=12)).isoformat(),
        "decided_at": None,
        "decided_by": None,
        "funding_master_id": None,
        "reversal_funding_master_id": None,
    }
    [fee] = await listing(client, m, "adjustments")
    assert (fee["adjustment_type"], fee["amount"], fee["chargeback_id"]) == (
        "chargeback_fee",
        "-15.00",
        cb["chargeback_id"],
    )
    assert fee["adjustment_reason"] == f"Chargeback fee, case {cb['case_number']}"
    deposit3 = (await listing(client, m, "deposits"))[2]
    assert deposit3 | {"funding_master_id": None} == {
        "funding_master_id": None,
        "batch_id": None,
        "deposit_date": (monday + timedelta(days=7)).date().isoformat(),
        "funded_at": (monday + timedelta(days=7, hours=3)).isoformat(),
        "currency": "USD",
        "amount": "-55.00",
        "sales_count": 0,
        "sales_amount": "0.00",
        "refunds_count": 0,
        "refunds_amount": "0.00",
        "fees_amount": "0.00",
        "chargebacks_amount": "40.00",
        "reversals_amount": "0.00",
        "adjustments_amount": "-15.00",
    }
    assert cb["funding_master_id"] == fee["funding_master_id"] == deposit3["funding_master_id"]

    # The merchant wins: the reversal credits it back with the next funding.
    won = await client.post(f"/homerun/v1/chargebacks/{cb['chargeback_id']}/win", headers=ADMIN)
    assert won.status_code == 200, won.text
    assert (won.json()["state"], won.json()["decided_by"]) == ("won", "admin")
    await advance_until(client, monday + timedelta(days=9, hours=4))  # next Wednesday 14:00
    deposit4 = (await listing(client, m, "deposits"))[3]
    assert (deposit4["amount"], deposit4["reversals_amount"]) == ("40.00", "40.00")
    [cb] = await listing(client, m, "chargebacks")
    assert cb["reversal_funding_master_id"] == deposit4["funding_master_id"]

    # The ledger, to the cent: everything booked was deposited, nothing is pending.
    assert await balance(client, m) == {
        "currency": "USD",
        "sales": "250.00",
        "refunds": "20.00",
        "processing_fees": "8.45",
        "chargebacks": "40.00",
        "reversals": "40.00",
        "adjustments": "-15.00",
        "deposited": "206.55",
        "pending_funding": "0.00",
        "pending_settlement": "0.00",
    }
    kinds = [e["event_type"] for e in await events(client, m)]
    assert kinds.count("funding.entered") == 4
    assert kinds.count("chargeback.entered") == 1 and kinds.count("chargeback.won") == 1
    funding = next(e for e in await events(client, m) if e["event_type"] == "funding.entered")
    assert funding["source_id"] == deposit1["funding_master_id"]
    assert funding["payload"]["amount"] == "183.59"
    assert funding["payload"]["batch_id"] == batch1["batch_id"]
    assert funding["payload"]["deposit_date"] == deposit1["deposit_date"]
