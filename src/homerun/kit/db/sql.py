"""Small SQL expressions the repositories share."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, any_, bindparam, delete, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncSession


def ids_match(session: AsyncSession, column: Any, ids: list[int]) -> Any:
    """column IN ids, as `= ANY($1)` on PostgreSQL: one statement text for any number of
    ids, so its prepared statement and plan are reused."""
    if session.get_bind().dialect.name == "postgresql":
        return column == any_(bindparam("ids", ids, type_=ARRAY(BigInteger)))
    return column.in_(ids)


async def delete_oldest(session: AsyncSession, id_column: Any, *where: Any, limit: int) -> int:
    """Delete at most `limit` rows that match `where`, lowest ids first; the count deleted.

    Retention's unit of work: a short statement that holds few row locks, and on PostgreSQL
    skips any row another transaction holds (SKIP LOCKED) rather than wait for it, so a
    purge never stalls the hot path that writes the same table.
    """
    chosen = (
        select(id_column)
        .where(*where)
        .order_by(id_column)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    result = await session.execute(
        delete(id_column.table)
        .where(id_column.in_(chosen.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)
