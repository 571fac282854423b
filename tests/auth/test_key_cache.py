"""The api_key cache lives on the Runtime: filled by a call, forgotten at once on revocation,
a merchant's change, or Runtime.forget_credentials()."""

from __future__ import annotations

import httpx

from homerun.auth.cache import ApiKeyCache
from homerun.runtime import Runtime
from tests.conftest import ADMIN, MerchantAccess
from tests.helpers import charge, events


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
