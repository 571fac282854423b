"""The long-running worker: `homerun worker`, and the one inside `homerun serve`.

Each loop runs the registry's round hooks (the sandbox clock is re-read there, so an
advance made by another process is seen before any job runs), runs every due job, then
sleeps for the poll interval. Start hooks (the settlement schedule) run at start and
then every few minutes, which heals a schedule slot whose merchants were created by
some other path.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time

from homerun.runtime import Runtime
from homerun.worker.registry import JobRegistry, Service
from homerun.worker.report import Report
from homerun.worker.service import run_available, worker_name

log = logging.getLogger("homerun.worker")

HOUSEKEEPING_SECONDS = 300.0


class Worker:
    def __init__(
        self,
        runtime: Runtime,
        jobs: JobRegistry,
        *,
        name: str | None = None,
        concurrency: int = 1,
    ) -> None:
        self.runtime = runtime
        self.jobs = jobs
        self.name = name or worker_name()
        self.concurrency = max(1, concurrency)
        self.report = Report()

    async def run(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set."""
        await self._housekeeping()
        loops = [
            asyncio.create_task(self._loop(stop, f"{self.name}#{n}"))
            for n in range(self.concurrency)
        ]
        loops += [
            asyncio.create_task(self._service(label, service, stop))
            for label, service in self.jobs.services.items()
        ]
        try:
            await asyncio.gather(*loops)
        finally:
            for task in loops:
                task.cancel()

    async def _housekeeping(self) -> None:
        try:
            await self.jobs.run_start_hooks(self.runtime)
        except Exception:
            log.exception("worker housekeeping failed")

    async def _service(self, label: str, service: Service, stop: asyncio.Event) -> None:
        """A package's own loop (webhook delivery); restarted after a pause if it fails."""
        while not stop.is_set():
            try:
                await service(self.runtime, f"{self.name}/{label}", stop)
            except Exception:
                log.exception("worker service %s failed; restarting it", label)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(
                        stop.wait(), timeout=self.runtime.settings.worker_poll_seconds
                    )

    async def _loop(self, stop: asyncio.Event, name: str) -> None:
        poll = self.runtime.settings.worker_poll_seconds
        next_housekeeping = time.monotonic() + HOUSEKEEPING_SECONDS
        while not stop.is_set():
            try:
                await self.jobs.run_round_hooks(self.runtime)
                await run_available(self.runtime, self.jobs, name, self.report, stop=stop)
            except Exception:
                log.exception("worker loop error; retrying after the poll interval")
            if name.endswith("#0") and time.monotonic() >= next_housekeeping:
                await self._housekeeping()
                next_housekeeping = time.monotonic() + HOUSEKEEPING_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=poll)
