"""The worker: exactly-once pickup by concurrent workers, leases, failures, the clock.

Every test inserts jobs of its own test kinds, due far in the past so that they come
before anything else due, and looks only at those.
"""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from collections import Counter
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.app import create_app
from homerun.background import background
from homerun.config import Mode
from homerun.jobs import job_registry
from homerun.runtime import Runtime
from homerun.sandbox.service import sync_clock
from homerun.startup import open_runtime
from homerun.worker import repository
from homerun.worker.models import Job
from homerun.worker.registry import JobRegistry
from homerun.worker.report import Report
from homerun.worker.service import Claimed, claim_one, run_available, run_claimed
from tests.conftest import ADMIN

# Keyed by each job's own tag: SQLite may hand a deleted job's id to a new one.
RAN: Counter[str] = Counter()
RAN_BY: dict[str, str] = {}
SEEN_AT: list[tuple[int, datetime]] = []


async def record(session: AsyncSession, runtime: Runtime, job: Job, report: Report) -> None:
    RAN[job.payload["tag"]] += 1
    RAN_BY[job.payload["tag"]] = (job.locked_by or "").split("/")[0]
    await asyncio.sleep(0)  # let the other pickers in
    report.count("recorded")
    return None


async def fail(session: AsyncSession, runtime: Runtime, job: Job, report: Report) -> None:
    raise RuntimeError("boom")


async def clock_job(session: AsyncSession, runtime: Runtime, job: Job, report: Report) -> None:
    SEEN_AT.append((int(job.payload["n"]), runtime.clock.now()))
    if job.payload.get("chain"):
        follow_up = repository.new_job(
            kind="test.clock",
            due_at=job.due_at + timedelta(minutes=30),
            now=runtime.clock.now(),
            payload={"n": int(job.payload["n"]) + 100},
        )
        await repository.add(session, follow_up)
    return None


def with_test_kinds() -> JobRegistry:
    """The app's registry and this module's own job kinds."""
    jobs = job_registry()
    jobs.handler("test.record", record)
    jobs.handler("test.fail", fail)
    jobs.handler("test.clock", clock_job)
    return jobs


JOBS = with_test_kinds()


@pytest.fixture(scope="module")
async def client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """An app that runs this module's job kinds too (the clock's advance runs them)."""
    transport = httpx.ASGITransport(app=create_app(runtime=runtime, jobs=JOBS))
    async with httpx.AsyncClient(transport=transport, base_url="http://homerun.test") as http:
        yield http


def tag(job_id: int) -> str:
    return TAGS[job_id]


TAGS: dict[int, str] = {}


async def insert_jobs(
    runtime: Runtime, kind: str, dues: list[datetime], **payload: Any
) -> list[int]:
    """Insert jobs; TAGS maps each new id to the job's unique tag."""
    ids = []
    async with runtime.db.transaction() as session:
        for n, due in enumerate(dues):
            job = Job(
                kind=kind,
                payload={"n": n, "tag": secrets.token_hex(8), **payload},
                due_at=due,
                state="ready",
                attempts=0,
                created_at=runtime.clock.now(),
                updated_at=runtime.clock.now(),
            )
            session.add(job)
            await session.flush()
            ids.append(job.id)
            TAGS[job.id] = job.payload["tag"]
    return ids


async def job_row(runtime: Runtime, job_id: int) -> Job | None:
    async with runtime.db.transaction() as session:
        return await session.get(Job, job_id)


def long_ago(runtime: Runtime) -> datetime:
    return runtime.clock.now() - timedelta(days=3650)


