"""Engine and unit-of-work: one request is one database transaction.

SQLite: WAL journal, a busy timeout, and BEGIN IMMEDIATE on every transaction so
that writers queue instead of failing mid-transaction; this is what serialises
concurrent captures and refunds there. PostgreSQL: row locks (FOR UPDATE) in
the repositories do that job.

The unit of work also decides how a write is sent (homerun.kit.db.writes): services
state what to write, and a unit whose only database work is one statement sends it
without BEGIN/COMMIT.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any
from weakref import WeakKeyDictionary, WeakSet

from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from homerun.config import Settings
from homerun.kit.db import sqlite_driver, writes


def create_engine(settings: Settings) -> AsyncEngine:
    url: str | URL = settings.async_database_url
    if str(url).startswith("sqlite"):
        return _sqlite_engine(str(url), settings)
    connect_args: dict[str, Any] = {"timeout": settings.database_pool_timeout_seconds}
    if settings.database_transaction_pooler:
        # A pooler refuses session settings at connect: the timeouts are then set on the
        # database or role instead (docs/operations.md).
        url, pooled = _through_transaction_pooler(str(url))
        connect_args |= pooled
    else:
        connect_args["server_settings"] = _postgresql_timeouts(settings)
    return create_async_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=settings.database_pool_size,
        pool_pre_ping=False,
        pool_timeout=settings.database_pool_timeout_seconds,
        connect_args=connect_args,
    )


def _through_transaction_pooler(url: str) -> tuple[URL, dict[str, Any]]:
    """A pooler in transaction mode (PgBouncer) hands each transaction whichever server
    connection is free, so a statement prepared in one transaction may be missing in the
    next, or its name taken by another client's. Neither SQLAlchemy (the URL's setting)
    nor asyncpg (statement_cache_size) may then cache prepared statements, and those
    asyncpg still makes get names no other client draws. Advisory locks stay
    transaction-scoped (pg_try_advisory_xact_lock) for the same reason."""
    return make_url(url).update_query_dict({"prepared_statement_cache_size": "0"}), {
        "statement_cache_size": 0,
        "prepared_statement_name_func": lambda: f"__homerun_{uuid.uuid4().hex}__",
    }


def _postgresql_timeouts(settings: Settings) -> dict[str, str]:
    """Session settings of every connection: a stuck database (a statement that runs or
    waits for a lock too long) cancels the statement, and its request is answered 503
    (kit.db.faults) instead of hanging. Migrations lift them (kit.db.migrate)."""
    return {
        "statement_timeout": str(settings.database_statement_timeout_ms),
        "lock_timeout": str(settings.database_lock_timeout_ms),
    }


def _sqlite_engine(url: str, settings: Settings) -> AsyncEngine:
    engine = create_async_engine(
        url,
        pool_size=settings.database_pool_size,
        max_overflow=0,
        pool_timeout=settings.database_pool_timeout_seconds,
        connect_args={"timeout": settings.sqlite_busy_timeout_ms / 1000},
        module=sqlite_driver.dbapi(),
    )
    busy_ms = settings.sqlite_busy_timeout_ms

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let us emit BEGIN ourselves (below) instead of the driver's deferred BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_ms)}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


class Database:
    """The engine plus a session factory; `transaction()` is the unit of work.

    Units of work are admitted per event loop before they take a connection:
    - SQLite: one at a time (every transaction takes the single write lock with BEGIN
      IMMEDIATE). Left to SQLite, waiting writers sleep in its busy handler and retry
      with growing gaps, so the lock sits idle while they sleep (p99 of seconds under
      load); queued here, in order, they meet the busy handler only when another
      process holds the write lock.
    - PostgreSQL: as many as the pool holds connections. More would only wait in the
      pool, each holding its parsed request and its share of the event loop, and a
      burst would then be served in no particular order (p99 of a second at c=64);
      the pool's overflow stays free for the worker and for bursts of other callers.
    """

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        # On PostgreSQL a unit's lone write may run in autocommit (kit.db.writes). Not on
        # SQLite: a write there takes the write lock with BEGIN IMMEDIATE, and none of its
        # units of work is a single statement (no data-modifying CTEs).
        self._sessions = async_sessionmaker(
            engine,
            expire_on_commit=False,
            autoflush=False,
            info=writes.session_info(lone_write_alone=engine.dialect.name == "postgresql"),
        )
        self._one_writer = engine.dialect.name == "sqlite"
        self._admitting = 1 if self._one_writer else _pool_size(engine)
        self._admissions: WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Lock | asyncio.Semaphore
        ] = WeakKeyDictionary()
        self._admitted: WeakSet[asyncio.Task[Any]] = WeakSet()

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Commit when the block ends normally, roll back on any exception.

        The commit happens before the caller returns its response, so anything
        accepted is durable before the client hears about it.
        """
        task = asyncio.current_task()
        # A transaction opened inside another by the same task must not wait for itself.
        if task is None or task in self._admitted:
            async for session in self._unit_of_work():
                yield session
            return
        async with self._admission():
            self._admitted.add(task)
            try:
                async for session in self._unit_of_work():
                    yield session
            finally:
                self._admitted.discard(task)

    async def _unit_of_work(self) -> AsyncIterator[AsyncSession]:
        # Begun on first use, committed at the end. The work may also commit part-way
        # (a charge commits its attempt before a remote processor is asked); the session
        # then begins again, still inside this unit's admission.
        async with self._sessions() as session:
            try:
                yield session
                await writes.commit(session)
            except BaseException:
                writes.discard(session)
                await session.rollback()
                raise

    def _admission(self) -> asyncio.Lock | asyncio.Semaphore:
        loop = asyncio.get_running_loop()
        gate = self._admissions.get(loop)
        if gate is None:
            gate = asyncio.Lock() if self._one_writer else asyncio.Semaphore(self._admitting)
            self._admissions[loop] = gate
        return gate

    async def dispose(self) -> None:
        await self.engine.dispose()

    def load(self) -> tuple[int, int]:
        """Connections checked out of the pool, and units of work waiting for their turn
        (the metrics' view; read, never on the path of a request)."""
        checked_out = getattr(self.engine.pool, "checkedout", None)
        in_use = int(checked_out()) if callable(checked_out) else 0
        waiting = sum(len(gate._waiters or ()) for gate in self._admissions.values())
        return in_use, waiting


def _pool_size(engine: AsyncEngine) -> int:
    size = getattr(engine.pool, "size", None)
    return int(size()) if callable(size) else 10
