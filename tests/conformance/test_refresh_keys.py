"""Spec 4.1 Refresh API Keys: every credential placement the docs and clients use (ruling R2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.conformance.support import assert_r6_error, assert_types, clock_now, post_raw
from tests.conftest import MerchantAccess

REFRESH = "/api/v1/api_keys/refresh"
HOUR = 3600
THIRTY_DAYS = 30 * 86400

# The docs' example request: {"token": "<a JWT>"}; its example answer (values are placeholders):
DOCS_ANSWER = {
    "api_key": "sk_live_4e5f6g7h8i9j0klmnopqrstuvwx",
    "public_key": "pk_live_1a2b3c4d5e6f7g8h9i0jklmnopqrst",
    "refresh_token": "rt_live_9z8y7x6w5v4u3t2s1rqponmlkjihgfedcba",
    "api_key_expires_at": 1714531200,
    "refresh_token_expires_at": 1746067200,
}


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


Shape = Callable[[MerchantAccess], tuple[dict[str, str], dict[str, Any]]]
SHAPES: dict[str, Shape] = {
    # Two integrations: Bearer <current api_key>, body {"token": <refresh_token>}.
    "bearer_api_key_token_refresh": lambda m: (bearer(m.api_key), {"token": m.refresh_token}),
    # A production integration: Bearer <refresh_token>, body {"token": <live api_key>}.
    "bearer_refresh_token_api_key": lambda m: (bearer(m.refresh_token), {"token": m.api_key}),
    # No header, both in the body.
    "body_both": lambda m: ({}, {"token": m.api_key, "refresh_token": m.refresh_token}),
    # A Go client: no header, {"token": <api_key>} alone.
    "body_api_key_alone": lambda m: ({}, {"token": m.api_key}),
}


@pytest.mark.parametrize("shape", SHAPES)
async def test_each_documented_shape_answers_the_documented_fields(
    client: httpx.AsyncClient, merchant: MerchantAccess, shape: str
) -> None:
    headers, body = SHAPES[shape](merchant)
    answer = await post_raw(client, REFRESH, body, headers)
    assert answer.status_code == 200, answer.text
    fresh = answer.json()
    assert set(fresh) == set(DOCS_ANSWER)
    assert_types(fresh, {name: type(value) for name, value in DOCS_ANSWER.items()})
    # Expiries are integer Unix seconds (clients multiply them by 1000).
    now = await clock_now(client)
    assert abs(fresh["api_key_expires_at"] - (now + HOUR)) <= 5
    assert abs(fresh["refresh_token_expires_at"] - (now + THIRTY_DAYS)) <= 5
    assert fresh["public_key"] == merchant.public_key
    assert fresh["api_key"] != merchant.api_key
    assert fresh["refresh_token"] != merchant.refresh_token
    charged = await post_raw(
        client,
        "/api/v1/charge",
        {"mid": merchant.mid, "amount": 100, "account_token": "4111111111111111"},
        bearer(fresh["api_key"]),
    )
    assert charged.status_code == 200, charged.text


async def test_the_docs_example_token_is_an_unknown_key(client: httpx.AsyncClient) -> None:
    answer = await post_raw(
        client, REFRESH, {"token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig"}
    )
    body = assert_r6_error(answer, 401)
    assert body["message"] == "Key not found"


async def test_a_consumed_refresh_token_is_key_not_found(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    first = await post_raw(client, REFRESH, {"token": merchant.refresh_token}, merchant.headers)
    assert first.status_code == 200, first.text
    again = await post_raw(client, REFRESH, {"token": merchant.refresh_token})
    assert assert_r6_error(again, 401)["message"] == "Key not found"
