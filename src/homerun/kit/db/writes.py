"""How the writes of a unit of work reach the database.

A service states a write (`write(session, statement, params)`); the unit of work decides
when and how it is sent:

- While the unit has sent nothing and has no other write, the write waits: it may turn
  out to be the unit's only statement. A lone statement is atomic by itself, so at commit
  it is sent in autocommit: one round trip instead of three (BEGIN, it, COMMIT).
- Otherwise it is sent at once, inside the unit's transaction: when something was sent
  before it, when a second write is stated (the waiting one goes first), and in a unit
  with closing writes.

Closing writes (`before_commit`) run after the work, in its transaction, just before
COMMIT: an Idempotency-Key request's stored answer is one, so such a unit always has a
real transaction around the work and its answer.

`settle(session)` is where the work ends and its answer begins: it makes the unit's
writes (commits them, or, in a unit with closing writes, sends them inside its
transaction), so an answer built after it can show what they returned (a trans_id).
Code that needs a waiting write's result earlier, or reads what it wrote, calls
`flush(session)` first: a waiting write is invisible to the unit's own reads.

Whether a lone write may run alone is set per database when the session is made
(`session_info`): on PostgreSQL; not on SQLite (kit.db.engine says why).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.sql.expression import Executable

Closing = Callable[[AsyncSession], Awaitable[None]]
Returned = Callable[[Any], object]

_UNIT = "homerun.unit_of_work"
_LONE_WRITE_ALONE = "homerun.lone_write_alone"
_AUTOCOMMIT = {"isolation_level": "AUTOCOMMIT"}


@dataclass(slots=True)
class _Write:
    statement: Executable
    params: Mapping[str, Any]
    returned: Returned | None  # given the statement's one scalar (RETURNING id, say)


@dataclass(slots=True)
class _Unit:
    waiting: _Write | None = None
    closing: list[Closing] = field(default_factory=list)
    after_commit: list[Callable[[], None]] = field(default_factory=list)


def session_info(*, lone_write_alone: bool) -> dict[str, Any]:
    """The session.info a unit of work's session starts with."""
    return {_LONE_WRITE_ALONE: lone_write_alone}


def _unit(session: AsyncSession) -> _Unit:
    unit: _Unit | None = session.info.get(_UNIT)
    if unit is None:
        unit = session.info[_UNIT] = _Unit()
    return unit


async def write(
    session: AsyncSession,
    statement: Executable,
    params: Mapping[str, Any],
    *,
    returned: Returned | None = None,
) -> None:
    """State a write of this unit of work; `returned` gets its one scalar once it ran."""
    unit = _unit(session)
    pending = _Write(statement, params, returned)
    if (
        unit.waiting is None
        and not unit.closing
        and session.info.get(_LONE_WRITE_ALONE)
        and not session.in_transaction()
    ):
        unit.waiting = pending
        return
    await flush(session)
    await _send(session, pending)


async def flush(session: AsyncSession) -> None:
    """Send a waiting write now, inside the unit's transaction."""
    unit: _Unit | None = session.info.get(_UNIT)
    if unit is not None and unit.waiting is not None:
        waiting, unit.waiting = unit.waiting, None
        await _send(session, waiting)


async def _send(target: AsyncSession | AsyncConnection, pending: _Write) -> None:
    result = await target.execute(pending.statement, pending.params)
    if pending.returned is not None:
        pending.returned(result.scalar_one())


def before_commit(session: AsyncSession, closing: Closing) -> None:
    """Run `closing` after the work, in the unit's transaction, just before COMMIT."""
    _unit(session).closing.append(closing)


def after_commit(session: AsyncSession, action: Callable[[], None]) -> None:
    """Run `action` once the unit of work of `session` has committed; never if it rolls
    back. For what must only be believed of committed rows (per-process memories)."""
    _unit(session).after_commit.append(action)


async def settle(session: AsyncSession) -> None:
    """The work is done: make its writes. Committed now, unless the unit has closing
    writes, which then commit together with them when the unit ends."""
    unit: _Unit | None = session.info.get(_UNIT)
    if unit is not None and unit.closing:
        await flush(session)
        return
    await commit(session)


async def commit(session: AsyncSession) -> None:
    """Send what is still to be written and commit (the end of a unit of work)."""
    unit: _Unit | None = session.info.get(_UNIT)
    if unit is None:
        # Nothing begun (or `settle` already committed it): a commit would only begin an
        # empty transaction to end it.
        if session.in_transaction() or session.dirty:
            await session.commit()
        return
    waiting = unit.waiting
    if waiting is not None and not unit.closing and not session.in_transaction():
        unit.waiting = None
        await _send(await session.connection(execution_options=_AUTOCOMMIT), waiting)
    await flush(session)
    while unit.closing:
        await unit.closing.pop(0)(session)
    del session.info[_UNIT]
    await session.commit()
    for action in unit.after_commit:
        action()


def discard(session: AsyncSession) -> None:
    """Forget what the unit had still to write or do (it is rolling back)."""
    session.info.pop(_UNIT, None)
