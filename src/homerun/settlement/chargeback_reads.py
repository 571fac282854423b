"""Reads of one merchant's chargebacks for its own people: newest first, one, its fee.

Paged by a keyset on (opened_at, id), which `ix_chargebacks_merchant_opened` serves,
so a page costs the same however many chargebacks the merchant has had.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.settlement.models import Adjustment, Chargeback


async def newest(
    session: AsyncSession, merchant_id: int, before: tuple[datetime, int] | None, limit: int
) -> Sequence[Chargeback]:
    """The merchant's chargebacks opened before the cursor `(opened_at, id)`, newest first."""
    stmt = select(Chargeback).where(Chargeback.merchant_id == merchant_id)
    if before is not None:
        at, key = before
        stmt = stmt.where(
            or_(
                Chargeback.opened_at < at,
                and_(Chargeback.opened_at == at, Chargeback.id < key),
            )
        )
    stmt = stmt.order_by(Chargeback.opened_at.desc(), Chargeback.id.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def one(session: AsyncSession, merchant_id: int, chargeback_id: int) -> Chargeback | None:
    """The merchant's own chargeback; another merchant's is not found."""
    stmt = select(Chargeback).where(
        Chargeback.id == chargeback_id, Chargeback.merchant_id == merchant_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def fees(session: AsyncSession, merchant_id: int, chargeback_id: int) -> Sequence[Adjustment]:
    """The chargeback fee (an adjustment) charged with it, if any."""
    stmt = (
        select(Adjustment)
        .where(Adjustment.merchant_id == merchant_id, Adjustment.chargeback_id == chargeback_id)
        .order_by(Adjustment.id)
    )
    return (await session.execute(stmt)).scalars().all()
