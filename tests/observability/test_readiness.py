"""GET /homerun/v1/ready: 200 only when the database answers, its schema is at the head
revision and no due job waits too long for a worker; else 503 naming the failed check.

On a database of the module's own: the session's may hold other tests' due jobs."""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, text

from homerun.app import create_app
from homerun.config import Settings
from homerun.kit.db.engine import Database, create_engine
from homerun.observability.readiness import head_revisions
from homerun.runtime import Runtime
from homerun.worker import repository as jobs
from homerun.worker.models import Job
from tests.conftest import backend
from tests.isolated import isolated_app, isolated_database, migrate, settings_for

ALL_OK = {"database": "ok", "migrations": "ok", "worker": "ok"}
PROBE = "readiness-probe"


@pytest.fixture(scope="module")
async def own() -> AsyncIterator[tuple[Runtime, httpx.AsyncClient]]:
    async with isolated_database("homerun_ready") as database:
        await migrate(database.url)
        async with isolated_app(settings_for(database.url)) as (runtime, http):
            yield runtime, http


@pytest.fixture(scope="module")
def runtime(own: tuple[Runtime, httpx.AsyncClient]) -> Runtime:
    return own[0]


@pytest.fixture(scope="module")
def client(own: tuple[Runtime, httpx.AsyncClient]) -> httpx.AsyncClient:
    return own[1]


def dialect() -> str:
    return "postgresql" if backend() == "postgresql" else "sqlite"


@asynccontextmanager
async def app_client(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime=runtime), raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://ready.test") as http:
        yield http


async def add_probe(runtime: Runtime, waited: timedelta) -> None:
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        await jobs.add(session, jobs.new_job(kind=PROBE, due_at=now - waited, now=now))


async def ready(http: httpx.AsyncClient) -> tuple[int, dict[str, Any]]:
    answer = await http.get("/homerun/v1/ready")
    body: dict[str, Any] = answer.json()
    return answer.status_code, body


async def test_ready_when_every_check_passes(client: httpx.AsyncClient) -> None:
    assert await ready(client) == (
        200,
        {"status": "ready", "database": dialect(), "checks": ALL_OK},
    )


async def test_a_job_waiting_too_long_makes_the_node_unready(runtime: Runtime) -> None:
    limited = replace(
        runtime, settings=runtime.settings.model_copy(update={"ready_max_job_lag_seconds": 60})
    )
    now = runtime.clock.now()
    async with app_client(limited) as http:
        async with runtime.db.transaction() as session:
            await jobs.add(
                session, jobs.new_job(kind=PROBE, due_at=now - timedelta(seconds=30), now=now)
            )
        try:
            fresh = await ready(http)
            await add_probe(runtime, timedelta(seconds=600))
            late = await ready(http)
            # A job a worker holds is being done, not waiting.
            async with runtime.db.transaction() as session:
                await session.execute(
                    Job.__table__.update()
                    .where(Job.kind == PROBE)
                    .values(locked_by="w", locked_until=now + timedelta(minutes=5))
                )
            held = await ready(http)
        finally:
            async with runtime.db.transaction() as session:
                await session.execute(delete(Job).where(Job.kind == PROBE))
    assert fresh == (200, {"status": "ready", "database": dialect(), "checks": ALL_OK})
    status, body = late
    assert status == 503
    assert body["status"] == "unavailable" and body["failed"] == ["worker"]
    assert body["checks"]["database"] == "ok" and body["checks"]["migrations"] == "ok"
    waited = body["checks"]["worker"]
    assert waited.startswith("a due job has waited 6") and waited.endswith(
        " s for a worker (limit 60 s)"
    )
    assert held[0] == 200


async def test_a_limit_of_zero_does_not_check_the_worker(runtime: Runtime) -> None:
    unlimited = replace(
        runtime, settings=runtime.settings.model_copy(update={"ready_max_job_lag_seconds": 0})
    )
    await add_probe(runtime, timedelta(days=3))
    try:
        async with app_client(unlimited) as http:
            status, body = await ready(http)
    finally:
        async with runtime.db.transaction() as session:
            await session.execute(delete(Job).where(Job.kind == PROBE))
    assert (status, body["checks"]) == (200, ALL_OK)


async def test_a_schema_behind_the_code_makes_the_node_unready() -> None:
    async with isolated_database("homerun_ready_schema") as database:
        await migrate(database.url)
        async with isolated_app(settings_for(database.url)) as (runtime, http):
            async with runtime.db.transaction() as session:
                await session.execute(text("UPDATE alembic_version SET version_num = 'older0001'"))
            behind = await ready(http)
            async with runtime.db.transaction() as session:
                await session.execute(text("DROP TABLE alembic_version"))
            never = await ready(http)
    (head,) = head_revisions()
    assert behind == (
        503,
        {
            "status": "unavailable",
            "database": dialect(),
            "failed": ["migrations"],
            "checks": {
                "database": "ok",
                "migrations": f"schema at older0001, this code needs {head}",
                "worker": "not checked",
            },
        },
    )
    assert never[0] == 503 and never[1]["failed"] == ["migrations"]
    assert never[1]["checks"]["migrations"] == f"schema at none, this code needs {head}"


async def test_a_database_that_does_not_answer_makes_the_node_unready(runtime: Runtime) -> None:
    with tempfile.TemporaryDirectory(prefix="homerun-gone-") as folder:
        missing = Path(folder) / "no" / "such" / "dir" / "homerun.db"
        settings = Settings(database_url=f"sqlite:///{missing}")
        broken = replace(runtime, settings=settings, db=Database(create_engine(settings)))
        async with app_client(broken) as http:
            status, body = await ready(http)
            health = await http.get("/homerun/v1/health")
        await broken.db.dispose()
    assert (status, body) == (
        503,
        {
            "status": "unavailable",
            "database": "sqlite",
            "failed": ["database"],
            "checks": {
                "database": "the database did not answer",
                "migrations": "not checked",
                "worker": "not checked",
            },
        },
    )
    assert health.status_code == 200  # liveness never asks the database
