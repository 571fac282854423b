"""SQLite through aiosqlite, one crossing to the connection's thread per statement.

aiosqlite runs each SQLite connection in a thread of its own, and every call on it crosses
between the event loop and that thread: queue the call, wake the thread, wake the loop with
the result. SQLAlchemy's adapter crosses three or four times per statement (open a cursor,
execute, fetch the rows when there are any, close the cursor): fifteen times for a charge.
The cursor here sends the whole statement as one call, run in the connection's thread:
execute, fetch what the statement returned, read the row count and the last row id, close
the cursor, and hand all of it back at once. A charge now crosses six times.

It is the adapter SQLAlchemy documents for swapping a driver (`create_async_engine(...,
module=...)`); its queue (`aiosqlite.Connection._execute`) is the one SQLAlchemy's own
adapter already reaches into to set the isolation level. Streamed results (`yield_per`)
still take SQLAlchemy's server-side cursor, which fetches in parts.
"""

from __future__ import annotations

import collections
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any, cast

import aiosqlite
from sqlalchemy.connectors.asyncio import AsyncAdapt_dbapi_cursor
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)
from sqlalchemy.util import EMPTY_DICT
from sqlalchemy.util.concurrency import await_

# What one statement gave back: description, rowcount, lastrowid, rows (None: no result set).
_Outcome = tuple[Any, int, int | None, list[Any] | None]


def _execute(connection: sqlite3.Connection, operation: str, parameters: Any) -> _Outcome:
    """Runs in the connection's own thread: the whole statement, its cursor closed."""
    cursor = connection.cursor()
    try:
        if parameters is None:
            cursor.execute(operation)
        else:
            cursor.execute(operation, parameters)
        description = cursor.description
        rows = cursor.fetchall() if description else None
        return description, cursor.rowcount, cursor.lastrowid, rows
    finally:
        cursor.close()


def _executemany(
    connection: sqlite3.Connection, operation: str, parameters: Sequence[Any]
) -> _Outcome:
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, parameters)
        return cursor.description, cursor.rowcount, cursor.lastrowid, None
    finally:
        cursor.close()


async def _in_thread(
    connection: aiosqlite.Connection, call: Callable[..., _Outcome], *args: Any
) -> _Outcome:
    """`call(sqlite3_connection, *args)`, run in the connection's own thread."""
    queue: Any = connection._execute  # untyped in aiosqlite
    outcome: _Outcome = await queue(call, connection._conn, *args)
    return outcome


class OneHopCursor(AsyncAdapt_aiosqlite_cursor):
    """A cursor with no aiosqlite cursor behind it: each statement is one call."""

    __slots__ = ("_outcome",)

    def __init__(self, adapt_connection: AsyncAdapt_aiosqlite_connection) -> None:
        # Not the parent's __init__, which opens (and later closes) an aiosqlite cursor:
        # two more round trips.
        self._adapt_connection = adapt_connection
        self._connection = adapt_connection._connection
        self._soft_closed_memoized = EMPTY_DICT
        self._rows = collections.deque()
        self._outcome: _Outcome = (None, -1, None, None)

    @property
    def description(self) -> Any:
        return self._outcome[0]

    @property
    def rowcount(self) -> int:
        return self._outcome[1]

    @property
    def lastrowid(self) -> Any:
        return self._outcome[2]

    @property
    def arraysize(self) -> int:
        return 1  # sqlite3's default, what fetchmany() without a size takes

    @arraysize.setter
    def arraysize(self, value: int) -> None:
        raise NotImplementedError("fetchmany takes its size from the call")

    async def _execute_async(self, operation: Any, parameters: Any) -> None:
        connection = cast(aiosqlite.Connection, self._connection)
        async with self._adapt_connection._execute_mutex:
            self._outcome = await _in_thread(connection, _execute, operation, parameters)
        rows = self._outcome[3]
        self._rows = collections.deque(rows) if rows else collections.deque()

    async def _executemany_async(self, operation: Any, seq_of_parameters: Any) -> None:
        connection = cast(aiosqlite.Connection, self._connection)
        async with self._adapt_connection._execute_mutex:
            self._outcome = await _in_thread(connection, _executemany, operation, seq_of_parameters)
        self._rows = collections.deque()

    async def _async_soft_close(self) -> None:
        return None  # nothing is open: the rows came with the statement

    def close(self) -> None:
        self._rows.clear()

    def nextset(self) -> None:
        raise NotImplementedError("SQLite returns one result set per statement")


class OneHopConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_dbapi_cursor:
        return self._ss_cursor_cls(self) if server_side else OneHopCursor(self)


class OneHopDbapi(AsyncAdapt_aiosqlite_dbapi):
    """The DBAPI module SQLAlchemy's aiosqlite dialect is given instead of its own."""

    def connect(self, *arg: Any, **kw: Any) -> OneHopConnection:
        creator = kw.pop("async_creator_fn", None)  # create_async_engine(async_creator=...)
        if creator is not None:
            connection = creator(*arg, **kw)
        else:
            connection = aiosqlite.connect(*arg, **kw)
            connection._thread.daemon = True  # as SQLAlchemy's: a process exits without it
        return OneHopConnection(self, cast(Any, await_(connection)))


def dbapi() -> OneHopDbapi:
    return OneHopDbapi(aiosqlite, sqlite3)
