"""Spec 4.3 Capture, 4.4 Void or Refund, 4.5 Check Surcharge: the docs' examples on the wire."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conformance.support import (
    MASKED,
    assert_outcome,
    assert_types,
    docs_example,
    post_as,
)
from tests.conftest import MerchantAccess, MerchantFactory
from tests.helpers import settle

NULLABLE_STR = (str, type(None))

# Spec 4.3: the documented capture answer, in the docs' order, with its JSON types.
CAPTURE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "result": str,
    "trans_id": str,
    "resp_code": str,
    "resp_text": str,
    "comm_card": str,
    "user_identifier": NULLABLE_STR,
    "mid": str,
    "amount": int,
    "order_id": str,
    "auth_code": str,
    "card_number": str,
    "batch_id": NULLABLE_STR,
    "settlement_status": NULLABLE_STR,
    "account": str,
    "account_zip": NULLABLE_STR,
    "currency": str,
    "company_name": NULLABLE_STR,
    "address1": NULLABLE_STR,
    "address2": NULLABLE_STR,
    "city": NULLABLE_STR,
    "region": NULLABLE_STR,
    "country": NULLABLE_STR,
    "phone": NULLABLE_STR,
    "email": NULLABLE_STR,
}

# Spec 4.4: "Types are string or null except amount".
VOID_FIELDS: dict[str, type | tuple[type, ...]] = {
    "result": str,
    "trans_id": str,
    "resp_code": str,
    "resp_text": str,
    "resp_proc": str,
    "user_identifier": NULLABLE_STR,
    "mid": str,
    "amount": (int, str),
    "currency": NULLABLE_STR,
    "order_id": NULLABLE_STR,
    "auth_code": NULLABLE_STR,
}

# The docs' example requests, byte for byte; placeholders are replaced by docs_example.
CAPTURE_EXAMPLE = '{"trans_id":"TXN1234567890","mid":"MID987654321"}'
SURCHARGE_EXAMPLE = (
    '{"mid":"1234567890","postal":"10001","account_token":"tok_123456789abcdef","amount":"100.00"}'
)

VOID_PATHS = (
    "/api/v1/void-or-refund",
    "/api/v1/void_or_refund",
    "/api/v1/transactions/void-or-refund",
    "/api/v1/void",
    "/api/v1/refund",
)


async def authorize(client: httpx.AsyncClient, m: MerchantAccess, **fields: Any) -> dict[str, Any]:
    body = {"mid": m.mid, "account_token": "4111111111111111", "expiration": "12/30"}
    return await post_as(client, m, "/api/v1/charge", {**body, **fields})


async def test_capture_docs_example(client: httpx.AsyncClient, merchant: MerchantAccess) -> None:
    """{"trans_id": ..., "mid": ...} captures the whole authorization; the answer carries
    the docs' fields with the authorization's own values (amount 15000 in cents)."""
    auth = await authorize(
        client,
        merchant,
        amount=15000,
        capture="N",
        cvn="123",
        user_identifier="user_001",
        order_id="ORD20240615001",
        account_zip="94105",
        company_name="Acme Corporation",
        address1="123 Market St",
        address2="Suite 400",
        city="San Francisco",
        region="CA",
    )
    assert_outcome(auth)
    body = await post_as(
        client,
        merchant,
        "/api/v1/capture",
        docs_example(CAPTURE_EXAMPLE, TXN1234567890=auth["trans_id"], MID987654321=merchant.mid),
    )
    assert_outcome(body)  # "A", where the docs' example shows "Approved"
    assert_types(body, CAPTURE_FIELDS)
    expected = {
        "trans_id": auth["trans_id"],
        "comm_card": "N",
        "user_identifier": "user_001",
        "mid": merchant.mid,
        "amount": 15000,
        "order_id": "ORD20240615001",
        "auth_code": auth["auth_code"],
        "account_zip": "94105",
        "currency": "USD",
        "company_name": "Acme Corporation",
        "address1": "123 Market St",
        "address2": "Suite 400",
        "city": "San Francisco",
        "region": "CA",
    }
    assert {k: body[k] for k in expected} == expected
    assert MASKED.match(body["card_number"]) and body["account"] == body["card_number"]


async def test_capture_of_the_docs_placeholder_trans_id_is_txn_not_found(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = await post_as(
        client,
        merchant,
        "/api/v1/capture",
        docs_example(CAPTURE_EXAMPLE, MID987654321=merchant.mid),
    )
    assert (body["result"], body["resp_code"], body["resp_text"]) == ("C", "29", "Txn not found")
    assert body["trans_id"] == "TXN1234567890" and body["mid"] == merchant.mid


async def test_capture_with_a_dollar_amount_echoes_dollars(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    auth = await authorize(client, merchant, amount="25.00", capture="N")
    body = await post_as(
        client,
        merchant,
        "/api/v1/capture",
        {"trans_id": auth["trans_id"], "mid": merchant.mid, "amount": "20.00"},
    )
    assert_outcome(body)
    assert body["amount"] == "20.00"


@pytest.mark.parametrize("path", VOID_PATHS)
async def test_void_before_settlement_on_every_path(
    client: httpx.AsyncClient, merchant: MerchantAccess, path: str
) -> None:
    sale = await authorize(client, merchant, amount=2500, user_identifier="user_001")
    body = await post_as(
        client,
        merchant,
        path,
        docs_example(CAPTURE_EXAMPLE, TXN1234567890=sale["trans_id"], MID987654321=merchant.mid),
    )
    assert_outcome(body)
    assert_types(body, VOID_FIELDS)
    assert body["trans_type"] == "void" and body["trans_id"] == sale["trans_id"]
    assert body["amount"] == 2500 and body["user_identifier"] == "user_001"
    assert (body["order_id"], body["currency"]) == (sale["order_id"], "USD")


async def test_refund_after_settlement_whole_then_partial(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    sale = await authorize(client, merchant, amount=5000)
    await settle(client, merchant)
    partial = await post_as(
        client,
        merchant,
        "/api/v1/void-or-refund",
        {"trans_id": sale["trans_id"], "mid": merchant.mid, "amount": 1500},
    )
    assert_outcome(partial)
    assert_types(partial, VOID_FIELDS)
    assert partial["trans_type"] == "refund" and partial["amount"] == 1500
    assert partial["trans_id"] != sale["trans_id"]  # a refund is a transaction of its own
    rest = await post_as(
        client,
        merchant,
        "/api/v1/void-or-refund",
        {"trans_id": sale["trans_id"], "mid": merchant.mid, "user_identifier": "user_001"},
    )
    assert_outcome(rest)
    assert rest["amount"] == 3500 and rest["user_identifier"] == "user_001"
    again = await post_as(
        client,
        merchant,
        "/api/v1/void-or-refund",
        {"trans_id": sale["trans_id"], "mid": merchant.mid, "amount": 100},
    )
    assert again["result"] == "C"  # never refund more than was captured


async def test_refund_in_dollars_echoes_dollars(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    sale = await authorize(client, merchant, amount="50.00")
    await settle(client, merchant)
    body = await post_as(
        client,
        merchant,
        "/api/v1/refund",
        {"trans_id": sale["trans_id"], "mid": merchant.mid, "amount": "12.34"},
    )
    assert_outcome(body)
    assert body["amount"] == "12.34"


async def test_check_surcharge_docs_example(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    """The docs' request with a real credit card token answers the docs' example values."""
    m = await make_merchant(surcharge_enabled="Y", surcharge_rate="0.06")
    token = (await authorize(client, m, amount=100, account_zip="19106"))["account_token"]
    body = await post_as(
        client,
        m,
        "/api/v1/surcharge",
        docs_example(SURCHARGE_EXAMPLE, **{"1234567890": m.mid, "tok_123456789abcdef": token}),
    )
    assert {k: body[k] for k in ("token", "postal", "fee_amount", "messages")} == {
        "token": "CREDIT",
        "postal": "NOT_RESTRICTED",
        "fee_amount": "0.06",
        "messages": [],
    }


async def test_check_surcharge_with_the_docs_placeholder_token(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(surcharge_enabled="Y", surcharge_rate="3.00")
    body = await post_as(
        client,
        m,
        "/api/v1/surcharge",
        docs_example(SURCHARGE_EXAMPLE, **{"1234567890": m.mid}),
    )
    assert_types(body, {"token": type(None), "postal": str, "fee_amount": str, "messages": list})
    assert body["postal"] == "NOT_RESTRICTED" and body["fee_amount"] == "0.00"
    assert all(isinstance(message, str) for message in body["messages"])


async def test_check_surcharge_debit_and_restricted_postal(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(surcharge_enabled="Y", surcharge_rate="3.00")
    debit = (await authorize(client, m, amount=100, account_token="4000056655665556"))[
        "account_token"
    ]
    body = await post_as(
        client,
        m,
        "/api/v1/surcharge",
        {"mid": m.mid, "postal": "10001", "account_token": debit, "amount": "100.00"},
    )
    assert (body["token"], body["fee_amount"]) == ("DEBIT", "0.00")
    credit = (await authorize(client, m, amount=100, account_zip="19106"))["account_token"]
    body = await post_as(
        client,
        m,
        "/api/v1/surcharge",
        {"mid": m.mid, "postal": "06103", "account_token": credit, "amount": "100.00"},
    )
    assert (body["token"], body["postal"], body["fee_amount"]) == ("CREDIT", "RESTRICTED", "0.00")
