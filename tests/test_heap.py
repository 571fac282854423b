"""A serving process freezes its start-up heap, so full collections stay short; an app that
is dropped is freed, with its routes."""

from __future__ import annotations

import gc
import weakref

import httpx
import pytest

from homerun.app import create_app
from homerun.config import Settings
from homerun.runtime import Runtime


@pytest.mark.one_database("sqlite")
async def test_a_serving_process_freezes_what_start_up_made(
    settings: Settings, runtime: Runtime
) -> None:
    # `runtime` has migrated the database that the app below opens again.
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    app = create_app(settings)
    try:
        async with app.router.lifespan_context(app):
            frozen = gc.get_freeze_count()
            # The app, its routes and every imported module: far more than a request makes.
            assert frozen > 100_000
            made_since = gc.get_count()[0] + gc.get_count()[1] + gc.get_count()[2]
            assert made_since < frozen
    finally:
        gc.unfreeze()
    assert gc.get_freeze_count() == 0


async def test_an_app_that_is_dropped_is_freed(settings: Settings, runtime: Runtime) -> None:
    """FastAPI keeps every endpoint and dependency it has inspected in a process-wide
    cache: an endpoint that closed over its app would keep that app, and its thousands of
    route objects, for the life of the process (one per test that builds an app)."""
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://heap.test") as http:
        assert (await http.get("/docs")).status_code == 200
        assert (await http.get("/homerun/v1/health")).status_code == 200
    dropped = weakref.ref(app)
    del app, transport, http
    gc.collect()
    assert dropped() is None
