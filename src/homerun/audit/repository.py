"""The SQL of the audit log: insert and read, nothing else (it is append-only)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.audit.models import AuditEvent
from homerun.kit.db.writes import write


async def append(session: AsyncSession, values: dict[str, Any]) -> None:
    await write(session, insert(AuditEvent), values)


async def newest(
    session: AsyncSession,
    *,
    merchant_id: int | None,
    before: tuple[datetime, int] | None,
    limit: int,
) -> Sequence[AuditEvent]:
    """Newest first; one merchant's, or every event (merchant_id None, for operators)."""
    query = select(AuditEvent)
    if merchant_id is not None:
        query = query.where(AuditEvent.merchant_id == merchant_id)
    if before is not None:
        at, event_id = before
        query = query.where(
            (AuditEvent.at < at) | ((AuditEvent.at == at) & (AuditEvent.id < event_id))
        )
    query = query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(limit)
    return (await session.scalars(query)).all()
