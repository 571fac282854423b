"""Who takes ACH (ruling R15): the merchant setting, the admin API, and Runner.js's view."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import ADMIN, MerchantAccess, MerchantFactory

MERCHANTS = "/homerun/v1/merchants"
MERCHANT_TYPE = "/homerun/v1/tokenizer/merchant"


async def merchant_type(client: httpx.AsyncClient, m: MerchantAccess) -> httpx.Response:
    return await client.get(MERCHANT_TYPE, headers={"Authorization": f"Bearer {m.public_key}"})


async def test_a_new_merchant_takes_cards_and_charges_five_dollars_a_return(
    client: httpx.AsyncClient,
) -> None:
    body = (await client.post(MERCHANTS, json={"name": "Plain"}, headers=ADMIN)).json()
    assert (body["accepts"], body["ach_return_fee"]) == ("cards", "5.00")


@pytest.mark.parametrize(("accepts", "type_id"), [("cards", 1), ("ach", 2), ("both", 3)])
async def test_runner_learns_the_merchant_type_from_the_public_key(
    client: httpx.AsyncClient, make_merchant: MerchantFactory, accepts: str, type_id: int
) -> None:
    m = await make_merchant(accepts=accepts)
    answer = await merchant_type(client, m)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"mid": m.mid, "merchant_type_id": type_id, "accepts": accepts}


async def test_a_change_of_what_a_merchant_takes_shows_at_once(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    assert (await merchant_type(client, merchant)).json()["merchant_type_id"] == 1
    changed = await client.patch(
        f"{MERCHANTS}/{merchant.mid}",
        json={"accepts": "both", "ach_return_fee": "2.50"},
        headers=ADMIN,
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["accepts"], changed.json()["ach_return_fee"]) == ("both", "2.50")
    assert (await merchant_type(client, merchant)).json()["merchant_type_id"] == 3


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"accepts": "cheques"}, "accepts"),
        ({"accepts": 2}, "accepts"),
        ({"ach_return_fee": "-1.00"}, "ach_return_fee"),
        ({"ach_return_fee": "10000.01"}, "ach_return_fee"),
    ],
)
async def test_bad_settings_name_the_field_and_change_nothing(
    client: httpx.AsyncClient, merchant: MerchantAccess, fields: dict[str, object], field: str
) -> None:
    before = (await client.get(f"{MERCHANTS}/{merchant.mid}", headers=ADMIN)).json()
    answer = await client.patch(f"{MERCHANTS}/{merchant.mid}", json=fields, headers=ADMIN)
    assert answer.status_code == 400, answer.text
    assert list(answer.json()["errors"]) == [field]
    assert (await client.get(f"{MERCHANTS}/{merchant.mid}", headers=ADMIN)).json() == before


async def test_merchant_type_needs_a_public_key(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    for headers in ({}, {"Authorization": "Bearer pk_test_unknown"}, merchant.headers):
        answer = await client.get(MERCHANT_TYPE, headers=headers)
        assert answer.status_code == 401, answer.text
        assert "mid" not in answer.json()
