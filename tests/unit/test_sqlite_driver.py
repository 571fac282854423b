"""kit.db.sqlite_driver: SQLite statements cross to aiosqlite's thread once each, and what
they return (rows, counts, row ids, errors, streamed results) is what sqlite3 returned."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiosqlite
import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from homerun.config import Settings
from homerun.kit.db import sqlite_driver
from homerun.kit.db.engine import create_engine


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    made = create_engine(Settings(database_url=f"sqlite:///{tmp_path / 'driver.db'}"))
    async with made.begin() as connection:
        await connection.execute(
            text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)")
        )
    yield made
    await made.dispose()


@pytest.fixture
def hops(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The calls queued to aiosqlite's connection thread, by name."""
    queued: list[str] = []
    original = aiosqlite.Connection._execute

    async def counted(self: aiosqlite.Connection, fn: Any, *args: Any, **kwargs: Any) -> Any:
        queued.append(getattr(fn, "__name__", repr(fn)))
        return await original(self, fn, *args, **kwargs)

    monkeypatch.setattr(aiosqlite.Connection, "_execute", counted)
    return queued


async def test_each_statement_is_one_call_to_the_connection_thread(
    engine: AsyncEngine, hops: list[str]
) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))  # the transaction's BEGIN IMMEDIATE too
        hops.clear()
        inserted = await connection.execute(
            text("INSERT INTO notes (body) VALUES (:body) RETURNING id"), {"body": "first"}
        )
        assert inserted.scalar_one() == 1
        assert hops == ["_execute"]  # execute, fetch and close: one crossing, not four
        hops.clear()
        counted = await connection.execute(text("SELECT count(*) FROM notes"))
        assert counted.scalar_one() == 1
        assert hops == ["_execute"]
        await connection.rollback()


async def test_rows_counts_and_row_ids_are_those_sqlite_gave(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        first = await connection.execute(text("INSERT INTO notes (body) VALUES ('a')"))
        assert first.lastrowid == 1
        second = await connection.execute(text("INSERT INTO notes (body) VALUES ('b')"))
        assert second.lastrowid == 2
        many = await connection.execute(
            text("INSERT INTO notes (body) VALUES (:body)"), [{"body": "c"}, {"body": "d"}]
        )
        assert many.rowcount == 2
        changed = await connection.execute(
            text("UPDATE notes SET body = body || '!' WHERE id > :above"), {"above": 1}
        )
        assert changed.rowcount == 3
        rows = await connection.execute(text("SELECT id, body FROM notes ORDER BY id"))
        assert list(rows.keys()) == ["id", "body"]
        assert [tuple(r) for r in rows] == [(1, "a"), (2, "b!"), (3, "c!"), (4, "d!")]
        some = await connection.execute(text("SELECT body FROM notes ORDER BY id"))
        assert [r.body for r in some.fetchmany(3)] == ["a", "b!", "c!"]
        assert [r.body for r in some.fetchmany(3)] == ["d!"]
        none = await connection.execute(text("SELECT body FROM notes WHERE id > 99"))
        assert none.first() is None


async def test_a_refused_statement_raises_as_sqlalchemy_and_changes_nothing(
    engine: AsyncEngine,
) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("INSERT INTO notes (body) VALUES ('only')"))
    with pytest.raises(IntegrityError, match=r"UNIQUE constraint failed: notes\.body"):
        async with engine.begin() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('other')"))
            await connection.execute(text("INSERT INTO notes (body) VALUES ('only')"))
    async with engine.connect() as connection:
        bodies = await connection.execute(text("SELECT body FROM notes ORDER BY id"))
        assert bodies.scalars().all() == ["only"]  # 'other' rolled back with the unit


async def test_streamed_results_still_come_in_parts(engine: AsyncEngine, hops: list[str]) -> None:
    async with engine.begin() as connection:
        await connection.execute(
            text("INSERT INTO notes (body) VALUES (:body)"),
            [{"body": f"n{i:03}"} for i in range(250)],
        )
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))
        hops.clear()
        streamed = await connection.stream(
            text("SELECT body FROM notes ORDER BY id").execution_options(yield_per=100)
        )
        parts = [[row.body for row in part] async for part in streamed.partitions(100)]
    # A stream keeps SQLAlchemy's server-side cursor (an aiosqlite cursor, its calls
    # named for sqlite3's), not the one-call cursor.
    assert "_execute" not in hops and "execute" in hops
    assert [len(part) for part in parts] == [100, 100, 50]
    assert parts[0][0] == "n000" and parts[2][-1] == "n249"


async def test_an_engine_given_its_own_connection_maker_keeps_the_one_call_cursor(
    tmp_path: Path, hops: list[str]
) -> None:
    made: list[str] = []

    def connect() -> Any:
        made.append("connection")
        return aiosqlite.connect(tmp_path / "own.db")

    own = create_async_engine(
        "sqlite+aiosqlite://", async_creator=connect, module=sqlite_driver.dbapi()
    )
    try:
        async with own.connect() as connection:
            hops.clear()
            answer = await connection.execute(text("SELECT 41 + 1"))
            assert answer.scalar_one() == 42
            assert hops == ["_execute"]
    finally:
        await own.dispose()
    assert made == ["connection"]
