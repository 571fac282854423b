"""Requests the ACH tests share."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import ADMIN, MerchantAccess

TOKENS = "/homerun/v1/tokens"
ROUTING = "036001808"
ACCOUNT = "86063057"  # the Run docs' pair: accepted, settles


async def tokenize_ach(
    client: httpx.AsyncClient, m: MerchantAccess, **fields: Any
) -> httpx.Response:
    body: dict[str, Any] = {
        "routing_number": ROUTING,
        "account_number": ACCOUNT,
        "repeated_account_number": fields.get("account_number", ACCOUNT),
        "account_type": "checking",
        "name": "Pat Payer",
        "entry_class": "WEB",
        **fields,
    }
    body = {k: v for k, v in body.items() if v is not None}
    headers = {"Authorization": f"Bearer {m.public_key}"}
    return await client.post(TOKENS, json=body, headers=headers)


async def ach_token(client: httpx.AsyncClient, m: MerchantAccess, **fields: Any) -> str:
    answer = await tokenize_ach(client, m, **fields)
    assert answer.status_code == 200, answer.text
    token: str = answer.json()["account_token"]
    assert token
    return token


async def ach_sale(
    client: httpx.AsyncClient, m: MerchantAccess, amount: int = 10000, **fields: Any
) -> str:
    """An accepted ACH payment of a fresh token; its trans_id."""
    token = await ach_token(client, m, **fields)
    answer = await client.post(
        "/api/v1/charge",
        json={"mid": m.mid, "amount": amount, "account_token": token},
        headers=m.headers,
    )
    assert answer.status_code == 200 and answer.json()["result"] == "A", answer.text
    trans_id: str = answer.json()["trans_id"]
    return trans_id


async def admin_post(client: httpx.AsyncClient, path: str, **body: Any) -> dict[str, Any]:
    answer = await client.post(path, json=body or None, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    found: dict[str, Any] = answer.json()
    return found


async def originate(client: httpx.AsyncClient, m: MerchantAccess) -> dict[str, Any]:
    return await admin_post(client, f"/homerun/v1/merchants/{m.mid}/ach/originate")


async def settle_ach(client: httpx.AsyncClient, m: MerchantAccess) -> dict[str, Any]:
    return await admin_post(client, f"/homerun/v1/merchants/{m.mid}/ach/settle")
