"""The ACH cut-off: one recurring slot job per (cut-off, time zone) of the merchants that
take ACH. On a banking day it runs each such merchant's ACH cut-off
(ach_lifecycle.cutoff): settlement of what was originated before, the banks' returns and
changes that are due, origination of what was accepted; then, per merchant, what the
registering package adds (settlement books the ACH money: payments knows no ledger and
no deposits). docs/ach.md."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.merchants import repository as merchants
from homerun.merchants.models import Merchant
from homerun.payments import ach_calendar, ach_lifecycle
from homerun.runtime import Runtime
from homerun.worker import repository as jobs
from homerun.worker.models import Job
from homerun.worker.registry import JobRegistry
from homerun.worker.report import Report

ACH_CUTOFF_SLOT = "payments.ach_cutoff_slot"
ACH_BATCHES_ORIGINATED = "ach_batches_originated"
ACH_ORIGINATED = "ach_payments_originated"
ACH_SETTLED = "ach_payments_settled"
ACH_SENT_BACK = "ach_payments_sent_back"


# What runs for each merchant after its ACH cut-off, in the same transaction.
AfterCutoff = Callable[[AsyncSession, Merchant, datetime, Report], Awaitable[None]]


def register(registry: JobRegistry, after_cutoff: AfterCutoff) -> None:
    """The ACH cut-off's slot job and start hook; `after_cutoff` follows each merchant's
    cut-off (registered by settlement, which sits above payments)."""

    async def slot(
        session: AsyncSession, runtime: Runtime, job: Job, report: Report
    ) -> datetime | None:
        return await ach_cutoff_slot(session, runtime, job, report, after_cutoff)

    registry.on_start(ensure_ach_slots)
    registry.handler(ACH_CUTOFF_SLOT, slot)


async def ensure_ach_slots(runtime: Runtime) -> None:
    """Every (cut-off, zone) of a merchant that takes ACH has its slot (idempotent): run by
    workers as they start and by each advance of the sandbox clock."""
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        for cutoff, zone in await merchants.ach_cutoff_zones(session):
            await jobs.add(
                session,
                jobs.new_job(
                    kind=ACH_CUTOFF_SLOT,
                    key=f"ach_cutoff|{cutoff}|{zone}",
                    due_at=ach_calendar.next_cutoff(now, cutoff, zone),
                    now=now,
                    payload={"cutoff": cutoff, "timezone": zone},
                ),
            )


async def ach_cutoff_slot(
    session: AsyncSession, runtime: Runtime, job: Job, report: Report, after_cutoff: AfterCutoff
) -> datetime | None:
    cutoff, zone = job.payload["cutoff"], job.payload["timezone"]
    taking = await merchants.taking_ach(session, cutoff, zone)
    if not taking:
        return None  # nobody left here: ensure_ach_slots makes it again when needed
    cutoff_at = job.due_at
    if ach_calendar.is_banking_day(ach_calendar.local_date(cutoff_at, zone)):
        for merchant in taking:
            done = await ach_lifecycle.cutoff(session, runtime, merchant, cutoff_at)
            report.count(ACH_SETTLED, done.settled)
            report.count(ACH_ORIGINATED, done.originated.count)
            if done.originated.batch_id is not None:
                report.made(ACH_BATCHES_ORIGINATED, done.originated.batch_id)
            for trans_id in done.answered:
                report.made(ACH_SENT_BACK, trans_id)
            await after_cutoff(session, merchant, cutoff_at, report)
    # A worker that was down for days does not replay every missed cut-off.
    return ach_calendar.next_cutoff(max(job.due_at, runtime.clock.now()), cutoff, zone)
