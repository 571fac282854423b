"""Append domain events in the same database transaction as the change they describe."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
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
