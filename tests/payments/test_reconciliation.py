"""A transaction left unknown by a processor timeout is reconciled by the worker."""

from __future__ import annotations

import httpx

from tests.conftest import ADMIN, MerchantAccess
from tests.helpers import charge, events, transaction

TIMEOUT_CARD = "4000000000000119"


async def test_the_clock_reconciles_an_unknown_sale_a_minute_later(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = (await charge(client, merchant, account_token=TIMEOUT_CARD, amount=4200)).json()
    assert (body["result"], body["resp_code"]) == ("B", "62")
    trans_id = body["trans_id"]
    assert (await transaction(client, merchant, trans_id))["state"] == "unknown"

    advanced = await client.post("/homerun/v1/clock/advance", json={"seconds": 61}, headers=ADMIN)
    assert advanced.status_code == 200, advanced.text

    stored = await transaction(client, merchant, trans_id)
    assert (stored["state"], stored["result"], stored["amount_captured"]) == ("captured", "A", 4200)
    assert [e["event_type"] for e in await events(client, merchant)] == ["transaction.entered"]


async def test_reconciling_twice_changes_nothing_the_second_time(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = (await charge(client, merchant, account_token=TIMEOUT_CARD, capture="N")).json()
    path = f"/homerun/v1/merchants/{merchant.mid}/transactions/{body['trans_id']}/reconcile"
    first = (await client.post(path, headers=ADMIN)).json()
    assert (first["result"], first["settlement_status"]) == ("A", "Authorized")
    second = (await client.post(path, headers=ADMIN)).json()
    assert (second["result"], second["resp_code"]) == ("C", "94")
    stored = await transaction(client, merchant, body["trans_id"])
    assert (stored["state"], stored["amount_authorized"]) == ("authorized", 1000)
    assert [e["event_type"] for e in await events(client, merchant)] == ["transaction.entered"]
    advanced = await client.post("/homerun/v1/clock/advance", json={"seconds": 61}, headers=ADMIN)
    assert advanced.status_code == 200
    assert [e["event_type"] for e in await events(client, merchant)] == ["transaction.entered"]
