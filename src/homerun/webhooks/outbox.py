"""Append domain events in the same database transaction as the change they describe."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

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
_OUTBOX = cast(Table, OutboxEvent.__table__)
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
    """record() as a Core insert built once, sent at once: for the hot paths (a charge),
    where the ORM's unit of work for one row would cost more than the insert."""
    await session.execute(
        _INSERT,
        {
            "merchant_id": merchant_id,
            "event_type": event_type,
            "source_id": source_id,
            "payload": payload,
            "occurred_at": at,
        },
    )


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
