"""POST /api/v1/void-or-refund and its aliases (ruling R7): voids, refunds, refusals, events."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import MerchantAccess, MerchantFactory
from tests.helpers import charge, events, post, settle, transaction

CANONICAL = "/api/v1/void-or-refund"
ALIASES = (
    "/api/v1/void-or-refund",
    "/api/v1/void_or_refund",
    "/api/v1/transactions/void-or-refund",
    "/api/v1/void",
    "/api/v1/refund",
)
SURCHARGE_3 = {"surcharge_enabled": True, "surcharge_rate": "3.00"}


async def sale(
    client: httpx.AsyncClient, m: MerchantAccess, amount: int | str = 10000, **fields: Any
) -> str:
    body = (await charge(client, m, amount=amount, **fields)).json()
    assert (body["result"], body["trans_type"]) == ("A", "sale"), body
    trans_id: str = body["trans_id"]
    return trans_id


async def authorize(
    client: httpx.AsyncClient, m: MerchantAccess, amount: int | str = 10000, **fields: Any
) -> str:
    body = (await charge(client, m, amount=amount, capture="N", **fields)).json()
    assert (body["result"], body["trans_type"]) == ("A", "auth"), body
    trans_id: str = body["trans_id"]
    return trans_id


async def settled_sale(
    client: httpx.AsyncClient, m: MerchantAccess, amount: int | str = 10000, **fields: Any
) -> str:
    trans_id = await sale(client, m, amount, **fields)
    assert (await settle(client, m))["transaction_count"] >= 1
    return trans_id


async def reverse(
    client: httpx.AsyncClient,
    m: MerchantAccess,
    trans_id: str,
    path: str = CANONICAL,
    **fields: Any,
) -> dict[str, Any]:
    answer = await post(client, m, path, trans_id=trans_id, **fields)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def snapshot(
    client: httpx.AsyncClient, m: MerchantAccess, trans_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return await transaction(client, m, trans_id), await events(client, m)


def approved(body: dict[str, Any]) -> None:
    assert (body["result"], body["resp_code"], body["resp_text"]) == ("A", "00", "Approval"), body


def refused(body: dict[str, Any], code: str, text: str) -> None:
    assert (body["result"], body["resp_code"], body["resp_text"], body["resp_proc"]) == (
        "C",
        code,
        text,
        "PPS",
    ), body


def amounts(stored: dict[str, Any]) -> tuple[Any, ...]:
    return (
        stored["state"],
        stored["amount_authorized"],
        stored["amount_captured"],
        stored["amount_refunded"],
        stored["fee_amount"],
        stored["fee_refunded"],
    )


# ---------------------------------------------------------------- voids


@pytest.mark.parametrize("path", ALIASES)
async def test_void_of_an_authorization_on_every_path(
    client: httpx.AsyncClient, merchant: MerchantAccess, path: str
) -> None:
    trans_id = await authorize(client, merchant, amount=4200, order_id="ORD-V1")
    body = await reverse(client, merchant, trans_id, path)
    approved(body)
    assert (body["trans_id"], body["original_trans_id"], body["trans_type"]) == (
        trans_id,
        trans_id,
        "void",
    )
    assert (body["amount"], body["fee_amount"], body["amount_refunded"]) == (4200, "0.00", 0)
    assert (body["mid"], body["order_id"], body["resp_proc"]) == (merchant.mid, "ORD-V1", "SIM")
    assert body["settlement_status"] == "Voided"
    stored = await transaction(client, merchant, trans_id)
    assert amounts(stored) == ("voided", 4200, 0, 0, "0.00", 0)
    found = await events(client, merchant)
    assert [e["event_type"] for e in found] == ["transaction.entered", "transaction.void"]
    assert found[1]["source_id"] == trans_id
    payload = found[1]["payload"]
    assert payload["trans_id"] == payload["original_trans_id"] == trans_id
    assert (payload["state"], payload["trans_type"], payload["order_id"]) == (
        "voided",
        "auth",
        "ORD-V1",
    )
    assert (payload["reversed_amount"], payload["reversed_fee_amount"]) == ("42.00", "0.00")
    assert (payload["result"], payload["resp_code"], payload["mid"]) == ("A", "00", merchant.mid)
    assert payload["card_number"] == "**** **** **** 1111"


async def test_void_of_an_unsettled_sale_keeps_its_trans_id(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await sale(client, merchant, amount="25.99")
    body = await reverse(client, merchant, trans_id, "/api/v1/void")
    approved(body)
    assert (body["trans_id"], body["amount"], body["trans_type"]) == (trans_id, "25.99", "void")
    stored = await transaction(client, merchant, trans_id)
    assert amounts(stored) == ("voided", 2599, 0, 0, "0.00", 0)
    found = await events(client, merchant)
    assert [e["event_type"] for e in found] == ["transaction.entered", "transaction.void"]
    assert found[1]["payload"]["reversed_amount"] == "25.99"
    # Nothing of it reaches a batch.
    assert (await settle(client, merchant))["transaction_count"] == 0


async def test_amount_zero_voids_the_whole_transaction(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await sale(client, merchant, amount=3000)
    body = await reverse(client, merchant, trans_id, amount=0)
    approved(body)
    assert body["amount"] == 3000
    assert (await transaction(client, merchant, trans_id))["state"] == "voided"


async def test_partial_void_of_an_authorization_lowers_it(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await authorize(client, merchant, amount=5000)
    body = await reverse(client, merchant, trans_id, amount="20.00")
    approved(body)
    assert (body["trans_id"], body["amount"], body["trans_type"]) == (trans_id, "20.00", "void")
    stored = await transaction(client, merchant, trans_id)
    assert amounts(stored) == ("authorized", 3000, 0, 0, "0.00", 0)
    found = await events(client, merchant)
    assert [e["event_type"] for e in found] == ["transaction.entered", "transaction.void"]
    assert found[1]["payload"]["reversed_amount"] == "20.00"
    assert found[1]["payload"]["state"] == "authorized"
    # The lowered authorization is what can be captured now.
    too_much = await post(client, merchant, "/api/v1/capture", trans_id=trans_id, amount=3001)
    refused(too_much.json(), "43", "Invalid amount")
    captured = (await post(client, merchant, "/api/v1/capture", trans_id=trans_id)).json()
    assert (captured["result"], captured["amount"]) == ("A", 3000)


async def test_partial_void_of_an_unsettled_sale_lowers_what_settles(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await sale(client, merchant, amount=5000)
    body = await reverse(client, merchant, trans_id, amount=1250)
    approved(body)
    assert body["amount"] == 1250
    stored = await transaction(client, merchant, trans_id)
    assert amounts(stored)[0:3] == ("captured", 3750, 3750)
    second = await reverse(client, merchant, trans_id, amount=750)
    approved(second)
    stored = await transaction(client, merchant, trans_id)
    assert amounts(stored) == ("captured", 3000, 3000, 0, "0.00", 0)
    settled = await settle(client, merchant)
    assert (settled["transaction_count"], settled["net_amount"]) == (1, "30.00")


async def test_partial_void_of_a_surcharged_sale_gives_back_its_share_of_the_fee(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(**SURCHARGE_3)
    trans_id = await sale(client, m, amount="100.00", account_zip="19106")
    body = await reverse(client, m, trans_id, amount="40.00")
    approved(body)
    assert (body["amount"], body["fee_amount"]) == ("40.00", "1.20")
    stored = await transaction(client, m, trans_id)
    assert amounts(stored) == ("captured", 6000, 6000, 0, "1.80", 0)
    assert (await events(client, m))[-1]["payload"]["reversed_fee_amount"] == "1.20"
    assert (await settle(client, m))["net_amount"] == "61.80"


async def test_void_of_a_surcharged_sale_gives_back_the_whole_fee(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(**SURCHARGE_3)
    trans_id = await sale(client, m, amount=10000, account_zip="19106")
    body = await reverse(client, m, trans_id)
    approved(body)
    assert (body["amount"], body["fee_amount"]) == (10000, "3.00")
    stored = await transaction(client, m, trans_id)
    assert amounts(stored) == ("voided", 10000, 0, 0, "0.00", 0)


async def test_void_of_a_surcharged_authorization_releases_its_fee(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(**SURCHARGE_3)
    trans_id = await authorize(client, m, amount=10000, account_zip="19106")
    partial = await reverse(client, m, trans_id, amount=2500)
    approved(partial)
    assert (partial["amount"], partial["fee_amount"]) == (2500, "0.75")
    assert (await transaction(client, m, trans_id))["amount_authorized"] == 7500
    rest = await reverse(client, m, trans_id)
    approved(rest)
    assert (rest["amount"], rest["fee_amount"]) == (7500, "2.25")
    assert (await transaction(client, m, trans_id))["state"] == "voided"


async def test_void_more_than_the_amount_is_invalid_amount_and_changes_nothing(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    auth = await authorize(client, merchant, amount=5000)
    unsettled = await sale(client, merchant, amount=5000)
    for trans_id in (auth, unsettled):
        before = await snapshot(client, merchant, trans_id)
        body = await reverse(client, merchant, trans_id, amount="50.01")
        refused(body, "43", "Invalid amount")
        assert (body["trans_id"], body["amount"]) == (trans_id, "50.01")
        assert await snapshot(client, merchant, trans_id) == before


async def test_void_after_a_partial_void_cannot_exceed_what_is_left(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await sale(client, merchant, amount=5000)
    approved(await reverse(client, merchant, trans_id, amount=4000))
    before = await snapshot(client, merchant, trans_id)
    refused(await reverse(client, merchant, trans_id, amount=1001), "43", "Invalid amount")
    assert await snapshot(client, merchant, trans_id) == before


# ---------------------------------------------------------------- refunds


@pytest.mark.parametrize("amount", [None, 0, "0", "0.00"])
async def test_full_refund_of_a_settled_sale(
    client: httpx.AsyncClient, merchant: MerchantAccess, amount: Any
) -> None:
    trans_id = await settled_sale(client, merchant, amount=10000, order_id="ORD-R1")
    fields = {} if amount is None else {"amount": amount}
    body = await reverse(client, merchant, trans_id, "/api/v1/refund", **fields)
    approved(body)
    refund_id = body["trans_id"]
    assert refund_id != trans_id and refund_id.isdigit()
    assert (body["original_trans_id"], body["trans_type"], body["order_id"]) == (
        trans_id,
        "refund",
        "ORD-R1",
    )
    # The refund answers in the form the request used (R3): a dollar string, a string of
    # digits (cents), or integer cents; with no amount, the sale's own form.
    expected_amount = {"0.00": "100.00", "0": "10000"}.get(amount, 10000)
    assert (body["amount"], body["fee_amount"], body["amount_refunded"]) == (
        expected_amount,
        "0.00",
        expected_amount,
    )
    assert body["settlement_status"] == "Pending"
    original = await transaction(client, merchant, trans_id)
    assert amounts(original) == ("refunded", 10000, 10000, 10000, "0.00", 0)
    refund = await transaction(client, merchant, refund_id)
    assert (refund["state"], refund["trans_type"], refund["parent_trans_id"]) == (
        "captured",
        "refund",
        trans_id,
    )
    assert refund["amount_captured"] == 10000
    found = await events(client, merchant)
    assert [e["event_type"] for e in found] == ["transaction.entered", "transaction.refund"]
    assert found[1]["source_id"] == refund_id
    payload = found[1]["payload"]
    assert (payload["trans_id"], payload["original_trans_id"]) == (refund_id, trans_id)
    assert (payload["trans_type"], payload["state"], payload["order_id"]) == (
        "refund",
        "captured",
        "ORD-R1",
    )
    assert (payload["amount"], payload["reversed_amount"], payload["reversed_fee_amount"]) == (
        "100.00",
        "100.00",
        "0.00",
    )
    # The refund settles in the next batch, as money going back.
    settled = await settle(client, merchant)
    assert (settled["transaction_count"], settled["net_amount"]) == (1, "-100.00")
    assert (await transaction(client, merchant, refund_id))["state"] == "settled"


@pytest.mark.parametrize("path", ALIASES)
async def test_partial_refund_on_every_path(
    client: httpx.AsyncClient, merchant: MerchantAccess, path: str
) -> None:
    trans_id = await settled_sale(client, merchant, amount=10000)
    body = await reverse(client, merchant, trans_id, path, amount="30.00")
    approved(body)
    assert (body["amount"], body["amount_refunded"], body["trans_type"]) == (
        "30.00",
        "30.00",
        "refund",
    )
    assert amounts(await transaction(client, merchant, trans_id)) == (
        "partially_refunded",
        10000,
        10000,
        3000,
        "0.00",
        0,
    )
    found = await events(client, merchant)
    assert [e["event_type"] for e in found] == ["transaction.entered", "transaction.partialrefund"]
    assert found[1]["payload"]["reversed_amount"] == "30.00"
    assert found[1]["payload"]["original_trans_id"] == trans_id


async def test_partial_refunds_sum_to_the_captured_amount_and_no_more(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await settled_sale(client, merchant, amount=10000)
    refund_ids = []
    for amount, refunded, state in (
        (2500, 2500, "partially_refunded"),
        (2500, 5000, "partially_refunded"),
        (4999, 9999, "partially_refunded"),
        (1, 10000, "refunded"),
    ):
        body = await reverse(client, merchant, trans_id, amount=amount)
        approved(body)
        assert (body["amount"], body["amount_refunded"]) == (amount, refunded)
        refund_ids.append(body["trans_id"])
        stored = await transaction(client, merchant, trans_id)
        assert (stored["state"], stored["amount_refunded"]) == (state, refunded)
    assert len(set(refund_ids)) == 4
    assert [e["event_type"] for e in await events(client, merchant)] == [
        "transaction.entered",
        "transaction.partialrefund",
        "transaction.partialrefund",
        "transaction.partialrefund",
        "transaction.refund",
    ]
    before = await snapshot(client, merchant, trans_id)
    for extra in ({}, {"amount": 0}, {"amount": 1}, {"amount": "0.01"}):
        refused(await reverse(client, merchant, trans_id, **extra), "94", "No action")
        refused(
            await reverse(client, merchant, trans_id, action="refund", **extra), "94", "No action"
        )
        # A void asked for after settlement is Txn Batched, refunded or not (ruling R5).
        refused(
            await reverse(client, merchant, trans_id, action="void", **extra), "27", "Txn Batched"
        )
        assert await snapshot(client, merchant, trans_id) == before
    settled = await settle(client, merchant)
    assert (settled["transaction_count"], settled["net_amount"]) == (4, "-100.00")


async def test_refund_beyond_what_remains_is_invalid_amount_and_changes_nothing(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await settled_sale(client, merchant, amount=10000)
    before = await snapshot(client, merchant, trans_id)
    refused(await reverse(client, merchant, trans_id, amount=10001), "43", "Invalid amount")
    assert await snapshot(client, merchant, trans_id) == before
    approved(await reverse(client, merchant, trans_id, amount=6000))
    before = await snapshot(client, merchant, trans_id)
    body = await reverse(client, merchant, trans_id, amount="40.01")
    refused(body, "43", "Invalid amount")
    assert body["amount"] == "40.01"
    assert await snapshot(client, merchant, trans_id) == before
    assert before[0]["amount_refunded"] == 6000


async def test_refund_with_no_amount_after_partials_refunds_the_rest(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await settled_sale(client, merchant, amount="80.00")
    approved(await reverse(client, merchant, trans_id, amount="30.00"))
    rest = await reverse(client, merchant, trans_id)
    approved(rest)
    assert (rest["amount"], rest["amount_refunded"]) == ("50.00", "80.00")
    stored = await transaction(client, merchant, trans_id)
    assert (stored["state"], stored["amount_refunded"]) == ("refunded", 8000)


async def test_refund_of_a_partially_captured_authorization_is_capped_at_the_capture(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await authorize(client, merchant, amount=10000)
    captured = await post(client, merchant, "/api/v1/capture", trans_id=trans_id, amount=6000)
    assert captured.json()["result"] == "A"
    await settle(client, merchant)
    before = await snapshot(client, merchant, trans_id)
    refused(await reverse(client, merchant, trans_id, amount=6001), "43", "Invalid amount")
    assert await snapshot(client, merchant, trans_id) == before
    rest = await reverse(client, merchant, trans_id)
    assert (rest["result"], rest["amount"]) == ("A", 6000)


# ---------------------------------------------------------------- forced actions


async def test_action_void_on_a_settled_transaction_is_txn_batched(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await settled_sale(client, merchant, amount=5000)
    before = await snapshot(client, merchant, trans_id)
    for action in ("void", "VOID", "Void"):
        body = await reverse(client, merchant, trans_id, action=action, amount=100)
        refused(body, "27", "Txn Batched")
        assert (body["trans_id"], body["amount"]) == (trans_id, 100)
        assert await snapshot(client, merchant, trans_id) == before
    # Partially refunded is still settled.
    approved(await reverse(client, merchant, trans_id, amount=100))
    before = await snapshot(client, merchant, trans_id)
    refused(await reverse(client, merchant, trans_id, action="void"), "27", "Txn Batched")
    assert await snapshot(client, merchant, trans_id) == before


async def test_action_refund_on_an_unsettled_transaction_is_txn_not_settled(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    for trans_id in (
        await sale(client, merchant, amount=5000),
        await authorize(client, merchant, amount=5000),
    ):
        before = await snapshot(client, merchant, trans_id)
        for action in ("refund", "REFUND"):
            body = await reverse(client, merchant, trans_id, action=action)
            refused(body, "28", "Txn not settled")
            assert body["trans_id"] == trans_id
            assert await snapshot(client, merchant, trans_id) == before


async def test_forced_actions_that_apply_do_what_they_say(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    unsettled = await sale(client, merchant, amount=5000)
    voided = await reverse(client, merchant, unsettled, action="void")
    assert (voided["result"], voided["trans_type"], voided["trans_id"]) == (
        "A",
        "void",
        unsettled,
    )
    settled = await settled_sale(client, merchant, amount=5000)
    refunded = await reverse(client, merchant, settled, action="refund")
    assert (refunded["result"], refunded["trans_type"]) == ("A", "refund")
    assert refunded["trans_id"] != settled


async def test_unknown_action_is_a_400(client: httpx.AsyncClient, merchant: MerchantAccess) -> None:
    trans_id = await sale(client, merchant)
    before = await snapshot(client, merchant, trans_id)
    answer = await post(client, merchant, CANONICAL, trans_id=trans_id, action="cancel")
    assert answer.status_code == 400 and "action" in answer.json()["errors"]
    assert await snapshot(client, merchant, trans_id) == before


# ---------------------------------------------------------------- nothing to reverse


async def test_refund_of_a_refund_is_no_action(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await settled_sale(client, merchant, amount=5000)
    refund_id = (await reverse(client, merchant, trans_id, amount=2000))["trans_id"]
    for _ in range(2):  # unsettled refund row, then settled
        before_original = await transaction(client, merchant, trans_id)
        before = await snapshot(client, merchant, refund_id)
        for fields in ({}, {"action": "refund"}, {"action": "void"}, {"amount": 100}):
            refused(await reverse(client, merchant, refund_id, **fields), "94", "No action")
        assert await snapshot(client, merchant, refund_id) == before
        assert await transaction(client, merchant, trans_id) == before_original
        await settle(client, merchant)


async def _declined(client: httpx.AsyncClient, m: MerchantAccess) -> str:
    body = (await charge(client, m, account_token="4000000000009995")).json()
    assert body["result"] == "C"
    trans_id: str = body["trans_id"]
    return trans_id


async def _voided(client: httpx.AsyncClient, m: MerchantAccess) -> str:
    trans_id = await sale(client, m)
    approved(await reverse(client, m, trans_id))
    return trans_id


async def _verification(client: httpx.AsyncClient, m: MerchantAccess) -> str:
    body = (await charge(client, m, amount=0, capture="N")).json()
    assert (body["result"], body["trans_type"]) == ("A", "verify")
    trans_id: str = body["trans_id"]
    return trans_id


async def _unknown(client: httpx.AsyncClient, m: MerchantAccess) -> str:
    body = (await charge(client, m, account_token="4000000000000119")).json()
    assert body["result"] == "B"
    trans_id: str = body["trans_id"]
    return trans_id


async def _rejected(client: httpx.AsyncClient, m: MerchantAccess) -> str:
    body = (await charge(client, m, currency="EUR")).json()
    assert body["resp_code"] == "32"
    trans_id: str = body["trans_id"]
    return trans_id


@pytest.mark.parametrize("make", [_declined, _voided, _verification, _unknown, _rejected])
@pytest.mark.parametrize("fields", [{}, {"action": "void"}, {"action": "refund"}, {"amount": 1}])
async def test_nothing_to_reverse_is_no_action(
    client: httpx.AsyncClient,
    make_merchant: MerchantFactory,
    make: Any,
    fields: dict[str, Any],
) -> None:
    m = await make_merchant()
    trans_id = await make(client, m)
    before = await snapshot(client, m, trans_id)
    body = await reverse(client, m, trans_id, **fields)
    refused(body, "94", "No action")
    assert body["trans_id"] == trans_id
    assert await snapshot(client, m, trans_id) == before


@pytest.mark.parametrize("trans_id", ["424242424242", "TXN1234567890", "12 34", "²"])
async def test_unknown_trans_id_is_not_found(
    client: httpx.AsyncClient, merchant: MerchantAccess, trans_id: str
) -> None:
    body = await reverse(client, merchant, trans_id, amount=500)
    refused(body, "29", "Txn not found")
    assert (body["trans_id"], body["amount"]) == (trans_id, 500)
    assert await events(client, merchant) == []


async def test_another_merchants_transaction_is_not_found(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    mine, theirs = await make_merchant(), await make_merchant()
    unsettled = await sale(client, theirs, amount=5000)
    settled = await settled_sale(client, theirs, amount=5000)
    for trans_id in (unsettled, settled):
        before = await snapshot(client, theirs, trans_id)
        refused(await reverse(client, mine, trans_id), "29", "Txn not found")
        assert await snapshot(client, theirs, trans_id) == before
    assert await events(client, mine) == []


async def test_a_mid_the_key_does_not_own_is_403(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    mine, theirs = await make_merchant(), await make_merchant()
    trans_id = await sale(client, theirs)
    before = await snapshot(client, theirs, trans_id)
    answer = await client.post(
        CANONICAL, json={"mid": theirs.mid, "trans_id": trans_id}, headers=mine.headers
    )
    assert answer.status_code == 403
    assert await snapshot(client, theirs, trans_id) == before


# ---------------------------------------------------------------- surcharge refunds


async def test_spec_example_half_refund_of_a_surcharged_sale_refunds_51_50(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    """Spec §12.6: 50 % of a $100 sale with a 3 % surcharge ($103) refunds $51.50."""
    m = await make_merchant(**SURCHARGE_3)
    trans_id = await settled_sale(client, m, amount="100.00", account_zip="19106")
    assert (await transaction(client, m, trans_id))["fee_amount"] == "3.00"
    half = await reverse(client, m, trans_id, amount="50.00")
    approved(half)
    assert (half["amount"], half["fee_amount"], half["fee_rate"]) == ("50.00", "1.50", 300)
    stored = await transaction(client, m, trans_id)
    assert amounts(stored) == ("partially_refunded", 10000, 10000, 5000, "3.00", 150)
    refund = await transaction(client, m, half["trans_id"])
    assert (refund["amount_captured"], refund["fee_amount"]) == (5000, "1.50")
    payload = (await events(client, m))[-1]["payload"]
    assert (payload["reversed_amount"], payload["reversed_fee_amount"]) == ("50.00", "1.50")
    assert payload["fee_amount"] == "1.50"
    rest = await reverse(client, m, trans_id)
    approved(rest)
    assert (rest["amount"], rest["fee_amount"]) == ("50.00", "1.50")
    stored = await transaction(client, m, trans_id)
    assert amounts(stored) == ("refunded", 10000, 10000, 10000, "3.00", 300)
    assert (await settle(client, m))["net_amount"] == "-103.00"


async def test_full_refund_of_a_surcharged_sale_returns_the_whole_fee(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(**SURCHARGE_3)
    trans_id = await settled_sale(client, m, amount=2599, account_zip="19106")
    body = await reverse(client, m, trans_id)
    approved(body)
    assert (body["amount"], body["fee_amount"]) == (2599, "0.78")  # 77.97 cents rounds up
    stored = await transaction(client, m, trans_id)
    assert (stored["fee_amount"], stored["fee_refunded"]) == ("0.78", 78)


async def test_fee_rounding_over_many_partial_refunds_never_refunds_more_than_was_charged(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    """$1.00 at 3 % carries a 3 cent fee; five 17 cent refunds each round 0.51 cents up."""
    m = await make_merchant(**SURCHARGE_3)
    trans_id = await settled_sale(client, m, amount=100, account_zip="19106")
    assert (await transaction(client, m, trans_id))["fee_amount"] == "0.03"
    fees = []
    for _ in range(5):
        body = await reverse(client, m, trans_id, amount=17)
        approved(body)
        fees.append(body["fee_amount"])
        stored = await transaction(client, m, trans_id)
        assert 0 <= stored["fee_refunded"] <= 3
    assert all(not fee.startswith("-") for fee in fees)
    last = await reverse(client, m, trans_id)
    approved(last)
    assert last["amount"] == 15 and not last["fee_amount"].startswith("-")
    fees.append(last["fee_amount"])
    assert sum(round(float(fee) * 100) for fee in fees) == 3
    # Each refund's fee is its running share of the 3 cents: 17/100, 34/100, ... of it.
    assert fees == ["0.01", "0.00", "0.01", "0.00", "0.01", "0.00"]
    stored = await transaction(client, m, trans_id)
    assert amounts(stored) == ("refunded", 100, 100, 100, "0.03", 3)
    refund_fees = [
        e["payload"]["reversed_fee_amount"]
        for e in await events(client, m)
        if e["event_type"] in ("transaction.partialrefund", "transaction.refund")
    ]
    assert refund_fees == fees
    assert (await settle(client, m))["net_amount"] == "-1.03"


@pytest.mark.parametrize(
    ("amount", "parts"),
    [(10000, [3333, 3333, 3334]), (9999, [1, 2, 3, 4, 9989]), (333, [111, 111, 111])],
)
async def test_fee_refunds_add_up_exactly(
    client: httpx.AsyncClient, make_merchant: MerchantFactory, amount: int, parts: list[int]
) -> None:
    m = await make_merchant(**SURCHARGE_3)
    trans_id = await settled_sale(client, m, amount=amount, account_zip="19106")
    fee = (await transaction(client, m, trans_id))["fee_amount"]
    total = 0
    for part in parts:
        body = await reverse(client, m, trans_id, amount=part)
        approved(body)
        total += round(float(body["fee_amount"]) * 100)
        assert total <= round(float(fee) * 100)
    stored = await transaction(client, m, trans_id)
    assert stored["state"] == "refunded"
    assert stored["fee_refunded"] == round(float(fee) * 100)
    assert total == round(float(fee) * 100)
