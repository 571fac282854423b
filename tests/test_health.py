"""Liveness: GET /homerun/v1/health (no authentication, no database). Readiness is
tests/observability/test_readiness.py."""

from __future__ import annotations

import httpx

from homerun import __version__


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
