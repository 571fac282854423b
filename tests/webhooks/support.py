"""Webhook test helpers: registering endpoints, the sandbox clock, deliveries."""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
from datetime import datetime, timedelta
from typing import Any

import httpx

from homerun.runtime import Runtime
from tests.conftest import ADMIN

ENDPOINTS = "/homerun/v1/webhooks/endpoints"
DELIVERIES = "/homerun/v1/webhooks/deliveries"


def run_recipe_verifies(secret: str, raw_body: bytes, header: str | None) -> bool:
    """Run's documented receiver recipe, written out independently of Homerun's code:
    HMAC-SHA256 of the raw body under the secret, hex, after `sha256=`."""
    if header is None or not header.startswith("sha256="):
        return False
    expected = hmac.new(secret.encode(), raw_body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, header.removeprefix("sha256="))


class Hooks:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.ids: list[int] = []

    async def add(self, url: str, **fields: Any) -> dict[str, Any]:
        answer = await self.client.post(ENDPOINTS, json={"url": url, **fields}, headers=ADMIN)
        assert answer.status_code == 201, answer.text
        body: dict[str, Any] = answer.json()
        self.ids.append(body["id"])
        return body

    async def delete_all(self) -> None:
        for endpoint_id in self.ids:
            await self.client.delete(f"{ENDPOINTS}/{endpoint_id}", headers=ADMIN)


async def deliveries(client: httpx.AsyncClient, **query: Any) -> list[dict[str, Any]]:
    answer = await client.get(DELIVERIES, params={"limit": 1000, **query}, headers=ADMIN)
    assert answer.status_code == 200, answer.text
    items: list[dict[str, Any]] = answer.json()["items"]
    return items


async def delivery(client: httpx.AsyncClient, webhook_id: str) -> dict[str, Any]:
    answer = await client.get(f"{DELIVERIES}/{webhook_id}", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


async def advance(client: httpx.AsyncClient, **how: Any) -> None:
    """Move the shared sandbox clock (seconds=... or until=datetime)."""
    if "until" in how:
        how["until"] = how["until"].isoformat()
    answer = await client.post("/homerun/v1/clock/advance", json=how, headers=ADMIN)
    assert answer.status_code == 200, answer.text


def with_settings(runtime: Runtime, **settings: Any) -> Runtime:
    return dataclasses.replace(runtime, settings=runtime.settings.model_copy(update=settings))


def at(value: str | None) -> datetime:
    assert value is not None
    return datetime.fromisoformat(value)


MINUTE = timedelta(minutes=1)
