"""Which handler runs which kind of job, and what else a worker runs.

A JobRegistry is a plain value: each domain package offers `register(jobs)` in its
jobs.py, and homerun.jobs.job_registry() builds the one a process uses at start-up
and passes it to the worker, the sandbox clock and the app. Nothing is filled in by
importing a module, so a test or an embedding can build a registry of its own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.runtime import Runtime
from homerun.worker.models import Job
from homerun.worker.report import Report

# A handler does its work in the session it is given (the job's own transaction) and
# answers when the job falls due next, or None when it is done for good.
Handler = Callable[[AsyncSession, Runtime, Job, Report], Awaitable[datetime | None]]

# Run when a worker starts and then now and then (make sure the schedule exists), or
# before each round of jobs (re-read the sandbox clock).
Hook = Callable[[Runtime], Awaitable[None]]

# A long-running loop a package runs beside the job loops of every worker (webhook
# delivery): it gets the runtime, the worker's name and the worker's stop event.
Service = Callable[[Runtime, str, asyncio.Event], Awaitable[None]]


class DuplicateJobKind(Exception):
    pass


@dataclass
class JobRegistry:
    handlers: dict[str, Handler] = field(default_factory=dict)
    start_hooks: list[Hook] = field(default_factory=list)
    round_hooks: list[Hook] = field(default_factory=list)
    services: dict[str, Service] = field(default_factory=dict)

    def handler(self, kind: str, function: Handler) -> None:
        """`function` runs the jobs of `kind`; one handler per kind."""
        if kind in self.handlers:
            raise DuplicateJobKind(f"two handlers for job kind {kind!r}")
        self.handlers[kind] = function

    def on_start(self, hook: Hook) -> None:
        self.start_hooks.append(hook)

    def before_each_round(self, hook: Hook) -> None:
        self.round_hooks.append(hook)

    def service(self, name: str, function: Service) -> None:
        self.services[name] = function

    async def run_start_hooks(self, runtime: Runtime) -> None:
        for hook in self.start_hooks:
            await hook(runtime)

    async def run_round_hooks(self, runtime: Runtime) -> None:
        for hook in self.round_hooks:
            await hook(runtime)
