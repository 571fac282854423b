"""Webhook delivery as a worker service: every worker runs one Dispatcher.

Delivery is not a job kind: an attempt is an HTTP request that may take seconds, and
a job runs inside its own database transaction (on SQLite, the write lock), so the
dispatcher keeps its own table and posts outside any transaction (dispatcher.py).
"""

from __future__ import annotations

import asyncio

from homerun.runtime import Runtime
from homerun.webhooks.dispatcher import Dispatcher
from homerun.worker.registry import JobRegistry


def register(jobs: JobRegistry) -> None:
    jobs.service("webhooks", deliver)


async def deliver(runtime: Runtime, name: str, stop: asyncio.Event) -> None:
    await Dispatcher(runtime, name).run(stop)
