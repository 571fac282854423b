"""Request-level faults (R6): size, media type, malformed JSON, unknown paths and methods."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN, MerchantAccess
from tests.helpers import events

PAN, CVV = "4788250000121443", "987"


def echoes_cvv(text: str) -> bool:
    """The CVV as a number of its own (not three digits inside a timestamp or an id)."""
    return re.search(rf"(?<!\d){CVV}(?!\d)", text) is not None


MIB = 1024 * 1024


def assert_r6(answer: httpx.Response, status: int, code: str | None = None) -> dict[str, Any]:
    assert answer.status_code == status, answer.text
    assert answer.headers["Content-Type"].startswith("application/json")
    body: dict[str, Any] = answer.json()
    assert isinstance(body["error"], str) and body["error"]
    assert body["error"] == body["message"] == body["error_description"]
    assert isinstance(body["code"], str) and body["code"]
    if code is not None:
        assert body["code"] == code
    assert PAN not in answer.text and not echoes_cvv(answer.text)
    return body


def targets(m: MerchantAccess) -> list[tuple[str, dict[str, str]]]:
    """Every JSON POST endpoint of this area, with credentials that get past authentication."""
    return [
        ("/api/v1/charge", m.headers),
        ("/api/v1/capture", m.headers),
        ("/api/v1/void-or-refund", m.headers),
        ("/api/v1/api_keys/refresh", m.headers),
        ("/homerun/v1/tokens", {"Authorization": f"Bearer {m.public_key}"}),
        ("/homerun/v1/merchants", ADMIN),
    ]


def card_json(m: MerchantAccess) -> str:
    return (
        f'{{"mid": "{m.mid}", "amount": 100, "account_token": "{PAN}", "account_number": "{PAN}",'
        f' "expiration": "1230", "expiry": "1230", "cvn": "{CVV}", "cvv": "{CVV}"'
    )


async def test_body_over_one_mib_with_content_length_is_413(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    padding = "x" * MIB
    for path, headers in targets(merchant):
        raw = (card_json(merchant) + f', "name": "{padding}"}}').encode()
        answer = await client.post(
            path, content=raw, headers={**headers, "Content-Type": "application/json"}
        )
        assert_r6(answer, 413, "payload_too_large")
    assert await events(client, merchant) == []


async def test_body_over_one_mib_without_content_length_is_413(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield (card_json(merchant) + ', "name": "').encode()
        for _ in range(17):
            yield b"y" * 65536
        yield b'"}'

    for path, headers in targets(merchant):
        answer = await client.post(
            path, content=chunks(), headers={**headers, "Content-Type": "application/json"}
        )
        assert "content-length" not in answer.request.headers
        assert_r6(answer, 413, "payload_too_large")
    assert await events(client, merchant) == []


async def test_a_body_of_exactly_one_mib_is_read(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    head = '{"account_number": "4111111111111111", "expiry": "1230", "pad": "'
    raw = (head + "z" * (MIB - len(head) - 2) + '"}').encode()
    assert len(raw) == MIB
    answer = await client.post(
        "/homerun/v1/tokens",
        content=raw,
        headers={"Authorization": f"Bearer {merchant.public_key}"},
    )
    assert answer.status_code == 200, answer.text[:200]


async def test_an_absurd_content_length_is_413(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    answer = await client.post(
        "/api/v1/charge",
        content=b"{}",
        headers={**merchant.headers, "Content-Length": "9" * 5000},
    )
    assert_r6(answer, 413, "payload_too_large")


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "xml"],
)
async def test_a_body_that_is_not_json_is_415(
    client: httpx.AsyncClient, merchant: MerchantAccess, content_type: str
) -> None:
    raw = (card_json(merchant) + "}").encode()
    for path, headers in targets(merchant):
        answer = await client.post(
            path, content=raw, headers={**headers, "Content-Type": content_type}
        )
        assert_r6(answer, 415, "unsupported_media_type")
    assert await events(client, merchant) == []


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "application/json",
        "application/json; charset=utf-8",
        "Application/JSON",
        "application/vnd.run+json",
    ],
)
async def test_json_media_types_are_accepted(
    client: httpx.AsyncClient, merchant: MerchantAccess, content_type: str | None
) -> None:
    fields = {"mid": merchant.mid, "amount": 100, "account_token": PAN, "expiration": "1230"}
    raw = json.dumps(fields)
    headers = dict(merchant.headers)
    if content_type:
        headers["Content-Type"] = content_type
    answer = await client.post("/api/v1/charge", content=raw.encode(), headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["result"] == "A"


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        (b"", "empty"),
        (b"   \n", "empty"),
        (b"{", "not valid JSON"),
        (b'{"mid": "1", "account_token": "' + PAN.encode() + b'",}', "not valid JSON"),
        (b"{'mid': 1}", "not valid JSON"),
        (b'{"amount": NaN}', "not valid JSON"),
        (b'{"cvn": "' + CVV.encode() + b'" "x"}', "not valid JSON"),
        (b"\xff\xfe{}", "not valid JSON"),
        (b'{"name": "\xc3\x28"}', "not valid JSON"),
        (b"[" * 5000 + b"]" * 5000, "not valid JSON"),
        (b"[]", "JSON object"),
        (b'["' + PAN.encode() + b'"]', "JSON object"),
        (b"null", "JSON object"),
        (b"12", "JSON object"),
        (b'"' + PAN.encode() + b'"', "JSON object"),
        (b"true", "JSON object"),
    ],
)
async def test_malformed_or_non_object_json_is_400(
    client: httpx.AsyncClient, merchant: MerchantAccess, raw: bytes, problem: str
) -> None:
    for path, headers in targets(merchant):
        answer = await client.post(
            path, content=raw, headers={**headers, "Content-Type": "application/json"}
        )
        body = assert_r6(answer, 400, "invalid_request")
        assert problem in body["message"], (path, body)
        assert list(body["errors"]) == ["body"]
    assert await events(client, merchant) == []


@pytest.mark.parametrize("field", ["name", "account_number", "token", "mid", "currency"])
async def test_a_nul_character_in_a_string_is_400_not_500(
    client: httpx.AsyncClient, merchant: MerchantAccess, field: str
) -> None:
    for path, headers in targets(merchant):
        raw = (
            card_json(merchant)
            + f', "{field}": "a\\u0000b", "token": "x\\u0000", "name": "n\\u0000"}}'
        )
        answer = await client.post(
            path, content=raw.encode(), headers={**headers, "Content-Type": "application/json"}
        )
        assert answer.status_code == 400, (path, answer.text)
        assert_r6(answer, 400, "invalid_request")
    assert await events(client, merchant) == []


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/api/v1/nope"),
        ("POST", "/api/v1/charges"),
        ("GET", "/nope"),
        ("POST", "/homerun/v1/nope"),
        ("GET", "/api/v2/charge"),
        ("DELETE", "/homerun/v1/merchants/123456789012/credentials/1/extra"),
    ],
)
async def test_unknown_path_is_404_in_the_r6_shape(
    client: httpx.AsyncClient, merchant: MerchantAccess, method: str, path: str
) -> None:
    answer = await client.request(method, path, headers=merchant.headers, json={"cvn": CVV})
    assert_r6(answer, 404, "not_found")


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("GET", "/api/v1/charge", "POST"),
        ("PUT", "/api/v1/charge", "POST"),
        ("DELETE", "/api/v1/api_keys/refresh", "POST"),
        ("GET", "/homerun/v1/tokens", "POST"),
        ("PUT", "/homerun/v1/merchants", "GET, POST"),
        ("POST", "/homerun/v1/health", "GET"),
    ],
)
async def test_wrong_method_is_405_in_the_r6_shape(
    client: httpx.AsyncClient, merchant: MerchantAccess, method: str, path: str, allowed: str
) -> None:
    answer = await client.request(method, path, headers=merchant.headers, json={"cvn": CVV})
    assert_r6(answer, 405, "method_not_allowed")
    assert sorted(answer.headers["Allow"].split(", ")) == sorted(allowed.split(", "))


async def test_query_parameter_faults_are_400_in_the_r6_shape(
    client: httpx.AsyncClient,
) -> None:
    for query in ("limit=abc", "limit=0", "offset=-1", "limit=99999999999999999999999"):
        answer = await client.get(f"/homerun/v1/merchants?{query}", headers=ADMIN)
        body = assert_r6(answer, 400, "invalid_request")
        assert set(body["errors"]) <= {"limit", "offset"}


async def test_faults_never_echo_pan_or_cvv(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    """Field errors around a card number and CVV name the field, never the value."""
    for path, headers in targets(merchant):
        for fields in (
            {"amount": 1.5, "surcharge_rate": PAN, "batch_cutoff": CVV},
            {"expiration": PAN, "expiry": PAN, "timezone": PAN, "currency": CVV},
            {"cvn": PAN, "cvv": PAN + CVV, "account_number": PAN + PAN + PAN},
            {"token": [PAN], "refresh_token": {"cvv": CVV}, "name": [PAN]},
            {"trans_id": PAN * 3, "account_token": PAN * 5, "mid": PAN},
        ):
            body = {
                "mid": merchant.mid,
                "account_token": PAN,
                "account_number": PAN,
                "cvn": CVV,
                "cvv": CVV,
                "name": "Test",
                **fields,
            }
            answer = await client.post(path, json=body, headers=headers)
            assert answer.status_code != 500, (path, answer.text)
            assert PAN not in answer.text and not echoes_cvv(answer.text), (path, answer.text)
    assert await events(client, merchant) == []
