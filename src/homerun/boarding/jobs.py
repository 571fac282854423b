"""The sandbox clock's boarding work, as a worker job kind.

One keyed job per application (`boarding|<merchant_id>`) falls due at the application's
next clock step (signature, underwriting decision, going live); running it takes the
step and moves the job to the step after, or ends it.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.boarding import lifecycle
from homerun.runtime import Runtime
from homerun.worker.models import Job
from homerun.worker.registry import JobRegistry
from homerun.worker.report import Report


def register(jobs: JobRegistry) -> None:
    jobs.handler(lifecycle.STEP_JOB, step)


async def step(
    session: AsyncSession, runtime: Runtime, job: Job, report: Report
) -> datetime | None:
    merchant_id = int(job.payload["merchant_id"])
    result = await lifecycle.run_step(session, runtime, merchant_id)
    for status in result.moves:
        report.count(f"boarding_{status}")
        if status == "boarded":
            report.made("boarded_merchants", merchant_id)
    return result.next_due
