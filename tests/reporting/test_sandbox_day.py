"""The issue's done-when: a scripted sandbox day (charges, a void, a refund, the clock over
cut-offs and fundings, a chargeback, a manual adjustment) read back through the Reporting API,
which must agree with the settlement engine's own listings to the cent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import httpx
import orjson

from tests.conftest import ADMIN, MerchantFactory
from tests.helpers import charge, post
from tests.oauth.support import bearer, make_client
from tests.settlement.support import advance_until, go_to_next, listing, rekey, utc_merchant

API = "/ords/sprint/api/3p/v1"
CHARGEBACK_VISA = "4000000000000259"  # the simulator charges it back 5 days after settlement


def dollars(text: str) -> float:
    return float(Decimal(text))


async def everything(
    client: httpx.AsyncClient, headers: dict[str, str], endpoint: str, q: Any = None
) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"limit": 10_000}
    if q is not None:
        params["q"] = orjson.dumps(q).decode()
    answer = await client.get(f"{API}/{endpoint}", headers=headers, params=params)
    assert answer.status_code == 200, answer.text
    assert answer.json()["hasMore"] is False
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def test_a_sandbox_day_read_back_through_reporting(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    monday = await go_to_next(client, 0, 10)
    m = await utc_merchant(make_merchant)
    a = (await charge(client, m, amount="100.00", cvn="123", custom_01="inv-1")).json()
    b = (await charge(client, m, amount="50.00", cvn="123")).json()
    d = (await charge(client, m, amount="40.00", account_token=CHARGEBACK_VISA)).json()
    c = (await charge(client, m, amount="25.00")).json()
    assert (await post(client, m, "/api/v1/void", trans_id=c["trans_id"])).json()["result"] == "A"
    await advance_until(client, monday + timedelta(days=1, hours=4))  # Tue 14:00: funded
    m = await rekey(client, m)
    refund = (
        await post(client, m, "/api/v1/refund", trans_id=b["trans_id"], amount="20.00")
    ).json()
    assert refund["result"] == "A"
    await advance_until(client, monday + timedelta(days=8))  # the chargeback and its funding
    manual = await client.post(
        "/homerun/v1/adjustments",
        json={"mid": m.mid, "amount": "-7.50", "adjustment_reason": "Terminal rental"},
        headers=ADMIN,
    )
    assert manual.status_code == 201, manual.text
    await advance_until(client, monday + timedelta(days=9, hours=4))

    headers = await bearer(client, await make_client(client, m.mid))
    batches = {b["batch_id"]: b for b in await listing(client, m, "batches")}

    # Transactions: states, batches and fundings as settlement left them.
    txns = {t["trans_id"]: t for t in await everything(client, headers, "transactions")}
    assert txns[a["trans_id"]]["settlement_status"] == "Settled"
    assert txns[a["trans_id"]]["custom_01"] == "inv-1"
    assert txns[c["trans_id"]]["settlement_status"] == "Voided"
    assert txns[b["trans_id"]]["amount_refunded"] == 20.0
    [refund_item] = [t for t in txns.values() if t["trans_type"] == "refund"]
    assert refund_item["original_trans_id"] == b["trans_id"] and refund_item["amount"] == 20.0
    for trans_id in (a["trans_id"], b["trans_id"], d["trans_id"], refund_item["trans_id"]):
        item = txns[trans_id]
        batch = batches[item["batch_id"]]
        assert item["funding_master_id"] == batch["funding_master_id"] is not None
        assert item["funded_batch_id"] == batch["batch_id"]
        assert item["funding_date"] == batch["deposit_date"]

    # Deposits: the same fundings, amounts in dollars, and the netting holds to the cent.
    deposits = await everything(client, headers, "deposits")
    listed = await listing(client, m, "deposits")
    assert [x["funding_master_id"] for x in deposits] == [x["funding_master_id"] for x in listed]
    for item, row in zip(deposits, listed, strict=True):
        for name in ("amount", "sales_amount", "refunds_amount", "fees_amount"):
            assert item[name] == dollars(row[name]), name
        for name in ("chargebacks_amount", "reversals_amount", "adjustments_amount"):
            assert item[name] == dollars(row[name]), name
        net = (
            Decimal(row["sales_amount"])
            - Decimal(row["refunds_amount"])
            - Decimal(row["fees_amount"])
            - Decimal(row["chargebacks_amount"])
            + Decimal(row["reversals_amount"])
            + Decimal(row["adjustments_amount"])
        )
        assert Decimal(str(item["amount"])) == net
        assert (item["batch_id"], item["deposit_date"]) == (row["batch_id"], row["deposit_date"])

    # The chargeback, with its reason code, and its fee among the adjustments.
    [cb] = await everything(client, headers, "chargebacks")
    [cb_row] = await listing(client, m, "chargebacks")
    assert (cb["trans_id"], cb["reason_code"], cb["amount"]) == (d["trans_id"], "10.4", 40.0)
    assert (cb["case_number"], cb["id"]) == (cb_row["case_number"], cb_row["chargeback_id"])
    assert cb["card_number"] == "**** **** **** 0259" and cb["card_brand_id"] == 1
    assert cb["funding_master_id"] == cb_row["funding_master_id"] is not None
    adjustments = {
        x["adjustment_type"]: x for x in await everything(client, headers, "adjustments")
    }
    assert adjustments["chargeback_fee"]["amount"] == -15.0
    assert adjustments["chargeback_fee"]["case_number"] == cb["case_number"]
    assert adjustments["manual"]["amount"] == -7.5
    assert adjustments["manual"]["adjustment_reason"] == "Terminal rental"
    assert adjustments["manual"]["funding_master_id"] is not None

    # One funding's whole story, by the documented example filter.
    fid = cb["funding_master_id"]
    q = {"funding_master_id": fid}
    assert [x["id"] for x in await everything(client, headers, "chargebacks", q)] == [cb["id"]]
    assert {x["adjustment_type"] for x in await everything(client, headers, "adjustments", q)} == {
        "chargeback_fee"
    }
    assert [x["funding_master_id"] for x in await everything(client, headers, "deposits", q)] == [
        fid
    ]
