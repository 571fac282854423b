"""POST /api/v1/capture: whole and partial captures, refusals, tenancy, authorization expiry."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import charge, events, post, settle, transaction

CAPTURE = "/api/v1/capture"
SURCHARGE_3 = {"surcharge_enabled": True, "surcharge_rate": "3.00"}


async def authorize(
    client: httpx.AsyncClient, m: MerchantAccess, amount: int | str = 5000, **fields: Any
) -> str:
    body = (await charge(client, m, amount=amount, capture="N", **fields)).json()
    assert (body["result"], body["trans_type"]) == ("A", "auth"), body
    trans_id: str = body["trans_id"]
    return trans_id


async def capture(
    client: httpx.AsyncClient, m: MerchantAccess, trans_id: str | int, **fields: Any
) -> dict[str, Any]:
    answer = await post(client, m, CAPTURE, trans_id=trans_id, **fields)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def snapshot(
    client: httpx.AsyncClient, m: MerchantAccess, trans_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    return await transaction(client, m, trans_id), await events(client, m)


def refused(body: dict[str, Any], code: str, text: str) -> None:
    assert (body["result"], body["resp_code"], body["resp_text"], body["resp_proc"]) == (
        "C",
        code,
        text,
        "PPS",
    ), body


# ---------------------------------------------------------------- approvals


async def test_docs_example_request_captures_the_whole_authorization(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    """Spec §4.3's request: just trans_id and mid."""
    trans_id = await authorize(client, merchant, amount=15000)
    answer = await client.post(
        CAPTURE,
        content=json.dumps({"trans_id": trans_id, "mid": merchant.mid}),
        headers={**merchant.headers, "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["result"], body["resp_code"], body["resp_text"]) == ("A", "00", "Approval")
    assert body["resp_proc"] == "SIM"
    assert body["trans_id"] == trans_id and body["mid"] == merchant.mid
    assert body["amount"] == 15000  # no amount sent: the original charge's form (cents)
    assert body["settlement_status"] == "Pending" and body["batch_id"] is None
    assert body["card_number"] == body["account"] == "**** **** **** 1111"
    assert body["currency"] == "USD" and len(body["auth_code"]) == 6
    stored = await transaction(client, merchant, trans_id)
    assert (
        stored["state"],
        stored["amount_authorized"],
        stored["amount_captured"],
        stored["amount_refunded"],
    ) == ("captured", 15000, 15000, 0)
    found = await events(client, merchant)
    assert [e["event_type"] for e in found] == ["transaction.entered", "transaction.capture"]
    captured = found[1]
    assert captured["source_id"] == trans_id
    assert captured["payload"]["trans_id"] == trans_id
    assert captured["payload"]["state"] == "captured"
    assert captured["payload"]["amount"] == "150.00"
    assert captured["payload"]["fee_amount"] == "0.00"
    assert captured["payload"]["mid"] == merchant.mid
    settled = await settle(client, merchant)
    assert (settled["transaction_count"], settled["net_amount"]) == (1, "150.00")


async def test_numeric_trans_id_is_accepted(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await authorize(client, merchant, amount=700)
    body = await capture(client, merchant, int(trans_id))
    assert (body["result"], body["trans_id"], body["amount"]) == ("A", trans_id, 700)


async def test_no_amount_answers_in_the_original_dollar_form(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await authorize(client, merchant, amount="50.00")
    body = await capture(client, merchant, trans_id)
    assert (body["result"], body["amount"]) == ("A", "50.00")
    stored = await transaction(client, merchant, trans_id)
    assert (stored["state"], stored["amount_captured"]) == ("captured", 5000)


async def test_amount_equal_to_the_authorization_captures_all(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await authorize(client, merchant, amount="50.00")
    body = await capture(client, merchant, trans_id, amount=5000)
    assert (body["result"], body["amount"]) == ("A", 5000)  # cents in, cents out
    stored = await transaction(client, merchant, trans_id)
    assert (stored["amount_authorized"], stored["amount_captured"]) == (5000, 5000)


async def test_partial_capture_takes_less_than_was_authorized(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await authorize(client, merchant, amount=5000)
    body = await capture(
        client, merchant, trans_id, amount="20.00", invoice_id="INV-9", user_identifier="clerk"
    )
    assert (body["result"], body["resp_code"], body["amount"]) == ("A", "00", "20.00")
    assert (body["invoice_id"], body["user_identifier"]) == ("INV-9", "clerk")
    stored = await transaction(client, merchant, trans_id)
    assert (stored["state"], stored["amount_authorized"], stored["amount_captured"]) == (
        "captured",
        5000,
        2000,
    )
    assert (await events(client, merchant))[-1]["payload"]["amount"] == "20.00"
    settled = await settle(client, merchant)
    assert (settled["transaction_count"], settled["net_amount"]) == (1, "20.00")


async def test_capture_adds_holder_and_level3_data(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await authorize(client, merchant, amount=1000, name="Jane Roe")
    body = await capture(
        client, merchant, trans_id, city="Philadelphia", po_number="PO-1", account_zip="19106"
    )
    assert (body["name"], body["city"], body["account_zip"]) == (
        "Jane Roe",
        "Philadelphia",
        "19106",
    )


async def test_whole_capture_of_a_surcharged_authorization_takes_the_fee(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(**SURCHARGE_3)
    trans_id = await authorize(client, m, amount="100.00", account_zip="19106")
    body = await capture(client, m, trans_id)
    assert (body["result"], body["amount"], body["fee_amount"], body["fee_rate"]) == (
        "A",
        "100.00",
        "3.00",
        300,
    )
    stored = await transaction(client, m, trans_id)
    assert (stored["amount_captured"], stored["fee_amount"]) == (10000, "3.00")
    assert (await events(client, m))[-1]["payload"]["fee_amount"] == "3.00"
    assert (await settle(client, m))["net_amount"] == "103.00"


async def test_partial_capture_recomputes_the_surcharge(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(**SURCHARGE_3)
    trans_id = await authorize(client, m, amount=10000, account_zip="19106")
    body = await capture(client, m, trans_id, amount=3333)
    # 3 % of $33.33 is 99.99 cents: rounded half up to $1.00.
    assert (body["result"], body["amount"], body["fee_amount"], body["fee_rate"]) == (
        "A",
        3333,
        "1.00",
        300,
    )
    stored = await transaction(client, m, trans_id)
    assert (stored["amount_authorized"], stored["amount_captured"], stored["fee_amount"]) == (
        10000,
        3333,
        "1.00",
    )
    assert (await settle(client, m))["net_amount"] == "34.33"


# ---------------------------------------------------------------- refusals


async def test_capture_more_than_authorized_is_invalid_amount_and_changes_nothing(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await authorize(client, merchant, amount=5000)
    before = await snapshot(client, merchant, trans_id)
    body = await capture(client, merchant, trans_id, amount=5001)
    refused(body, "43", "Invalid amount")
    assert (body["trans_id"], body["amount"]) == (trans_id, 5001)
    assert await snapshot(client, merchant, trans_id) == before
    assert before[0]["state"] == "authorized" and before[0]["amount_captured"] == 0


async def test_capture_of_zero_is_invalid_amount(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    trans_id = await authorize(client, merchant, amount="50.00")
    before = await snapshot(client, merchant, trans_id)
    refused(await capture(client, merchant, trans_id, amount="0.00"), "43", "Invalid amount")
    assert await snapshot(client, merchant, trans_id) == before


async def _voided(client: httpx.AsyncClient, m: MerchantAccess) -> str:
    trans_id = await authorize(client, m)
    voided = await post(client, m, "/api/v1/void", trans_id=trans_id)
    assert voided.json()["result"] == "A"
    return trans_id


async def _declined(client: httpx.AsyncClient, m: MerchantAccess) -> str:
    body = (await charge(client, m, account_token="4000000000000002", capture="N")).json()
    assert body["result"] == "C"
    trans_id: str = body["trans_id"]
    return trans_id


async def _refused(client: httpx.AsyncClient, m: MerchantAccess) -> str:
    body = (await charge(client, m, expiration="01/20", capture="N")).json()
    assert body["resp_code"] == "16"
    trans_id: str = body["trans_id"]
    return trans_id


async def _captured(client: httpx.AsyncClient, m: MerchantAccess) -> str:
    trans_id = await authorize(client, m)
    assert (await capture(client, m, trans_id))["result"] == "A"
    return trans_id


async def _sale(client: httpx.AsyncClient, m: MerchantAccess) -> str:
    body = (await charge(client, m, amount=5000)).json()
    assert body["result"] == "A"
    trans_id: str = body["trans_id"]
    return trans_id


async def _settled(client: httpx.AsyncClient, m: MerchantAccess) -> str:
    trans_id = await _sale(client, m)
    await settle(client, m)
    return trans_id


async def _verification(client: httpx.AsyncClient, m: MerchantAccess) -> str:
    body = (await charge(client, m, amount="0.00", capture="N")).json()
    assert (body["result"], body["trans_type"]) == ("A", "verify")
    trans_id: str = body["trans_id"]
    return trans_id


async def _unknown(client: httpx.AsyncClient, m: MerchantAccess) -> str:
    body = (await charge(client, m, account_token="4000000000000119", capture="N")).json()
    assert body["result"] == "B"
    trans_id: str = body["trans_id"]
    return trans_id


async def _refund_row(client: httpx.AsyncClient, m: MerchantAccess) -> str:
    trans_id = await _settled(client, m)
    refund = (await post(client, m, "/api/v1/refund", trans_id=trans_id)).json()
    assert refund["result"] == "A"
    refund_id: str = refund["trans_id"]
    return refund_id


@pytest.mark.parametrize(
    ("make", "state"),
    [
        (_voided, "voided"),
        (_declined, "declined"),
        (_refused, "declined"),
        (_captured, "captured"),
        (_sale, "captured"),
        (_settled, "settled"),
        (_verification, "verified"),
        (_unknown, "unknown"),
        (_refund_row, "captured"),
    ],
)
async def test_capture_of_what_is_not_an_open_authorization_is_no_action(
    client: httpx.AsyncClient, make_merchant: MerchantFactory, make: Any, state: str
) -> None:
    m = await make_merchant()
    trans_id = await make(client, m)
    before = await snapshot(client, m, trans_id)
    assert before[0]["state"] == state
    body = await capture(client, m, trans_id)
    refused(body, "94", "No action")
    assert body["trans_id"] == trans_id
    assert await snapshot(client, m, trans_id) == before
    with_amount = await capture(client, m, trans_id, amount=100)
    refused(with_amount, "94", "No action")
    assert await snapshot(client, m, trans_id) == before


@pytest.mark.parametrize(
    "trans_id",
    ["999999999", "0", "TXN1234567890", "12345678x", "-1", "1.5", "²", "9" * 19],
)
async def test_unknown_or_malformed_trans_id_is_not_found(
    client: httpx.AsyncClient, merchant: MerchantAccess, trans_id: str
) -> None:
    existing = await authorize(client, merchant, amount=100)
    before = await snapshot(client, merchant, existing)
    body = await capture(client, merchant, trans_id, amount="1.00")
    refused(body, "29", "Txn not found")
    assert (body["trans_id"], body["mid"], body["amount"]) == (trans_id, merchant.mid, "1.00")
    assert await snapshot(client, merchant, existing) == before


async def test_a_trans_id_in_other_digits_than_ascii_is_not_found(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    """int() reads fullwidth or Arabic-Indic digits as a number; a trans_id is ASCII only."""
    trans_id = await authorize(client, merchant, amount=100)
    before = await snapshot(client, merchant, trans_id)
    for zero in (0xFF10, 0x0660):  # FULLWIDTH DIGIT ZERO, ARABIC-INDIC DIGIT ZERO
        lookalike = "".join(chr(zero + int(d)) for d in trans_id)
        assert int(lookalike) == int(trans_id)
        refused(await capture(client, merchant, lookalike), "29", "Txn not found")
    assert await snapshot(client, merchant, trans_id) == before


async def test_another_merchants_transaction_is_not_found(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    mine, theirs = await make_merchant(), await make_merchant()
    their_auth = await authorize(client, theirs, amount=4000)
    before = await snapshot(client, theirs, their_auth)
    body = await capture(client, mine, their_auth)
    refused(body, "29", "Txn not found")
    assert body["amount"] is None and body["order_id"] is None
    assert await snapshot(client, theirs, their_auth) == before
    assert await events(client, mine) == []


async def test_a_mid_the_key_does_not_own_is_403(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    mine, theirs = await make_merchant(), await make_merchant()
    their_auth = await authorize(client, theirs)
    before = await snapshot(client, theirs, their_auth)
    answer = await client.post(
        CAPTURE, json={"mid": theirs.mid, "trans_id": their_auth}, headers=mine.headers
    )
    assert answer.status_code == 403 and answer.json()["code"] == "forbidden"
    assert await snapshot(client, theirs, their_auth) == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"trans_id": None}, "trans_id"),
        ({"trans_id": ""}, "trans_id"),
        ({"mid": None}, "mid"),
        ({"amount": 10.5}, "amount"),
        ({"amount": -100}, "amount"),
        ({"amount": "1.234"}, "amount"),
        ({"amount": "abc"}, "amount"),
        ({"currency": "DOLLARS"}, "currency"),
    ],
)
async def test_bad_input_is_a_400_naming_the_field(
    client: httpx.AsyncClient, merchant: MerchantAccess, fields: dict[str, Any], field: str
) -> None:
    trans_id = await authorize(client, merchant)
    before = await snapshot(client, merchant, trans_id)
    body = {"mid": merchant.mid, "trans_id": trans_id, **fields}
    body = {k: v for k, v in body.items() if v is not None}
    answer = await client.post(CAPTURE, json=body, headers=merchant.headers)
    assert answer.status_code == 400, answer.text
    assert field in answer.json()["errors"]
    assert await snapshot(client, merchant, trans_id) == before


# ---------------------------------------------------------------- expiry


async def advance_clock(
    client: httpx.AsyncClient, m: MerchantAccess, seconds: int
) -> MerchantAccess:
    """Move the shared sandbox clock; the api_key (1 h) lapses, so issue a fresh one."""
    moved = await client.post("/homerun/v1/clock/advance", json={"seconds": seconds}, headers=ADMIN)
    assert moved.status_code == 200, moved.text
    issued = await client.post(f"/homerun/v1/merchants/{m.mid}/credentials", headers=ADMIN)
    assert issued.status_code == 201, issued.text
    creds = issued.json()
    return MerchantAccess(
        m.mid,
        creds["api_key"],
        creds["refresh_token"],
        creds["public_key"],
        creds["credential_id"],
    )


async def test_an_authorization_expires_after_seven_days(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    """The clock only moves forward and is shared: every time here is relative to now."""
    in_time = await authorize(client, merchant, amount=1000)
    too_late = await authorize(client, merchant, amount=2000)
    void_late = await authorize(client, merchant, amount=3000)
    merchant = await advance_clock(client, merchant, 7 * 86400 - 120)
    early = await capture(client, merchant, in_time)
    assert (early["result"], early["amount"]) == ("A", 1000)

    merchant = await advance_clock(client, merchant, 121)
    before = await transaction(client, merchant, too_late)
    before_events = await events(client, merchant)
    body = await capture(client, merchant, too_late)
    refused(body, "94", "No action")
    after = await transaction(client, merchant, too_late)
    assert after["state"] == "expired" and after["settlement_status"] == "Expired"
    assert (after["amount_authorized"], after["amount_captured"]) == (2000, 0)
    assert {k: v for k, v in after.items() if k not in ("state", "settlement_status")} == {
        k: v for k, v in before.items() if k not in ("state", "settlement_status")
    }
    assert await events(client, merchant) == before_events
    # Expired stays expired: a second capture and a void are refused alike.
    refused(await capture(client, merchant, too_late), "94", "No action")
    late_void = (await post(client, merchant, "/api/v1/void", trans_id=void_late)).json()
    refused(late_void, "94", "No action")
    assert (await transaction(client, merchant, void_late))["state"] == "expired"
    # The capture made in time is untouched by the expiry (moving the clock may have
    # passed the merchant's batch cut-off and settled it).
    kept = await transaction(client, merchant, in_time)
    assert kept["state"] in ("captured", "settled") and kept["amount_captured"] == 1000
    assert await events(client, merchant) == before_events
