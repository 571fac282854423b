"""All SQL for the job table.

Pickup takes due rows with FOR UPDATE SKIP LOCKED on PostgreSQL, so pickers on any
number of nodes never take the same row; SQLite serialises every writer (BEGIN
IMMEDIATE), which does the same job there (and ignores FOR UPDATE).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, and_, delete, func, literal, or_, select, true, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.kit.db.base import UTCDateTime
from homerun.kit.db.sql import delete_oldest
from homerun.worker.models import Job
from homerun.worker.state import JobState


def insert_for(session: AsyncSession) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT."""
    return pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _claimable(now: datetime) -> Select[Job]:
    return (
        select(Job)
        .where(
            Job.state == JobState.READY,
            Job.due_at <= now,
            or_(Job.locked_until.is_(None), Job.locked_until < now),
        )
        .order_by(Job.due_at, Job.id)
    )


async def claim(
    session: AsyncSession, *, now: datetime, token: str, lease_until: datetime, limit: int
) -> list[Job]:
    """Lease up to `limit` due jobs, earliest first, to the worker holding `token`."""
    stmt = _claimable(now).limit(limit).with_for_update(skip_locked=True)
    jobs = list((await session.execute(stmt)).scalars())
    for job in jobs:
        job.locked_by = token
        job.locked_until = lease_until
        job.updated_at = now
    await session.flush()
    return jobs


async def fence(session: AsyncSession, job_id: int, token: str) -> Job | None:
    """The job, row-locked, if this worker still holds its lease; None if it was lost."""
    stmt = select(Job).where(Job.id == job_id, Job.locked_by == token).with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def finish(session: AsyncSession, job: Job, next_due: datetime | None, now: datetime) -> None:
    if next_due is None:
        await session.delete(job)
    else:
        job.due_at = next_due
        job.locked_by = None
        job.locked_until = None
        job.attempts = 0
        job.last_error = None
        job.updated_at = now
    await session.flush()


async def record_failure(
    session: AsyncSession,
    job_id: int,
    token: str,
    *,
    error: str,
    retry_at: datetime,
    max_attempts: int,
    now: datetime,
) -> None:
    job = await fence(session, job_id, token)
    if job is None:
        return
    job.attempts += 1
    job.last_error = error[:4000]
    job.locked_by = None
    job.locked_until = None
    job.updated_at = now
    if job.attempts >= max_attempts:
        job.state = JobState.FAILED
    else:
        job.due_at = retry_at
    await session.flush()


async def oldest_waiting(session: AsyncSession, now: datetime) -> datetime | None:
    """When the earliest job that is due and that no worker holds fell due (readiness:
    is the worker keeping up?); None when none waits."""
    waiting = (
        _claimable(now).order_by(None).with_only_columns(func.min(Job.due_at, type_=UTCDateTime))
    )
    return (await session.execute(waiting)).scalar_one_or_none()


