"""Requests the ACH tests share."""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import MerchantAccess

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
