"""Charging a bank account (ruling R15): a sale accepted for origination."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from homerun.merchants.models import Merchant
from homerun.payments.models import Transaction
from homerun.runtime import Runtime
from tests.ach.helpers import ROUTING, ach_token
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import VISA, charge, events, transaction


async def ach_charge(
    client: httpx.AsyncClient, m: MerchantAccess, token: str, **fields: Any
) -> httpx.Response:
    body: dict[str, Any] = {"mid": m.mid, "amount": 2500, "account_token": token, **fields}
    body = {k: v for k, v in body.items() if v is not None}
    return await client.post("/api/v1/charge", json=body, headers=m.headers)


async def row_count(runtime: Runtime, mid: str) -> int:
    async with runtime.db.transaction() as session:
        merchant_id = await session.scalar(select(Merchant.id).where(Merchant.mid == mid))
        stmt = select(func.count(Transaction.id)).where(Transaction.merchant_id == merchant_id)
        return int(await session.scalar(stmt) or 0)


@pytest.fixture
async def both(make_merchant: MerchantFactory) -> MerchantAccess:
    return await make_merchant(accepts="both", surcharge_enabled=True, surcharge_rate="3.00")


async def test_an_ach_charge_is_an_accepted_sale_with_the_r15_answer(
    client: httpx.AsyncClient, both: MerchantAccess
) -> None:
    token = await ach_token(client, both, account_type="savings", entry_class="PPD")
    answer = await ach_charge(client, both, token, account_zip="19106", capture="Y")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    expected = {
        "result": "A",
        "resp_code": "00",
        "resp_text": "Accepted",
        "resp_proc": "SIM",
        "amount": 2500,
        "trans_type": "sale",
        "settlement_status": "Pending",
        "card_type": "ACH",
        "card_brand": "ACH",
        "card_number": "****3057",
        "account": "****3057",
        "account_token": token,
        "expiration": None,
        "avs_resp": "",
        "cvv_resp": "",
        "fee_amount": "0.00",  # surcharges never apply to ACH
        "fee_rate": 0,
        "payment_method": "ach",
        "account_type": "savings",
        "routing_number": ROUTING,
        "entry_class": "PPD",
        "return_code": None,
        "return_reason": None,
        "change_code": None,
        "name": "Pat Payer",
    }
    assert {k: body[k] for k in expected} == expected
    assert "86063057" not in answer.text
    stored = await transaction(client, both, body["trans_id"])
    assert (stored["state"], stored["settlement_status"]) == ("accepted", "Pending")
    assert [e["event_type"] for e in await events(client, both)] == ["transaction.entered"]


@pytest.mark.parametrize(
    ("com_ind", "entry_class"), [("tel", "TEL"), ("CCD", "CCD"), (None, "WEB")]
)
async def test_com_ind_overrides_the_token_entry_class(
    client: httpx.AsyncClient, both: MerchantAccess, com_ind: str | None, entry_class: str
) -> None:
    token = await ach_token(client, both)
    answer = await ach_charge(client, both, token, com_ind=com_ind)
    assert answer.json()["entry_class"] == entry_class


async def test_an_ach_charge_on_a_card_only_mid_is_a_bare_400(
    client: httpx.AsyncClient, runtime: Runtime, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(accepts="both")
    token = await ach_token(client, m)
    changed = await client.patch(
        f"/homerun/v1/merchants/{m.mid}", json={"accepts": "cards"}, headers=ADMIN
    )
    assert changed.status_code == 200
    answer = await ach_charge(client, m, token)
    assert (answer.status_code, answer.content) == (400, b"")
    assert await row_count(runtime, m.mid) == 0


async def test_a_card_charge_on_an_ach_only_mid_is_400_naming_account_token(
    client: httpx.AsyncClient, runtime: Runtime, make_merchant: MerchantFactory
) -> None:
    m = await make_merchant(accepts="ach")
    for fields in ({}, {"account_token": "9000000000001111"}, {"account_token": None}):
        answer = await charge(client, m, **fields)
        assert answer.status_code == 400, answer.text
        assert list(answer.json()["errors"]) == ["account_token"]
        assert VISA not in answer.text
    assert await row_count(runtime, m.mid) == 0
    token = await ach_token(client, m)
    assert (await ach_charge(client, m, token)).json()["result"] == "A"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"capture": "N"}, "capture"),
        ({"capture": False}, "capture"),
        ({"amount": 0}, "amount"),
        ({"com_ind": "E"}, "com_ind"),
        ({"com_ind": "ARC"}, "com_ind"),
    ],
)
async def test_bad_ach_charges_are_400_naming_the_field_and_write_nothing(
    client: httpx.AsyncClient,
    runtime: Runtime,
    both: MerchantAccess,
    fields: dict[str, Any],
    field: str,
) -> None:
    token = await ach_token(client, both)
    answer = await ach_charge(client, both, token, **fields)
    assert answer.status_code == 400, answer.text
    assert list(answer.json()["errors"]) == [field]
    assert await row_count(runtime, both.mid) == 0


async def test_a_card_charge_takes_no_entry_class(
    client: httpx.AsyncClient, runtime: Runtime, both: MerchantAccess
) -> None:
    answer = await charge(client, both, com_ind="WEB")
    assert answer.status_code == 400, answer.text
    assert list(answer.json()["errors"]) == ["com_ind"]
    assert await row_count(runtime, both.mid) == 0
    card = await charge(client, both, com_ind="E", account_zip="19106")
    assert card.json()["result"] == "A" and card.json()["card_brand"] == "VISA"
    assert "payment_method" not in card.json()  # card answers are unchanged


async def test_an_ach_token_is_the_merchants_own(
    client: httpx.AsyncClient, both: MerchantAccess, make_merchant: MerchantFactory
) -> None:
    other = await make_merchant(accepts="both")
    token = await ach_token(client, both)
    answer = await ach_charge(client, other, token)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["result"], answer.json()["resp_code"]) == ("C", "98")
