"""Append domain events in the same database transaction as the change they describe.

The one module that writes outbox_events: an ORM add (`record`), a Core insert for the
hot paths (`append`), and, for PostgreSQL, the part of a data-modifying CTE that writes
the event of a row the same statement inserts (`insert_for_new_row`).
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import CTE, Insert, String, Table, Text, bindparam, cast, func, insert, select
from sqlalchemy.dialects import postgresql
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.db.base import UTCDateTime
from homerun.kit.db.writes import write
from homerun.webhooks.models import OutboxEvent


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
