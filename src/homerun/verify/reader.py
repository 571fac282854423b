"""One read-only snapshot of the whole database for a verify run, on a connection of its own.

Not the unit of work: on SQLite its transactions begin IMMEDIATE (the write lock), which a
long read must not hold. Here SQLite begins a plain deferred transaction, which in WAL mode
reads one snapshot and lets writers go on; PostgreSQL runs REPEATABLE READ, READ ONLY. Either
way every check of a run sees the same moment, so a payment written while the run reads
cannot look half-made to it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Executable, event, text
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from homerun.config import Settings


@asynccontextmanager
async def snapshot(settings: Settings) -> AsyncIterator[AsyncSession]:
    url = settings.async_database_url
    sqlite = url.startswith("sqlite")
    engine = create_async_engine(
        url,
        poolclass=NullPool,
        **({} if sqlite else {"isolation_level": "REPEATABLE READ"}),
    )
    if sqlite:

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # BEGIN is ours (below)
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA query_only=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(settings.sqlite_busy_timeout_ms)}")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN")  # deferred: a reader, never the write lock

    try:
        async with AsyncSession(engine) as session:
            if not sqlite:
                await session.execute(text("SET TRANSACTION READ ONLY"))
            try:
                yield session
            finally:
                await session.rollback()
    finally:
        await engine.dispose()


# Rows fetched per round trip: what a check holds at once, however large the table.
PARTITION = 1_000


async def rows(session: AsyncSession, statement: Executable) -> AsyncIterator[tuple[Any, ...]]:
    """The statement's rows through a server-side cursor, a partition at a time."""
    result = await session.stream(statement.execution_options(yield_per=PARTITION))
    try:
        async for row in result:
            yield tuple(row)
    finally:
        await result.close()
