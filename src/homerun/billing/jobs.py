"""The worker's billing jobs: one keyed job per bucket of scheduled payments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.billing import service
from homerun.billing.repository import BUCKET_JOB
from homerun.runtime import Runtime
from homerun.worker.models import Job
from homerun.worker.registry import JobRegistry
from homerun.worker.report import Report


def register(jobs: JobRegistry) -> None:
    jobs.on_start(ensure_jobs)
    jobs.handler(BUCKET_JOB, charge_bucket)


async def ensure_jobs(runtime: Runtime) -> None:
    await service.ensure_jobs(runtime)


async def charge_bucket(
    session: AsyncSession, runtime: Runtime, job: Job, report: Report
) -> datetime | None:
    """Charge what is due in the bucket; due again at its next payment (None: empty)."""
    # A job that failed before runs carefully: each payment in its own savepoint.
    bucket = int(job.payload["bucket"])
    return await service.run_bucket(session, runtime, bucket, report, careful=job.attempts > 0)
