"""Running due jobs: lease one, run it in its own transaction, finish it in the same one.

Exactly-once, on any number of workers:
1. Claim (a short transaction): the earliest due job that nobody holds a live lease on
   gets `locked_by` = this run's token and `locked_until` = now + lease.
2. Run (one transaction): re-read the job row FOR UPDATE *with our token* (the fence),
   run the handler, then delete the job or move it to its next due time. The work and
   the job's completion commit together, so a crash anywhere rolls both back.
3. A worker that dies leaves a lease that runs out; the next picker takes the job and
   the fence makes sure the old worker, should it wake up, finds its token gone.
"""

from __future__ import annotations

import asyncio
import logging
import os
import secrets
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta

from homerun.errors import NotFound
from homerun.runtime import Runtime
from homerun.worker import repository
from homerun.worker.models import Job
from homerun.worker.registry import JobRegistry
from homerun.worker.report import Report
from homerun.worker.state import JobState

log = logging.getLogger("homerun.worker")

MAX_BACKOFF = timedelta(hours=1)


class UnknownJobKind(Exception):
    pass


def worker_name(label: str = "worker") -> str:
    return f"{label}@{socket.gethostname()[:30]}:{os.getpid()}"


@dataclass(frozen=True, slots=True)
class Claimed:
    job_id: int
    kind: str
    token: str
    due_at: datetime


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, ... at most an hour (sandbox clock time)."""
    return min(timedelta(seconds=30 * 2**attempts), MAX_BACKOFF)


async def claim_one(runtime: Runtime, name: str) -> Claimed | None:
    now = runtime.clock.now()
    token = f"{name[:48]}/{secrets.token_hex(6)}"
    lease_until = now + timedelta(seconds=runtime.settings.worker_lease_seconds)
    async with runtime.db.transaction() as session:
        jobs = await repository.claim(
            session, now=now, token=token, lease_until=lease_until, limit=1
        )
        if not jobs:
            return None
        job = jobs[0]
        return Claimed(job.id, job.kind, token, job.due_at)


async def run_claimed(
    runtime: Runtime, jobs: JobRegistry, claimed: Claimed, report: Report
) -> bool:
    """Run a leased job; False if the lease was lost to another worker meanwhile."""
    done = Report()
    try:
        async with runtime.db.transaction() as session:
            job = await repository.fence(session, claimed.job_id, claimed.token)
            if job is None:
                return False
            handler = jobs.handlers.get(job.kind)
            if handler is None:
                raise UnknownJobKind(f"no handler for job kind {job.kind!r}")
            next_due = await handler(session, runtime, job, done)
            await repository.finish(session, job, next_due, runtime.clock.now())
    except Exception as problem:
        log.exception("job %s (%s) failed", claimed.job_id, claimed.kind)
        await _record_failure(runtime, claimed, problem)
        report.count("jobs_failed")
        return True
    report.merge(done)
    report.count("jobs_run")
    return True


async def _record_failure(runtime: Runtime, claimed: Claimed, problem: Exception) -> None:
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        job = await repository.get(session, claimed.job_id)
        attempts = job.attempts if job is not None else 0
        await repository.record_failure(
            session,
            claimed.job_id,
            claimed.token,
            error=f"{type(problem).__name__}: {problem}",
            retry_at=now + backoff(attempts),
            max_attempts=runtime.settings.job_max_attempts,
            now=now,
        )


async def run_available(
    runtime: Runtime,
    jobs: JobRegistry,
    name: str,
    report: Report,
    limit: int = 1000,
    stop: asyncio.Event | None = None,
) -> int:
    """Run due jobs one after another until none is due (or `limit` ran, or `stop` is set:
    a worker shutting down finishes the job it holds and takes no other); how many ran."""
    ran = 0
    while ran < limit and not (stop is not None and stop.is_set()):
        claimed = await claim_one(runtime, name)
        if claimed is None:
            break
        await run_claimed(runtime, jobs, claimed, report)
        ran += 1
    return ran


@dataclass(frozen=True, slots=True)
class Pending:
    due_at: datetime
    locked_until: datetime | None


async def earliest_due(runtime: Runtime, until: datetime) -> Pending | None:
    async with runtime.db.transaction() as session:
        job = await repository.earliest_due(session, until)
        return None if job is None else Pending(job.due_at, job.locked_until)


async def jobs_page(
    runtime: Runtime, state: JobState | None, after_id: int, limit: int
) -> list[Job]:
    async with runtime.db.transaction() as session:
        return list(await repository.page(session, state=state, after_id=after_id, limit=limit))


async def retry(runtime: Runtime, job_id: int) -> Job:
    """Put a failed (or any waiting) job back in line, due now."""
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        job = await repository.get(session, job_id)
        if job is None:
            raise NotFound(f"job {job_id} not found")
        job.state = JobState.READY
        job.attempts = 0
        job.due_at = min(job.due_at, now)
        job.locked_by = job.locked_until = None
        job.updated_at = now
        await session.flush()
        return job
