"""Which handler runs which kind of job.

Domain packages register their handlers with `@handler("kind")`; `load()` imports
every package that has some (the one list to extend when a package adds jobs).
"""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Awaitable, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.runtime import Runtime
from homerun.worker.models import Job
from homerun.worker.report import Report

# A handler does its work in the session it is given (the job's own transaction) and
# answers when the job falls due next, or None when it is done for good.
Handler = Callable[[AsyncSession, Runtime, Job, Report], Awaitable[datetime | None]]

# Run when a worker starts and then now and then: make sure the schedule exists.
StartHook = Callable[[Runtime], Awaitable[None]]

# A long-running loop a package runs beside the job loops of every worker (webhook
# delivery): it gets the runtime, the worker's name and the worker's stop event.
Service = Callable[[Runtime, str, asyncio.Event], Awaitable[None]]

_HANDLERS: dict[str, Handler] = {}
_START_HOOKS: list[StartHook] = []
_SERVICES: dict[str, Service] = {}
_PACKAGES = (
    "homerun.payments.jobs",
    "homerun.settlement.jobs",
    "homerun.boarding.jobs",
    "homerun.webhooks.jobs",
    "homerun.billing.jobs",
)


def handler(kind: str) -> Callable[[Handler], Handler]:
    def register(function: Handler) -> Handler:
        _HANDLERS[kind] = function
        return function

    return register


def service(name: str) -> Callable[[Service], Service]:
    def register(function: Service) -> Service:
        _SERVICES[name] = function
        return function

    return register


def services() -> dict[str, Service]:
    load()
    return dict(_SERVICES)


def on_start(hook: StartHook) -> StartHook:
    _START_HOOKS.append(hook)
    return hook


async def run_start_hooks(runtime: Runtime) -> None:
    load()
    for hook in _START_HOOKS:
        await hook(runtime)


def load() -> dict[str, Handler]:
    for name in _PACKAGES:
        importlib.import_module(name)
    return _HANDLERS
