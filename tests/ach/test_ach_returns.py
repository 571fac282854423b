"""What the payer's bank sends back about an ACH payment (ruling R15): returns (R01..R85)
and notifications of change (C01..), by an admin action on any ACH payment."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.ach.helpers import ach_sale, originate, settle_ach
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import charge, events, post, transaction


@pytest.fixture
async def m(make_merchant: MerchantFactory) -> MerchantAccess:
    return await make_merchant(accepts="both")


async def bank_answer(
    client: httpx.AsyncClient, m: MerchantAccess, trans_id: str, **body: Any
) -> httpx.Response:
    return await client.post(
        f"/homerun/v1/merchants/{m.mid}/transactions/{trans_id}/ach-return",
        json=body,
        headers=ADMIN,
    )


async def settled_sale(client: httpx.AsyncClient, m: MerchantAccess, amount: int = 2500) -> str:
    trans_id = await ach_sale(client, m, amount)
    await originate(client, m)
    await settle_ach(client, m)
    return trans_id


async def test_a_return_marks_the_payment_returned_everywhere_and_emits_it(
    client: httpx.AsyncClient, m: MerchantAccess
) -> None:
    trans_id = await settled_sale(client, m)
    answer = await bank_answer(client, m, trans_id, return_code="r01")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["settlement_status"], body["return_code"], body["return_reason"]) == (
        "Returned",
        "R01",
        "Insufficient funds",
    )
    stored = await transaction(client, m, trans_id)
    assert (stored["state"], stored["return_code"]) == ("returned", "R01")
    [event] = [e for e in await events(client, m) if e["event_type"] == "transaction.returned"]
    assert event["source_id"] == trans_id
    payload = event["payload"]
    assert (payload["trans_id"], payload["return_code"], payload["return_reason"]) == (
        trans_id,
        "R01",
        "Insufficient funds",
    )
    assert (payload["returned_amount"], payload["state"]) == ("25.00", "returned")
    # Nothing is left to refund, void or return.
    refund = (await post(client, m, "/api/v1/refund", trans_id=trans_id)).json()
    assert (refund["result"], refund["resp_code"]) == ("C", "94")
    again = await bank_answer(client, m, trans_id, return_code="R02")
    assert again.status_code == 409, again.text
    assert (await transaction(client, m, trans_id))["return_code"] == "R01"


@pytest.mark.parametrize("code", ["R10", "R29", "R48", "R85"])
async def test_any_return_code_with_an_own_reason(
    client: httpx.AsyncClient, m: MerchantAccess, code: str
) -> None:
    trans_id = await ach_sale(client, m)
    await originate(client, m)  # a return may come before the settlement day too
    answer = await bank_answer(client, m, trans_id, return_code=code, return_reason="Per RDFI")
    assert answer.status_code == 200, answer.text
    assert (answer.json()["return_code"], answer.json()["return_reason"]) == (code, "Per RDFI")


async def test_a_partly_refunded_payment_can_be_returned(
    client: httpx.AsyncClient, m: MerchantAccess
) -> None:
    trans_id = await settled_sale(client, m, 5000)
    await post(client, m, "/api/v1/refund", trans_id=trans_id, amount=1000)
    answer = await bank_answer(client, m, trans_id, return_code="R10")
    assert answer.json()["settlement_status"] == "Returned"
    stored = await transaction(client, m, trans_id)
    assert (stored["state"], stored["amount_refunded"]) == ("returned", 1000)


async def test_a_notification_of_change_moves_no_money(
    client: httpx.AsyncClient, m: MerchantAccess
) -> None:
    trans_id = await settled_sale(client, m)
    answer = await bank_answer(client, m, trans_id, return_code="C01")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["settlement_status"], body["return_code"], body["change_code"]) == (
        "Settled",
        None,
        "C01",
    )
    assert body["change_reason"] == "Incorrect DFI account number"
    assert (await transaction(client, m, trans_id))["state"] == "settled"
    [event] = [e for e in await events(client, m) if e["event_type"] == "transaction.noc"]
    assert (event["payload"]["change_code"], event["payload"]["change_reason"]) == (
        "C01",
        "Incorrect DFI account number",
    )
    refund = (await post(client, m, "/api/v1/refund", trans_id=trans_id)).json()
    assert refund["result"] == "A"  # the payment is as refundable as before


@pytest.mark.parametrize("code", ["R00", "R86", "X01", "C04", "R1", ""])
async def test_a_bad_code_is_400_naming_return_code(
    client: httpx.AsyncClient, m: MerchantAccess, code: str
) -> None:
    trans_id = await settled_sale(client, m)
    before = await events(client, m)
    answer = await bank_answer(client, m, trans_id, return_code=code)
    assert answer.status_code == 400, answer.text
    assert list(answer.json()["errors"]) == ["return_code"]
    assert (await transaction(client, m, trans_id))["state"] == "settled"
    assert await events(client, m) == before


async def test_only_a_sent_ach_payment_can_come_back(
    client: httpx.AsyncClient, m: MerchantAccess
) -> None:
    accepted = await ach_sale(client, m)
    for code in ("R01", "C01"):
        answer = await bank_answer(client, m, accepted, return_code=code)
        assert answer.status_code == 409, answer.text
    assert (await transaction(client, m, accepted))["state"] == "accepted"
    card = (await charge(client, m)).json()["trans_id"]
    answer = await bank_answer(client, m, card, return_code="R01")
    assert answer.status_code == 409, answer.text
    assert "not an ACH payment" in answer.json()["error"]
    missing = await bank_answer(client, m, "999999999", return_code="R01")
    assert missing.status_code == 404, missing.text
    kinds = [e["event_type"] for e in await events(client, m)]
    assert "transaction.returned" not in kinds and "transaction.noc" not in kinds
