"""Chargebacks: the lifecycle table, opening one by hand, deciding by admin and by clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from itertools import product

import httpx
import pytest

from homerun.settlement.state import (
    TRANSITIONS,
    ChargebackEvent,
    ChargebackState,
    IllegalChargebackTransition,
    allowed,
    apply,
)
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import charge, events, post
from tests.settlement.support import (
    advance_until,
    balance,
    go_to_next,
    listing,
    rekey,
    utc_merchant,
)

EXPECTED = {
    (ChargebackState.OPEN, ChargebackEvent.WIN): ChargebackState.WON,
    (ChargebackState.OPEN, ChargebackEvent.LOSE): ChargebackState.LOST,
}


@pytest.mark.parametrize(("state", "event"), list(product(ChargebackState, ChargebackEvent)))
def test_every_state_and_event_pair(state: ChargebackState, event: ChargebackEvent) -> None:
    if (state, event) in EXPECTED:
        assert allowed(state, event)
        assert apply(state, event) is EXPECTED[(state, event)]
    else:
        assert not allowed(state, event)
        with pytest.raises(IllegalChargebackTransition):
            apply(state, event)
    assert TRANSITIONS == EXPECTED


async def open_cb(client: httpx.AsyncClient, **body: object) -> httpx.Response:
    return await client.post("/homerun/v1/chargebacks", json=body, headers=ADMIN)


async def settled_sales(
    client: httpx.AsyncClient, m: MerchantAccess, *amounts: str, card: str = "4111111111111111"
) -> list[str]:
    ids = []
    for amount in amounts:
        body = (await charge(client, m, amount=amount, cvn="123", account_token=card)).json()
        assert body["result"] == "A"
        ids.append(body["trans_id"])
    closed = await client.post(f"/homerun/v1/merchants/{m.mid}/batches/close", headers=ADMIN)
    assert closed.json()["transaction_count"] == len(amounts)
    return ids


async def test_opening_by_hand_and_every_refusal(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await utc_merchant(make_merchant, chargeback_fee="25.00")
    first, second = await settled_sales(client, m, "80.00", "30.00")
    open_sale = (await charge(client, m, amount="10.00")).json()["trans_id"]
    refund = await post(client, m, "/api/v1/refund", trans_id=second, amount="10.00")
    assert refund.json()["result"] == "A"

    refusals = [
        ({"mid": "999999999999", "trans_id": first}, 404, "not_found"),
        ({"mid": m.mid, "trans_id": "123456789012"}, 404, "not_found"),
        ({"mid": m.mid, "trans_id": open_sale}, 409, "conflict"),
        ({"mid": m.mid, "trans_id": second, "amount": "20.01"}, 400, "invalid_request"),
        ({"mid": m.mid, "trans_id": first, "amount": "0"}, 400, "invalid_request"),
        ({"mid": m.mid, "trans_id": first, "reason_code": "4853"}, 400, "invalid_request"),
        ({"mid": m.mid}, 400, "invalid_request"),
        ({"mid": "12", "trans_id": first}, 400, "invalid_request"),
    ]
    for body, status, code in refusals:
        answer = await open_cb(client, **body)
        assert (answer.status_code, answer.json()["code"]) == (status, code), (body, answer.text)
    bad_reason = await open_cb(client, mid=m.mid, trans_id=first, reason_code="4853")
    assert "10.4" in bad_reason.json()["errors"]["reason_code"][0]
    assert await listing(client, m, "chargebacks") == []

    partial = await open_cb(client, mid=m.mid, trans_id=second)
    assert partial.status_code == 201, partial.text
    assert (partial.json()["amount"], partial.json()["reason_code"]) == ("20.00", "10.4")
    whole = await open_cb(client, mid=m.mid, trans_id=first, amount="50.00", reason_code="13.1")
    assert whole.status_code == 201, whole.text
    body = whole.json()
    assert (body["amount"], body["fee_amount"], body["state"], body["source"]) == (
        "50.00",
        "25.00",
        "open",
        "manual",
    )
    assert body["reason_text"] == "Merchandise/Services Not Received"
    assert len(body["case_number"]) == 12 and body["card_brand"] == "VISA"
    twice = await open_cb(client, mid=m.mid, trans_id=first)
    assert twice.status_code == 409

    fees = await listing(client, m, "adjustments")
    assert [(a["adjustment_type"], a["amount"]) for a in fees] == [("chargeback_fee", "-25.00")] * 2
    assert {a["chargeback_id"] for a in fees} == {
        partial.json()["chargeback_id"],
        body["chargeback_id"],
    }
    money = await balance(client, m)
    assert (money["chargebacks"], money["adjustments"]) == ("70.00", "-50.00")
    entered = [e for e in await events(client, m) if e["event_type"] == "chargeback.entered"]
    assert [e["payload"]["chargeback_id"] for e in entered] == [
        partial.json()["chargeback_id"],
        body["chargeback_id"],
    ]
    assert entered[1]["payload"] | {"chargeback_date": None, "respond_by": None} == {
        "chargeback_id": body["chargeback_id"],
        "case_number": body["case_number"],
        "mid": m.mid,
        "trans_id": first,
        "order_id": entered[1]["payload"]["order_id"],
        "invoice_id": None,
        "batch_id": body["batch_id"],
        "amount": "50.00",
        "fee_amount": "25.00",
        "currency": "USD",
        "reason_code": "13.1",
        "reason_text": "Merchandise/Services Not Received",
        "card_brand": "VISA",
        "card_number": "**** **** **** 1111",
        "state": "open",
        "source": "manual",
        "chargeback_date": None,
        "respond_by": None,
        "decided_at": None,
        "decided_by": None,
    }


async def test_admin_decisions_win_or_lose_once(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await utc_merchant(make_merchant, chargeback_fee="0")
    first, second = await settled_sales(client, m, "40.00", "60.00")
    won = (await open_cb(client, mid=m.mid, trans_id=first)).json()["chargeback_id"]
    lost = (await open_cb(client, mid=m.mid, trans_id=second)).json()["chargeback_id"]
    answer = await client.post(f"/homerun/v1/chargebacks/{won}/win", headers=ADMIN)
    assert (answer.status_code, answer.json()["state"]) == (200, "won")
    answer = await client.post(f"/homerun/v1/chargebacks/{lost}/lose", headers=ADMIN)
    assert (answer.status_code, answer.json()["state"], answer.json()["decided_by"]) == (
        200,
        "lost",
        "admin",
    )
    for decided, verb in ((won, "lose"), (lost, "win"), (won, "win")):
        again = await client.post(f"/homerun/v1/chargebacks/{decided}/{verb}", headers=ADMIN)
        assert again.status_code == 409, again.text
    missing = await client.post("/homerun/v1/chargebacks/999999999/win", headers=ADMIN)
    assert missing.status_code == 404
    money = await balance(client, m)
    assert (money["chargebacks"], money["reversals"], money["adjustments"]) == (
        "100.00",
        "40.00",
        "0.00",
    )
    kinds = [e["event_type"] for e in await events(client, m)]
    assert kinds.count("chargeback.won") == kinds.count("chargeback.lost") == 1


async def test_the_clock_opens_planned_chargebacks_and_decides_undecided_ones(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    monday = await go_to_next(client, 0, 9)
    m = await utc_merchant(make_merchant, chargeback_fee="0")
    [fraud_with_cvv] = await settled_sales(client, m, "70.00")
    [dispute] = await settled_sales(client, m, "30.00")
    [planned] = await settled_sales(client, m, "20.00", card="5105105105105100")
    assert (await open_cb(client, mid=m.mid, trans_id=fraud_with_cvv)).status_code == 201
    assert (
        await open_cb(client, mid=m.mid, trans_id=dispute, reason_code="13.3")
    ).status_code == 201

    body = await advance_until(client, monday + timedelta(days=10, minutes=1))
    chargebacks = await listing(client, m, "chargebacks")
    assert len(chargebacks) == 3
    simulated = chargebacks[2]
    assert str(simulated["chargeback_id"]) in body["summary"]["chargeback_ids"]
    assert (simulated["trans_id"], simulated["reason_code"], simulated["source"]) == (
        planned,
        "4853",
        "simulator",
    )
    settled_at = datetime.fromisoformat((await listing(client, m, "batches"))[2]["closed_at"])
    assert simulated["opened_at"] == (settled_at + timedelta(days=10)).isoformat()

    await advance_until(client, monday + timedelta(days=41))
    decided = {cb["trans_id"]: cb for cb in await listing(client, m, "chargebacks")}
    # Fraud claimed on a sale whose CVV matched: won. A dispute, and 4853: lost.
    assert {t: (cb["state"], cb["decided_by"]) for t, cb in decided.items()} == {
        fraud_with_cvv: ("won", "clock"),
        dispute: ("lost", "clock"),
        planned: ("lost", "clock"),
    }
    assert decided[fraud_with_cvv]["decided_at"] == decided[fraud_with_cvv]["respond_by"]
    m = await rekey(client, m)
    money = await balance(client, m)
    assert (money["chargebacks"], money["reversals"], money["pending_funding"]) == (
        "120.00",
        "70.00",
        "0.00",
    )
