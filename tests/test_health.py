"""Liveness and readiness: GET /homerun/v1/health and /homerun/v1/ready (no authentication)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import httpx

from homerun import __version__
from homerun.app import create_app
from homerun.config import Settings
from homerun.kit.db.engine import Database, create_engine
from homerun.runtime import Runtime
from tests.conftest import backend


async def test_health_answers_without_auth(client: httpx.AsyncClient) -> None:
    answer = await client.get("/homerun/v1/health")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "version": __version__}
    assert answer.headers["Content-Type"] == "application/json"


async def test_health_ignores_credentials_it_does_not_need(client: httpx.AsyncClient) -> None:
    answer = await client.get(
        "/homerun/v1/health", headers={"Authorization": "Bearer hr_admin_not_the_token"}
    )
    assert answer.status_code == 200


async def test_ready_touches_the_database(client: httpx.AsyncClient) -> None:
    answer = await client.get("/homerun/v1/ready")
    assert answer.status_code == 200, answer.text
    expected = "postgresql" if backend() == "postgresql" else "sqlite"
    assert answer.json() == {"status": "ready", "database": expected}


async def test_ready_is_503_when_the_database_is_gone(runtime: Runtime) -> None:
    with tempfile.TemporaryDirectory(prefix="homerun-gone-") as folder:
        missing = Path(folder) / "no" / "such" / "dir" / "homerun.db"
        settings = Settings(database_url=f"sqlite:///{missing}")
        broken = Runtime(
            settings=settings,
            db=Database(create_engine(settings)),
            clock=runtime.clock,
            keys=runtime.keys,
            sealer=runtime.sealer,
        )
        app = create_app(runtime=broken)
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://gone.test") as http:
            ready = await http.get("/homerun/v1/ready")
            health = await http.get("/homerun/v1/health")
        await broken.db.dispose()
    assert ready.status_code == 503
    assert ready.json() == {"status": "unavailable"}
    assert health.status_code == 200  # liveness never asks the database
