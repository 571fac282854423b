"""A Homerun of a test's own: a fresh database (SQLite file or PostgreSQL database on the
test server, dropped afterwards), its runtime and an in-process client.

For tests that look at a whole database (what is on disk, pg_dump) or share it with
subprocesses (workers, the CLI), where the session's database would mix in every
other test's rows.
"""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from pydantic import SecretStr

from homerun.app import create_app
from homerun.config import Settings
from homerun.kit.db.engine import Database, create_engine
from homerun.kit.db.migrate import upgrade_to_head
from homerun.runtime import Runtime
from homerun.startup import open_runtime
from tests.conftest import ADMIN, ADMIN_TOKEN, PG_SERVER, MerchantAccess, backend

HOMERUN = str(Path(__file__).resolve().parents[1] / ".venv" / "bin" / "homerun")


@dataclass(frozen=True)
class Isolated:
    url: str  # the database URL as an operator would write it
    sqlite_path: Path | None  # the file, on SQLite
    pg_name: str | None  # the database name, on PostgreSQL


@asynccontextmanager
async def isolated_database(prefix: str) -> AsyncIterator[Isolated]:
    if backend() == "postgresql":
        name = f"{prefix}_{secrets.token_hex(4)}"
        admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        try:
            yield Isolated(f"{PG_SERVER}/{name}", None, name)
        finally:
            admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
        return
    with tempfile.TemporaryDirectory(prefix=f"{prefix}-") as folder:
        path = Path(folder) / "homerun.db"
        yield Isolated(f"sqlite:///{path}", path, None)


def settings_for(url: str, **overrides: Any) -> Settings:
    return Settings(database_url=url, admin_token=SecretStr(ADMIN_TOKEN), **overrides)


async def migrate(url: str) -> None:
    db = Database(create_engine(Settings(database_url=url)))
    try:
        await upgrade_to_head(db.engine)
    finally:
        await db.dispose()


@asynccontextmanager
async def isolated_app(settings: Settings) -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    """A runtime and a client on `settings`' (already migrated) database."""
    runtime = await open_runtime(settings)
    try:
        app = create_app(runtime=runtime)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://isolated.test") as http:
            yield runtime, http
    finally:
        await runtime.db.dispose()


async def new_merchant(client: httpx.AsyncClient, **settings: Any) -> MerchantAccess:
    made = await client.post(
        "/homerun/v1/merchants", json={"name": "Isolated Store", **settings}, headers=ADMIN
    )
    assert made.status_code == 201, made.text
    mid = made.json()["mid"]
    issued = await client.post(f"/homerun/v1/merchants/{mid}/credentials", headers=ADMIN)
    assert issued.status_code == 201, issued.text
    creds = issued.json()
    return MerchantAccess(
        mid, creds["api_key"], creds["refresh_token"], creds["public_key"], creds["credential_id"]
    )


def subprocess_env(url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HOMERUN_")}
    return {**env, "HOMERUN_DATABASE_URL": url, "HOMERUN_ADMIN_TOKEN": ADMIN_TOKEN, **extra}
