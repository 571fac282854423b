"""Helpers the hosted-page tests share: create a page, read and submit its form."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import httpx

from tests.conftest import MerchantAccess

GOOD_CARD = {"card_number": "4111 1111 1111 1111", "expiry": "12/30", "cvv": "123"}
DECLINED_CARD = {**GOOD_CARD, "card_number": "4000000000000002"}


async def create_page(
    client: httpx.AsyncClient, m: MerchantAccess, **fields: Any
) -> tuple[str, dict[str, Any]]:
    """Create a page for `m`; returns its client id and the answer body."""
    answer = await client.post("/api/v1/hpp", json={"cc_mid": m.mid, **fields}, headers=m.headers)
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body["url"].rsplit("=", 1)[1], body


def page_path(client_id: str) -> str:
    return f"/payment?client_id={client_id}"


def attempt_of(html: str) -> str:
    match = re.search(r'name="attempt" value="([0-9a-f]{32})"', html)
    assert match, "the form carries its one-time attempt id"
    return match.group(1)


async def pay(
    client: httpx.AsyncClient, client_id: str, *, attempt: str | None = None, **fields: str
) -> httpx.Response:
    """Open the page (for a fresh attempt id) and submit the form with `fields`."""
    if attempt is None:
        opened = await client.get(page_path(client_id))
        assert opened.status_code == 200, opened.text
        attempt = attempt_of(opened.text)
    form = {"attempt": attempt, **fields}
    return await client.post(page_path(client_id), data=form)


def trans_id_of(html: str) -> str:
    match = re.search(r'<dd id="trans-id">(\d+)</dd>', html)
    assert match, "the receipt shows the transaction id"
    return match.group(1)


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
