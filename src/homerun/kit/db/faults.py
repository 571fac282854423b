"""Which database faults mean "the database is out of reach or too slow": the request did
nothing (its unit of work rolled back) and the same request may succeed later, so it is
answered 503 with Retry-After rather than 500.

A fault of the request itself (a constraint it broke, SQL Homerun got wrong) is not one of
these: retrying it would fail the same way.
"""

from __future__ import annotations

import sqlite3

from sqlalchemy import exc as sa

# PostgreSQL SQLSTATEs (Appendix A of its manual) that say nothing about the request.
_UNAVAILABLE_CLASSES = ("08", "53")  # connection exception; insufficient resources
_UNAVAILABLE_STATES = frozenset(
    {
        "57014",  # query_canceled: statement_timeout fired
        "55P03",  # lock_not_available: lock_timeout fired
        "57P01",  # admin_shutdown: the backend was terminated
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now: starting up or shutting down
        "40001",  # serialization_failure
        "40P01",  # deadlock_detected: one of the two is chosen to fail
    }
)
_SQLITE_BUSY = frozenset({"SQLITE_BUSY", "SQLITE_LOCKED"})


def database_unavailable(exc: BaseException) -> bool:
    """True when `exc` (or what it was raised from) is a retryable database fault."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if _unavailable(current):
            return True
        current = current.__cause__
    return False


def _unavailable(exc: BaseException) -> bool:
    if isinstance(exc, sa.TimeoutError):  # no pooled connection came free in time
        return True
    if isinstance(exc, sa.DBAPIError):
        if exc.connection_invalidated:
            return True
        return exc.orig is not None and database_unavailable(exc.orig)
    if isinstance(exc, sqlite3.OperationalError):
        return getattr(exc, "sqlite_errorname", "") in _SQLITE_BUSY
    state = getattr(exc, "sqlstate", None)  # asyncpg's errors and SQLAlchemy's adaptations
    if isinstance(state, str):
        return state in _UNAVAILABLE_STATES or state.startswith(_UNAVAILABLE_CLASSES)
    return False
