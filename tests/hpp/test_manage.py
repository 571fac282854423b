"""Homerun's own page management: list, show, disable and enable under /homerun/v1."""

from __future__ import annotations

import httpx

from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.hpp.support import GOOD_CARD, create_page, page_path, pay, trans_id_of


async def test_a_merchant_lists_its_own_pages_newest_first(
    client: httpx.AsyncClient, merchant: MerchantAccess, make_merchant: MerchantFactory
) -> None:
    ids = [(await create_page(client, merchant, name=f"page {n}"))[0] for n in range(3)]
    other = await make_merchant()
    await create_page(client, other)
    listed = await client.get("/homerun/v1/hpp", headers=merchant.headers)
    assert listed.status_code == 200, listed.text
    body = listed.json()
    assert [item["client_id"] for item in body["items"]] == ids[::-1]
    assert (body["count"], body["limit"], body["offset"], body["has_more"]) == (3, 25, 0, False)
    item = body["items"][0]
    assert item["cc_mid"] == merchant.mid and item["url"].endswith(f"client_id={ids[2]}")
    page = await client.get("/homerun/v1/hpp?limit=2&offset=1", headers=merchant.headers)
    assert [i["client_id"] for i in page.json()["items"]] == [ids[1], ids[0]]
    first = await client.get("/homerun/v1/hpp?limit=1", headers=merchant.headers)
    assert first.json()["has_more"] is True


async def test_disable_and_enable_and_filter_by_status(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    kept, _ = await create_page(client, merchant)
    closed, _ = await create_page(client, merchant)
    off = await client.post(f"/homerun/v1/hpp/{closed}/disable", headers=merchant.headers)
    assert off.status_code == 200, off.text
    assert (off.json()["status"], off.json()["disabled_reason"]) == ("disabled", "merchant")
    again = await client.post(f"/homerun/v1/hpp/{closed}/disable", headers=merchant.headers)
    assert again.status_code == 200  # turning off twice is harmless
    active = await client.get("/homerun/v1/hpp?status=active", headers=merchant.headers)
    assert [i["client_id"] for i in active.json()["items"]] == [kept]
    disabled = await client.get("/homerun/v1/hpp?status=disabled", headers=merchant.headers)
    assert [i["client_id"] for i in disabled.json()["items"]] == [closed]
    assert (await client.get(page_path(closed))).status_code == 410
    on = await client.post(f"/homerun/v1/hpp/{closed}/enable", headers=merchant.headers)
    assert on.json()["status"] == "active" and on.json()["disabled_reason"] is None
    assert (await client.get(page_path(closed))).status_code == 200
    bad = await client.get("/homerun/v1/hpp?status=gone", headers=merchant.headers)
    assert bad.status_code == 400


async def test_a_page_shows_its_payments(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(client, merchant, amount="12.00", lock_amount=True)
    paid = await pay(client, client_id, **GOOD_CARD)
    shown = await client.get(f"/homerun/v1/hpp/{client_id}", headers=merchant.headers)
    body = shown.json()
    assert body["payment_count"] == 1 and body["last_paid_at"]
    assert body["payments"] == [
        {
            "trans_id": trans_id_of(paid.text),
            "amount": "12.00",
            "currency": "USD",
            "result": "A",
            "card_brand": "VISA",
            "last_four": "1111",
            "paid_at": body["payments"][0]["paid_at"],
        }
    ]


async def test_merchants_cannot_touch_each_others_pages(
    client: httpx.AsyncClient, merchant: MerchantAccess, make_merchant: MerchantFactory
) -> None:
    client_id, _ = await create_page(client, merchant)
    other = await make_merchant()
    for method, path in (
        ("GET", f"/homerun/v1/hpp/{client_id}"),
        ("POST", f"/homerun/v1/hpp/{client_id}/disable"),
        ("POST", f"/homerun/v1/hpp/{client_id}/enable"),
    ):
        answer = await client.request(method, path, headers=other.headers)
        assert answer.status_code == 404, path
    assert (await client.get(page_path(client_id))).status_code == 200


async def test_the_merchant_routes_need_an_api_key(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    assert (await client.get("/homerun/v1/hpp")).status_code == 401
    public = {"Authorization": f"Bearer {merchant.public_key}"}
    assert (await client.get("/homerun/v1/hpp", headers=public)).status_code == 401


async def test_the_admin_manages_any_merchants_pages(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    client_id, _ = await create_page(client, merchant)
    base = f"/homerun/v1/merchants/{merchant.mid}/hpp"
    listed = await client.get(base, headers=ADMIN)
    assert [i["client_id"] for i in listed.json()["items"]] == [client_id]
    shown = await client.get(f"{base}/{client_id}", headers=ADMIN)
    assert shown.json()["payments"] == []
    off = await client.post(f"{base}/{client_id}/disable", headers=ADMIN)
    assert off.json()["status"] == "disabled"
    on = await client.post(f"{base}/{client_id}/enable", headers=ADMIN)
    assert on.json()["status"] == "active"
    assert (await client.get(base, headers=merchant.headers)).status_code == 401
    assert (
        await client.get("/homerun/v1/merchants/000000000000/hpp", headers=ADMIN)
    ).status_code == 404