async def earliest_due(session: AsyncSession, until: datetime) -> Job | None:
    """The first ready job due by `until`, leased or not."""
    stmt = (
        select(Job)
        .where(Job.state == JobState.READY, Job.due_at <= until)
        .order_by(Job.due_at, Job.id)
        .limit(1)
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def due_by(session: AsyncSession, until: datetime, limit: int) -> Sequence[Job]:
    """The ready jobs due by `until`, in the order they would run (a clock preview)."""
    stmt = (
        select(Job)
        .where(Job.state == JobState.READY, Job.due_at <= until)
        .order_by(Job.due_at, Job.id)
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


async def count_due_by(session: AsyncSession, until: datetime) -> int:
    stmt = select(func.count(Job.id)).where(Job.state == JobState.READY, Job.due_at <= until)
    return int(await session.scalar(stmt) or 0)


def new_job(
    *,
    kind: str,
    due_at: datetime,
    now: datetime,
    key: str | None = None,
    merchant_id: int | None = None,
    payload: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "key": key,
        "merchant_id": merchant_id,
        "payload": payload or {},
        "due_at": due_at,
        "state": JobState.READY,
        "attempts": 0,
        "created_at": now,
        "updated_at": now,
    }


async def add(session: AsyncSession, values: dict[str, Any]) -> None:
    """Insert a job; a keyed job that already exists is left as it is."""
    insert = insert_for(session)
    stmt = insert(Job).values(**values)
    if values.get("key") is not None:
        stmt = stmt.on_conflict_do_nothing(index_elements=["key"])
    await session.execute(stmt)


async def add_or_pull_earlier(session: AsyncSession, values: dict[str, Any]) -> None:
    """Make a keyed job due by `values["due_at"]`: insert it, or move the one there to
    that time if it is due later or not ready (never later, never a second row).

    One statement (INSERT ... ON CONFLICT DO UPDATE), so that it is right against a
    worker finishing or deleting the same job at the same moment."""
    stmt = insert_for(session)(Job).values(**values)
    stmt = stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={
            "due_at": stmt.excluded.due_at,
            "state": JobState.READY,
            "updated_at": values["updated_at"],
        },
        where=or_(Job.due_at > stmt.excluded.due_at, Job.state != JobState.READY),
    )
    await session.execute(stmt)


async def add_per_row(
    session: AsyncSession,
    source: Select[int, str],
    *,
    kind: str,
    payload: dict[str, Any],
    due_at: datetime,
    now: datetime,
) -> int:
    """One job for each (merchant_id, key) row of `source`, in one INSERT ... SELECT;
    keys already in the table are left as they are. How many jobs were added.

    The caller's query says which rows (a slot's merchants with work due); the job
    columns are written here, so the fan-out of a slot stays one statement."""
    rows = source.subquery("due")
    constants = (
        literal(payload, Job.__table__.c.payload.type),
        literal(due_at, UTCDateTime()),
        literal(JobState.READY.value, String),
        literal(0),
        literal(now, UTCDateTime()),
        literal(now, UTCDateTime()),
    )
    merchant_id, key = rows.c
    columns = [
        "kind", "key", "merchant_id", "payload", "due_at", "state", "attempts", "created_at",
        "updated_at",
    ]  # fmt: skip
    # WHERE true: SQLite would otherwise read ON CONFLICT as the join's ON.
    select_rows = select(literal(kind, String), key, merchant_id, *constants).where(true())
    stmt = (
        insert_for(session)(Job)
        .from_select(columns, select_rows)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    result = await session.execute(stmt)
    return int(getattr(result, "rowcount", 0) or 0)


async def move(session: AsyncSession, key: str, due_at: datetime, now: datetime) -> None:
    """Move a keyed job that nobody is running to a new due time."""
    await session.execute(
        update(Job)
        .where(Job.key == key, Job.locked_by.is_(None))
        .values(due_at=due_at, updated_at=now)
        .execution_options(synchronize_session=False)
    )


async def remove(session: AsyncSession, key: str) -> None:
    await session.execute(delete(Job).where(Job.key == key))


async def page(
    session: AsyncSession, *, state: JobState | None, after_id: int, limit: int
) -> Sequence[Job]:
    stmt = select(Job).where(Job.id > after_id).order_by(Job.id).limit(limit)
    if state is not None:
        stmt = stmt.where(Job.state == state)
    return (await session.execute(stmt)).scalars().all()


async def get(session: AsyncSession, job_id: int) -> Job | None:
    return await session.get(Job, job_id)


async def count_ready(session: AsyncSession) -> int:
    return int(
        await session.scalar(select(func.count(Job.id)).where(Job.state == JobState.READY)) or 0
    )


async def purge_failed(session: AsyncSession, before: datetime, limit: int) -> int:
    """Delete up to `limit` jobs that failed for good and were last touched before `before`
    (a finished job deletes itself; a failed one is kept a while for its last_error)."""
    return await delete_oldest(
        session, Job.id, Job.state == JobState.FAILED, Job.updated_at < before, limit=limit
    )


@dataclass(frozen=True)
class Queued:
    """One kind's share of the queue: what an operator watches (metrics, readiness)."""

    kind: str
    due: int = 0  # ready and due by now, leased (running) ones included
    oldest_due_at: datetime | None = None  # the earliest of those
    failed: int = 0  # gave up after the last attempt


async def queue_by_kind(session: AsyncSession, now: datetime) -> list[Queued]:
    """Per kind: the due jobs and the earliest of them, and the failed ones. One grouped
    read over the (state, due_at) index; jobs due later (schedule slots) are not read."""
    stmt = (
        select(Job.kind, Job.state, func.count(), func.min(Job.due_at, type_=UTCDateTime))
        .where(
            or_(and_(Job.state == JobState.READY, Job.due_at <= now), Job.state == JobState.FAILED)
        )
        .group_by(Job.kind, Job.state)
    )
    kinds: dict[str, Queued] = {}
    for kind, state, count, oldest in (await session.execute(stmt)).all():
        known = kinds.get(kind, Queued(kind))
        if state == JobState.READY:
            known = Queued(kind, int(count), oldest, known.failed)
        else:
            known = Queued(kind, known.due, known.oldest_due_at, int(count))
        kinds[kind] = known
    return sorted(kinds.values(), key=lambda queued: queued.kind)
