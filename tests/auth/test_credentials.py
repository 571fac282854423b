"""Credential administration: issue, list, revoke; how keys look and how they are stored (R2)."""

from __future__ import annotations

import re
from datetime import datetime

import httpx
import pytest
from sqlalchemy import select

from homerun.auth.models import ApiSecret, CredentialSet
from homerun.runtime import Runtime
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import charge, events

URL_SAFE = re.compile(r"^[A-Za-z0-9_-]+$")


def credentials_url(m: MerchantAccess, credential_id: int | str | None = None) -> str:
    base = f"/homerun/v1/merchants/{m.mid}/credentials"
    return base if credential_id is None else f"{base}/{credential_id}"


async def clock_now(client: httpx.AsyncClient) -> int:
    answer = await client.get("/homerun/v1/clock", headers=ADMIN)
    return int(datetime.fromisoformat(answer.json()["now"]).timestamp())


async def test_issued_credentials_have_prefixes_entropy_and_expiries(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    now = await clock_now(client)
    answer = await client.post(credentials_url(merchant), headers=ADMIN)
    assert answer.status_code == 201, answer.text
    assert answer.headers["Cache-Control"] == "no-store"
    creds = answer.json()
    assert set(creds) == {
        "credential_id",
        "api_key",
        "refresh_token",
        "public_key",
        "api_key_expires_at",
        "refresh_token_expires_at",
    }
    for name, prefix in (
        ("api_key", "sk_test_"),
        ("refresh_token", "rt_test_"),
        ("public_key", "pk_test_"),
    ):
        value = creds[name]
        assert value.startswith(prefix), value
        randomness = value.removeprefix(prefix)
        assert URL_SAFE.match(randomness) and len(randomness) * 6 >= 128
    assert len({creds["api_key"], creds["refresh_token"], creds["public_key"]}) == 3
    assert creds["credential_id"] != merchant.credential_id
    assert now + 3600 - 2 <= creds["api_key_expires_at"] <= now + 3600 + 5
    assert now + 30 * 86400 - 2 <= creds["refresh_token_expires_at"] <= now + 30 * 86400 + 5
    # Both sets work side by side.
    second = MerchantAccess(
        merchant.mid,
        creds["api_key"],
        creds["refresh_token"],
        creds["public_key"],
        creds["credential_id"],
    )
    assert (await charge(client, second)).json()["result"] == "A"
    assert (await charge(client, merchant)).json()["result"] == "A"


async def test_only_keyed_hashes_of_secrets_are_stored(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    async with runtime.db.transaction() as session:
        secrets = (
            (
                await session.execute(
                    select(ApiSecret).where(ApiSecret.credential_set_id == merchant.credential_id)
                )
            )
            .scalars()
            .all()
        )
        credential_set = await session.get(CredentialSet, merchant.credential_id)
    assert sorted(s.kind for s in secrets) == ["api", "refresh"]
    stored = {s.secret_hash for s in secrets}
    assert merchant.api_key not in stored and merchant.refresh_token not in stored
    assert stored == {
        runtime.secret_hash(merchant.api_key),
        runtime.secret_hash(merchant.refresh_token),
    }
    assert all(len(h) == 64 for h in stored)
    assert credential_set is not None and credential_set.public_key == merchant.public_key


async def test_list_shows_every_set_without_secrets(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    second = (await client.post(credentials_url(merchant), headers=ADMIN)).json()
    answer = await client.get(credentials_url(merchant), headers=ADMIN)
    assert answer.status_code == 200, answer.text
    listed = answer.json()
    assert [c["credential_id"] for c in listed] == [
        merchant.credential_id,
        second["credential_id"],
    ]
    assert [c["public_key"] for c in listed] == [merchant.public_key, second["public_key"]]
    assert all(c["revoked_at"] is None and c["created_at"] for c in listed)
    assert merchant.api_key not in answer.text and merchant.refresh_token not in answer.text
    assert second["api_key"] not in answer.text and second["refresh_token"] not in answer.text


async def test_revoking_one_set_leaves_the_other_working(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    other = (await client.post(credentials_url(merchant), headers=ADMIN)).json()
    revoked = await client.delete(credentials_url(merchant, other["credential_id"]), headers=ADMIN)
    assert revoked.status_code == 200, revoked.text
    body = revoked.json()
    assert body["credential_id"] == other["credential_id"] and body["revoked_at"]
    # Revoking again changes nothing.
    again = await client.delete(credentials_url(merchant, other["credential_id"]), headers=ADMIN)
    assert again.status_code == 200 and again.json()["revoked_at"] == body["revoked_at"]
    listed = (await client.get(credentials_url(merchant), headers=ADMIN)).json()
    assert [c["revoked_at"] is None for c in listed] == [True, False]

    stale = await client.post(
        "/api/v1/charge",
        json={"mid": merchant.mid, "amount": 100, "account_token": "4111111111111111"},
        headers={"Authorization": f"Bearer {other['api_key']}"},
    )
    assert stale.status_code == 401 and stale.json()["message"] == "Key not found"
    assert (await charge(client, merchant)).json()["result"] == "A"


@pytest.mark.parametrize("credential_id", ["999999999", "99999999999999999999999", "-1", "abc"])
async def test_revoking_an_unknown_set_is_404_or_400(
    client: httpx.AsyncClient, merchant: MerchantAccess, credential_id: str
) -> None:
    answer = await client.delete(credentials_url(merchant, credential_id), headers=ADMIN)
    assert answer.status_code in (400, 404), answer.text
    body = answer.json()
    assert body["error"] == body["message"] == body["error_description"]
    assert (await charge(client, merchant)).json()["result"] == "A"


async def test_revoking_another_merchants_set_is_404(
    client: httpx.AsyncClient, make_merchant: MerchantFactory
) -> None:
    one, two = await make_merchant(), await make_merchant()
    answer = await client.delete(credentials_url(one, two.credential_id), headers=ADMIN)
    assert answer.status_code == 404, answer.text
    assert answer.json()["code"] == "not_found"
    assert (await charge(client, two)).json()["result"] == "A"


async def test_credentials_of_an_unknown_merchant_are_404(client: httpx.AsyncClient) -> None:
    for method, path in (
        ("POST", "/homerun/v1/merchants/999999999999/credentials"),
        ("GET", "/homerun/v1/merchants/999999999999/credentials"),
        ("DELETE", "/homerun/v1/merchants/999999999999/credentials/1"),
        ("GET", "/homerun/v1/merchants/not-a-mid/credentials"),
    ):
        answer = await client.request(method, path, headers=ADMIN)
        assert answer.status_code == 404, (method, path, answer.text)
        assert answer.json()["code"] == "not_found"


async def test_credential_administration_needs_the_admin_token(
    client: httpx.AsyncClient, merchant: MerchantAccess
) -> None:
    for headers in ({}, merchant.headers, {"Authorization": "Bearer hr_admin_wrong"}):
        for method, path in (
            ("POST", credentials_url(merchant)),
            ("GET", credentials_url(merchant)),
            ("DELETE", credentials_url(merchant, merchant.credential_id)),
        ):
            answer = await client.request(method, path, headers=headers)
            assert answer.status_code == 401, (method, path, answer.text)
            assert "WWW-Authenticate" in answer.headers
    listed = (await client.get(credentials_url(merchant), headers=ADMIN)).json()
    assert len(listed) == 1 and listed[0]["revoked_at"] is None
    assert await events(client, merchant) == []
