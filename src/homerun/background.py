"""What a server process runs beside its requests: the worker and the clock sync.

`homerun serve` runs the worker in every server process unless
HOMERUN_WORKER_IN_SERVER=false (then run `homerun worker` on some node). In the
sandbox, a process also re-reads the clock every `clock_sync_seconds`, so an advance
made through another process shows in this one's answers within that time.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from homerun.config import Mode
from homerun.observability.sampler import sample_forever
from homerun.runtime import Runtime
from homerun.sandbox.service import sync_clock
from homerun.worker.loop import Worker
from homerun.worker.registry import JobRegistry

log = logging.getLogger("homerun.worker")


async def _sync_clock_forever(runtime: Runtime, stop: asyncio.Event) -> None:
    interval = runtime.settings.clock_sync_seconds
    while not stop.is_set():
        try:
            await sync_clock(runtime)
        except Exception:
            log.exception("clock sync failed")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)


@asynccontextmanager
async def background(runtime: Runtime, jobs: JobRegistry) -> AsyncIterator[None]:
    stop = asyncio.Event()
    tasks: list[asyncio.Task[None]] = []
    settings = runtime.settings
    if settings.mode is Mode.SANDBOX and settings.clock_sync_seconds > 0:
        tasks.append(asyncio.create_task(_sync_clock_forever(runtime, stop)))
    tasks.append(asyncio.create_task(sample_forever(runtime.db, stop)))
    if settings.worker_in_server:
        tasks.append(asyncio.create_task(Worker(runtime, jobs).run(stop)))
    try:
        yield
    finally:
        stop.set()
        # The worker finishes the jobs it holds within the grace; one cut there is taken
        # again by a worker once its lease runs out.
        grace = max(settings.shutdown_grace_seconds, 0.1)
        for task in tasks:
            with contextlib.suppress(Exception, asyncio.CancelledError):
                await asyncio.wait_for(task, timeout=grace)
