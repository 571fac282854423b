"""A real HTTP receiver on 127.0.0.1 (a free port) that records every request it gets.

Each receiver answers only under its own random path prefix (anything else is a 404
that is not recorded), so a delivery left over from another test that happens to
reach the same port is never mistaken for one of ours.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, cast

import httptools
import orjson


@dataclass
class Received:
    method: str
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    at: float = field(default_factory=time.monotonic)

    @property
    def json(self) -> dict[str, Any]:
        data: dict[str, Any] = orjson.loads(self.body)
        return data

    @property
    def attempt(self) -> int:
        return int(self.json["metadata"]["attempt"])

    @property
    def key(self) -> str:
        return self.headers["x-idempotency-key"]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    hold: asyncio.Event | None = None  # answer only once this is set


Handler = Callable[[Received], Reply | Awaitable[Reply]]


def always(status: int = 200) -> Handler:
    return lambda _: Reply(status)


def in_turn(*statuses: int) -> Handler:
    """Answer with these statuses in turn, then 200 for ever."""
    left = list(statuses)
    return lambda _: Reply(left.pop(0) if left else 200)


class _Connection(asyncio.Protocol):
    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.parser = httptools.HttpRequestParser(self)
        self.queue: asyncio.Queue[Received] = asyncio.Queue()
        self.transport: asyncio.Transport | None = None
        self.task: asyncio.Task[None] | None = None
        self._reset()

    def _reset(self) -> None:
        self.url = b""
        self.headers: dict[str, str] = {}
        self.body = bytearray()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not asyncio.Transport subclasses, but behave as one.
        self.transport = cast(asyncio.Transport, transport)
        self.receiver.connections.add(self)
        self.task = asyncio.get_running_loop().create_task(self._answer_in_turn())

    def connection_lost(self, exc: Exception | None) -> None:
        self.receiver.connections.discard(self)
        if self.task is not None:
            self.task.cancel()

    def data_received(self, data: bytes) -> None:
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserError:
            self.close()

    def on_url(self, url: bytes) -> None:
        self.url += url

    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

    def on_body(self, body: bytes) -> None:
        self.body += body

    def on_message_complete(self) -> None:
        method = self.parser.get_method().decode()
        self.queue.put_nowait(
            Received(method, self.url.decode("latin-1"), self.headers, bytes(self.body))
        )
        self._reset()

    async def _answer_in_turn(self) -> None:
        while True:
            request = await self.queue.get()
            reply = await self.receiver.reply_to(request)
            if reply.hold is not None:
                await reply.hold.wait()
            if reply.delay:
                await asyncio.sleep(reply.delay)
            if self.transport is None or self.transport.is_closing():
                return
            head = [f"HTTP/1.1 {reply.status} X", f"Content-Length: {len(reply.body)}"]
            head += [f"{k}: {v}" for k, v in reply.headers.items()]
            self.transport.write(("\r\n".join(head) + "\r\n\r\n").encode() + reply.body)

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


class Receiver:
    def __init__(self, handler: Handler | None = None) -> None:
        self.handler: Handler = handler or always(200)
        self.prefix = f"/{secrets.token_hex(6)}"
        self.received: list[Received] = []
        self.connections: set[_Connection] = set()
        self.port = 0
        self._server: asyncio.Server | None = None
        self._arrived = asyncio.Event()

    async def start(self) -> Receiver:
        loop = asyncio.get_running_loop()
        self._server = await loop.create_server(lambda: _Connection(self), "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            for connection in list(self.connections):
                connection.close()
            await self._server.wait_closed()

    def url(self, path: str = "hook") -> str:
        return f"http://127.0.0.1:{self.port}{self.prefix}/{path}"

    async def reply_to(self, request: Received) -> Reply:
        if not request.path.startswith(self.prefix + "/"):
            return Reply(404, b"not ours")
        self.received.append(request)
        self._arrived.set()
        answer = self.handler(request)
        return await answer if inspect.isawaitable(answer) else answer

    def on(self, path: str) -> list[Received]:
        """What arrived at url(path)."""
        return [r for r in self.received if r.path == f"{self.prefix}/{path}"]

    async def wait_for(self, count: int, seconds: float = 10.0, path: str | None = None) -> None:
        deadline = time.monotonic() + seconds
        while len(self.received if path is None else self.on(path)) < count:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"{count} requests expected, {len(self.received)} arrived")
            self._arrived.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._arrived.wait(), timeout=min(left, 0.05))
