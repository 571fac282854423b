"""Surcharging (spec §4.5, §12.6): fees on charges and POST /api/v1/surcharge."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import MerchantAccess, MerchantFactory
from tests.helpers import VISA, VISA_DEBIT, charge, events, post, settle, transaction

SURCHARGE_3 = {"surcharge_enabled": True, "surcharge_rate": "3.00"}
MASTERCARD_DEBIT = "5200828282828210"
AMEX = "378282246310005"
COMMERCIAL_VISA = "4055010000000005"


@pytest.fixture
async def surcharging(make_merchant: MerchantFactory) -> MerchantAccess:
    return await make_merchant(**SURCHARGE_3)


def fee_of(body: dict[str, Any]) -> tuple[Any, Any]:
    return body["fee_amount"], body["fee_rate"]


# ---------------------------------------------------------------- charges


async def test_credit_sale_with_a_zip_carries_the_fee(
    client: httpx.AsyncClient, surcharging: MerchantAccess
) -> None:
    body = (await charge(client, surcharging, amount=1000, account_zip="19106")).json()
    assert (body["result"], body["resp_code"], body["amount"]) == ("A", "00", 1000)
    assert fee_of(body) == ("0.30", 300)
    stored = await transaction(client, surcharging, body["trans_id"])
    assert (stored["state"], stored["amount_captured"], stored["fee_amount"]) == (
        "captured",
        1000,
        "0.30",
    )
    entered = (await events(client, surcharging))[0]
    assert entered["event_type"] == "transaction.entered"
    assert (entered["payload"]["amount"], entered["payload"]["fee_amount"]) == ("10.00", "0.30")
    # The cardholder pays amount + fee: that is what settles.
    settled = await settle(client, surcharging)
    assert (settled["transaction_count"], settled["net_amount"]) == (1, "10.30")


async def test_dollar_sale_fee_and_rounding(
    client: httpx.AsyncClient, surcharging: MerchantAccess
) -> None:
    hundred = (await charge(client, surcharging, amount="100.00", account_zip="19106")).json()
    assert (hundred["amount"], *fee_of(hundred)) == ("100.00", "3.00", 300)
    # 3 % of $25.99 is 77.97 cents, of $0.50 is 1.5 cents: both round half up.
    odd = (await charge(client, surcharging, amount="25.99", account_zip="19106")).json()
    assert fee_of(odd) == ("0.78", 300)
    half = (await charge(client, surcharging, amount=50, account_zip="19106")).json()
    assert fee_of(half) == ("0.02", 300)
    assert (await settle(client, surcharging))["net_amount"] == "130.29"


@pytest.mark.parametrize("pan", [AMEX, COMMERCIAL_VISA, "5555555555554444", "6011111111111117"])
async def test_every_credit_brand_is_surcharged(
    client: httpx.AsyncClient, surcharging: MerchantAccess, pan: str
) -> None:
    cvn = "1234" if pan == AMEX else "123"
    body = (
        await charge(client, surcharging, account_token=pan, cvn=cvn, account_zip="19106")
    ).json()
    assert (body["result"], body["card_funding"], *fee_of(body)) == ("A", "CREDIT", "0.30", 300)


async def test_a_lower_merchant_rate_applies(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(surcharge_enabled="Y", surcharge_rate="1.5")
    body = (await charge(client, m, amount=1000, account_zip="19106")).json()
    assert fee_of(body) == ("0.15", 150)


async def test_authorization_holds_the_fee_and_capture_takes_it(
    client: httpx.AsyncClient, surcharging: MerchantAccess
) -> None:
    auth = (
        await charge(client, surcharging, amount=10000, capture="N", account_zip="19106")
    ).json()
    assert (auth["result"], auth["trans_type"], *fee_of(auth)) == ("A", "auth", "3.00", 300)
    stored = await transaction(client, surcharging, auth["trans_id"])
    assert (stored["state"], stored["amount_authorized"], stored["amount_captured"]) == (
        "authorized",
        10000,
        0,
    )
    captured = (
        await post(client, surcharging, "/api/v1/capture", trans_id=auth["trans_id"], amount=8000)
    ).json()
    assert (captured["result"], captured["amount"], *fee_of(captured)) == (
        "A",
        8000,
        "2.40",
        300,
    )
    assert (await settle(client, surcharging))["net_amount"] == "82.40"


@pytest.mark.parametrize("pan", [VISA_DEBIT, MASTERCARD_DEBIT])
async def test_debit_cards_are_never_surcharged(
    client: httpx.AsyncClient, surcharging: MerchantAccess, pan: str
) -> None:
    body = (await charge(client, surcharging, account_token=pan, account_zip="19106")).json()
    assert (body["result"], body["card_funding"], *fee_of(body)) == ("A", "DEBIT", "0.00", 0)
    stored = await transaction(client, surcharging, body["trans_id"])
    assert (stored["amount_captured"], stored["fee_amount"]) == (1000, "0.00")
    assert (await settle(client, surcharging))["net_amount"] == "10.00"


async def test_debit_card_without_a_zip_goes_ahead_unsurcharged(
    client: httpx.AsyncClient, surcharging: MerchantAccess
) -> None:
    body = (await charge(client, surcharging, account_token=VISA_DEBIT)).json()
    assert (body["result"], *fee_of(body)) == ("A", "0.00", 0)


@pytest.mark.parametrize(
    "zip_code",
    ["06103", "06103-1234", "02139", "04101", "00901", " 06103 "],
    ids=["CT", "CT-zip4", "MA", "ME", "PR", "padded"],
)
async def test_restricted_postal_area_waives_the_fee(
    client: httpx.AsyncClient, surcharging: MerchantAccess, zip_code: str
) -> None:
    body = (await charge(client, surcharging, amount=1000, account_zip=zip_code)).json()
    assert (body["result"], body["resp_code"], *fee_of(body)) == ("A", "00", "0.00", 0)
    stored = await transaction(client, surcharging, body["trans_id"])
    assert (stored["state"], stored["amount_captured"], stored["fee_amount"]) == (
        "captured",
        1000,
        "0.00",
    )
    assert (await settle(client, surcharging))["net_amount"] == "10.00"


@pytest.mark.parametrize("zip_code", [None, "", "   "])
@pytest.mark.parametrize("capture", ["Y", "N"])
async def test_credit_charge_without_a_zip_is_surcharge_not_supported(
    client: httpx.AsyncClient, surcharging: MerchantAccess, zip_code: str | None, capture: str
) -> None:
    answer = await charge(client, surcharging, amount=1000, account_zip=zip_code, capture=capture)
    assert answer.status_code == 200
    body = answer.json()
    assert (body["result"], body["resp_code"], body["resp_text"], body["resp_proc"]) == (
        "C",
        "104",
        "Surcharge Not Supported",
        "PPS",
    )
    assert fee_of(body) == ("0.00", 0)
    stored = await transaction(client, surcharging, body["trans_id"])
    assert (
        stored["state"],
        stored["amount_authorized"],
        stored["amount_captured"],
        stored["fee_amount"],
    ) == ("declined", 0, 0, "0.00")
    assert [e["event_type"] for e in await events(client, surcharging)] == ["transaction.reject"]
    assert (await settle(client, surcharging))["transaction_count"] == 0
    # Nothing to capture or reverse either.
    for path in ("/api/v1/capture", "/api/v1/void-or-refund"):
        refused = (await post(client, surcharging, path, trans_id=body["trans_id"])).json()
        assert (refused["result"], refused["resp_code"]) == ("C", "94")


async def test_zero_dollar_verification_needs_no_zip(
    client: httpx.AsyncClient, surcharging: MerchantAccess
) -> None:
    body = (await charge(client, surcharging, amount="0.00", capture="N")).json()
    assert (body["result"], body["trans_type"], *fee_of(body)) == ("A", "verify", "0.00", 0)


@pytest.mark.parametrize(
    "merchant_settings",
    [{}, {"surcharge_enabled": False, "surcharge_rate": "3.00"}, {"surcharge_enabled": "Y"}],
    ids=["default", "disabled-with-rate", "enabled-without-rate"],
)
async def test_merchant_without_surcharging_charges_no_fee(
    client: httpx.AsyncClient, make_merchant: MerchantFactory, merchant_settings: dict[str, Any]
) -> None:
    m = await make_merchant(**merchant_settings)
    with_zip = (await charge(client, m, amount=1000, account_zip="19106")).json()
    assert (with_zip["result"], *fee_of(with_zip)) == ("A", "0.00", 0)
    without_zip = (await charge(client, m, amount=1000)).json()
    assert (without_zip["result"], *fee_of(without_zip)) == ("A", "0.00", 0)
    assert (await settle(client, m))["net_amount"] == "20.00"


# ---------------------------------------------------------------- POST /api/v1/surcharge


async def check(client: httpx.AsyncClient, m: MerchantAccess, **fields: Any) -> dict[str, Any]:
    answer = await post(client, m, "/api/v1/surcharge", **fields)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    assert set(body) == {"token", "postal", "fee_amount", "fee_rate", "messages"}
    return body


async def token_for(client: httpx.AsyncClient, m: MerchantAccess, pan: str) -> str:
    answer = await client.post(
        "/homerun/v1/tokens",
        json={"account_number": pan, "expiry": "12/30"},
        headers={"Authorization": f"Bearer {m.public_key}"},
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["account_token"]
    return token


async def test_check_credit_token_in_an_open_area(
    client: httpx.AsyncClient, surcharging: MerchantAccess
) -> None:
    token = await token_for(client, surcharging, VISA)
    body = await check(client, surcharging, postal="10001", account_token=token, amount="100.00")
    assert body == {
        "token": "CREDIT",
        "postal": "NOT_RESTRICTED",
        "fee_amount": "3.00",
        "fee_rate": 300,
        "messages": [],
    }


async def test_spec_example_fee_of_six_cents(
    client: httpx.AsyncClient, surcharging: MerchantAccess
) -> None:
    """Spec §4.5's answer: {"token":"CREDIT","postal":"NOT_RESTRICTED","fee_amount":"0.06"}."""
    token = await token_for(client, surcharging, VISA)
    body = await check(client, surcharging, postal="10001", account_token=token, amount="2.00")
    assert body == {
        "token": "CREDIT",
        "postal": "NOT_RESTRICTED",
        "fee_amount": "0.06",
        "fee_rate": 300,
        "messages": [],
    }


