"""What moves ACH payments along their lifecycle, besides the payer's requests: origination
of a merchant's accepted payments into an ACH batch, settlement, and what the payer's bank
sends back (returns and notifications of change). docs/ach.md."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.merchants.models import Merchant
from homerun.payments import ach_marks
from homerun.runtime import Runtime


@dataclass(frozen=True, slots=True)
class Originated:
    batch_id: str | None  # None when nothing was waiting
    count: int


async def originate_now(session: AsyncSession, runtime: Runtime, merchant: Merchant) -> Originated:
    """Originate every accepted ACH payment of the merchant now (what its cut-off does)."""
    now = runtime.clock.now()
    business_date = now.astimezone(ZoneInfo(merchant.timezone)).date()
    batch_id = ach_marks.new_ach_batch_id(business_date)
    count = await ach_marks.originate(session, merchant.id, batch_id, now)
    return Originated(batch_id if count else None, count)


async def settle_now(session: AsyncSession, runtime: Runtime, merchant: Merchant) -> int:
    """Settle every originated ACH payment of the merchant now (the bank's settlement day
    come early: an admin's shortcut for tests and demos)."""
    now = runtime.clock.now()
    return await ach_marks.settle_originated(session, merchant.id, now, now)
