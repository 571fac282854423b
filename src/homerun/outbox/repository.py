"""The outbox: domain events appended in the same database transaction as the change
they describe, and taken from it, after that commit, by the worker whose turn it is to
fan them out.

The one module that writes outbox_events: an ORM add (`record`), a Core insert for the
hot paths (`append`), and, for PostgreSQL, the part of a data-modifying CTE that writes
the event of a row the same statement inserts (`insert_for_new_row`).
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    Insert,
    String,
    Table,
    Text,
    and_,
    bindparam,
    cast,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.db.base import UTCDateTime
from homerun.kit.db.sql import delete_oldest, ids_match
from homerun.kit.db.writes import write
from homerun.outbox.models import OutboxEvent


def record(
    session: AsyncSession,
    *,
    merchant_id: int | None,
    event_type: str,
    source_id: str,
    payload: dict[str, Any],
    at: datetime,
) -> None:
    session.add(
        OutboxEvent(
            merchant_id=merchant_id,
            event_type=event_type,
            source_id=source_id,
            payload=payload,
            occurred_at=at,
        )
    )


_EVENT_COLUMNS = ("merchant_id", "event_type", "source_id", "payload", "occurred_at")
_OUTBOX = typing.cast(Table, OutboxEvent.__table__)
_INSERT = insert(_OUTBOX).values(
    {key: bindparam(key, type_=_OUTBOX.c[key].type) for key in _EVENT_COLUMNS}
)


async def append(
    session: AsyncSession,
    *,
    merchant_id: int | None,
    event_type: str,
    source_id: str,
    payload: dict[str, Any],
    at: datetime,
) -> None:
    """record() as a Core insert built once, written through the unit of work: for the
    hot paths (a charge), where the ORM's unit of work for one row would cost more than
    the insert."""
    await write(
        session,
        _INSERT,
        {
            "merchant_id": merchant_id,
            "event_type": event_type,
            "source_id": source_id,
            "payload": payload,
            "occurred_at": at,
        },
    )


def insert_for_new_row(new_row: CTE, *, id_key: str) -> Insert:
    """PostgreSQL: the event of the row that `new_row` (an INSERT ... RETURNING id,
    merchant_id) writes in the same statement. Its source_id, and `id_key` in its payload,
    are the id that insert assigns; the rest comes from the parameters `event_params`
    names."""
    row_id = cast(new_row.c.id, Text)
    payload = func.jsonb_build_object(id_key, row_id).op("||")(
        bindparam("event_payload", type_=postgresql.JSONB)
    )
    return insert(_OUTBOX).from_select(
        list(_EVENT_COLUMNS),
        select(
            new_row.c.merchant_id,
            bindparam("event_type", type_=String),
            cast(new_row.c.id, String),
            payload,
            bindparam("event_at", type_=UTCDateTime),
        ).select_from(new_row),
    )


def event_params(event_type: str, payload: dict[str, Any], at: datetime) -> dict[str, Any]:
    """The parameters of insert_for_new_row's part."""
    return {"event_type": event_type, "event_payload": payload, "event_at": at}


async def events_of(
    session: AsyncSession, merchant_id: int, after_id: int, limit: int
) -> Sequence[OutboxEvent]:
    """A page of one merchant's events, oldest first, after the event `after_id`."""
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.merchant_id == merchant_id, OutboxEvent.id > after_id)
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


async def events_about(
    session: AsyncSession, merchant_id: int, about: Sequence[tuple[str, str]]
) -> Sequence[OutboxEvent]:
    """A merchant's events about some things, in time order: each (event type prefix,
    source id), since ids of different kinds of thing may be the same string."""
    if not about:
        return []
    e = OutboxEvent
    stmt = (
        select(e)
        .where(
            e.merchant_id == merchant_id,
            or_(*(and_(e.source_id == sid, e.event_type.startswith(kind)) for kind, sid in about)),
        )
        .order_by(e.occurred_at, e.id)
    )
    return (await session.execute(stmt)).scalars().all()


async def recent_events(
    session: AsyncSession, merchant_id: int, before_id: int | None, limit: int
) -> Sequence[OutboxEvent]:
    """A page of one merchant's events, newest first, older than the event `before_id`."""
    stmt = select(OutboxEvent).where(OutboxEvent.merchant_id == merchant_id)
    if before_id is not None:
        stmt = stmt.where(OutboxEvent.id < before_id)
    stmt = stmt.order_by(OutboxEvent.id.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()


# ---- taking events to fan out ---------------------------------------------------------------

# Any fixed number will do: it names the one right to fan out in this database.
FAN_OUT_LOCK = 0x486F6D6572756E46  # "HomerunF"


async def take_fan_out_turn(session: AsyncSession) -> bool:
    """The right to fan out, held until this transaction ends; False while another
    worker holds it (that worker's fan-out is under way; it will be seen once committed).

    Fan-outs never overlap. Two at once would each take part of one merchant's events,
    and whichever committed first would send its later event while the earlier one's
    deliveries were still invisible to it: "nothing earlier pending" cannot see a row
    that is not committed. One at a time, taking events in id order, every event that
    committed before another was written is fanned out with it or before it."""
    if session.get_bind().dialect.name != "postgresql":
        return True  # SQLite already runs one writing transaction at a time
    locked = await session.scalar(select(func.pg_try_advisory_xact_lock(FAN_OUT_LOCK)))
    return bool(locked)


@dataclass(frozen=True)
class NewEvent:
    id: int
    merchant_id: int | None
    event_type: str
    source_id: str
    occurred_at: datetime


async def undispatched(session: AsyncSession, limit: int) -> list[NewEvent]:
    """Events not fanned out yet, oldest first. For the holder of the fan-out turn only:
    it skips none of them, so a batch never leaves out an earlier event of the same
    merchant that a later one in it depends on."""
    stmt = (
        select(
            OutboxEvent.id,
            OutboxEvent.merchant_id,
            OutboxEvent.event_type,
            OutboxEvent.source_id,
            OutboxEvent.occurred_at,
        )
        .where(OutboxEvent.dispatched_at.is_(None))
        .order_by(OutboxEvent.id)
        .limit(limit)
    )
    return [NewEvent(*row) for row in (await session.execute(stmt)).all()]


async def mark_dispatched(session: AsyncSession, event_ids: list[int], now: datetime) -> None:
    await session.execute(
        update(OutboxEvent)
        .where(ids_match(session, OutboxEvent.id, event_ids))
        .values(dispatched_at=now)
        .execution_options(synchronize_session=False)
    )


async def purge_dispatched(
    session: AsyncSession, before: datetime, limit: int, *, unless: Any
) -> int:
    """Delete up to `limit` events fanned out and older than `before`, except those for which
    `unless` (a condition on OutboxEvent, given by the readers of the outbox) holds: an
    event is kept while anything still refers to it."""
    e = OutboxEvent
    return await delete_oldest(
        session,
        e.id,
        e.dispatched_at.is_not(None),
        e.occurred_at < before,
        ~unless,
        limit=limit,
    )


async def backlog(session: AsyncSession) -> tuple[int, datetime | None]:
    """Events not fanned out yet, and when the oldest of them happened (the partial index
    over undispatched rows keeps this small)."""
    stmt = select(func.count(), func.min(OutboxEvent.occurred_at, type_=UTCDateTime)).where(
        OutboxEvent.dispatched_at.is_(None)
    )
    count, oldest = (await session.execute(stmt)).one()
    return int(count), oldest
