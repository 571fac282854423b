"""The console's clock and the deposits page's scripted week move the instance clock far: a
database and a live Homerun of their own, so the rest of the browser tests keep their clock."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import httpx
import pytest
import uvicorn

from homerun.app import create_app
from homerun.config import Settings
from homerun.runtime import Runtime
from tests.browser.conftest import LiveHomerun
from tests.conftest import database_of_its_own
from tests.ports import free_port

database_url, settings, runtime, client = database_of_its_own()


@pytest.fixture(scope="package", name="homerun")
async def console_homerun(settings: Settings, runtime: Runtime) -> AsyncIterator[LiveHomerun]:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    app = create_app(
        settings.model_copy(update={"public_base_url": url, "worker_in_server": False})
    )
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", loop="asyncio")
    )
    thread = threading.Thread(target=server.run, name="homerun-console", daemon=True)
    thread.start()
    for _ in range(1200):
        if server.started:
            break
        await asyncio.sleep(0.05)
    assert server.started, "the live Homerun did not start"
    async with httpx.AsyncClient(base_url=url, timeout=60) as http:
        yield LiveHomerun(url, http)
    server.should_exit = True
    await asyncio.to_thread(thread.join, 15)
