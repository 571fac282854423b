"""api_key refresh against Homerun: before expiry, on a 401, once across threads and tasks,
and a crash between the server's answer and the store's save that loses nothing."""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import runpayments as rp
from live_homerun import LiveHomerun

from conftest import FAST, Merchant, card


class CountingStore(rp.MemoryStore):
    def __init__(self) -> None:
        super().__init__()
        self.saved: list[rp.ApiCredentials] = []

    def save(self, credentials: rp.ApiCredentials) -> None:
        self.saved.append(credentials)
        super().save(credentials)

    @property
    def refreshes(self) -> int:
        """Saves of a new pair (not the first one, not a write-ahead mark)."""
        return sum(1 for c in self.saved[1:] if c.pending_refresh is None)


class Crash(BaseException):
    """The process dies here (BaseException: nothing in the client may swallow it)."""


class CrashingStore(rp.FileStore):
    """A file store whose process dies while saving the first refreshed pair."""

    def __init__(self, path: Path, first_key: str) -> None:
        super().__init__(path)
        self.first_key = first_key

    def save(self, credentials: rp.ApiCredentials) -> None:
        if credentials.api_key != self.first_key:
            raise Crash
        super().save(credentials)


def refresh_by_hand(homerun: LiveHomerun, refresh_token: str) -> int:
    answer = httpx.post(
        f"{homerun.base_url}/api/v1/api_keys/refresh",
        json={"token": refresh_token},
        headers={"Authorization": f"Bearer {refresh_token}"},
    )
    return answer.status_code


def expired_client(
    homerun: LiveHomerun, merchant: Merchant, store: rp.CredentialStore
) -> rp.RunClient:
    return rp.RunClient(
        homerun.base_url,
        mid=merchant.mid,
        api_key=merchant.api_key,
        refresh_token=merchant.refresh_token,
        api_key_expires_at=int(time.time()) - 1,
        credential_store=store,
        retry=FAST,
    )


def test_a_key_about_to_expire_is_refreshed_before_it_is_used(
    homerun: LiveHomerun, fresh_merchant: Merchant
) -> None:
    store = CountingStore()
    with expired_client(homerun, fresh_merchant, store) as client:
        assert client.payments.charge(card()).result == "A"
    fresh = store.load()
    assert fresh is not None and store.refreshes == 1
    assert (
        fresh.api_key != fresh_merchant.api_key
        and fresh.refresh_token != fresh_merchant.refresh_token
    )
    assert fresh.api_key_expires_at is not None and fresh.api_key_expires_at > time.time() + 3000
    assert refresh_by_hand(homerun, fresh_merchant.refresh_token) == 401  # single use, now spent


def test_a_401_refreshes_and_resends_once(homerun: LiveHomerun, fresh_merchant: Merchant) -> None:
    store = CountingStore()
    with rp.RunClient(
        homerun.base_url,
        mid=fresh_merchant.mid,
        api_key="sk_test_" + "x" * 32,  # unknown to the server: 401 Key not found
        refresh_token=fresh_merchant.refresh_token,
        credential_store=store,
        retry=FAST,
    ) as client:
        assert client.payments.charge(card()).result == "A"
    assert store.refreshes == 1


def test_an_unknown_refresh_token_is_an_authentication_error(
    homerun: LiveHomerun, fresh_merchant: Merchant
) -> None:
    with (
        rp.RunClient(
            homerun.base_url,
            mid=fresh_merchant.mid,
            api_key=fresh_merchant.api_key,
            refresh_token="rt_test_" + "x" * 32,
            api_key_expires_at=int(time.time()) - 1,
            retry=FAST,
        ) as client,
        pytest.raises(rp.AuthenticationError) as raised,
    ):
        client.payments.charge(card())
    assert (raised.value.status, raised.value.message) == (401, "Key not found")


def test_a_crash_before_the_new_pair_is_stored_loses_no_refresh_token(
    homerun: LiveHomerun, fresh_merchant: Merchant, tmp_path: Path
) -> None:
    path = tmp_path / "run-credentials.json"
    crashing = expired_client(homerun, fresh_merchant, CrashingStore(path, fresh_merchant.api_key))
    with crashing as client, pytest.raises(Crash):
        client.payments.charge(card())
    # The server rotated the pair and the old refresh token is spent; the file still has
    # only the old pair, marked with the Idempotency-Key of the refresh in flight.
    left = rp.FileStore(path).load()
    assert left is not None and left.refresh_token == fresh_merchant.refresh_token
    assert left.pending_refresh is not None
    assert refresh_by_hand(homerun, fresh_merchant.refresh_token) == 401
    # A new process asks again with the same key and gets the same answer replayed.
    with rp.RunClient(
        homerun.base_url, mid=fresh_merchant.mid, credential_store=rp.FileStore(path), retry=FAST
    ) as restarted:
        assert restarted.payments.charge(card()).result == "A"
    recovered = rp.FileStore(path).load()
    assert recovered is not None and recovered.pending_refresh is None
    assert recovered.refresh_token != fresh_merchant.refresh_token
    assert refresh_by_hand(homerun, recovered.refresh_token) == 200


def test_threads_share_one_refresh(homerun: LiveHomerun, fresh_merchant: Merchant) -> None:
    store = CountingStore()
    with expired_client(homerun, fresh_merchant, store) as client, ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda _: client.payments.charge(card()).result, range(8)))
    assert results == ["A"] * 8
    assert store.refreshes == 1


async def test_tasks_share_one_refresh(homerun: LiveHomerun, fresh_merchant: Merchant) -> None:
    store = CountingStore()
    async with rp.AsyncRunClient(
        homerun.base_url,
        mid=fresh_merchant.mid,
        api_key=fresh_merchant.api_key,
        refresh_token=fresh_merchant.refresh_token,
        api_key_expires_at=int(time.time()) - 1,
        credential_store=store,
        retry=FAST,
    ) as client:
        charged = await asyncio.gather(*(client.payments.charge(card()) for _ in range(8)))
    assert [c.result for c in charged] == ["A"] * 8
    assert store.refreshes == 1


def test_payments_calls_without_credentials_say_so(homerun: LiveHomerun) -> None:
    with rp.RunClient(homerun.base_url) as client, pytest.raises(rp.CredentialsError):
        client.payments.charge(card(mid="000000000001"))


def test_a_second_process_takes_the_pair_the_first_one_saved(
    homerun: LiveHomerun, fresh_merchant: Merchant, tmp_path: Path
) -> None:
    path = tmp_path / "shared.json"
    with (
        expired_client(homerun, fresh_merchant, rp.FileStore(path)) as first,
        expired_client(homerun, fresh_merchant, rp.FileStore(path)) as second,
    ):
        assert first.payments.charge(card()).result == "A"  # refreshes and saves
        # The second holds the spent refresh token; it finds the new pair in the file
        # instead of asking with the spent one (which would be a 401).
        assert second.payments.charge(card()).result == "A"
    final = rp.FileStore(path).load()
    assert final is not None and final.refresh_token != fresh_merchant.refresh_token
    assert refresh_by_hand(homerun, final.refresh_token) == 200
