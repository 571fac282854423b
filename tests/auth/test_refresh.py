"""POST /api/v1/api_keys/refresh: every shape of ruling R2, rotation, grace, expiry, revocation."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

import httpx
import pytest

from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import charge, events

REFRESH = "/api/v1/api_keys/refresh"
HOUR = 3600
THIRTY_DAYS = 30 * 86400


async def clock_now(client: httpx.AsyncClient) -> int:
    answer = await client.get("/homerun/v1/clock", headers=ADMIN)
    assert answer.status_code == 200, answer.text
    return int(datetime.fromisoformat(answer.json()["now"]).timestamp())


async def advance(client: httpx.AsyncClient, seconds: float) -> None:
    answer = await client.post(
        "/homerun/v1/clock/advance", json={"seconds": seconds}, headers=ADMIN
    )
    assert answer.status_code == 200, answer.text


def bearer(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


async def can_charge(client: httpx.AsyncClient, m: MerchantAccess, api_key: str) -> bool:
    body = {"mid": m.mid, "amount": 100, "account_token": "4111111111111111", "expiration": "1230"}
    answer = await client.post("/api/v1/charge", json=body, headers=bearer(api_key))
    assert answer.status_code in (200, 401), answer.text
    if answer.status_code == 200:
        assert answer.json()["result"] == "A"
    return answer.status_code == 200


def assert_key_not_found(answer: httpx.Response) -> None:
    assert answer.status_code == 401, answer.text
    body = answer.json()
    assert body["message"] == body["error"] == body["error_description"] == "Key not found"
    assert body["code"] == "key_not_found"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")


# Each shape: (headers, body) built from the merchant's current api_key and refresh_token.
SHAPES: dict[str, Any] = {
    "bearer_api_key_body_refresh_token": lambda a, r: (bearer(a), {"token": r}),
    "bearer_refresh_token_body_api_key": lambda a, r: (bearer(r), {"token": a}),
    "no_header_both_in_body": lambda a, r: ({}, {"token": a, "refresh_token": r}),
    "no_header_api_key_alone": lambda a, r: ({}, {"token": a}),
    "same_api_key_in_both_places": lambda a, r: (bearer(a), {"token": a}),
    "same_refresh_token_in_both_places": lambda a, r: (bearer(r), {"token": r}),
    "refresh_token_in_both_body_fields": lambda a, r: ({}, {"token": r, "refresh_token": r}),
    "bearer_refresh_token_alone_in_body_field": lambda a, r: (bearer(r), {"refresh_token": r}),
}


@pytest.mark.parametrize("shape", list(SHAPES))
async def test_every_shape_of_r2_refreshes_and_rotates(
    client: httpx.AsyncClient, merchant: MerchantAccess, shape: str
) -> None:
    headers, body = SHAPES[shape](merchant.api_key, merchant.refresh_token)
    now = await clock_now(client)
    answer = await client.post(REFRESH, json=body, headers=headers)
    assert answer.status_code == 200, answer.text
    fresh = answer.json()
    assert set(fresh) == {
        "api_key",
        "public_key",
        "refresh_token",
        "api_key_expires_at",
        "refresh_token_expires_at",
    }
    assert fresh["public_key"] == merchant.public_key
    assert fresh["api_key"] not in (merchant.api_key, merchant.refresh_token)
    assert fresh["refresh_token"] not in (merchant.api_key, merchant.refresh_token)
    assert fresh["api_key"].startswith("sk_test_")
    assert fresh["refresh_token"].startswith("rt_test_")
    assert type(fresh["api_key_expires_at"]) is int
    assert type(fresh["refresh_token_expires_at"]) is int
    assert now + HOUR - 2 <= fresh["api_key_expires_at"] <= now + HOUR + 5
    assert now + THIRTY_DAYS - 2 <= fresh["refresh_token_expires_at"] <= now + THIRTY_DAYS + 5

    # The new api_key charges; the old refresh token is consumed.
    assert await can_charge(client, merchant, fresh["api_key"])
    assert_key_not_found(
        await client.post(REFRESH, json={"token": merchant.refresh_token}, headers={})
    )
    # The new pair refreshes again.
    again = await client.post(
        REFRESH, json={"token": fresh["refresh_token"]}, headers=bearer(fresh["api_key"])
    )
    assert again.status_code == 200, again.text


async def test_old_api_key_works_during_grace_and_stops_after_it(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    answer = await client.post(
        REFRESH, json={"token": merchant.refresh_token}, headers=merchant.headers
    )
    assert answer.status_code == 200, answer.text
    fresh = answer.json()
    assert await can_charge(client, merchant, merchant.api_key)  # still in grace
    assert await can_charge(client, merchant, fresh["api_key"])
    # The old api_key, although still in grace, has been rotated: it cannot refresh again.
    assert_key_not_found(await client.post(REFRESH, json={"token": merchant.api_key}))

    await advance(client, 61)
    assert not await can_charge(client, merchant, merchant.api_key)
    refused = await charge(client, merchant)  # the fixture's headers carry the old key
    assert_key_not_found(refused)
    assert await can_charge(client, merchant, fresh["api_key"])
    kinds = [e["event_type"] for e in await events(client, merchant)]
    assert kinds == ["transaction.entered"] * 3


async def test_reused_refresh_token_is_key_not_found_and_changes_nothing(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    first = await client.post(REFRESH, json={"token": merchant.refresh_token})
    assert first.status_code == 200, first.text
    fresh = first.json()
    reused = await client.post(REFRESH, json={"token": merchant.refresh_token})
    assert_key_not_found(reused)
    # The failed reuse rotated nothing: the new keys still work and still refresh.
    assert await can_charge(client, merchant, fresh["api_key"])
    assert (await client.post(REFRESH, json={"token": fresh["refresh_token"]})).status_code == 200


async def test_expired_api_key_cannot_charge_or_refresh_alone_but_refresh_token_can(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    await advance(client, HOUR + 1)
    assert_key_not_found(await charge(client, merchant))
    assert_key_not_found(await client.post(REFRESH, json={"token": merchant.api_key}))
    assert_key_not_found(
        await client.post(REFRESH, json={"token": merchant.api_key}, headers=merchant.headers)
    )
    assert await events(client, merchant) == []

    # The unexpired refresh token still refreshes, in either placement.
    answer = await client.post(
        REFRESH, json={"token": merchant.api_key}, headers=bearer(merchant.refresh_token)
    )
    assert answer.status_code == 200, answer.text
    fresh = answer.json()
    assert fresh["public_key"] == merchant.public_key
    assert await can_charge(client, merchant, fresh["api_key"])
    assert not await can_charge(client, merchant, merchant.api_key)


async def test_expired_refresh_token_is_key_not_found(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    await advance(client, THIRTY_DAYS + 1)
    assert_key_not_found(await client.post(REFRESH, json={"token": merchant.refresh_token}))
    assert_key_not_found(
        await client.post(
            REFRESH,
            json={"token": merchant.api_key, "refresh_token": merchant.refresh_token},
        )
    )


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        ({}, {"token": "sk_test_unknown"}),
        (bearer("sk_test_unknown"), {"token": "rt_test_unknown"}),
        ({}, {"token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.sig"}),
        (bearer("rt_test_unknown"), {}),
        ({}, {}),
        ({}, {"token": ""}),
    ],
)
async def test_unknown_or_missing_keys_are_key_not_found(
    client: httpx.AsyncClient,
    merchant: MerchantAccess,
    headers: dict[str, str],
    body: dict[str, str],
) -> None:
    assert_key_not_found(await client.post(REFRESH, json=body, headers=headers))
    assert await can_charge(client, merchant, merchant.api_key)


async def test_public_key_or_admin_token_alone_does_not_refresh(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    assert_key_not_found(await client.post(REFRESH, json={"token": merchant.public_key}))
    assert_key_not_found(
        await client.post(REFRESH, json={"token": merchant.public_key}, headers=ADMIN)
    )
    assert await can_charge(client, merchant, merchant.api_key)
    assert (await client.post(REFRESH, json={"token": merchant.refresh_token})).status_code == 200


async def test_a_purged_key_beside_a_live_refresh_token_still_refreshes(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    """A client holding a purged api_key and its live refresh token can still rotate."""
    answer = await client.post(
        REFRESH, json={"token": "sk_test_purged_long_ago"}, headers=bearer(merchant.refresh_token)
    )
    assert answer.status_code == 200, answer.text
    assert await can_charge(client, merchant, answer.json()["api_key"])


async def test_keys_of_two_merchants_are_refused_and_rotate_nothing(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    one, two = await make_merchant(), await make_merchant()
    for headers, body in (
        (one.headers, {"token": two.refresh_token}),
        (bearer(two.refresh_token), {"token": one.api_key}),
        ({}, {"token": one.api_key, "refresh_token": two.refresh_token}),
    ):
        answer = await client.post(REFRESH, json=body, headers=headers)
        assert answer.status_code == 401, answer.text
        assert answer.json()["code"] in ("unauthorized", "key_not_found")
        assert "WWW-Authenticate" in answer.headers
    for m in (one, two):
        assert await can_charge(client, m, m.api_key)
        assert (await client.post(REFRESH, json={"token": m.refresh_token})).status_code == 200


async def test_revoked_credentials_stop_api_key_refresh_and_public_key(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    token = await client.post(
        "/homerun/v1/tokens",
        json={"account_number": "4111111111111111", "expiry": "12/30"},
        headers=bearer(merchant.public_key),
    )
    assert token.status_code == 200, token.text
    revoked = await client.delete(
        f"/homerun/v1/merchants/{merchant.mid}/credentials/{merchant.credential_id}",
        headers=ADMIN,
    )
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["revoked_at"] is not None
    assert_key_not_found(await charge(client, merchant))
    assert_key_not_found(
        await client.post(REFRESH, json={"token": merchant.refresh_token}, headers=merchant.headers)
    )
    assert_key_not_found(await client.post(REFRESH, json={"token": merchant.api_key}))
    refused = await client.post(
        "/homerun/v1/tokens",
        json={"account_number": "4111111111111111", "expiry": "12/30"},
        headers=bearer(merchant.public_key),
    )
    assert refused.status_code == 401, refused.text
    assert await events(client, merchant) == []


async def test_refresh_body_faults_are_400(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    bad_type = await client.post(REFRESH, json={"token": 12}, headers=merchant.headers)
    assert bad_type.status_code in (400, 401), bad_type.text
    not_json = await client.post(
        REFRESH,
        content=b"{token",
        headers={**merchant.headers, "Content-Type": "application/json"},
    )
    assert not_json.status_code == 400
    assert await can_charge(client, merchant, merchant.api_key)


async def test_refresh_answer_is_never_cached(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    answer = await client.post(REFRESH, json={"token": merchant.refresh_token})
    assert answer.status_code == 200
    assert answer.headers["Cache-Control"] == "no-store"


async def test_concurrent_refreshes_with_one_refresh_token_rotate_once(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    answers = await asyncio.gather(
        *(client.post(REFRESH, json={"token": merchant.refresh_token}) for _ in range(4))
    )
    assert sorted(a.status_code for a in answers) == [200, 401, 401, 401], [a.text for a in answers]
    winner = next(a for a in answers if a.status_code == 200).json()
    for loser in (a for a in answers if a.status_code == 401):
        assert loser.json()["message"] == "Key not found"
    assert await can_charge(client, merchant, winner["api_key"])
    again = await client.post(REFRESH, json={"token": winner["refresh_token"]})
    assert again.status_code == 200, again.text
