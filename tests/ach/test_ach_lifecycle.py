"""An ACH payment's life (ruling R15): origination, settlement, voids and refunds."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from tests.ach.helpers import ach_sale, originate, settle_ach
from tests.conftest import MerchantAccess, MerchantFactory
from tests.helpers import events, post, settle, transaction

N = 50


@pytest.fixture
async def m(make_merchant: MerchantFactory) -> MerchantAccess:
    return await make_merchant(accepts="both")


async def state_of(client: httpx.AsyncClient, m: MerchantAccess, trans_id: str) -> str:
    found: str = (await transaction(client, m, trans_id))["state"]
    return found


async def test_origination_and_settlement_move_only_ach_payments(
    client: httpx.AsyncClient, m: MerchantAccess
) -> None:
    first = await ach_sale(client, m, 2500)
    second = await ach_sale(client, m, 1500, account_number="86063002")
    card = (
        await post(
            client,
            m,
            "/api/v1/charge",
            amount=700,
            account_token="4111111111111111",
            expiration="12/30",
        )
    ).json()
    assert await settle_ach(client, m) == {"transaction_count": 0}  # nothing originated yet
    done = await originate(client, m)
    assert done["transaction_count"] == 2 and done["batch_id"].startswith("ACH")
    for trans_id in (first, second):
        stored = await transaction(client, m, trans_id)
        assert (stored["state"], stored["settlement_status"]) == ("originated", "Pending")
        assert stored["batch_id"] == done["batch_id"]
    assert await state_of(client, m, card["trans_id"]) == "captured"
    assert await originate(client, m) == {"batch_id": None, "transaction_count": 0}
    assert (await settle(client, m))["transaction_count"] == 1  # the card batch: the card alone
    assert await settle_ach(client, m) == {"transaction_count": 2}
    stored = await transaction(client, m, first)
    assert (stored["state"], stored["settlement_status"]) == ("settled", "Settled")


async def test_a_void_is_whole_and_allowed_until_origination(
    client: httpx.AsyncClient, m: MerchantAccess
) -> None:
    trans_id = await ach_sale(client, m, 2500)
    part = (await post(client, m, "/api/v1/void", trans_id=trans_id, amount=1000)).json()
    assert (part["result"], part["resp_code"]) == ("C", "43")
    early = (
        await post(client, m, "/api/v1/void-or-refund", trans_id=trans_id, action="refund")
    ).json()
    assert (early["result"], early["resp_code"], early["resp_text"]) == (
        "C",
        "28",
        "Txn not settled",
    )
    assert await state_of(client, m, trans_id) == "accepted"
    voided = (await post(client, m, "/api/v1/void-or-refund", trans_id=trans_id)).json()
    assert (voided["result"], voided["trans_type"], voided["amount"]) == ("A", "void", 2500)
    assert voided["settlement_status"] == "Voided" and voided["card_brand"] == "ACH"
    assert await state_of(client, m, trans_id) == "voided"
    assert (await originate(client, m))["transaction_count"] == 0
    again = (await post(client, m, "/api/v1/void-or-refund", trans_id=trans_id)).json()
    assert (again["result"], again["resp_code"]) == ("C", "94")
    kinds = [e["event_type"] for e in await events(client, m)]
    assert kinds == ["transaction.entered", "transaction.void"]


async def test_an_originated_payment_can_be_neither_voided_nor_refunded(
    client: httpx.AsyncClient, m: MerchantAccess
) -> None:
    trans_id = await ach_sale(client, m, 2500)
    await originate(client, m)
    void = (
        await post(client, m, "/api/v1/void-or-refund", trans_id=trans_id, action="void")
    ).json()
    assert (void["result"], void["resp_code"], void["resp_text"]) == ("C", "27", "Txn Batched")
    refund = (await post(client, m, "/api/v1/refund", trans_id=trans_id)).json()
    assert (refund["result"], refund["resp_code"]) == ("C", "28")
    stored = await transaction(client, m, trans_id)
    assert (stored["state"], stored["amount_refunded"]) == ("originated", 0)


async def test_refunds_are_credits_after_settlement_and_never_exceed_it(
    client: httpx.AsyncClient, m: MerchantAccess
) -> None:
    trans_id = await ach_sale(client, m, 2500)
    await originate(client, m)
    await settle_ach(client, m)
    void = (
        await post(client, m, "/api/v1/void-or-refund", trans_id=trans_id, action="void")
    ).json()
    assert (void["result"], void["resp_code"]) == ("C", "27")
    part = (await post(client, m, "/api/v1/refund", trans_id=trans_id, amount="10.00")).json()
    assert (part["result"], part["trans_type"], part["amount"]) == ("A", "refund", "10.00")
    assert (part["card_brand"], part["payment_method"], part["settlement_status"]) == (
        "ACH",
        "ach",
        "Pending",
    )
    too_much = (await post(client, m, "/api/v1/refund", trans_id=trans_id, amount=1501)).json()
    assert (too_much["result"], too_much["resp_code"]) == ("C", "43")
    rest = (await post(client, m, "/api/v1/refund", trans_id=trans_id)).json()
    assert (rest["result"], rest["amount"]) == ("A", 1500)
    stored = await transaction(client, m, trans_id)
    assert (stored["state"], stored["amount_refunded"]) == ("refunded", 2500)
    nothing = (await post(client, m, "/api/v1/refund", trans_id=trans_id)).json()
    assert (nothing["result"], nothing["resp_code"]) == ("C", "94")
    # The credits are ACH payments of their own: originated and settled like the debit.
    credit = await transaction(client, m, part["trans_id"])
    assert (credit["state"], credit["parent_trans_id"], credit["account"]) == (
        "accepted",
        trans_id,
        "****3057",
    )
    assert (await originate(client, m))["transaction_count"] == 2
    assert (await settle(client, m))["transaction_count"] == 0  # not in a card batch
    assert await settle_ach(client, m) == {"transaction_count": 2}
    assert await state_of(client, m, part["trans_id"]) == "settled"
    credit_refund = (await post(client, m, "/api/v1/refund", trans_id=part["trans_id"])).json()
    assert (credit_refund["result"], credit_refund["resp_code"]) == ("C", "94")
    kinds = [e["event_type"] for e in await events(client, m)]
    assert kinds == ["transaction.entered", "transaction.partialrefund", "transaction.refund"]


async def test_concurrent_refunds_never_exceed_what_settled(
    client: httpx.AsyncClient, m: MerchantAccess
) -> None:
    """50 refunds of $7.00 against a settled $100.00 ACH payment: exactly 14 fit."""
    trans_id = await ach_sale(client, m, 10000)
    await originate(client, m)
    await settle_ach(client, m)
    answers: list[Any] = await asyncio.gather(
        *(post(client, m, "/api/v1/refund", trans_id=trans_id, amount=700) for _ in range(N))
    )
    assert all(a.status_code == 200 for a in answers)
    bodies = [a.json() for a in answers]
    ok = [b for b in bodies if b["result"] == "A"]
    refused = [b for b in bodies if b["result"] != "A"]
    assert len(ok) == 14
    assert {(b["resp_code"], b["resp_text"]) for b in refused} == {("43", "Invalid amount")}
    assert sorted(b["amount_refunded"] for b in ok) == [700 * k for k in range(1, 15)]
    stored = await transaction(client, m, trans_id)
    assert (stored["state"], stored["amount_captured"], stored["amount_refunded"]) == (
        "partially_refunded",
        10000,
        9800,
    )
    assert (await originate(client, m))["transaction_count"] == 14
    found = [e for e in await events(client, m) if e["event_type"] == "transaction.partialrefund"]
    assert len(found) == 14
