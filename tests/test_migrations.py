"""Migrations and models agree: no drift after upgrade, and down to base and up again works."""

from __future__ import annotations

import secrets
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from homerun.config import Settings
from homerun.kit.db.engine import create_engine
from homerun.kit.db.migrate import alembic_config, upgrade_to_head
from homerun.models import Base
from homerun.runtime import Runtime
from tests.conftest import PG_SERVER, backend


def _drift(connection: Connection) -> list[Any]:
    # The same comparison options as migrations/env.py uses for autogenerate.
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    diffs: list[Any] = compare_metadata(context, Base.metadata)
    return diffs


async def drift(engine: AsyncEngine) -> list[Any]:
    async with engine.connect() as connection:
        return await connection.run_sync(_drift)


async def tables(engine: AsyncEngine) -> set[str]:
    async with engine.connect() as connection:
        names: list[str] = await connection.run_sync(lambda c: inspect(c).get_table_names())
    return set(names)


async def downgrade_to_base(engine: AsyncEngine) -> None:
    config = alembic_config(engine.url.render_as_string(hide_password=False))

    def _downgrade(connection: object) -> None:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")

    async with engine.begin() as connection:
        await connection.run_sync(_downgrade)


@pytest.fixture
async def throwaway() -> AsyncIterator[AsyncEngine]:
    """An empty database of the suite's kind, dropped afterwards."""
    if backend() == "postgresql":
        name = f"homerun_migrations_{secrets.token_hex(4)}"
        admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
        await admin.execute(f'CREATE DATABASE "{name}"')
        await admin.close()
        engine = create_engine(Settings(database_url=f"{PG_SERVER}/{name}"))
        try:
            yield engine
        finally:
            await engine.dispose()
            admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()
    else:
        with tempfile.TemporaryDirectory(prefix="homerun-migrations-") as folder:
            engine = create_engine(Settings(database_url=f"sqlite:///{Path(folder) / 'm.db'}"))
            try:
                yield engine
            finally:
                await engine.dispose()


async def test_the_suite_database_has_no_drift_from_the_models(runtime: Runtime) -> None:
    assert await drift(runtime.db.engine) == []


async def test_down_to_base_and_up_again(throwaway: AsyncEngine) -> None:
    await upgrade_to_head(throwaway)
    assert await drift(throwaway) == []
    assert set(Base.metadata.tables) <= await tables(throwaway)

    await downgrade_to_base(throwaway)
    assert await tables(throwaway) <= {"alembic_version"}

    await upgrade_to_head(throwaway)
    assert await drift(throwaway) == []
    await upgrade_to_head(throwaway)  # already at head: nothing to do, no error
    assert await drift(throwaway) == []