async def test_concurrent_pickers_run_every_job_exactly_once(runtime: Runtime) -> None:
    ids = await insert_jobs(runtime, "test.record", [long_ago(runtime)] * 150)
    reports = [Report() for _ in range(8)]
    await asyncio.gather(
        *(run_available(runtime, JOBS, f"picker-{n}", report) for n, report in enumerate(reports))
    )
    assert {job_id: RAN[tag(job_id)] for job_id in ids} == dict.fromkeys(ids, 1)
    # (Another worker of the session, if one runs, may take some: still exactly once.)
    assert sum(report.counts["recorded"] for report in reports) > 0
    for job_id in ids:
        assert await job_row(runtime, job_id) is None  # done jobs are deleted
    # Work was shared out (on SQLite the pickers take turns on the write lock).
    assert len({RAN_BY[tag(job_id)] for job_id in ids}) > 1


async def leased_job(runtime: Runtime, kind: str, token: str, lease: timedelta) -> int:
    """A due job already leased to `token`, as a claim leaves it (no other worker can
    take it first)."""
    [job_id] = await insert_jobs(runtime, kind, [long_ago(runtime) - timedelta(days=1)])
    async with runtime.db.transaction() as session:
        await session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(locked_by=token, locked_until=runtime.clock.now() + lease)
        )
    return job_id


async def test_a_crashed_workers_job_is_picked_up_again_once(runtime: Runtime) -> None:
    """Other workers may be running in the session (a live server's): whoever takes the
    job after the lease runs out, it runs exactly once."""
    job_id = await leased_job(runtime, "test.record", "dead/1", timedelta(seconds=0.5))
    # While the lease lasts nobody takes it.
    while (other := await claim_one(runtime, "alive")) is not None:
        assert other.job_id != job_id
        await run_claimed(runtime, JOBS, other, Report())
    assert RAN[tag(job_id)] == 0
    await asyncio.sleep(0.6)
    for _ in range(100):
        taken = await claim_one(runtime, "alive")
        if taken is not None:
            await run_claimed(runtime, JOBS, taken, Report())
        if await job_row(runtime, job_id) is None:
            break
        await asyncio.sleep(0.05)
    assert RAN[tag(job_id)] == 1
    assert await job_row(runtime, job_id) is None
    # The dead worker wakes up: its token is gone, so it does nothing.
    stale = Claimed(job_id, "test.record", "dead/1", long_ago(runtime))
    assert await run_claimed(runtime, JOBS, stale, Report()) is False
    assert RAN[tag(job_id)] == 1


async def test_a_failing_job_backs_off_then_is_set_aside_and_can_be_retried(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    strict = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"job_max_attempts": 2})
    )
    job_id = await leased_job(strict, "test.fail", "w/1", timedelta(minutes=5))
    report = Report()
    assert await run_claimed(
        strict, JOBS, Claimed(job_id, "test.fail", "w/1", long_ago(strict)), report
    )
    assert report.counts["jobs_failed"] == 1
    row = await job_row(strict, job_id)
    assert row is not None
    assert (row.state, row.attempts, row.last_error) == ("ready", 1, "RuntimeError: boom")
    assert row.locked_by is None
    assert timedelta(seconds=29) < row.due_at - strict.clock.now() <= timedelta(seconds=31)

    async with strict.db.transaction() as session:  # its second run, right away
        await session.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(locked_by="w/2", locked_until=strict.clock.now() + timedelta(minutes=5))
        )
    await run_claimed(strict, JOBS, Claimed(job_id, "test.fail", "w/2", long_ago(strict)), Report())
    row = await job_row(strict, job_id)
    assert row is not None and (row.state, row.attempts) == ("failed", 2)

    listed = await client.get("/homerun/v1/jobs", params={"state": "failed"}, headers=ADMIN)
    assert listed.status_code == 200
    assert job_id in [item["id"] for item in listed.json()["items"]]
    retried = await client.post(f"/homerun/v1/jobs/{job_id}/retry", headers=ADMIN)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["state"], retried.json()["attempts"]) == ("ready", 0)
    async with runtime.db.transaction() as session:  # tidy up: it would fail forever
        await session.execute(delete(Job).where(Job.id == job_id))
    missing = await client.post("/homerun/v1/jobs/999999999/retry", headers=ADMIN)
    assert missing.status_code == 404


