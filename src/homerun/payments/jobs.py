"""The payments jobs the worker runs: reconciling transactions left unknown by a timeout.

The ACH cut-off (payments.ach_jobs) is registered by settlement, which books its money."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.merchants.models import Merchant
from homerun.payments import service
from homerun.payments.reconciliation import RECONCILE, RECONCILE_AFTER
from homerun.payments.state import State
from homerun.runtime import Runtime
from homerun.worker.models import Job
from homerun.worker.registry import JobRegistry
from homerun.worker.report import Report

TRANSACTIONS_RECONCILED = "transactions_reconciled"


def register(jobs: JobRegistry) -> None:
    jobs.handler(RECONCILE, reconcile)


async def reconcile(
    session: AsyncSession, runtime: Runtime, job: Job, report: Report
) -> datetime | None:
    merchant = await session.get(Merchant, job.merchant_id)
    if merchant is None:
        return None
    outcome = await service.reconcile(session, runtime, merchant, job.payload["trans_id"])
    if isinstance(outcome, service.Refusal):
        return None  # already resolved (by an admin, say): nothing left to do
    if outcome.state == State.UNKNOWN.value:
        return runtime.clock.now() + RECONCILE_AFTER  # still no answer: ask again later
    report.made(TRANSACTIONS_RECONCILED, outcome.id)
    return None
