"""Fixtures: one live Homerun per run, and a fresh merchant (with its credentials) per test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from decimal import Decimal

import pytest
import runpayments as rp
from live_homerun import LiveHomerun, fresh_database

FAST = rp.RetryPolicy(attempts=4, timeout=20.0, wait_initial=0.05, wait_max=0.2, wait_jitter=0.05)


@dataclass
class Merchant:
    mid: str
    api_key: str
    refresh_token: str
    api_key_expires_at: int


@pytest.fixture(scope="session")
def homerun() -> Iterator[LiveHomerun]:
    with fresh_database() as url:
        server = LiveHomerun(url)
        try:
            server.start()
            yield server
        finally:
            server.stop()


def new_merchant(homerun: LiveHomerun, **settings: object) -> Merchant:
    mid = homerun.post("/homerun/v1/merchants", {"name": "Client Test Store", **settings})["mid"]
    creds = homerun.post(f"/homerun/v1/merchants/{mid}/credentials")
    return Merchant(mid, creds["api_key"], creds["refresh_token"], creds["api_key_expires_at"])


@pytest.fixture(scope="module")
def merchant(homerun: LiveHomerun) -> Merchant:
    """One merchant per test module: its api_key is never refreshed by these tests."""
    return new_merchant(homerun)


@pytest.fixture
def fresh_merchant(homerun: LiveHomerun) -> Merchant:
    """A merchant of the test's own, for tests that spend its refresh token or count its
    transactions."""
    return new_merchant(homerun)


@pytest.fixture
def client(homerun: LiveHomerun, merchant: Merchant) -> Iterator[rp.RunClient]:
    with rp.RunClient(
        homerun.base_url,
        mid=merchant.mid,
        api_key=merchant.api_key,
        refresh_token=merchant.refresh_token,
        retry=FAST,
    ) as made:
        yield made


@pytest.fixture
async def aclient(homerun: LiveHomerun, merchant: Merchant) -> AsyncIterator[rp.AsyncRunClient]:
    async with rp.AsyncRunClient(
        homerun.base_url,
        mid=merchant.mid,
        api_key=merchant.api_key,
        refresh_token=merchant.refresh_token,
        retry=FAST,
    ) as made:
        yield made


def card(
    number: str = "4111111111111111", amount: str | Decimal = "10.00", **fields: object
) -> rp.ChargeRequest:
    """A sandbox charge: a test card sent as account_token (docs/testing.md)."""
    body: dict[str, object] = {"amount": amount, "account_token": number, "expiration": "12/30"}
    return rp.ChargeRequest.model_validate({**body, **fields})
