"""A PostgreSQL database of this package's own, migrated and then partitioned by month with
docs/partition-by-month.sql, before the runtime opens on it (as an operator would: servers
stopped while it runs)."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from homerun.config import Settings
from homerun.kit.db.engine import Database, create_engine
from homerun.kit.db.migrate import upgrade_to_head
from tests.conftest import PG_SERVER, database_of_its_own

CONVERSION = Path(__file__).parents[2] / "docs" / "partition-by-month.sql"

# The package's own settings, runtime and client, over the database below.
_, settings, runtime, client = database_of_its_own()


@pytest.fixture(scope="package")
async def database_url() -> AsyncIterator[str]:
    name = f"homerun_test_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
    await admin.execute(f'CREATE DATABASE "{name}"')
    await admin.close()
    url = f"{PG_SERVER}/{name}"
    try:
        db = Database(create_engine(Settings(database_url=url)))
        await upgrade_to_head(db.engine)
        await db.dispose()
        conn = await asyncpg.connect(url)
        try:
            await conn.execute(CONVERSION.read_text())  # its own BEGIN ... COMMIT
        finally:
            await conn.close()
        yield url
    finally:
        admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()
