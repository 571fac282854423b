"""Retention as a worker service: every worker purges now and then.

Not a job kind: a job would fire at every interval the sandbox clock passes over, while a
purge only needs to happen now and then in real time. Several workers purging at once
take different rows (SKIP LOCKED on PostgreSQL) or none, which is harmless.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

from homerun.retention.service import purge_all
from homerun.runtime import Runtime
from homerun.worker.registry import JobRegistry

log = logging.getLogger(__name__)


def register(jobs: JobRegistry) -> None:
    jobs.service("retention", purge_now_and_then)


async def purge_now_and_then(runtime: Runtime, name: str, stop: asyncio.Event) -> None:
    interval = runtime.settings.retention_interval_seconds
    while not stop.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
            return
        purged = await purge_all(runtime)
        if purged.total:
            log.info("%s purged %s", name, purged)
