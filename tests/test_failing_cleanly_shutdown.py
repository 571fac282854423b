"""Graceful shutdown of `homerun serve`: on SIGTERM it stops accepting connections, lets a
request already in flight finish and answer, then exits; past HOMERUN_SHUTDOWN_GRACE_SECONDS
it cuts what is left, and what was cut rolled back."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import asyncpg
import httpx
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.jobs import job_registry
from homerun.runtime import Runtime
from homerun.worker.models import Job
from homerun.worker.report import Report
from homerun.worker.service import run_available
from tests.conftest import backend
from tests.ports import free_port
from tests.processes import Process, Processes, cli_env, db_url

ADMIN_TOKEN = "hr_admin_shutdown_test"
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}

__all__ = ["db_url"]  # the fixture, from tests/processes.py


@asynccontextmanager
async def serve(db_url: str, port: int, folder: Path, **settings: str) -> AsyncIterator[Process]:
    """`homerun serve` on `port` once it answers, logging to folder/serve.log."""
    env = cli_env(
        db_url,
        HOMERUN_ADMIN_TOKEN=ADMIN_TOKEN,
        **{f"HOMERUN_{k.upper()}": v for k, v in settings.items()},
    )
    processes = Processes(folder)
    try:
        yield await processes.serve("serve", port, env)
    finally:
        await processes.close()


async def authorized(http: httpx.AsyncClient) -> tuple[str, dict[str, str], str]:
    """A merchant, its api_key headers, and an authorized (uncaptured) charge of it."""
    made = await http.post("/homerun/v1/merchants", json={"name": "Slow Store"}, headers=ADMIN)
    mid = made.json()["mid"]
    creds = await http.post(f"/homerun/v1/merchants/{mid}/credentials", headers=ADMIN)
    headers = {"Authorization": f"Bearer {creds.json()['api_key']}"}
    body = {"mid": mid, "amount": 2500, "account_token": "4111111111111111", "capture": "N"}
    charged = await http.post(
        "/api/v1/charge", json={**body, "expiration": "12/30"}, headers=headers
    )
    assert charged.status_code == 200, charged.text
    return mid, headers, charged.json()["trans_id"]


@asynccontextmanager
async def row_held(db_url: str, trans_id: str) -> AsyncIterator[Callable[[], Awaitable[bool]]]:
    """Hold the transaction's row (PostgreSQL) or the write lock (SQLite) from outside the
    server, so that a capture of it waits; yields a check that someone waits for it."""
    if backend() == "postgresql":
        holder = await asyncpg.connect(db_url)
        watcher = await asyncpg.connect(db_url)
        tx = holder.transaction()
        await tx.start()
        await holder.execute("SELECT id FROM transactions WHERE id = $1 FOR UPDATE", int(trans_id))

        async def waiting() -> bool:
            count = await watcher.fetchval(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE wait_event_type = 'Lock' AND datname = current_database()"
                " AND query ILIKE '%transactions%'"
            )
            return bool(count)

        try:
            yield waiting
        finally:
            await tx.rollback()
            await holder.close()
            await watcher.close()
        return
    holder_db = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    holder_db.execute("BEGIN IMMEDIATE")

    async def sleeping() -> bool:
        await asyncio.sleep(1.0)  # SQLite shows no waiters: give the capture time to wait
        return True

    try:
        yield sleeping
    finally:
        holder_db.execute("ROLLBACK")
        holder_db.close()


async def refused(port: int) -> bool:
    try:
        _, writer = await asyncio.open_connection("127.0.0.1", port)
    except OSError:
        return True
    writer.close()
    return False


async def until(check: Callable[[], Awaitable[bool]], seconds: float = 15) -> None:
    deadline = time.monotonic() + seconds
    while not await check():
        assert time.monotonic() < deadline, "the condition never held"
        await asyncio.sleep(0.05)


async def test_sigterm_lets_a_slow_request_finish_and_answer(db_url: str, tmp_path: Path) -> None:
    port = free_port()
    async with serve(db_url, port, tmp_path, shutdown_grace_seconds="20") as node:
        proc = node.proc
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            mid, headers, trans_id = await authorized(http)
            async with row_held(db_url, trans_id) as waiting:
                capture = asyncio.create_task(
                    http.post(
                        "/api/v1/capture", json={"mid": mid, "trans_id": trans_id}, headers=headers
                    )
                )
                await until(waiting)
                proc.send_signal(signal.SIGTERM)
                await until(lambda: refused(port))  # no new connection is taken
                assert not capture.done() and proc.returncode is None
            # The lock is gone: the capture in flight goes through and is answered.
            answer = await capture
        assert answer.status_code == 200, answer.text
        assert answer.json()["trans_id"] == trans_id
        code = await asyncio.wait_for(proc.wait(), timeout=30)
    assert code in (0, -signal.SIGTERM)
    log = (tmp_path / "serve.log").read_text()
    assert "Application shutdown complete" in log
    assert await state_of(db_url, trans_id) == "captured"


async def state_of(db_url: str, trans_id: str) -> str:
    if backend() == "postgresql":
        conn = await asyncpg.connect(db_url)
        try:
            state: str = await conn.fetchval(
                "SELECT state FROM transactions WHERE id = $1", int(trans_id)
            )
        finally:
            await conn.close()
        return state
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        row = conn.execute("SELECT state FROM transactions WHERE id = ?", (int(trans_id),))
        return str(row.fetchone()[0])


async def test_past_the_grace_a_stuck_request_is_cut_and_rolled_back(
    db_url: str, tmp_path: Path
) -> None:
    port = free_port()
    slow = {
        "shutdown_grace_seconds": "1",
        "database_lock_timeout_ms": "60000",
        "sqlite_busy_timeout_ms": "60000",
    }
    async with (
        serve(db_url, port, tmp_path, **slow) as node,
        httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=60) as http,
    ):
        mid, headers, trans_id = await authorized(http)
        async with row_held(db_url, trans_id) as waiting:
            capture = asyncio.create_task(
                http.post(
                    "/api/v1/capture", json={"mid": mid, "trans_id": trans_id}, headers=headers
                )
            )
            await until(waiting)
            signalled = time.monotonic()
            node.proc.send_signal(signal.SIGTERM)
            code = await asyncio.wait_for(node.proc.wait(), timeout=20)
            took = time.monotonic() - signalled
            assert code in (0, -signal.SIGTERM)
            # Cut: the connection closes, at most after uvicorn's own bare 500 (the request
            # may have committed before it was cut, so nothing may claim it was not done).
            try:
                cut = await capture
            except httpx.TransportError:
                pass
            else:
                assert (cut.status_code, cut.headers["connection"]) == (500, "close")
    # One second of grace for the request and one for the worker, then the process ends.
    assert took < 10, took  # not the 60 s the lock would last
    assert "timeout graceful shutdown exceeded" in (tmp_path / "serve.log").read_text()
    assert await state_of(db_url, trans_id) == "authorized"


# ---------------------------------------------------------------- the worker's part


async def test_a_worker_told_to_stop_finishes_its_job_and_takes_no_other(
    runtime: Runtime,
) -> None:
    stop = asyncio.Event()
    ran: list[int] = []

    async def stopping(_: AsyncSession, __: Runtime, job: Job, ___: Report) -> None:
        stop.set()  # the shutdown begins while this job runs
        await asyncio.sleep(0.05)
        ran.append(int(job.payload["n"]))

    jobs = job_registry()
    jobs.handler("test.shutdown", stopping)
    due = datetime(1971, 1, 1, tzinfo=UTC)  # before anything else in the table
    ids = []
    async with runtime.db.transaction() as session:
        for n in range(3):
            job = Job(
                kind="test.shutdown",
                payload={"n": n},
                due_at=due + timedelta(seconds=n),
                state="ready",
                attempts=0,
                created_at=runtime.clock.now(),
                updated_at=runtime.clock.now(),
            )
            session.add(job)
            await session.flush()
            ids.append(job.id)
    assert await run_available(runtime, jobs, "stopping", Report(), stop=stop) == 1
    assert ran == [0]
    async with runtime.db.transaction() as session:
        rows = {job.id: job for job in await session.scalars(select(Job).where(Job.id.in_(ids)))}
    # The job that ran is done (a done job is deleted); the others were never claimed.
    assert sorted(rows) == ids[1:]
    assert [(rows[i].state, rows[i].locked_by, rows[i].attempts) for i in ids[1:]] == [
        ("ready", None, 0),
        ("ready", None, 0),
    ]
    async with runtime.db.transaction() as session:  # leave nothing due behind
        await session.execute(delete(Job).where(Job.id.in_(ids)))
