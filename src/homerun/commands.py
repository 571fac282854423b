"""What the commands of `homerun` share: their output, their refusals, and running one
piece of work in a runtime of its own.

A command is a thin wrapper: it validates its options, hands `run` the work (one
transaction over a freshly opened runtime) and prints the answer. A refusal
(HomerunError, invalid options) is one line on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.config import Settings
from homerun.errors import HomerunError
from homerun.kit.web import validation_failed
from homerun.runtime import Runtime
from homerun.startup import open_runtime

console = Console(highlight=False)
errors = Console(stderr=True, highlight=False)
T = TypeVar("T")


def fail(message: str) -> NoReturn:
    """A refusal the operator can read: one line on stderr, exit status 1, no traceback."""
    errors.print(f"error: {message}", markup=False, soft_wrap=True)
    raise typer.Exit(1)


def print_json(data: Any) -> None:
    console.print_json(json.dumps(data))


def say(label: str, value: str, width: int = 15) -> None:
    # Never wrapped or styled, so that a key or a link copies whole from any terminal.
    console.print(f"{label:<{width}}{value}", soft_wrap=True, markup=False)


def validated(model: type[BaseModel], data: dict[str, Any]) -> Any:
    """The options as the API's own model (an option not given is left out): its
    errors name the field as the API would."""
    try:
        return model.model_validate({k: v for k, v in data.items() if v is not None})
    except ValidationError as problem:
        fail(validation_failed(problem).message)


async def with_runtime(work: Callable[[Runtime], Awaitable[T]]) -> T:
    """`work` over a migrated runtime of its own, closed after; the admin token is left
    for `homerun serve` to create and show."""
    runtime = await open_runtime(Settings(), migrate=True, generate_admin_token=False)
    try:
        return await work(runtime)
    except HomerunError as problem:
        fail(problem.message)
    finally:
        await runtime.db.dispose()


def run(work: Callable[[AsyncSession, Runtime], Awaitable[T]]) -> T:
    """`work` in one transaction over a runtime of its own; what it answers is the
    command's result."""

    async def in_transaction(runtime: Runtime) -> T:
        async with runtime.db.transaction() as session:
            return await work(session, runtime)

    return asyncio.run(with_runtime(in_transaction))