async def test_spec_example_request_with_an_unknown_token(
    client: httpx.AsyncClient, surcharging: MerchantAccess
) -> None:
    """Spec §4.5's request shape, as sent; its placeholder token is not a known token."""
    answer = await client.post(
        "/api/v1/surcharge",
        json={
            "mid": surcharging.mid,
            "postal": "10001",
            "account_token": "tok_123456789abcdef",
            "amount": "100.00",
        },
        headers=surcharging.headers,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {
        "token": None,
        "postal": "NOT_RESTRICTED",
        "fee_amount": "0.00",
        "fee_rate": 0,
        "messages": ["account_token is not a known token"],
    }


@pytest.mark.parametrize("token", ["9111111111111111", "4111111111111112", "tok_x"])
async def test_unknown_tokens_answer_token_null(
    client: httpx.AsyncClient, surcharging: MerchantAccess, token: str
) -> None:
    body = await check(client, surcharging, postal="06103", account_token=token, amount="10.00")
    assert body == {
        "token": None,
        "postal": "RESTRICTED",
        "fee_amount": "0.00",
        "fee_rate": 0,
        "messages": ["account_token is not a known token"],
    }


async def test_check_accepts_a_test_card_number_in_the_sandbox(
    client: httpx.AsyncClient, surcharging: MerchantAccess
) -> None:
    """Ruling R11: in the sandbox a test card number is also an account_token."""
    credit = await check(client, surcharging, postal="19106", account_token=VISA, amount="10.00")
    assert (credit["token"], credit["fee_amount"], credit["fee_rate"]) == ("CREDIT", "0.30", 300)
    debit = await check(
        client, surcharging, postal="19106", account_token=VISA_DEBIT, amount="10.00"
    )
    assert (debit["token"], debit["fee_amount"], debit["fee_rate"]) == ("DEBIT", "0.00", 0)


async def test_check_uses_the_token_a_charge_answered(
    client: httpx.AsyncClient, surcharging: MerchantAccess
) -> None:
    charged = (await charge(client, surcharging, amount=1000, account_zip="19106")).json()
    body = await check(
        client, surcharging, postal="19106", account_token=charged["account_token"], amount=10
    )
    assert (body["token"], body["fee_amount"], body["fee_rate"]) == ("CREDIT", "0.30", 300)


@pytest.mark.parametrize("pan", [VISA_DEBIT, MASTERCARD_DEBIT])
async def test_check_debit_token(
    client: httpx.AsyncClient, surcharging: MerchantAccess, pan: str
) -> None:
    token = await token_for(client, surcharging, pan)
    body = await check(client, surcharging, postal="10001", account_token=token, amount="100.00")
    assert body == {
        "token": "DEBIT",
        "postal": "NOT_RESTRICTED",
        "fee_amount": "0.00",
        "fee_rate": 0,
        "messages": ["Debit cards are never surcharged"],
    }


@pytest.mark.parametrize("postal", ["06103", "02139-4307", "04101"])
async def test_check_restricted_postal_area(
    client: httpx.AsyncClient, surcharging: MerchantAccess, postal: str
) -> None:
    token = await token_for(client, surcharging, VISA)
    body = await check(client, surcharging, postal=postal, account_token=token, amount="100.00")
    assert body == {
        "token": "CREDIT",
        "postal": "RESTRICTED",
        "fee_amount": "0.00",
        "fee_rate": 0,
        "messages": ["Surcharges are not allowed in this postal area"],
    }


async def test_check_debit_in_a_restricted_area(
    client: httpx.AsyncClient, surcharging: MerchantAccess
) -> None:
    token = await token_for(client, surcharging, VISA_DEBIT)
    body = await check(client, surcharging, postal="06103", account_token=token, amount="1.00")
    assert (body["token"], body["postal"], body["fee_amount"], body["fee_rate"]) == (
        "DEBIT",
        "RESTRICTED",
        "0.00",
        0,
    )


async def test_check_without_amount_gives_the_rate(
    client: httpx.AsyncClient, surcharging: MerchantAccess
) -> None:
    token = await token_for(client, surcharging, VISA)
    body = await check(client, surcharging, postal="10001", account_token=token)
    assert body == {
        "token": "CREDIT",
        "postal": "NOT_RESTRICTED",
        "fee_amount": "0.00",
        "fee_rate": 300,
        "messages": ["send amount to see the fee in dollars"],
    }


@pytest.mark.parametrize(
    ("amount", "fee"),
    [("100.00", "3.00"), ("100", "3.00"), (100, "3.00"), (25.99, "0.78"), ("0.50", "0.02")],
)
async def test_check_amount_forms_are_dollars(
    client: httpx.AsyncClient, surcharging: MerchantAccess, amount: Any, fee: str
) -> None:
    token = await token_for(client, surcharging, VISA)
    body = await check(client, surcharging, postal="10001", account_token=token, amount=amount)
    assert (body["fee_amount"], body["fee_rate"]) == (fee, 300)


async def test_check_on_a_merchant_without_surcharging(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    token = await token_for(client, merchant, VISA)
    body = await check(client, merchant, postal="10001", account_token=token, amount="100.00")
    assert body == {
        "token": "CREDIT",
        "postal": "NOT_RESTRICTED",
        "fee_amount": "0.00",
        "fee_rate": 0,
        "messages": ["Surcharging is not enabled for this merchant"],
    }


async def test_check_moves_no_money_and_records_nothing(
    client: httpx.AsyncClient, surcharging: MerchantAccess
) -> None:
    token = await token_for(client, surcharging, VISA)
    await check(client, surcharging, postal="10001", account_token=token, amount="100.00")
    assert await events(client, surcharging) == []
    assert (await settle(client, surcharging))["transaction_count"] == 0


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"postal": None}, "postal"),
        ({"postal": ""}, "postal"),
        ({"account_token": None}, "account_token"),
        ({"account_token": ""}, "account_token"),
        ({"mid": None}, "mid"),
        ({"amount": "abc"}, "amount"),
        ({"amount": "-1.00"}, "amount"),
        ({"amount": -1}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": True}, "amount"),
        ({"amount": [1]}, "amount"),
    ],
)
async def test_check_bad_input_is_a_400_naming_the_field(
    client: httpx.AsyncClient, surcharging: MerchantAccess, fields: dict[str, Any], field: str
) -> None:
    body: dict[str, Any] = {
        "mid": surcharging.mid,
        "postal": "10001",
        "account_token": VISA,
        "amount": "10.00",
        **fields,
    }
    body = {k: v for k, v in body.items() if v is not None}
    answer = await client.post("/api/v1/surcharge", json=body, headers=surcharging.headers)
    assert answer.status_code == 400, answer.text
    error = answer.json()
    assert field in error["errors"]
    assert error["code"] == "invalid_request"
    assert error["error"] == error["message"] == error["error_description"]
    assert VISA not in answer.text


async def test_check_for_a_mid_the_key_does_not_own_is_403(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    mine, theirs = await make_merchant(), await make_merchant(**SURCHARGE_3)
    answer = await client.post(
        "/api/v1/surcharge",
        json={"mid": theirs.mid, "postal": "10001", "account_token": VISA, "amount": "1.00"},
        headers=mine.headers,
    )
    assert answer.status_code == 403


async def test_check_needs_an_api_key(
    client: httpx.AsyncClient, surcharging: MerchantAccess
) -> None:
    answer = await client.post(
        "/api/v1/surcharge",
        json={"mid": surcharging.mid, "postal": "10001", "account_token": VISA},
    )
    assert answer.status_code == 401
