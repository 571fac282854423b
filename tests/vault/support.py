"""Helpers of the vault tests: create, read, change and delete accounts over the API."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import func, select

from homerun.merchants.models import Merchant
from homerun.runtime import Runtime
from homerun.tokenizer.models import CardToken
from homerun.vault.models import PaymentAccount, VaultHolder
from tests.conftest import MerchantAccess

ACCOUNTS = "/api/v1/vault_payment_accounts"
UUID_LENGTH = 36


async def tokenize(client: httpx.AsyncClient, m: MerchantAccess, pan: str) -> str:
    answer = await client.post(
        "/homerun/v1/tokens",
        json={"account_number": pan, "expiry": "12/30"},
        headers={"Authorization": f"Bearer {m.public_key}"},
    )
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["account_token"]
    return token


async def create(
    client: httpx.AsyncClient, m: MerchantAccess, pan: str = "4111111111111111", **fields: Any
) -> httpx.Response:
    body: dict[str, Any] = {"mid": m.mid, "name": "Jane Roe", **fields}
    if "account_token" not in fields:
        body["account_token"] = await tokenize(client, m, pan)
    body = {k: v for k, v in body.items() if v is not None}
    return await client.post(ACCOUNTS, json=body, headers=m.headers)


async def created(
    client: httpx.AsyncClient, m: MerchantAccess, pan: str = "4111111111111111", **fields: Any
) -> dict[str, Any]:
    answer = await create(client, m, pan, **fields)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def get(client: httpx.AsyncClient, m: MerchantAccess, vault_id: object) -> httpx.Response:
    return await client.get(f"{ACCOUNTS}/{vault_id}", headers=m.headers)


async def got(client: httpx.AsyncClient, m: MerchantAccess, vault_id: object) -> dict[str, Any]:
    answer = await get(client, m, vault_id)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def put(
    client: httpx.AsyncClient, m: MerchantAccess, vault_id: object, **fields: Any
) -> httpx.Response:
    return await client.put(f"{ACCOUNTS}/{vault_id}", json=fields, headers=m.headers)


async def delete(client: httpx.AsyncClient, m: MerchantAccess, vault_id: object) -> httpx.Response:
    return await client.delete(f"{ACCOUNTS}/{vault_id}", headers=m.headers)


async def stored_rows(runtime: Runtime, m: MerchantAccess) -> dict[str, int]:
    """How many holders, accounts and card tokens the merchant has in the database."""
    async with runtime.db.transaction() as session:
        merchant_id = await session.scalar(select(Merchant.id).where(Merchant.mid == m.mid))
        counts = {}
        for name, model in (
            ("holders", VaultHolder),
            ("accounts", PaymentAccount),
            ("tokens", CardToken),
        ):
            counts[name] = int(
                await session.scalar(
                    select(func.count()).select_from(model).where(model.merchant_id == merchant_id)
                )
                or 0
            )
        return counts
