"""Test fixtures: one real database per run (SQLite or PostgreSQL), the app over ASGI.

HOMERUN_TEST_DATABASE=sqlite (default) or postgresql selects the database; for
PostgreSQL a fresh database is created on HOMERUN_TEST_PG_URL's server and
dropped at the end. Tests isolate themselves by creating their own merchants.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from argon2 import PasswordHasher
from pydantic import SecretStr

from homerun.app import create_app
from homerun.config import Settings
from homerun.kit.db.engine import Database, create_engine
from homerun.kit.db.migrate import upgrade_to_head
from homerun.people import crypto as people_crypto
from homerun.runtime import Runtime
from homerun.startup import open_runtime

ADMIN_TOKEN = "hr_admin_test_token"

# A password hash at argon2id's production cost (64 MiB, three passes) takes a quarter of a
# second here, and the suite creates and signs in hundreds of users: in-process tests hash at
# argon2's lowest cost instead. Same algorithm, same stored format, same code path; servers
# the tests start as processes keep the production cost.
PRODUCTION_HASHER = people_crypto._HASHER
people_crypto._HASHER = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
people_crypto._DUMMY = people_crypto._HASHER.hash("not a password of anyone")
PG_SERVER = os.environ.get("HOMERUN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432")


def backend() -> str:
    return os.environ.get("HOMERUN_TEST_DATABASE", "sqlite")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "one_database(name): exercises nothing that differs between databases (a process's "
        "memory, its metrics); with HOMERUN_TEST_NEUTRAL_ONCE=1 it runs on `name` only",
    )


def _home_database(item: pytest.Item) -> str | None:
    """The one database a database-neutral test runs on (None: it runs on each)."""
    marker = item.get_closest_marker("one_database")
    return None if marker is None else str(marker.args[0])


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """scripts/test runs the suite on SQLite and on PostgreSQL at once, and sets
    HOMERUN_TEST_NEUTRAL_ONCE=1 so that a database-neutral test runs in one of the two."""
    if os.environ.get("HOMERUN_TEST_NEUTRAL_ONCE") != "1":
        return
    elsewhere = [item for item in items if _home_database(item) not in (None, backend())]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if item not in elsewhere]


async def _fresh_database_url() -> AsyncIterator[str]:
    if backend() == "postgresql":
        name = f"homerun_test_{secrets.token_hex(4)}"
        admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        try:
            yield f"{PG_SERVER}/{name}"
        finally:
            admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    else:
        with tempfile.TemporaryDirectory(prefix="homerun-test-") as folder:
            yield f"sqlite:///{Path(folder) / 'homerun.db'}"


def _settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url,
        admin_token=SecretStr(ADMIN_TOKEN),
        database_pool_size=20,
        # Admission control refuses what waits past a deadline, so with it an answer would
        # depend on how busy the machine is; it has tests of its own
        # (tests/test_failing_cleanly_shedding.py), the rest are about answers.
        max_in_flight=0,
    )


async def _migrated_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    db = Database(create_engine(settings))
    await upgrade_to_head(db.engine)
    await db.dispose()
    opened = await open_runtime(settings)
    yield opened
    await opened.db.dispose()


async def _client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://homerun.test") as http:
        yield http


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    async for url in _fresh_database_url():
        yield url


@pytest.fixture(scope="session")
async def settings(database_url: str) -> Settings:
    return _settings(database_url)


@pytest.fixture(scope="session")
async def runtime(settings: Settings) -> AsyncIterator[Runtime]:
    async for opened in _migrated_runtime(settings):
        yield opened


@pytest.fixture(scope="session")
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    async for http in _client(runtime):
        yield http


def database_of_its_own() -> tuple[Any, Any, Any, Any]:
    """The four database fixtures again at package scope, for a conftest.py to take:

        database_url, settings, runtime, client = database_of_its_own()

    For packages whose tests move the sandbox clock far: every clock move runs the due
    work of every merchant in the database (batch closes, deposits, month-end fees), so
    in the session's database they would pay for the rows of every test before them.
    """

    @pytest.fixture(scope="package", name="database_url")
    async def package_database_url() -> AsyncIterator[str]:
        async for url in _fresh_database_url():
            yield url

    @pytest.fixture(scope="package", name="settings")
    async def package_settings(database_url: str) -> Settings:
        return _settings(database_url)

    @pytest.fixture(scope="package", name="runtime")
    async def package_runtime(settings: Settings) -> AsyncIterator[Runtime]:
        async for opened in _migrated_runtime(settings):
            yield opened

    @pytest.fixture(scope="package", name="client")
    async def package_client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
        async for http in _client(runtime):
            yield http

    return package_database_url, package_settings, package_runtime, package_client


ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}


@dataclass
class MerchantAccess:
    mid: str
    api_key: str
    refresh_token: str
    public_key: str
    credential_id: int

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}


MerchantFactory = Callable[..., Awaitable[MerchantAccess]]


@pytest.fixture
def make_merchant(client: httpx.AsyncClient) -> MerchantFactory:
    async def make(**settings: Any) -> MerchantAccess:
        body = {"name": "Test Store", **settings}
        created = await client.post("/homerun/v1/merchants", json=body, headers=ADMIN)
        assert created.status_code == 201, created.text
        mid = created.json()["mid"]
        issued = await client.post(f"/homerun/v1/merchants/{mid}/credentials", headers=ADMIN)
        assert issued.status_code == 201, issued.text
        creds = issued.json()
        return MerchantAccess(
            mid,
            creds["api_key"],
            creds["refresh_token"],
            creds["public_key"],
            creds["credential_id"],
        )

    return make


@pytest.fixture
async def merchant(make_merchant: MerchantFactory) -> MerchantAccess:
    return await make_merchant()
