"""All SQL for instance_values: the instance's generated secrets, the admin-token hash and
the sandbox clock's offset, one named row each. The only module that writes the table."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.instance.models import InstanceValue


async def get_value(session: AsyncSession, name: str) -> str | None:
    return await session.scalar(select(InstanceValue.value).where(InstanceValue.name == name))


async def set_value(session: AsyncSession, name: str, value: str) -> None:
    row = await session.get(InstanceValue, name)
    if row is None:
        session.add(InstanceValue(name=name, value=value))
    else:
        row.value = value
    await session.flush()


async def get_or_create(session: AsyncSession, name: str, make: str) -> tuple[str, bool]:
    """Insert-if-absent, safe when several nodes start at once."""
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    result = await session.execute(
        insert(InstanceValue).values(name=name, value=make).on_conflict_do_nothing()
    )
    created = bool(getattr(result, "rowcount", 0))
    value = await get_value(session, name)
    assert value is not None
    return value, created


# ---- the sandbox clock's offset (homerun.sandbox moves it) ----

OFFSET_KEY = "clock_offset_seconds"


def _parse(value: str | None) -> timedelta:
    return timedelta(seconds=float(value)) if value else timedelta(0)


async def read_offset(session: AsyncSession) -> timedelta:
    """One primary-key read: cheap enough to do on every worker poll."""
    stmt = select(InstanceValue.value).where(InstanceValue.name == OFFSET_KEY)
    return _parse(await session.scalar(stmt))


async def lock_offset(session: AsyncSession) -> timedelta:
    """The stored offset, row-locked until the transaction ends (created at 0 if absent)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    await session.execute(
        insert(InstanceValue).values(name=OFFSET_KEY, value="0").on_conflict_do_nothing()
    )
    stmt = select(InstanceValue).where(InstanceValue.name == OFFSET_KEY).with_for_update()
    row = (await session.execute(stmt)).scalar_one()
    return _parse(row.value)


async def store_offset(session: AsyncSession, offset: timedelta) -> None:
    row = await session.get(InstanceValue, OFFSET_KEY)
    assert row is not None, "lock_offset first"
    row.value = repr(offset.total_seconds())
    await session.flush()