async def test_advancing_runs_due_jobs_in_time_order_at_their_due_time(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    SEEN_AT.clear()
    start = runtime.clock.now()
    hour = timedelta(hours=1)
    await insert_jobs(runtime, "test.clock", [start + 3 * hour, start + hour, start + 5 * hour])
    await insert_jobs(runtime, "test.clock", [start + 2 * hour], chain=True)
    answer = await client.post(
        "/homerun/v1/clock/advance", json={"seconds": 4 * 3600}, headers=ADMIN
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["summary"]["jobs_run"] >= 4
    assert datetime.fromisoformat(body["now"]) - start >= 4 * hour
    # n=1 at +1h, the chained job (n=0) at +2h, its follow-up (n=100) at +2h30, n=0 at +3h.
    assert [n for n, _ in SEEN_AT] == [1, 0, 100, 0]
    dues = [start + hour, start + 2 * hour, start + 2.5 * hour, start + 3 * hour]
    for (_, seen), due in zip(SEEN_AT, dues, strict=True):
        assert timedelta(0) <= seen - due < timedelta(seconds=2)
    async with runtime.db.transaction() as session:
        left = (await session.execute(select(Job.due_at).where(Job.kind == "test.clock"))).scalars()
        assert list(left) == [start + 5 * hour]
        await session.execute(delete(Job).where(Job.kind == "test.clock"))


async def test_another_process_sees_an_advance_and_its_worker_runs_due_jobs(
    runtime: Runtime, client: httpx.AsyncClient
) -> None:
    quick = runtime.settings.model_copy(
        update={"worker_poll_seconds": 0.05, "clock_sync_seconds": 0.05}
    )
    other = await open_runtime(quick)
    try:
        await sync_clock(other)
        answer = await client.post(
            "/homerun/v1/clock/advance", json={"seconds": 600}, headers=ADMIN
        )
        assert answer.status_code == 200
        assert runtime.clock.now() - other.clock.now() > timedelta(seconds=590)
        await sync_clock(other)
        assert abs(runtime.clock.now() - other.clock.now()) < timedelta(seconds=1)

        [job_id] = await insert_jobs(runtime, "test.record", [long_ago(runtime)])
        async with background(other, JOBS):
            for _ in range(100):
                if RAN[tag(job_id)]:
                    break
                await asyncio.sleep(0.05)
        assert RAN[tag(job_id)] == 1
    finally:
        await other.db.dispose()


async def test_clock_answers_and_refusals(runtime: Runtime, client: httpx.AsyncClient) -> None:
    clock = await client.get("/homerun/v1/clock", headers=ADMIN)
    assert clock.status_code == 200
    assert set(clock.json()) == {"now", "offset_seconds"}
    for body, field in (
        ({}, "seconds"),
        ({"seconds": 1, "until": "2030-01-01T00:00:00Z"}, "seconds"),
        ({"until": "2001-01-01T00:00:00Z"}, "until"),
        ({"seconds": -5}, "seconds"),
    ):
        answer = await client.post("/homerun/v1/clock/advance", json=body, headers=ADMIN)
        assert answer.status_code == 400, (body, answer.text)
        assert field in answer.json()["errors"], answer.json()
    unauthorised = await client.post("/homerun/v1/clock/advance", json={"seconds": 1})
    assert unauthorised.status_code == 401


async def test_the_clock_does_not_move_in_live_mode(runtime: Runtime) -> None:
    live = dataclasses.replace(
        runtime, settings=runtime.settings.model_copy(update={"mode": Mode.LIVE})
    )
    transport = httpx.ASGITransport(app=create_app(runtime=live))
    async with httpx.AsyncClient(transport=transport, base_url="http://homerun.test") as http:
        answer = await http.post("/homerun/v1/clock/advance", json={"seconds": 5}, headers=ADMIN)
    assert answer.status_code == 409
    assert answer.json()["code"] == "conflict"
