"""The settlement schedule: which recurring jobs exist and when they fall due.

Each merchant's day has three fixed moments, all in the merchant's own time zone:
its batch cut-off (`batch_cutoff`), the funding time on business days (the
`funding_time` setting) and midnight at each month's end. Merchants that share a
moment share one recurring *slot* job, which fans the work out to one job per
merchant that has something to do (a batch to close, a deposit to make), so an idle
merchant costs nothing and each merchant's work commits or retries on its own.

Month-end fees are the exception: they are one set-based statement per zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.merchants.models import Merchant
from homerun.runtime import Runtime
from homerun.settlement import calendar, repository
from homerun.worker import repository as jobs

CUTOFF_SLOT = "settlement.cutoff_slot"
CLOSE_BATCH = "settlement.close_batch"
FUNDING_SLOT = "settlement.funding_slot"
FUND = "settlement.fund"
MONTH_END_SLOT = "settlement.month_end_slot"
CHARGEBACK_ARRIVAL = "settlement.chargeback_arrival"
CHARGEBACK_DECISION = "settlement.chargeback_decision"


def cutoff_key(cutoff: str, timezone: str) -> str:
    return f"cutoff|{cutoff}|{timezone}"


def funding_key(timezone: str) -> str:
    return f"funding|{timezone}"


def month_end_key(timezone: str) -> str:
    return f"month_end|{timezone}"


def next_cutoff(runtime: Runtime, after: datetime, cutoff: str, timezone: str) -> datetime:
    return calendar.next_local_time(after, cutoff, timezone)


def next_funding(runtime: Runtime, after: datetime, timezone: str) -> datetime:
    return calendar.next_local_time(
        after, runtime.settings.funding_time, timezone, business_days_only=True
    )


async def ensure_slots(session: AsyncSession, runtime: Runtime, cutoff: str, timezone: str) -> None:
    """Create the slot jobs a merchant with this cut-off and zone needs (idempotent)."""
    now = runtime.clock.now()
    for kind, key, due, payload in (
        (
            CUTOFF_SLOT,
            cutoff_key(cutoff, timezone),
            next_cutoff(runtime, now, cutoff, timezone),
            {"cutoff": cutoff, "timezone": timezone},
        ),
        (
            FUNDING_SLOT,
            funding_key(timezone),
            next_funding(runtime, now, timezone),
            {"timezone": timezone},
        ),
        (
            MONTH_END_SLOT,
            month_end_key(timezone),
            calendar.next_month_start(now, timezone),
            {"timezone": timezone},
        ),
    ):
        await jobs.add(
            session, jobs.new_job(kind=kind, key=key, due_at=due, now=now, payload=payload)
        )


async def ensure_for_merchant(session: AsyncSession, runtime: Runtime, merchant: Merchant) -> None:
    await ensure_slots(session, runtime, merchant.batch_cutoff, merchant.timezone)


async def ensure_all_slots(runtime: Runtime) -> None:
    """Every (cut-off, zone) in use has its slots: run by workers and by each advance."""
    async with runtime.db.transaction() as session:
        for cutoff, timezone in await repository.cutoff_zones(session):
            await ensure_slots(session, runtime, cutoff, timezone)


async def schedule_chargeback_arrival(
    session: AsyncSession,
    runtime: Runtime,
    merchant_id: int,
    batch_id: str,
    days: int,
    settled_at: datetime,
) -> None:
    await jobs.add(
        session,
        jobs.new_job(
            kind=CHARGEBACK_ARRIVAL,
            key=f"cb_arrival|{batch_id}|{days}",
            due_at=settled_at + timedelta(days=days),
            now=runtime.clock.now(),
            merchant_id=merchant_id,
            payload={"batch_id": batch_id, "days": days},
        ),
    )


async def schedule_chargeback_decision(
    session: AsyncSession, runtime: Runtime, merchant_id: int, chargeback_id: int, due: datetime
) -> None:
    await jobs.add(
        session,
        jobs.new_job(
            kind=CHARGEBACK_DECISION,
            key=f"cb_decide|{chargeback_id}",
            due_at=due,
            now=runtime.clock.now(),
            merchant_id=merchant_id,
            payload={"chargeback_id": chargeback_id},
        ),
    )
