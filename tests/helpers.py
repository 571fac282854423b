"""Small request helpers the scenario tests share."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import ADMIN, MerchantAccess

VISA = "4111111111111111"
VISA_DEBIT = "4000056655665556"
FUTURE = "12/30"


async def charge(client: httpx.AsyncClient, m: MerchantAccess, **fields: Any) -> httpx.Response:
    body: dict[str, Any] = {
        "mid": m.mid,
        "amount": 1000,
        "account_token": VISA,
        "expiration": FUTURE,
    }
    body.update(fields)
    body = {k: v for k, v in body.items() if v is not None}
    return await client.post("/api/v1/charge", json=body, headers=m.headers)


async def post(
    client: httpx.AsyncClient, m: MerchantAccess, path: str, **fields: Any
) -> httpx.Response:
    return await client.post(path, json={"mid": m.mid, **fields}, headers=m.headers)


async def transaction(
    client: httpx.AsyncClient, m: MerchantAccess, trans_id: str
) -> dict[str, Any]:
    answer = await client.get(
        f"/homerun/v1/merchants/{m.mid}/transactions/{trans_id}", headers=ADMIN
    )
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def events(client: httpx.AsyncClient, m: MerchantAccess) -> list[dict[str, Any]]:
    answer = await client.get(f"/homerun/v1/merchants/{m.mid}/events", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def settle(client: httpx.AsyncClient, m: MerchantAccess) -> dict[str, Any]:
    answer = await client.post(f"/homerun/v1/merchants/{m.mid}/batches/close", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body
