"""Crash tests: a server and a worker killed (SIGKILL) in the middle of a mixed load, then
restarted; PostgreSQL connections terminated under load. Afterwards every keyed request
that got no answer is sent again with its key, and nothing acknowledged may be missing or
doubled (tests/crash/load.py)."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import httpx
import pytest

from tests.conftest import PG_SERVER, _fresh_database_url, backend
from tests.crash.load import Load, check_nothing_lost_or_doubled
from tests.ports import free_port
from tests.processes import Processes, books_verified, homerun_env
from tests.test_cli import homerun

CLIENTS = 8
OPERATIONS = 30
KILL_AFTER = 40  # acknowledged requests before the crash


@pytest.fixture
async def database_url() -> AsyncIterator[str]:
    async for url in _fresh_database_url():
        code, out, err = await homerun(url, "migrate")
        assert code == 0, (out, err)
        yield url


@pytest.fixture
async def processes() -> AsyncIterator[Processes]:
    with tempfile.TemporaryDirectory(prefix="homerun-crash-") as folder:
        running = Processes(Path(folder))
        try:
            yield running
        finally:
            await running.close()


def env(database_url: str) -> dict[str, str]:
    # A key reserved by a request the crash cut off is free again after this.
    return homerun_env(database_url, HOMERUN_IDEMPOTENCY_ABANDONED_SECONDS="4")


async def test_a_killed_server_and_worker_lose_and_double_nothing(
    database_url: str, processes: Processes
) -> None:
    port = free_port()
    node = await processes.serve("serve", port, env(database_url))
    worker = await processes.worker("worker", env(database_url))
    load = Load(f"http://127.0.0.1:{port}", milestone=KILL_AFTER)
    async with httpx.AsyncClient(base_url=load.base_url, timeout=30) as http:
        await load.open_merchant(http)

        async def crash_midway() -> None:
            await load.reached.wait()
            node.kill()
            worker.kill()
            load.stop.set()

        await asyncio.gather(
            crash_midway(), *(load.client(http, n, OPERATIONS) for n in range(CLIENTS))
        )
    assert await node.proc.wait() == -9 and await worker.proc.wait() == -9

    await processes.serve("serve-again", port, env(database_url))
    await processes.worker("worker-again", env(database_url))
    async with httpx.AsyncClient(base_url=load.base_url, timeout=30) as http:
        await load.retry_keyed(http)
    await check_nothing_lost_or_doubled(database_url, load)
    await books_verified(database_url)


@pytest.mark.skipif(backend() != "postgresql", reason="terminates PostgreSQL backends")
async def test_terminated_database_connections_lose_and_double_nothing(
    database_url: str, processes: Processes
) -> None:
    port = free_port()
    await processes.serve("serve", port, env(database_url))
    load = Load(f"http://127.0.0.1:{port}")
    database = database_url.rsplit("/", 1)[1]

    async def terminate_backends() -> None:
        admin = await asyncpg.connect(f"{PG_SERVER}/postgres")
        try:
            for _ in range(6):
                await asyncio.sleep(0.3)
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = $1 AND pid <> pg_backend_pid()",
                    database,
                )
        finally:
            await admin.close()

    async with httpx.AsyncClient(base_url=load.base_url, timeout=30) as http:
        await load.open_merchant(http)
        await asyncio.gather(
            terminate_backends(), *(load.client(http, n, OPERATIONS) for n in range(CLIENTS))
        )
        # A lost database connection is a 503 to retry, and never costs another request its
        # answer (no connection is closed under a client).
        assert {s.status for s in load.sent} <= {200, 503}
        await load.retry_keyed(http)
    await check_nothing_lost_or_doubled(database_url, load)
    await books_verified(database_url)
