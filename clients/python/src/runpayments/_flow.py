"""The engines' logic written once, as generators that yield what is to be done.

Every step a flow yields is a call to its engine (`Io`): the sync engine's calls return
their result, which `drive` hands straight back into the flow; the async engine's return
coroutines, which `adrive` awaits before handing back the result (or throwing the error
into the flow, where its `finally` and `except` see it as if it were raised there). So a
flow reads as plain code, and the two engines differ only in how they wait.
"""

from __future__ import annotations

from collections.abc import Generator
from typing import Any, Protocol, TypeVar

import httpx

from ._call import Call

T = TypeVar("T")
Flow = Generator[Any, Any, T]


class Io(Protocol):
    """What a flow asks its engine to do (each a value, or an awaitable of it)."""

    def send(self, call: Call[Any]) -> Any: ...  # a whole call, retries and all

    def request(self, request: httpx.Request) -> Any: ...  # one HTTP exchange

    def close(self, response: httpx.Response) -> Any: ...


class Lock(Protocol):
    """threading.Lock or asyncio.Lock: acquire() is a value or an awaitable, release() is
    immediate in both."""

    def acquire(self) -> Any: ...

    def release(self) -> None: ...


def drive(flow: Flow[T]) -> T:
    """Run a flow whose steps were already done when yielded."""
    sent: Any = None
    while True:
        try:
            sent = flow.send(sent)
        except StopIteration as done:
            result: T = done.value
            return result


async def adrive(flow: Flow[T]) -> T:
    """Run a flow whose steps are awaitables."""
    sent: Any = None
    error: BaseException | None = None
    while True:
        try:
            step = flow.send(sent) if error is None else flow.throw(error)
        except StopIteration as done:
            result: T = done.value
            return result
        try:
            sent, error = await step, None
        except BaseException as problem:  # cancellation included: the flow must unwind
            sent, error = None, problem
