"""Append domain events in the same database transaction as the change they describe."""

from __future__ import annotations

from datetime import datetime
from typing import Any

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
