"""POST /api/v1/charge: sale, auth only, $0 verification, declines, refusals, bad input."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import FUTURE, VISA, charge, events, transaction


async def test_sale_in_integer_cents_is_approved_and_echoed_in_cents(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    answer = await charge(
        client,
        merchant,
        amount=2599,
        cvn="123",
        account_zip="19106",
        address1="101 Independence Mall W",
        name="John Doe",
        custom_01="inv-7",
        custom_06="cust-42",
        order_id="ORD-1",
    )
    assert answer.status_code == 200
    body = answer.json()
    assert body["result"] == "A"
    assert (body["resp_code"], body["resp_text"], body["resp_proc"]) == ("00", "Approval", "SIM")
    assert body["amount"] == 2599
    assert body["trans_type"] == "sale"
    assert body["avs_resp"] == "Y" and body["cvv_resp"] == "M"
    assert body["card_number"] == body["account"] == "**** **** **** 1111"
    assert body["card_brand"] == body["card_type"] == "VISA"
    assert body["comm_card"] == "N"
    assert body["order_id"] == "ORD-1"
    assert body["name"] == "John Doe" and body["custom_01"] == "inv-7"
    assert body["custom_06"] == "cust-42" and body["custom_02"] is None
    assert body["settlement_status"] == "Pending" and body["batch_id"] is None
    assert len(body["auth_code"]) == 6 and body["authcode"] == body["auth_code"]
    token = body["account_token"]
    assert token.startswith("9") and token.endswith("1111") and len(token) == 16
    stored = await transaction(client, merchant, body["trans_id"])
    assert stored["state"] == "captured" and stored["amount_captured"] == 2599
    assert [e["event_type"] for e in await events(client, merchant)] == ["transaction.entered"]


async def test_dollar_string_amount_is_echoed_as_dollars(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = (await charge(client, merchant, amount="10.00")).json()
    assert body["result"] == "A" and body["amount"] == "10.00"
    stored = await transaction(client, merchant, body["trans_id"])
    assert stored["amount_captured"] == 1000


async def test_authorization_only_is_not_captured(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = (await charge(client, merchant, amount=5000, capture="N")).json()
    assert body["result"] == "A" and body["trans_type"] == "auth"
    assert body["settlement_status"] == "Authorized"
    stored = await transaction(client, merchant, body["trans_id"])
    assert (stored["state"], stored["amount_authorized"], stored["amount_captured"]) == (
        "authorized",
        5000,
        0,
    )


async def test_zero_dollar_verification(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = (
        await charge(
            client, merchant, amount="0.00", capture="N", cof="C", cof_sched="N", cof_perm="Y"
        )
    ).json()
    assert body["result"] == "A" and body["amount"] == "0.00"
    assert body["trans_type"] == "verify"
    assert (body["cof"], body["cof_sched"], body["cof_perm"]) == ("C", "N", "Y")
    stored = await transaction(client, merchant, body["trans_id"])
    assert stored["state"] == "verified" and stored["amount_captured"] == 0


async def test_order_id_is_generated_when_absent(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    first = (await charge(client, merchant)).json()["order_id"]
    second = (await charge(client, merchant)).json()["order_id"]
    assert first and second and first != second


async def test_no_cvn_means_cvv_not_processed_and_no_zip_means_no_avs(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = (await charge(client, merchant)).json()
    assert body["cvv_resp"] == "P" and body["avs_resp"] == ""


@pytest.mark.parametrize(
    ("pan", "code", "text"),
    [
        ("4000000000000002", "05", "Do not honor"),
        ("4000000000009995", "51", "Insufficient funds"),
        ("4000000000000069", "54", "Expired card"),
        ("4000000000000101", "14", "Invalid card number"),
        ("4000000000009987", "41", "Lost card, pick up"),
        ("4000000000009979", "43", "Stolen card, pick up"),
    ],
)
async def test_issuer_declines_are_200_answers_with_no_money_moved(
    client: httpx.AsyncClient, merchant: MerchantAccess, pan: str, code: str, text: str
) -> None:
    answer = await charge(client, merchant, account_token=pan)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["result"], body["resp_code"], body["resp_text"], body["resp_proc"]) == (
        "C",
        code,
        text,
        "SIM",
    )
    stored = await transaction(client, merchant, body["trans_id"])
    assert (stored["state"], stored["amount_captured"], stored["amount_authorized"]) == (
        "declined",
        0,
        0,
    )
    assert [e["event_type"] for e in await events(client, merchant)] == ["transaction.decline"]


async def test_cvv_mismatch_card_declines_only_when_cvn_is_sent(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    declined = (await charge(client, merchant, account_token="4000000000000127", cvn="123")).json()
    assert (declined["result"], declined["resp_code"], declined["cvv_resp"]) == ("C", "N7", "N")
    approved = (await charge(client, merchant, account_token="4000000000000127")).json()
    assert (approved["result"], approved["cvv_resp"]) == ("A", "P")


async def test_avs_mismatch_card(client: httpx.AsyncClient, merchant: MerchantAccess) -> None:
    body = (
        await charge(client, merchant, account_token="4000000000000036", account_zip="19106")
    ).json()
    assert (body["result"], body["resp_code"], body["resp_text"], body["avs_resp"]) == (
        "C",
        "101",
        "AVS Mismatch",
        "N",
    )


async def test_commercial_and_debit_cards_are_reported(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    commercial = (await charge(client, merchant, account_token="4055010000000005")).json()
    assert (commercial["comm_card"], commercial["card_funding"]) == ("Y", "CREDIT")
    debit = (await charge(client, merchant, account_token="5200828282828210")).json()
    assert (debit["comm_card"], debit["card_funding"], debit["card_brand"]) == (
        "N",
        "DEBIT",
        "MASTERCARD",
    )


@pytest.mark.parametrize(
    ("pan", "brand", "cvn"),
    [
        ("4788250000121443", "VISA", "123"),
        ("5555555555554444", "MASTERCARD", "123"),
        ("378282246310005", "AMEX", "1234"),
        ("6011111111111117", "DISCOVER", "123"),
    ],
)
async def test_each_brand_approves(
    client: httpx.AsyncClient, merchant: MerchantAccess, pan: str, brand: str, cvn: str
) -> None:
    body = (await charge(client, merchant, account_token=pan, cvn=cvn)).json()
    assert (body["result"], body["card_brand"], body["cvv_resp"]) == ("A", brand, "M")


async def test_timeout_leaves_unknown_then_reconciles_to_approved(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = (await charge(client, merchant, account_token="4000000000000119")).json()
    assert (body["result"], body["resp_code"], body["resp_text"]) == ("B", "62", "Timed out")
    assert body["settlement_status"] == "Unknown"
    assert await events(client, merchant) == []
    reconciled = await client.post(
        f"/homerun/v1/merchants/{merchant.mid}/transactions/{body['trans_id']}/reconcile",
        headers=ADMIN,
    )
    assert reconciled.json()["result"] == "A"
    stored = await transaction(client, merchant, body["trans_id"])
    assert (stored["state"], stored["amount_captured"]) == ("captured", 1000)
    assert [e["event_type"] for e in await events(client, merchant)] == ["transaction.entered"]


@pytest.mark.parametrize(
    ("fields", "code", "text"),
    [
        ({"account_token": "4111111111111112"}, "13", "Bad card check digit"),
        ({"account_token": "9111111111111111"}, "98", "Invalid token"),
        ({"account_token": "3530111333300000"}, "33", "Unknown card type"),
        ({"expiration": "01/20"}, "16", "Card expired"),
        ({"cvn": "12a"}, "14", "Non-numeric CVV"),
        ({"currency": "EUR"}, "32", "Wrong currency for merch"),
        ({"account_token": None, "vault_id": "123"}, "96", "Profile not found"),
    ],
)
async def test_gateway_refusals_are_answers_that_move_no_money(
    client: httpx.AsyncClient,
    merchant: MerchantAccess,
    fields: dict[str, str],
    code: str,
    text: str,
) -> None:
    answer = await charge(client, merchant, **fields)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["result"], body["resp_code"], body["resp_text"], body["resp_proc"]) == (
        "C",
        code,
        text,
        "PPS",
    )
    stored = await transaction(client, merchant, body["trans_id"])
    assert (stored["state"], stored["amount_captured"]) == ("declined", 0)
    assert [e["event_type"] for e in await events(client, merchant)] == ["transaction.reject"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"amount": 10.5}, "amount"),
        ({"amount": -1}, "amount"),
        ({"amount": "10.001"}, "amount"),
        ({"amount": "ten"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": None}, "amount"),
        ({"mid": None}, "mid"),
        ({"account_token": None}, "account_token"),
        ({"expiration": "13/30"}, "expiration"),
        ({"capture": "maybe"}, "capture"),
        ({"cof": "X"}, "cof"),
        ({"currency": "US"}, "currency"),
        ({"cvn": "12"}, "cvn"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(
    client: httpx.AsyncClient, merchant: MerchantAccess, fields: dict[str, object], field: str
) -> None:
    answer = await charge(client, merchant, **fields)
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert field in body["errors"]
    assert body["error"] == body["message"] == body["error_description"]
    assert body["code"] == "invalid_request"
    assert await events(client, merchant) == []


async def test_pan_and_cvv_never_echo_in_errors(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    answer = await charge(client, merchant, account_token=VISA, cvn="98", amount=1.5)
    assert answer.status_code == 400
    assert VISA not in answer.text and "98" not in answer.text


async def test_unknown_fields_are_ignored(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = (
        await charge(
            client, merchant, p_account_zip="19064", address_country="USA", something_new={"x": 1}
        )
    ).json()
    assert body["result"] == "A"


async def test_mid_the_key_does_not_own_is_403(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    mine, other = await make_merchant(), await make_merchant()
    answer = await client.post(
        "/api/v1/charge",
        headers=mine.headers,
        json={"mid": other.mid, "amount": 100, "account_token": VISA, "expiration": FUTURE},
    )
    assert answer.status_code == 403
    assert answer.json()["code"] == "forbidden"
    assert await events(client, other) == [] and await events(client, mine) == []


async def test_missing_or_unknown_key_is_401(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = {"mid": merchant.mid, "amount": 100, "account_token": VISA}
    missing = await client.post("/api/v1/charge", json=body)
    assert missing.status_code == 401
    unknown = await client.post(
        "/api/v1/charge", json=body, headers={"Authorization": "Bearer sk_test_nope"}
    )
    assert unknown.status_code == 401
    assert unknown.json()["message"] == "Key not found"
    assert await events(client, merchant) == []


async def test_docs_guide_example_request_is_accepted(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    """The Process a Payment guide's request, with its numeric mid and cvn."""
    raw = json.dumps(
        {
            "mid": 0,
            "amount": 10000,
            "name": "John Doe",
            "email": "noreply@runpayments.io",
            "phone": "5555555555",
            "address1": "101 Independence Mall W",
            "address2": "",
            "city": "Philadelphia",
            "region": "PA",
            "country": "US",
            "account_zip": "19106",
            "address_country": "USA",
            "capture": "Y",
            "vault": "N",
            "com_ind": "E",
            "cvn": 123,
            "currency": "USD",
            "account_token": "4788250000121443",
            "expiration": "1029",
        }
    ).replace('"mid": 0', f'"mid": {merchant.mid}')
    answer = await client.post(
        "/api/v1/charge",
        content=raw,
        headers={**merchant.headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["result"], body["amount"], body["city"], body["cvv_resp"]) == (
        "A",
        10000,
        "Philadelphia",
        "M",
    )
