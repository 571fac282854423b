"""`homerun verify` on a schedule: a recurring job every HOMERUN_VERIFY_INTERVAL_SECONDS of
clock time (0, the default: none), whose run logs its violation count and leaves it where a
metric can read it (`last_counts`).

The run reads its own snapshot (homerun.verify.reader), not the job's transaction. On SQLite
the job's transaction still holds the write turn while the run reads, so there a scheduled
run pauses writers for its length (docs/operations.md, "Proving the books").
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

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


def last_counts(runtime: Runtime) -> dict[str, int] | None:
    """Violations per check of the latest scheduled run in this process (every check named,
    0 when it held), or None before the first: what a gauge reads."""
    last = runtime.caches.of(LastRun)
    return dict(last.counts) if last.at is not None else None


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
    broken = {name: n for name, n in last.counts.items() if n}
    if broken:
        log.error("books NOT verified: %d violation(s): %s", report.violations, broken)
    else:
        log.info("books verified: %d checks, no violations", len(last.counts))
    return max(job.due_at, runtime.clock.now()) + timedelta(seconds=interval)
