"""The sandbox clock: moved forward by the admin API, kept in the database.

The offset (instance clock minus wall clock) lives in instance_values, so every
process and node agrees on the time. A process learns of an advance made elsewhere
by re-reading that one row: its worker does so before every round of jobs, and a
server process polls it every `clock_sync_seconds` (1 s by default).

Advancing runs every job that falls due on the way, in (due_at, id) order: the clock
steps to each job's due time, the job runs at that time, and jobs it schedules (a
deposit after a batch, a chargeback some days on) run in their turn.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from homerun.config import Mode
from homerun.errors import Conflict, ValidationFailed
from homerun.instance import repository
from homerun.kit.clock import as_utc
from homerun.runtime import Runtime
from homerun.worker.registry import JobRegistry
from homerun.worker.report import Report
from homerun.worker.service import claim_one, earliest_due, run_claimed, worker_name

# How long an advance waits for a job another worker is running before it moves the
# clock past that worker's lease (a crashed worker never finishes).
LEASED_JOB_PATIENCE_SECONDS = 5.0


async def sync_clock(runtime: Runtime) -> None:
    """Adopt an advance another process made (no-op in live mode)."""
    if runtime.settings.mode is not Mode.SANDBOX:
        return
    async with runtime.db.transaction() as session:
        offset = await repository.read_offset(session)
    runtime.clock.sync(offset)


async def move_clock_to(runtime: Runtime, moment: datetime) -> None:
    """Set the instance clock to `moment` (never backwards) for every process."""
    async with runtime.db.transaction() as session:
        stored = await repository.lock_offset(session)
        runtime.clock.sync(stored)
        offset = runtime.clock.offset_for(moment)
        if offset > stored:
            await repository.store_offset(session, offset)
    runtime.clock.sync(offset)


@dataclass(frozen=True)
class Advanced:
    started_at: datetime
    now: datetime
    report: Report


async def advance(
    runtime: Runtime, jobs: JobRegistry, seconds: float | None, until: datetime | None
) -> Advanced:
    if runtime.settings.mode is not Mode.SANDBOX:
        raise Conflict("the clock only moves in sandbox mode")
    if (seconds is None) == (until is None):
        raise ValidationFailed(
            "send exactly one of seconds or until",
            {"seconds": ["send exactly one of seconds or until"]},
        )
    await sync_clock(runtime)
    started = runtime.clock.now()
    if until is not None:
        target = as_utc(until)
        if target < started:
            raise ValidationFailed.field("until", "the clock never moves backwards")
    else:
        target = started + timedelta(seconds=seconds or 0)
    await jobs.run_start_hooks(runtime)
    report = await run_until(runtime, jobs, target)
    await move_clock_to(runtime, target)
    return Advanced(started, runtime.clock.now(), report)


async def run_until(runtime: Runtime, jobs: JobRegistry, target: datetime) -> Report:
    """Run every job due by `target`, stepping the clock to each one's due time."""
    report = Report()
    name = worker_name("clock")
    waiting_since: float | None = None
    while True:
        claimed = await claim_one(runtime, name)
        if claimed is not None:
            await run_claimed(runtime, jobs, claimed, report)
            waiting_since = None
            continue
        pending = await earliest_due(runtime, target)
        if pending is None:
            return report
        if pending.due_at > runtime.clock.now():
            await move_clock_to(runtime, pending.due_at)
            continue
        lease_end = pending.locked_until
        if lease_end is None or lease_end < runtime.clock.now():
            continue  # freed meanwhile: claim it on the next turn
        # Due, but another worker holds it: let that worker finish, within reason.
        waiting_since = waiting_since or time.monotonic()
        if time.monotonic() - waiting_since > LEASED_JOB_PATIENCE_SECONDS:
            if lease_end > target:
                report.count("jobs_still_running")
                return report
            await move_clock_to(runtime, lease_end + timedelta(microseconds=1))
            waiting_since = None
            continue
        await asyncio.sleep(0.05)
