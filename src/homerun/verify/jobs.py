"""`homerun verify` on a schedule: a recurring job every HOMERUN_VERIFY_INTERVAL_SECONDS of
clock time (0, the default: none), whose run logs its violation count and sets the gauge
homerun_books_violations (LastRun keeps the latest counts in the process).

The run reads its own snapshot (homerun.verify.reader), not the job's transaction. On SQLite
the job's transaction still holds the write turn while the run reads, so there a scheduled
run pauses writers for its length (docs/operations.md, "Proving the books").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.observability.metrics import books_verified
from homerun.runtime import Runtime
from homerun.verify import service
from homerun.worker import repository as jobs_table
from homerun.worker.models import Job
from homerun.worker.registry import JobRegistry
from homerun.worker.report import Report

log = logging.getLogger("homerun.verify")

VERIFY = "verify.books"
KEY = "verify|books"


@dataclass
class LastRun:
    """This process's latest scheduled run: when, and its violations per check."""

    at: datetime | None = None
    counts: dict[str, int] = field(default_factory=dict)

    def clear(self) -> None:
        self.at, self.counts = None, {}


def register(jobs: JobRegistry) -> None:
    jobs.on_start(ensure_schedule)
    jobs.handler(VERIFY, verify_books)


async def ensure_schedule(runtime: Runtime) -> None:
    """The recurring job exists while the interval is set, and only then."""
    interval = runtime.settings.verify_interval_seconds
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        if interval == 0:
            await jobs_table.remove(session, KEY)
            return
        due = now + timedelta(seconds=interval)
        await jobs_table.add(session, jobs_table.new_job(kind=VERIFY, due_at=due, now=now, key=KEY))


async def verify_books(
    _session: AsyncSession, runtime: Runtime, job: Job, _report: Report
) -> datetime | None:
    interval = runtime.settings.verify_interval_seconds
    if interval == 0:
        return None  # switched off since it was scheduled
    report = await service.run(runtime, examples=1)
    last = runtime.caches.of(LastRun)
    last.at, last.counts = runtime.clock.now(), report.counts()
    books_verified(last.counts, last.at.timestamp())
    broken = {name: n for name, n in last.counts.items() if n}
    if broken:
        log.error("books NOT verified: %d violation(s): %s", report.violations, broken)
    else:
        log.info("books verified: %d checks, no violations", len(last.counts))
    return max(job.due_at, runtime.clock.now()) + timedelta(seconds=interval)
