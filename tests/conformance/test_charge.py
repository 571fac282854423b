"""Spec 4.2 Charge: the docs' own requests, posted as printed (real mid and card substituted)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conformance.support import (
    MASKED,
    NUMERIC,
    assert_outcome,
    assert_r6_error,
    assert_types,
    docs_example,
    post_as,
    post_raw,
)
from tests.conftest import MerchantAccess

CHARGE = "/api/v1/charge"

# The answer fields spec section 14.3 lists for a charge, with their JSON types.
CHARGE_FIELDS: dict[str, type | tuple[type, ...]] = {
    "result": str,
    "resp_code": str,
    "resp_text": str,
    "resp_proc": str,
    "trans_id": str,
    "auth_code": str,
    "amount": (int, str),
    "order_id": str,
    "mid": str,
    "currency": str,
    "account": str,
    "card_number": str,
    "card_type": str,
    "card_brand": str,
    "comm_card": str,
}

# Process a Payment guide: a JS object in the docs, sent as JSON (mid as a number; the
# guide's `cvn: 000` is not JSON, so a real 3-digit CVV written as a number).
GUIDE_EXAMPLE = (
    '{"mid": 1234567890, "amount": 10000, "name": "John Doe",'
    ' "email": "noreply@runpayments.io", "phone": "5555555555",'
    ' "address1": "101 Independence Mall W", "address2": "", "city": "Philadelphia",'
    ' "region": "PA", "country": "US", "account_zip": "19106", "address_country": "USA",'
    ' "capture": "Y", "vault": "Y", "com_ind": "E", "cvn": 123, "currency": "USD",'
    ' "account_token": "<runner res.account_token>", "expiration": "<runner res.expiry>"}'
)
# $0 authorization (Vaults guide), with the fields a production client adds.
ZERO_AUTH_EXAMPLE = (
    '{"mid":"800000001780","amount":"0.00","capture":"N","vault":"Y","cof":"C",'
    '"cof_sched":"N","cof_perm":"Y","currency":"USD","account_token":"4111111111111111",'
    '"expiration":"1230","cvn":"123","custom_06":"cust-42"}'
)
# Vaults guide, verbatim but for the mid: dollars as a string, YYYYMM expiry, p_account_zip.
VAULTS_GUIDE = (
    '{"mid":"800000001780","amount":"10.00","account_token":"4444333322221111",'
    '"expiration":"202911","vault":"Y","name":"John Doe","capture":"Y",'
    '"p_account_zip":"19064","cvn":"555"}'
)


def vaults_guide(m: MerchantAccess) -> str:
    return docs_example(VAULTS_GUIDE, **{"800000001780": m.mid})


async def tokenize(client: httpx.AsyncClient, m: MerchantAccess, pan: str) -> dict[str, Any]:
    """What Runner.js hands the page: res.account_token and res.expiry."""
    answer = await client.post(
        "/homerun/v1/tokens",
        json={"account_number": pan, "expiry": "12/29", "cvv": "123"},
        headers={"Authorization": f"Bearer {m.public_key}"},
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def test_process_a_payment_guide_example(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    """The guide's request: mid and cvn as JSON numbers, amount in integer cents, Runner data."""
    card = await tokenize(client, merchant, "4788250000121443")
    raw = docs_example(
        GUIDE_EXAMPLE,
        **{
            "1234567890": merchant.mid,
            '"<runner res.account_token>"': f'"{card["account_token"]}"',
            '"<runner res.expiry>"': f'"{card["expiry"]}"',
        },
    )
    body = await post_as(client, merchant, CHARGE, raw)
    assert_outcome(body)
    assert_types(body, CHARGE_FIELDS)
    assert body["amount"] == 10000  # integer cents in, integer cents out (R3)
    assert body["mid"] == merchant.mid and body["currency"] == "USD"
    assert MASKED.match(body["card_number"]) and body["account"] == body["card_number"]
    assert body["card_number"].endswith("1443") and body["card_brand"] == "VISA"
    assert body["comm_card"] in ("Y", "N")
    assert body["order_id"]  # generated when absent
    assert (body["name"], body["city"], body["account_zip"]) == (
        "John Doe",
        "Philadelphia",
        "19106",
    )
    assert body["account_token"] == card["account_token"]


async def test_vaults_guide_example(client: httpx.AsyncClient, merchant: MerchantAccess) -> None:
    body = await post_as(client, merchant, CHARGE, vaults_guide(merchant))
    assert_outcome(body)
    assert_types(body, CHARGE_FIELDS)
    assert body["amount"] == "10.00"  # a dollar string in, a dollar string out (R3)
    assert body["card_number"].endswith("1111") and body["name"] == "John Doe"
    assert body["expiration"] == "1129"
    assert body["cvv_resp"] == "M"


async def test_vaults_guide_example_returns_the_vault_ids(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    """The guide's answer: {"trans_id", "vault_id", "vault_holder_id", "result", "resp_text"}."""
    body = await post_as(client, merchant, CHARGE, vaults_guide(merchant))
    assert_types(body, {"vault_id": str, "vault_holder_id": str})
    assert len(body["vault_holder_id"]) == 36 and body["vault"] == "Y"


async def test_zero_dollar_authorization(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    """$0 auth as the Vaults guide and a production client send it."""
    raw = docs_example(ZERO_AUTH_EXAMPLE, **{"800000001780": merchant.mid})
    body = await post_as(client, merchant, CHARGE, raw)
    assert_outcome(body)
    assert_types(body, CHARGE_FIELDS)
    assert body["amount"] == "0.00"
    assert (body["cof"], body["cof_sched"], body["cof_perm"]) == ("C", "N", "Y")
    assert body["trans_type"] == "verify" and body["custom_06"] == "cust-42"


@pytest.mark.parametrize(
    ("amount", "echo"),
    [(1000, 1000), ("10.00", "10.00"), ("1000", "1000"), ("12.5", "12.50"), (0, 0)],
)
async def test_amount_echoes_the_form_sent(
    client: httpx.AsyncClient, merchant: MerchantAccess, amount: object, echo: object
) -> None:
    """R3: integer cents echo as integers, dollar strings as dollar strings, a string of
    digits (cents) as a string of digits."""
    body = await post_as(
        client,
        merchant,
        CHARGE,
        {"mid": merchant.mid, "amount": amount, "account_token": "4111111111111111"},
    )
    assert body["amount"] == echo and type(body["amount"]) is type(echo)


@pytest.mark.parametrize("amount", [10.5, -100, "10.001", "$10.00", True, None])
async def test_other_amounts_are_a_400(
    client: httpx.AsyncClient, merchant: MerchantAccess, amount: object
) -> None:
    answer = await post_raw(
        client,
        CHARGE,
        {"mid": merchant.mid, "amount": amount, "account_token": "4111111111111111"},
        merchant.headers,
    )
    assert "amount" in assert_r6_error(answer, 400)["errors"]


async def test_a_decline_is_a_200_answer(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = await post_as(
        client,
        merchant,
        CHARGE,
        {"mid": merchant.mid, "amount": 1000, "account_token": "4000000000000002"},
    )
    assert_outcome(body, "C", "05")
    assert NUMERIC.match(body["trans_id"])
