"""Shared pieces of the wire-conformance tests: the docs' examples are posted as raw JSON.

Each test takes a request exactly as the Run docs (spec section 4) print it, puts the
merchant's real mid and keys where the docs have placeholders, and checks the answer's
documented field names, JSON types and example values.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import httpx

from tests.conftest import ADMIN, MerchantAccess

NUMERIC = re.compile(r"^\d+$")
MASKED = re.compile(r"^\*{4} \*{4} \*{4} \d{4}$")


def docs_example(raw: str, **placeholders: str) -> str:
    """A docs example request with its placeholder values replaced (each must occur)."""
    for placeholder, value in placeholders.items():
        assert placeholder in raw, placeholder
        raw = raw.replace(placeholder, value)
    return raw


async def post_raw(
    client: httpx.AsyncClient,
    path: str,
    body: dict[str, Any] | str,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    """POST a body as the client wrote it (a str is sent byte for byte)."""
    content = body if isinstance(body, str) else json.dumps(body)
    return await client.post(
        path, content=content, headers={**(headers or {}), "Content-Type": "application/json"}
    )


async def post_as(
    client: httpx.AsyncClient, m: MerchantAccess, path: str, body: dict[str, Any] | str
) -> dict[str, Any]:
    answer = await post_raw(client, path, body, m.headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/json")
    data: dict[str, Any] = answer.json()
    return data


async def clock_now(client: httpx.AsyncClient) -> int:
    answer = await client.get("/homerun/v1/clock", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return int(datetime.fromisoformat(answer.json()["now"]).timestamp())


def assert_types(body: dict[str, Any], types: dict[str, type | tuple[type, ...]]) -> None:
    """Every named field is present with one of the given JSON types (bool is not int)."""
    for name, expected in types.items():
        assert name in body, f"{name} missing from {sorted(body)}"
        value = body[name]
        allowed = expected if isinstance(expected, tuple) else (expected,)
        if isinstance(value, bool) and bool not in allowed:
            raise AssertionError(f"{name} is a boolean: {value!r}")
        assert isinstance(value, allowed), f"{name}: {value!r} is not {allowed}"


def assert_outcome(body: dict[str, Any], result: str = "A", resp_code: str = "00") -> None:
    """result is one of the letters A/B/C (never "Approved"), codes are strings."""
    assert body["result"] in ("A", "B", "C")
    assert (body["result"], body["resp_code"]) == (result, resp_code), body
    assert isinstance(body["resp_text"], str) and body["resp_text"]
    assert isinstance(body["resp_proc"], str) and body["resp_proc"]
    assert isinstance(body["trans_id"], str) and NUMERIC.match(body["trans_id"]), body


def assert_r6_error(answer: httpx.Response, status: int) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    body: dict[str, Any] = answer.json()
    assert body["error"] == body["message"] == body["error_description"]
    assert isinstance(body["code"], str) and body["code"]
    return body
