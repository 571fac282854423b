"""Idempotency-Key (ruling R12): replay, 422, 409, per merchant, nothing secret kept."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import select

from homerun.idempotency.models import IdempotencyRecord
from homerun.idempotency.service import request_fingerprint
from homerun.merchants.models import Merchant
from homerun.runtime import Runtime
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import FUTURE, VISA, events, transaction

REPLAYED = "Idempotent-Replayed"


def charge_body(m: MerchantAccess, **fields: Any) -> dict[str, Any]:
    return {"mid": m.mid, "amount": 1000, "account_token": VISA, "expiration": FUTURE, **fields}


async def keyed_post(
    client: httpx.AsyncClient,
    path: str,
    body: Any,
    key: str,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    return await client.post(
        path,
        content=orjson.dumps(body),
        headers={**(headers or {}), "Idempotency-Key": key, "Content-Type": "application/json"},
    )


def assert_replay(first: httpx.Response, again: httpx.Response) -> None:
    assert REPLAYED not in first.headers
    assert again.headers[REPLAYED] == "true"
    assert again.status_code == first.status_code
    assert again.content == first.content
    assert again.headers["Content-Type"] == first.headers["Content-Type"]


async def kinds(client: httpx.AsyncClient, m: MerchantAccess) -> list[str]:
    return [e["event_type"] for e in await events(client, m)]


async def records(runtime: Runtime, key: str) -> list[IdempotencyRecord]:
    async with runtime.db.transaction() as session:
        rows = await session.execute(select(IdempotencyRecord).where(IdempotencyRecord.key == key))
        return list(rows.scalars().all())


async def merchant_row_id(runtime: Runtime, mid: str) -> int:
    async with runtime.db.transaction() as session:
        found = await session.scalar(select(Merchant.id).where(Merchant.mid == mid))
    assert found is not None
    return int(found)


async def test_charge_retry_replays_byte_for_byte_and_charges_once(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = charge_body(merchant, cvn="123")
    first = await keyed_post(client, "/api/v1/charge", body, "charge-1", merchant.headers)
    assert first.status_code == 200 and first.json()["result"] == "A"
    again = await keyed_post(client, "/api/v1/charge", body, "charge-1", merchant.headers)
    assert_replay(first, again)
    # Another spelling of the same JSON is the same request.
    respelled = await client.post(
        "/api/v1/charge",
        content=orjson.dumps(dict(reversed(list(body.items()))), option=orjson.OPT_INDENT_2),
        headers={**merchant.headers, "Idempotency-Key": "charge-1"},
    )
    assert_replay(first, respelled)
    assert await kinds(client, merchant) == ["transaction.entered"]
    # A new key is a new charge.
    other = await keyed_post(client, "/api/v1/charge", body, "charge-2", merchant.headers)
    assert other.status_code == 200 and REPLAYED not in other.headers
    assert other.json()["trans_id"] != first.json()["trans_id"]
    assert await kinds(client, merchant) == ["transaction.entered"] * 2


async def test_same_key_with_another_body_is_422_and_changes_nothing(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    first = await keyed_post(
        client, "/api/v1/charge", charge_body(merchant), "k-422", merchant.headers
    )
    assert first.status_code == 200
    for path, body in (
        ("/api/v1/charge", charge_body(merchant, amount=1001)),
        ("/api/v1/capture", {"mid": merchant.mid, "trans_id": first.json()["trans_id"]}),
    ):
        answer = await keyed_post(client, path, body, "k-422", merchant.headers)
        assert answer.status_code == 422, answer.text
        assert answer.json()["code"] == "unprocessable"
        assert REPLAYED not in answer.headers
    assert await kinds(client, merchant) == ["transaction.entered"]
    # The original is still replayed.
    again = await keyed_post(
        client, "/api/v1/charge", charge_body(merchant), "k-422", merchant.headers
    )
    assert_replay(first, again)


async def test_keys_are_per_merchant(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    one, two = await make_merchant(), await make_merchant()
    a = await keyed_post(client, "/api/v1/charge", charge_body(one), "shared-key", one.headers)
    b = await keyed_post(client, "/api/v1/charge", charge_body(two), "shared-key", two.headers)
    assert a.status_code == b.status_code == 200
    assert REPLAYED not in a.headers and REPLAYED not in b.headers
    assert a.json()["mid"] == one.mid and b.json()["mid"] == two.mid
    assert await kinds(client, one) == ["transaction.entered"]
    assert await kinds(client, two) == ["transaction.entered"]


async def test_a_4xx_answer_is_replayed_too(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    mine, other = await make_merchant(), await make_merchant()
    body = charge_body(other)  # a mid this key does not own: 403
    first = await keyed_post(client, "/api/v1/charge", body, "k-403", mine.headers)
    assert first.status_code == 403, first.text
    again = await keyed_post(client, "/api/v1/charge", body, "k-403", mine.headers)
    assert_replay(first, again)
    assert await events(client, mine) == [] and await events(client, other) == []


async def test_a_refused_refresh_is_replayed_with_its_headers(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = {"token": "rt_test_not_a_real_one"}
    first = await keyed_post(client, "/api/v1/api_keys/refresh", body, "k-401")
    assert first.status_code == 401 and first.json()["message"] == "Key not found"
    again = await keyed_post(client, "/api/v1/api_keys/refresh", body, "k-401")
    assert_replay(first, again)
    assert again.headers["WWW-Authenticate"] == first.headers["WWW-Authenticate"]


async def test_capture_and_void_or_refund_are_idempotent(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    auth = await keyed_post(
        client, "/api/v1/charge", charge_body(merchant, capture="N"), "auth-1", merchant.headers
    )
    trans_id = auth.json()["trans_id"]
    capture = {"mid": merchant.mid, "trans_id": trans_id, "amount": 600}
    first = await keyed_post(client, "/api/v1/capture", capture, "cap-1", merchant.headers)
    assert first.status_code == 200 and first.json()["result"] == "A", first.text
    again = await keyed_post(client, "/api/v1/capture", capture, "cap-1", merchant.headers)
    assert_replay(first, again)
    assert (await transaction(client, merchant, trans_id))["amount_captured"] == 600

    void = {"mid": merchant.mid, "trans_id": trans_id}
    voided = await keyed_post(client, "/api/v1/void-or-refund", void, "void-1", merchant.headers)
    assert voided.status_code == 200 and voided.json()["result"] == "A", voided.text
    replayed = await keyed_post(client, "/api/v1/void-or-refund", void, "void-1", merchant.headers)
    assert_replay(voided, replayed)
    # Without the key a second void is a refusal: the replay did not void twice.
    plain = await client.post("/api/v1/void-or-refund", json=void, headers=merchant.headers)
    assert plain.json()["result"] == "C"
    assert (await transaction(client, merchant, trans_id))["state"] == "voided"


async def test_refresh_retry_returns_the_same_keys_and_rotates_once(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = {"token": merchant.refresh_token}
    first = await keyed_post(client, "/api/v1/api_keys/refresh", body, "rot-1", merchant.headers)
    assert first.status_code == 200, first.text
    again = await keyed_post(client, "/api/v1/api_keys/refresh", body, "rot-1", merchant.headers)
    assert_replay(first, again)
    assert again.headers["Cache-Control"] == "no-store"
    fresh = first.json()
    # The replayed keys are the live ones: the retry rotated nothing.
    charged = await client.post(
        "/api/v1/charge",
        json=charge_body(merchant),
        headers={"Authorization": f"Bearer {fresh['api_key']}"},
    )
    assert charged.status_code == 200
    rotated = await client.post("/api/v1/api_keys/refresh", json={"token": fresh["refresh_token"]})
    assert rotated.status_code == 200, rotated.text


async def test_create_merchant_and_issue_credentials_are_idempotent(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    count = (await client.get("/homerun/v1/merchants", headers=ADMIN)).json()["count"]
    body = {"name": "Idempotent Store", "surcharge_rate": "2.00"}
    first = await keyed_post(client, "/homerun/v1/merchants", body, "mk-1", ADMIN)
    assert first.status_code == 201, first.text
    again = await keyed_post(client, "/homerun/v1/merchants", body, "mk-1", ADMIN)
    assert_replay(first, again)
    assert (await client.get("/homerun/v1/merchants", headers=ADMIN)).json()["count"] == count + 1
    different = await keyed_post(
        client, "/homerun/v1/merchants", {**body, "name": "Other"}, "mk-1", ADMIN
    )
    assert different.status_code == 422

    mid = first.json()["mid"]
    path = f"/homerun/v1/merchants/{mid}/credentials"
    issued = await client.post(path, headers={**ADMIN, "Idempotency-Key": "cred-1"})
    assert issued.status_code == 201
    reissued = await client.post(path, headers={**ADMIN, "Idempotency-Key": "cred-1"})
    assert_replay(issued, reissued)
    assert reissued.headers["Cache-Control"] == "no-store"
    assert len((await client.get(path, headers=ADMIN)).json()) == 1
    # The stored answer holds the secrets only sealed.
    for row in await records(runtime, "cred-1"):
        assert row.response_body is not None
        assert issued.json()["api_key"].encode() not in row.response_body
        assert issued.json()["refresh_token"].encode() not in row.response_body


async def test_tokenize_is_idempotent(client: httpx.AsyncClient, merchant: MerchantAccess) -> None:
    body = {"account_number": "4000056655665556", "expiry": "1230", "cvv": "987"}
    headers = {"Authorization": f"Bearer {merchant.public_key}"}
    first = await keyed_post(client, "/homerun/v1/tokens", body, "tok-1", headers)
    assert first.status_code == 200, first.text
    again = await keyed_post(client, "/homerun/v1/tokens", body, "tok-1", headers)
    assert_replay(first, again)


async def test_a_request_while_the_first_is_running_is_409(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    body = charge_body(merchant)
    raw = orjson.dumps(body)
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        session.add(
            IdempotencyRecord(
                scope=f"merchant:{await merchant_row_id(runtime, merchant.mid)}",
                key="in-flight",
                request_hash=request_fingerprint(runtime, "POST", "/api/v1/charge", raw),
                state="running",
                created_at=now,
                expires_at=now + timedelta(days=1),
            )
        )
    running = await keyed_post(client, "/api/v1/charge", body, "in-flight", merchant.headers)
    assert running.status_code == 409, running.text
    assert running.json()["code"] == "conflict"
    other_body = await keyed_post(
        client, "/api/v1/charge", charge_body(merchant, amount=5), "in-flight", merchant.headers
    )
    assert other_body.status_code == 422
    assert await events(client, merchant) == []

    # A reservation whose request died is taken over after a minute.
    advanced = await client.post("/homerun/v1/clock/advance", json={"seconds": 61}, headers=ADMIN)
    assert advanced.status_code == 200
    taken_over = await keyed_post(client, "/api/v1/charge", body, "in-flight", merchant.headers)
    assert taken_over.status_code == 200 and taken_over.json()["result"] == "A"
    assert REPLAYED not in taken_over.headers
    assert await kinds(client, merchant) == ["transaction.entered"]


async def test_concurrent_requests_with_one_key_charge_once(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = charge_body(merchant)
    answers = await asyncio.gather(
        *(keyed_post(client, "/api/v1/charge", body, "race-1", merchant.headers) for _ in range(4))
    )
    statuses = sorted(a.status_code for a in answers)
    assert set(statuses) <= {200, 409}, [a.text for a in answers]
    originals = [a for a in answers if a.status_code == 200 and REPLAYED not in a.headers]
    assert len(originals) == 1
    for answer in answers:
        if answer.status_code == 200:
            assert answer.content == originals[0].content
    assert await kinds(client, merchant) == ["transaction.entered"]


async def test_stored_records_never_hold_a_card_number_cvv_or_secret(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    pan, cvv = "4788250000121443", "987"
    charged = await keyed_post(
        client,
        "/api/v1/charge",
        charge_body(merchant, account_token=pan, cvn=cvv, name="Jane Payer"),
        "pan-1",
        merchant.headers,
    )
    assert charged.status_code == 200 and charged.json()["result"] == "A"
    tokenized = await keyed_post(
        client,
        "/homerun/v1/tokens",
        {"account_number": pan, "expiry": "1230", "cvv": cvv},
        "pan-2",
        {"Authorization": f"Bearer {merchant.public_key}"},
    )
    assert tokenized.status_code == 200
    refused = await keyed_post(
        client,
        "/homerun/v1/tokens",
        {"account_number": pan, "expiry": "1230", "cvv": "12"},
        "pan-3",
        {"Authorization": f"Bearer {merchant.public_key}"},
    )
    assert refused.status_code == 400
    refreshed = await keyed_post(
        client,
        "/api/v1/api_keys/refresh",
        {"token": merchant.refresh_token},
        "pan-4",
        merchant.headers,
    )
    assert refreshed.status_code == 200
    fresh = refreshed.json()
    rows = [r for key in ("pan-1", "pan-2", "pan-3", "pan-4") for r in await records(runtime, key)]
    assert len(rows) == 4
    forbidden = [pan, pan[-8:], merchant.api_key, merchant.refresh_token]
    forbidden += [fresh["api_key"], fresh["refresh_token"], "Jane Payer"]
    for row in rows:
        assert row.state == "done"
        stored = b"|".join(
            [
                row.scope.encode(),
                row.key.encode(),
                row.request_hash.encode(),
                row.response_body or b"",
            ]
        )
        for secret in forbidden:
            assert secret.encode() not in stored, (row.key, secret)
        # A 3-digit CVV turns up by chance inside any hex digest or ciphertext, so it is
        # looked for in the readable parts; the hash is keyed and the body sealed.
        assert cvv not in f"{row.scope}|{row.key}", row.key
        assert len(row.request_hash) == 64 and not (row.response_body or b"").startswith(b"{")


@pytest.mark.parametrize("key", ["", "x" * 256])
async def test_a_malformed_key_is_400(
    client: httpx.AsyncClient, merchant: MerchantAccess, key: str
) -> None:
    answer = await keyed_post(
        client, "/api/v1/charge", charge_body(merchant), key, merchant.headers
    )
    assert answer.status_code == 400, answer.text
    assert "Idempotency-Key" in answer.json()["errors"]
    assert await events(client, merchant) == []


async def test_a_key_is_kept_for_24_hours(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    body = {"mid": merchant.mid, "amount": 700, "account_token": VISA, "expiration": FUTURE}
    first = await keyed_post(client, "/api/v1/charge", body, "day-1", merchant.headers)
    assert first.status_code == 200
    advanced = await client.post(
        "/homerun/v1/clock/advance", json={"seconds": 86400 + 1}, headers=ADMIN
    )
    assert advanced.status_code == 200
    refreshed = await client.post(
        "/api/v1/api_keys/refresh", json={"token": merchant.refresh_token}
    )
    assert refreshed.status_code == 200, refreshed.text
    headers = {"Authorization": f"Bearer {refreshed.json()['api_key']}"}
    again = await keyed_post(client, "/api/v1/charge", body, "day-1", headers)
    assert again.status_code == 200 and REPLAYED not in again.headers
    assert again.json()["trans_id"] != first.json()["trans_id"]
    # Two charges, the second not a replay. The day that passed may also have closed the
    # first charge's batch and funded it (it depends on the hour the suite runs at): those
    # events are settlement's, not the charges'.
    made = [kind for kind in await kinds(client, merchant) if kind.startswith("transaction.")]
    assert made == ["transaction.entered"] * 2
