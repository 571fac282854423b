"""POST /homerun/v1/tokens: card number in, 16-digit token out (Bearer public_key, R11)."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from homerun.kit.ids import luhn_valid
from homerun.merchants.models import Merchant
from homerun.runtime import Runtime
from homerun.tokenizer.models import CardToken
from homerun.tokenizer.service import fingerprint, open_card
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import charge, events, transaction

TOKENS = "/homerun/v1/tokens"


async def tokenize(
    client: httpx.AsyncClient, m: MerchantAccess, key: str | None = None, **fields: Any
) -> httpx.Response:
    body: dict[str, Any] = {"account_number": "4111111111111111", "expiry": "12/30", **fields}
    body = {k: v for k, v in body.items() if v is not None}
    headers = {"Authorization": f"Bearer {key or m.public_key}"}
    return await client.post(TOKENS, json=body, headers=headers)


def assert_r11_token(token: str, last_four: str) -> None:
    assert len(token) == 16 and token.isdigit()
    assert token.startswith("9") and token.endswith(last_four)
    assert not luhn_valid(token)


async def test_tokenize_answers_token_expiry_and_card_info(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    answer = await tokenize(client, merchant, cvv="123")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert set(body) == {"account_token", "token", "expiry", "card_info"}
    assert body["account_token"] == body["token"]
    assert_r11_token(body["token"], "1111")
    assert body["expiry"] == "1230"
    assert body["card_info"] == {
        "brand": "VISA",
        "card_brand_id": 1,
        "bin": "411111",
        "last_four": "1111",
        "funding": "CREDIT",
    }
    assert "4111111111111111" not in answer.text


@pytest.mark.parametrize(
    ("pan", "brand", "brand_id", "cvv", "funding"),
    [
        ("5555555555554444", "MASTERCARD", 2, "123", "CREDIT"),
        ("2223003122003222", "MASTERCARD", 2, "123", "CREDIT"),
        ("378282246310005", "AMEX", 3, "1234", "CREDIT"),
        ("6011111111111117", "DISCOVER", 4, "123", "CREDIT"),
        ("5200828282828210", "MASTERCARD", 2, "123", "DEBIT"),
        ("4000056655665556", "VISA", 1, "123", "DEBIT"),
    ],
)
async def test_each_brand_tokenizes(
    client: httpx.AsyncClient,
    merchant: MerchantAccess,
    pan: str,
    brand: str,
    brand_id: int,
    cvv: str,
    funding: str,
) -> None:
    answer = await tokenize(client, merchant, account_number=pan, cvv=cvv)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert_r11_token(body["token"], pan[-4:])
    info = body["card_info"]
    assert (info["brand"], info["card_brand_id"], info["bin"], info["last_four"]) == (
        brand,
        brand_id,
        pan[:6],
        pan[-4:],
    )
    assert info["funding"] == funding


async def test_same_card_gives_the_same_token_in_any_spelling_within_a_merchant(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    one, two = await make_merchant(), await make_merchant()
    pan = "4788250000121443"
    first = (await tokenize(client, one, account_number=pan)).json()["token"]
    for spelling in (pan, "4788 2500 0012 1443", "4788-2500-0012-1443", int(pan)):
        answer = await tokenize(client, one, account_number=spelling)
        assert answer.status_code == 200, answer.text
        assert answer.json()["token"] == first
    other = (await tokenize(client, one, account_number="4111111111111111")).json()["token"]
    assert other != first
    # Tokens are per merchant: another merchant's token for the same card is its own,
    # and neither merchant can charge the other's token.
    theirs = (await tokenize(client, two, account_number=pan)).json()["token"]
    assert theirs != first
    assert_r11_token(theirs, "1443")
    crossed = (await charge(client, two, account_token=first)).json()
    assert (crossed["result"], crossed["resp_code"], crossed["resp_text"]) == (
        "C",
        "98",
        "Invalid token",
    )
    own = (await charge(client, two, account_token=theirs)).json()
    assert own["result"] == "A" and own["account_token"] == theirs


async def test_token_charges_with_its_stored_expiry(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    token = (
        await tokenize(client, merchant, account_number="4788250000121443", expiry="2030-11")
    ).json()["token"]
    answer = await charge(client, merchant, account_token=token, expiration=None, cvn="123")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["result"], body["resp_code"], body["cvv_resp"]) == ("A", "00", "M")
    assert body["account_token"] == token
    assert body["card_number"] == "**** **** **** 1443"
    stored = await transaction(client, merchant, body["trans_id"])
    assert stored["state"] == "captured" and stored["amount_captured"] == 1000
    assert [e["event_type"] for e in await events(client, merchant)] == ["transaction.entered"]


@pytest.mark.parametrize(
    "expiry",
    ["1230", "12/30", "12/2030", "203012", "2030-12", " 12/30 ", 1230],
)
async def test_every_expiry_form_of_r11(
    client: httpx.AsyncClient, merchant: MerchantAccess, expiry: object
) -> None:
    answer = await tokenize(client, merchant, expiry=expiry)
    assert answer.status_code == 200, answer.text
    assert answer.json()["expiry"] == "1230"


@pytest.mark.parametrize(
    ("pan", "problem"),
    [
        ("4111111111111112", "Luhn"),
        ("3530111333300000", "Visa, Mastercard, Amex or Discover"),
        ("9111111111111110", "Visa, Mastercard, Amex or Discover"),
        ("41111111111", "12 to 19 digits"),
        ("411111111111111118", "wrong length"),
        ("411111111111116", "wrong length"),
        ("511111111111115", "wrong length"),
        ("4111abcd11111111", "12 to 19 digits"),
        ("41111111111111111111", "12 to 19 digits"),
        ("\u2074" + "\u00b9" * 15, "12 to 19 digits"),
        ("\uff15" * 12 + "\uff14" * 4, "12 to 19 digits"),
        ("\u0664" + "\u0661" * 15, "12 to 19 digits"),
        ("", "at least 1"),
        ("4" * 40, "at most 32"),
    ],
)
async def test_invalid_card_numbers_are_400_without_the_number(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess, pan: str, problem: str
) -> None:
    answer = await tokenize(client, merchant, account_number=pan, cvv="123")
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert list(body["errors"]) == ["account_number"]
    assert problem in body["errors"]["account_number"][0]
    assert body["code"] == "invalid_request"
    if pan:
        assert pan not in answer.text
        assert pan[-8:] not in answer.text
    async with runtime.db.transaction() as session:
        found = await session.scalar(
            select(CardToken.id)
            .join(Merchant, Merchant.id == CardToken.merchant_id)
            .where(Merchant.mid == merchant.mid)  # a fresh merchant: it has no token at all
        )
    assert found is None


@pytest.mark.parametrize(
    ("expiry", "problem"),
    [
        ("01/20", "has passed"),
        ("2019-12", "has passed"),
        ("13/30", "month"),
        ("00/30", "month"),
        ("12-30", "MMYY"),
        ("tomorrow", "MMYY"),
        ("", "MMYY"),
        (None, "is required"),
        (True, "MMYY"),
    ],
)
async def test_bad_or_past_expiry_is_400(
    client: httpx.AsyncClient, merchant: MerchantAccess, expiry: object, problem: str
) -> None:
    body: dict[str, Any] = {"account_number": "4111111111111111"}
    if expiry is not None:
        body["expiry"] = expiry
    answer = await client.post(
        TOKENS, json=body, headers={"Authorization": f"Bearer {merchant.public_key}"}
    )
    assert answer.status_code == 400, answer.text
    errors = answer.json()["errors"]
    assert list(errors) == ["expiry"] and problem in errors["expiry"][0]
    assert "4111111111111111" not in answer.text


@pytest.mark.parametrize(
    ("pan", "cvv"),
    [
        ("4111111111111111", "12"),
        ("4111111111111111", "1234"),
        ("378282246310005", "123"),
        ("378282246310005", "12345"),
        ("4111111111111111", "12a"),
        ("4111111111111111", "123456789"),
        ("4111111111111111", "\uff11\uff12\uff13"),
    ],
)
async def test_bad_cvv_is_400_and_never_echoed(
    client: httpx.AsyncClient, merchant: MerchantAccess, pan: str, cvv: str
) -> None:
    answer = await tokenize(client, merchant, account_number=pan, cvv=cvv)
    assert answer.status_code == 400, answer.text
    assert list(answer.json()["errors"]) == ["cvv"]
    assert cvv not in answer.text and pan not in answer.text


@pytest.mark.parametrize("which", ["api_key", "refresh_token", "unknown", "admin", "none"])
async def test_only_a_public_key_tokenizes(
    client: httpx.AsyncClient, merchant: MerchantAccess, which: str
) -> None:
    key = {
        "api_key": merchant.api_key,
        "refresh_token": merchant.refresh_token,
        "unknown": "pk_test_unknown",
        "admin": ADMIN["Authorization"].removeprefix("Bearer "),
    }.get(which)
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    answer = await client.post(
        TOKENS, json={"account_number": "4111111111111111", "expiry": "12/30"}, headers=headers
    )
    assert answer.status_code == 401, answer.text
    body = answer.json()
    assert body["code"] in ("unauthorized", "key_not_found")
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert "4111111111111111" not in answer.text


async def test_stored_token_row_holds_the_number_only_encrypted(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    pan = "6011000990139424"
    token = (await tokenize(client, merchant, account_number=pan, cvv="321")).json()["token"]
    async with runtime.db.transaction() as session:
        row = await session.scalar(select(CardToken).where(CardToken.token == token))
    assert row is not None
    assert (row.bin, row.last_four, row.brand, row.expiry) == ("601100", "9424", "DISCOVER", "1230")
    assert pan.encode() not in row.pan_ciphertext and b"321" not in row.pan_ciphertext
    assert row.fingerprint == fingerprint(runtime, row.merchant_id, pan)
    assert pan not in row.fingerprint
    # AES-GCM under the merchant's data key, bound to the merchant (tests/security).
    async with runtime.db.transaction() as session:
        card = await open_card(session, runtime, row)
    assert card.pan == pan


async def test_tokenize_body_faults(client: httpx.AsyncClient, merchant: MerchantAccess) -> None:
    headers = {"Authorization": f"Bearer {merchant.public_key}"}
    missing = await client.post(TOKENS, json={"expiry": "12/30"}, headers=headers)
    assert missing.status_code == 400
    assert missing.json()["errors"] == {"account_number": ["is required"]}
    array = await client.post(TOKENS, json=["4111111111111111"], headers=headers)
    assert array.status_code == 400 and "4111111111111111" not in array.text
    text = await client.post(
        TOKENS,
        content=b"account_number=4111111111111111",
        headers={**headers, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert text.status_code == 415 and "4111111111111111" not in text.text
