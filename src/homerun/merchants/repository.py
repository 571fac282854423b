"""All SQL for merchants."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.merchants.models import Merchant


async def by_mid(session: AsyncSession, mid: str) -> Merchant | None:
    return await session.scalar(select(Merchant).where(Merchant.mid == mid))


async def by_id(session: AsyncSession, merchant_id: int) -> Merchant | None:
    return await session.get(Merchant, merchant_id)


async def mid_exists(session: AsyncSession, mid: str) -> bool:
    return (await session.scalar(select(Merchant.id).where(Merchant.mid == mid))) is not None


async def first_page(session: AsyncSession, limit: int, offset: int) -> Sequence[Merchant]:
    stmt = select(Merchant).order_by(Merchant.id).limit(limit).offset(offset)
    return (await session.execute(stmt)).scalars().all()


async def count_all(session: AsyncSession) -> int:
    from sqlalchemy import func

    return int(await session.scalar(select(func.count(Merchant.id))) or 0)


async def add(session: AsyncSession, merchant: Merchant) -> Merchant:
    session.add(merchant)
    await session.flush()
    return merchant


_TAKES_ACH = Merchant.accepts.in_(["ach", "both"])


async def ach_cutoff_zones(session: AsyncSession) -> list[tuple[str, str]]:
    """Every (cut-off, time zone) of a merchant that takes ACH."""
    stmt = select(Merchant.batch_cutoff, Merchant.timezone).where(_TAKES_ACH).distinct()
    return [(row[0], row[1]) for row in await session.execute(stmt)]


async def taking_ach(session: AsyncSession, cutoff: str, timezone: str) -> Sequence[Merchant]:
    stmt = (
        select(Merchant)
        .where(_TAKES_ACH, Merchant.batch_cutoff == cutoff, Merchant.timezone == timezone)
        .order_by(Merchant.id)
    )
    return (await session.execute(stmt)).scalars().all()
