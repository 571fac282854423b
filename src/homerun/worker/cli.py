"""`homerun worker`: the worker on its own, until SIGINT or SIGTERM."""

from __future__ import annotations

import asyncio
import logging
import signal

from homerun.config import Settings
from homerun.startup import open_runtime
from homerun.worker.loop import Worker
from homerun.worker.registry import JobRegistry

log = logging.getLogger("homerun.worker")


async def run_worker(
    settings: Settings, jobs: JobRegistry, name: str | None, concurrency: int
) -> None:
    runtime = await open_runtime(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    worker = Worker(runtime, jobs, name=name, concurrency=concurrency)
    log.info("worker %s started (%d loops)", worker.name, worker.concurrency)
    try:
        await worker.run(stop)
    finally:
        await runtime.db.dispose()
