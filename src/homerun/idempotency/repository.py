"""All SQL for idempotency records (one row per scope and Idempotency-Key)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.idempotency.models import IdempotencyRecord
from homerun.kit.db.sql import delete_oldest


async def find(session: AsyncSession, scope: str, key: str) -> IdempotencyRecord | None:
    return await session.scalar(
        select(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    )


async def remove(session: AsyncSession, scope: str, key: str) -> None:
    await session.execute(
        delete(IdempotencyRecord).where(
            IdempotencyRecord.scope == scope, IdempotencyRecord.key == key
        )
    )


async def add(session: AsyncSession, record: IdempotencyRecord) -> None:
    """Insert the reservation; raises IntegrityError when the key is taken meanwhile."""
    async with session.begin_nested():
        session.add(record)
        await session.flush()


async def purge_expired(session: AsyncSession, now: datetime, limit: int) -> int:
    """Forget up to `limit` records whose key has expired (R12: a retry after that is a new
    request anyway)."""
    r = IdempotencyRecord
    return await delete_oldest(session, r.id, r.expires_at < now, limit=limit)
