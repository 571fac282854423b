"""The settlement jobs the worker runs (kinds in homerun.settlement.schedule).

Slot jobs are recurring: they answer their next due time. Per-merchant jobs are
one-off: they answer None and are deleted with their work's commit.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.merchants.models import Merchant
from homerun.payments import ach_jobs
from homerun.runtime import Runtime
from homerun.settlement import (
    ach_books,
    adjustments,
    calendar,
    chargebacks,
    funding,
    reasons,
    repository,
)
from homerun.settlement import schedule as s
from homerun.settlement import service as batches
from homerun.settlement.state import ChargebackEvent, ChargebackState
from homerun.worker.models import Job
from homerun.worker.registry import JobRegistry
from homerun.worker.report import Report

# Report names: the counters (and id lists) of the clock's answer.
BATCHES_CLOSED = "batches_closed"
TRANSACTIONS_SETTLED = "transactions_settled"
AUTHORIZATIONS_EXPIRED = "authorizations_expired"
DEPOSITS_MADE = "deposits_made"
CHARGEBACKS_OPENED = "chargebacks_opened"
CHARGEBACKS_WON = "chargebacks_won"
CHARGEBACKS_LOST = "chargebacks_lost"
ADJUSTMENTS_MADE = "adjustments_made"
ACH_BATCHES_BOOKED = "ach_batches_booked"
ACH_RETURNS_BOOKED = "ach_returns_booked"


def register(jobs: JobRegistry) -> None:
    # Payments' ACH cut-off, followed by the booking of its money (payments sits below).
    ach_jobs.register(jobs, after_cutoff=book_ach)
    jobs.on_start(ensure_schedule)
    jobs.handler(s.CUTOFF_SLOT, cutoff_slot)
    jobs.handler(s.CLOSE_BATCH, close_batch)
    jobs.handler(s.FUNDING_SLOT, funding_slot)
    jobs.handler(s.FUND, fund)
    jobs.handler(s.MONTH_END_SLOT, month_end_slot)
    jobs.handler(s.CHARGEBACK_ARRIVAL, chargeback_arrival)
    jobs.handler(s.CHARGEBACK_DECISION, chargeback_decision)


async def ensure_schedule(runtime: Runtime) -> None:
    await s.ensure_all_slots(runtime)


def _later(job: Job, runtime: Runtime) -> datetime:
    """Reschedule from the later of the due time and now: a worker that was down for
    days does not replay every missed slot (one close or funding covers them)."""
    return max(job.due_at, runtime.clock.now())


async def book_ach(
    session: AsyncSession, merchant: Merchant, cutoff_at: datetime, report: Report
) -> None:
    """After a merchant's ACH cut-off: its settled ACH batches and returns into the books."""
    booked = await ach_books.book(session, merchant, cutoff_at)
    for batch_id in booked.batches:
        report.made(ACH_BATCHES_BOOKED, batch_id)
    report.count(ACH_RETURNS_BOOKED, len(booked.returns))


async def cutoff_slot(
    session: AsyncSession, runtime: Runtime, job: Job, report: Report
) -> datetime | None:
    cutoff, zone = job.payload["cutoff"], job.payload["timezone"]
    if not await repository.slot_in_use(session, cutoff, zone):
        return None
    await repository.schedule_closes(
        session, cutoff, zone, job.due_at, runtime.clock.now(), s.CLOSE_BATCH
    )
    return s.next_cutoff(runtime, _later(job, runtime), cutoff, zone)


async def close_batch(
    session: AsyncSession, runtime: Runtime, job: Job, report: Report
) -> datetime | None:
    merchant = await repository.merchant(session, job.merchant_id or 0)
    if merchant is None:
        return None
    cutoff_at = datetime.fromisoformat(job.payload["cutoff_at"])
    expired = await batches.expire_authorizations(session, runtime, merchant, cutoff_at)
    report.count(AUTHORIZATIONS_EXPIRED, expired)
    closed = await batches.close_batch(session, runtime, merchant, cutoff_at=cutoff_at)
    if closed is not None:
        report.made(BATCHES_CLOSED, closed.batch_id)
        report.count(TRANSACTIONS_SETTLED, closed.transaction_count)
    return None


async def funding_slot(
    session: AsyncSession, runtime: Runtime, job: Job, report: Report
) -> datetime | None:
    zone = job.payload["timezone"]
    if not await repository.slot_in_use(session, None, zone):
        return None
    day = calendar.local_date(job.due_at, zone)
    await repository.schedule_fundings(session, zone, day, job.due_at, runtime.clock.now(), s.FUND)
    return s.next_funding(runtime, _later(job, runtime), zone)


async def fund(
    session: AsyncSession, runtime: Runtime, job: Job, report: Report
) -> datetime | None:
    merchant = await repository.merchant(session, job.merchant_id or 0)
    if merchant is None:
        return None
    day = date.fromisoformat(job.payload["day"])
    deposits = await funding.fund(session, runtime, merchant, day, at=job.due_at)
    for deposit in deposits:
        report.made(DEPOSITS_MADE, deposit.funding_master_id)
    return None


async def month_end_slot(
    session: AsyncSession, runtime: Runtime, job: Job, report: Report
) -> datetime | None:
    zone = job.payload["timezone"]
    if not await repository.slot_in_use(session, None, zone):
        return None
    made = await adjustments.charge_monthly_fees(session, zone, job.due_at)
    report.count(ADJUSTMENTS_MADE, made)
    return calendar.next_month_start(_later(job, runtime), zone)


async def chargeback_arrival(
    session: AsyncSession, runtime: Runtime, job: Job, report: Report
) -> datetime | None:
    """The simulator's planned chargebacks of one batch that fall due now."""
    merchant = await repository.merchant(session, job.merchant_id or 0)
    if merchant is None:
        return None
    batch_id, days = job.payload["batch_id"], int(job.payload["days"])
    after = 0
    while ids := await repository.planned_chargebacks(session, batch_id, days, after, 100):
        for txn_id in ids:
            txn = await repository.transaction_for_update(session, txn_id)
            if txn is None or chargebacks.remaining(txn) <= 0:
                continue
            code = txn.chargeback_reason
            known = code if code and reasons.lookup(txn.card_brand, code) else None
            cb = await chargebacks.open_chargeback(
                session,
                runtime,
                merchant,
                txn,
                amount=None,
                reason_code=known,
                source="simulator",
                at=job.due_at,
            )
            report.made(CHARGEBACKS_OPENED, cb.id)
            if cb.fee_amount > 0:
                report.count(ADJUSTMENTS_MADE)
        after = ids[-1]
    return None


async def chargeback_decision(
    session: AsyncSession, runtime: Runtime, job: Job, report: Report
) -> datetime | None:
    """The clock decides a chargeback nobody decided by its respond_by."""
    cb = await repository.chargeback_for_update(session, int(job.payload["chargeback_id"]))
    if cb is None or cb.state != ChargebackState.OPEN:
        return None
    verdict = await chargebacks.clock_verdict(session, cb)
    await chargebacks.decide(session, runtime, None, cb.id, verdict, "clock", at=cb.respond_by)
    won = verdict is ChargebackEvent.WIN
    report.made(CHARGEBACKS_WON if won else CHARGEBACKS_LOST, cb.id)
    return None
