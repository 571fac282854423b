"""The api_key cache lives on the Runtime: filled by a call, forgotten at once on revocation,
a merchant's change, or Runtime.forget_credentials()."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from homerun.auth.cache import ApiKeyCache
from homerun.auth.service import authenticate
from homerun.errors import KeyNotFound
from homerun.runtime import Runtime
from tests.conftest import ADMIN, MerchantAccess
from tests.helpers import charge, events
from tests.payments.test_charge_statements import sent_to


def _cached_mid(runtime: Runtime, m: MerchantAccess) -> str | None:
    known = runtime.caches.of(ApiKeyCache).get(runtime.secret_hash(m.api_key), runtime.clock.now())
    return known.mid if known is not None else None


async def test_a_call_remembers_its_key_and_forgetting_asks_the_database_again(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    runtime.forget_credentials()
    assert _cached_mid(runtime, merchant) is None
    assert (await charge(client, merchant)).status_code == 200
    assert _cached_mid(runtime, merchant) == merchant.mid
    runtime.forget_credentials()
    assert _cached_mid(runtime, merchant) is None
    assert (await charge(client, merchant)).status_code == 200  # read again, still live
    assert _cached_mid(runtime, merchant) == merchant.mid


async def test_revoking_forgets_the_key_at_once(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    assert (await charge(client, merchant)).status_code == 200
    assert _cached_mid(runtime, merchant) == merchant.mid
    path = f"/homerun/v1/merchants/{merchant.mid}/credentials/{merchant.credential_id}"
    assert (await client.delete(path, headers=ADMIN)).status_code == 200
    assert _cached_mid(runtime, merchant) is None
    refused = await charge(client, merchant)
    assert refused.status_code == 401 and refused.json()["message"] == "Key not found"
    assert len(await events(client, merchant)) == 1  # only the first charge


async def test_a_merchant_change_forgets_every_key(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    assert (await charge(client, merchant)).status_code == 200
    changed = await client.patch(
        f"/homerun/v1/merchants/{merchant.mid}", json={"name": "Renamed"}, headers=ADMIN
    )
    assert changed.status_code == 200, changed.text
    assert _cached_mid(runtime, merchant) is None
    assert (await charge(client, merchant)).status_code == 200
    known = runtime.caches.of(ApiKeyCache).get(
        runtime.secret_hash(merchant.api_key), runtime.clock.now()
    )
    assert known is not None and known.name == "Renamed"


async def test_requests_that_miss_the_same_key_at_once_ask_the_database_once(
    runtime: Runtime, merchant: MerchantAccess
) -> None:
    """When an entry goes stale under load, the waiting requests share one look-up (on
    SQLite every look-up would take the single write turn)."""
    for _ in range(5):  # contention, several times
        runtime.forget_credentials()
        with sent_to(runtime) as sent:
            found = await asyncio.gather(
                *(authenticate(runtime, merchant.api_key) for _ in range(40))
            )
        assert {m.mid for m in found} == {merchant.mid}
        assert len(sent.touching("api_secrets.secret_hash =")) == 1
        assert len({id(m) for m in found}) == 1  # the one snapshot the cache now holds


async def test_an_unknown_key_fails_every_request_that_shared_its_look_up(
    runtime: Runtime,
) -> None:
    with sent_to(runtime) as sent:
        outcomes = await asyncio.gather(
            *(authenticate(runtime, "sk_test_unknown_key_for_all") for _ in range(10)),
            return_exceptions=True,
        )
    assert all(isinstance(o, KeyNotFound) for o in outcomes)
    assert len(sent.touching("api_secrets.secret_hash =")) == 1
    # Nothing is remembered of a failed look-up: the next request asks again.
    with sent_to(runtime) as sent, pytest.raises(KeyNotFound):
        await authenticate(runtime, "sk_test_unknown_key_for_all")
    assert len(sent.touching("api_secrets.secret_hash =")) == 1
