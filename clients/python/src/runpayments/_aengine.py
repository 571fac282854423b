"""The asynchronous engine: the flow of `_engine.Engine`, awaited on the event loop."""

from __future__ import annotations

import asyncio
from typing import TypeVar

import httpx

from ._call import Call
from ._engine import Engine, transport_errors
from ._flow import Lock, adrive

T = TypeVar("T")


class AsyncEngine(Engine[httpx.AsyncClient]):
    def new_lock(self) -> Lock:
        return asyncio.Lock()

    async def send(self, call: Call[T]) -> T:
        with transport_errors():
            async for attempt in self.retry.context():
                with attempt:
                    content = await adrive(self.attempt(self, call))
        return call.parse(content)

    async def request(self, request: httpx.Request) -> httpx.Response:
        return await self.http.send(request)

    async def close(self, response: httpx.Response) -> None:
        await response.aclose()
