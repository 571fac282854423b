"""Rulings R2 and R6: the credential is checked before the body is looked at.

Someone without a key learns nothing about a route's request schema: whatever the body
(missing fields, malformed JSON, the wrong Content-Type), an unknown api_key is 401
`Key not found` on every Payments API route, and nothing is written.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from homerun.app import create_app
from homerun.config import Settings
from tests.conftest import MerchantAccess
from tests.helpers import events

UNKNOWN = {"Authorization": "Bearer sk_unknown"}

# Every Payments API route that takes a body, with the path it is called on.
PAYMENTS_ROUTES = [
    ("POST", "/api/v1/charge"),
    ("POST", "/api/v1/capture"),
    ("POST", "/api/v1/void-or-refund"),
    ("POST", "/api/v1/void_or_refund"),
    ("POST", "/api/v1/transactions/void-or-refund"),
    ("POST", "/api/v1/void"),
    ("POST", "/api/v1/refund"),
    ("POST", "/api/v1/surcharge"),
    ("POST", "/api/v1/vault_payment_accounts"),
    ("PUT", "/api/v1/vault_payment_accounts/1"),
    ("POST", "/api/v1/billing_plans"),
    ("POST", "/api/v1/hpp"),
    ("PUT", "/api/v1/hpp/0123456789ABCDEF0123456789ABCDEF"),
]

# Bodies that would each be a 400 naming a field, or the body, for a known key.
BODIES: list[tuple[str, dict[str, str]]] = [
    ('{"mid": "800000000001"}', {"Content-Type": "application/json"}),
    ("{not json", {"Content-Type": "application/json"}),
    ("", {}),
    ("[1, 2]", {"Content-Type": "application/json"}),
    ('{"amount": "a lot"}', {"Content-Type": "text/plain"}),
]


def assert_key_not_found(answer: httpx.Response) -> None:
    assert answer.status_code == 401, answer.text
    body = answer.json()
    assert body["message"] == body["error"] == "Key not found"
    assert body["code"] == "key_not_found"
    assert "errors" not in body
    assert answer.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path"), PAYMENTS_ROUTES)
@pytest.mark.parametrize(("content", "headers"), BODIES)
async def test_an_unknown_key_is_401_whatever_the_body(
    client: httpx.AsyncClient,
    merchant: MerchantAccess,
    method: str,
    path: str,
    content: str,
    headers: dict[str, str],
) -> None:
    body = content.replace("800000000001", merchant.mid)
    answer = await client.request(method, path, content=body, headers={**UNKNOWN, **headers})
    assert_key_not_found(answer)
    assert await events(client, merchant) == []  # nothing was written


@pytest.mark.parametrize(("method", "path"), PAYMENTS_ROUTES)
async def test_no_key_at_all_is_401_before_the_body(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    answer = await client.request(
        method, path, content="{not json", headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 401, answer.text
    assert answer.json()["code"] == "unauthorized"
    assert "errors" not in answer.json()


async def test_a_charge_with_a_known_key_still_names_the_missing_field(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    answer = await client.post(
        "/api/v1/charge", json={"mid": merchant.mid}, headers=merchant.headers
    )
    assert answer.status_code == 400, answer.text
    assert answer.json()["errors"]["amount"] == ["is required"]
    assert await events(client, merchant) == []


def _routes_with_a_body() -> list[tuple[str, str]]:
    """Every operation the OpenAPI document gives a JSON body (so, every route with one)."""
    document = create_app(Settings(database_url="sqlite:///unused.db")).openapi()
    found = []
    for path, item in document["paths"].items():
        for method, operation in item.items():
            body: dict[str, Any] = operation.get("requestBody", {})
            if "application/json" in body.get("content", {}):
                found.append((method.upper(), path.replace("{", "").replace("}", "")))
    return found


# The refresh takes its credential in the body (R2), so its body is read first.
_BODY_IS_THE_CREDENTIAL = {"/api/v1/api_keys/refresh"}


@pytest.mark.parametrize(
    ("method", "path"), [r for r in _routes_with_a_body() if r[1] not in _BODY_IS_THE_CREDENTIAL]
)
async def test_every_route_with_a_body_checks_its_credential_first(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    answer = await client.request(
        method,
        path,
        content="{not json",
        headers={"Authorization": "Bearer hr_not_a_credential", "Content-Type": "application/json"},
    )
    assert answer.status_code == 401, answer.text
    assert "errors" not in answer.json()
