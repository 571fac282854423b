"""Admission control: a process answers fast or refuses fast.

At most `max_in_flight` requests are processed at once; up to `max_queued` more wait, in
arrival order, at most `deadline` each. A request that finds the queue full, or waits past
its deadline, is answered at once with 503 `service_unavailable` and Retry-After, before any
of it is read: nothing of it was done, and the client may retry (elsewhere, or later).
Without this, every request is accepted and all of them slow down together: at 1,024
concurrent charges one process answered in 5.5 s at p99, its memory grown by each parsed
request waiting for the database.

The database gate (kit.db.engine) still orders units of work inside the admitted ones;
this bounds how many can be waiting there. Health, readiness and metrics pass without a
turn: a busy process is alive, and its load balancer must keep hearing so.
"""

from __future__ import annotations

import asyncio
from collections import deque

from starlette.types import ASGIApp, Receive, Scope, Send

from homerun.errors import ServiceUnavailable
from homerun.kit.web import error_response


class Admission:
    """Pure ASGI (no per-request task or body wrapping): its cost is a counter."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_in_flight: int,
        max_queued: int,
        deadline_seconds: float,
        retry_after_seconds: int,
        bypass: frozenset[str],
    ) -> None:
        self.app = app
        self.max_in_flight = max_in_flight
        self.max_queued = max_queued
        self.deadline_seconds = deadline_seconds
        self.retry_after_seconds = retry_after_seconds
        self.bypass = bypass
        self.in_flight = 0
        self.queued = 0  # waiters still waiting (the deque may hold expired ones too)
        self._waiters: deque[asyncio.Future[bool]] = deque()
        # Built once: refusing must cost as little as possible, or refusals eat the CPU
        # the admitted requests need (a Response holds no per-request state).
        self._refusal = error_response(
            ServiceUnavailable(
                "the server is busy; nothing was done, try again", retry_after_seconds
            )
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.bypass:
            await self.app(scope, receive, send)
            return
        if not await self._admit():
            await self._refusal(scope, receive, send)
            return
        try:
            await self.app(scope, receive, send)
        finally:
            self._release()

    async def _admit(self) -> bool:
        """True once the request holds a turn; False: refuse it (queue full or too late)."""
        if self.in_flight < self.max_in_flight and not self.queued:
            self.in_flight += 1
            return True
        if self.queued >= self.max_queued:
            return False
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[bool] = loop.create_future()
        self._waiters.append(turn)
        self.queued += 1
        timer = loop.call_later(self.deadline_seconds, self._expire, turn)
        try:
            return await turn
        except asyncio.CancelledError:
            if turn.done() and not turn.cancelled():
                # Handed a turn just before it was cancelled: the turn goes on to the next
                # (a False result was already counted out by _expire).
                if turn.result():
                    self._release()
            else:  # cancelled while it waited (its future with it)
                turn.cancel()
                self.queued -= 1
            raise
        finally:
            timer.cancel()

    def _expire(self, turn: asyncio.Future[bool]) -> None:
        if not turn.done():
            turn.set_result(False)
            self.queued -= 1

    def _release(self) -> None:
        """Hand the finished request's turn to the first one still waiting, or free it."""
        while self._waiters:
            turn = self._waiters.popleft()
            if not turn.done():
                self.queued -= 1
                turn.set_result(True)  # the turn passes on: in_flight is unchanged
                return
        self.in_flight -= 1
