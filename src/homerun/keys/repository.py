"""All SQL for data keys."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.keys.models import DataKey


async def current(session: AsyncSession, scope: str) -> DataKey | None:
    """The newest version of a scope's data key."""
    stmt = select(DataKey).where(DataKey.scope == scope).order_by(DataKey.version.desc()).limit(1)
    return (await session.execute(stmt)).scalar_one_or_none()


async def by_id(session: AsyncSession, data_key_id: int) -> DataKey | None:
    return await session.get(DataKey, data_key_id)


async def insert_if_absent(session: AsyncSession, values: dict[str, Any]) -> bool:
    """Insert a data key version unless one exists already (nodes may race); True if ours."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(DataKey).values(**values).on_conflict_do_nothing()
    result = await session.execute(stmt)
    return bool(getattr(result, "rowcount", 0))


async def to_rewrap(
    session: AsyncSession, current_master_id: str, after_id: int, limit: int
) -> Sequence[DataKey]:
    """Rows wrapped by another master key, in id order, locked for the re-wrap."""
    stmt = (
        select(DataKey)
        .where(DataKey.master_key_id != current_master_id, DataKey.id > after_id)
        .order_by(DataKey.id)
        .limit(limit)
        .with_for_update()
    )
    return (await session.execute(stmt)).scalars().all()


async def count_by_master(session: AsyncSession) -> dict[str, int]:
    stmt = select(DataKey.master_key_id, func.count(DataKey.id)).group_by(DataKey.master_key_id)
    return {str(master): int(count) for master, count in (await session.execute(stmt)).all()}
