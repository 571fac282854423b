"""The last handler of every request: whatever escaped the routes is answered here, and
never raised on to the server.

Starlette's own last handler (ServerErrorMiddleware) answers 500 and then re-raises, and
uvicorn answers a raised exception by closing the connection: the next request a client
had sent on that keep-alive connection would get a reset instead of an answer, though
nothing was wrong with it. Here the answer is sent and the exception ends, so the
connection stays usable.

- A retryable database fault (kit.db.faults) is 503 with Retry-After: the unit of work
  rolled back, nothing was done, the same request may succeed later.
- A HomerunError raised outside a route (by a middleware) is its own R6 answer.
- Anything else is a 500 `internal_error`, logged with its traceback; the answer names
  nothing of it.
"""

from __future__ import annotations

import logging
import re
import traceback

from fastapi.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from homerun.errors import HomerunError, ServiceUnavailable
from homerun.kit.db.faults import database_unavailable
from homerun.kit.web import error_response, json_response

log = logging.getLogger("homerun")

# A run of 12 to 19 digits, spaced or dashed as cards are written: what could be a card
# number in an exception's text. No Homerun message holds one; a library's might quote one.
_CARD_LIKE = re.compile(r"(?<!\d)(?:\d[ -]?){11,18}\d(?!\d)")

_INTERNAL = {
    "error": "internal error",
    "message": "internal error",
    "error_description": "internal error",
    "code": "internal_error",
}


class FaultBarrier:
    """ASGI middleware; mount it outermost, so that it sees what every other one raises."""

    def __init__(self, app: ASGIApp, retry_after_seconds: int = 1) -> None:
        self.app = app
        self.retry_after_seconds = retry_after_seconds

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as exc:
            if started:
                # Half an answer is out: only closing the connection can tell the client.
                log.error("error after the answer had begun\n%s", _masked_traceback(exc))
                raise
            await self.answer(exc)(scope, receive, send)

    def answer(self, exc: Exception) -> Response:
        if isinstance(exc, HomerunError):
            return error_response(exc)
        if database_unavailable(exc):
            # Expected under stress, so one line: the fault's kind, never its text (which
            # quotes the statement that failed).
            log.warning("database unavailable: %s", _kinds(exc))
            return error_response(
                ServiceUnavailable(
                    "the database is unavailable; nothing was done, try again",
                    self.retry_after_seconds,
                )
            )
        log.error("unhandled error\n%s", _masked_traceback(exc))
        return json_response(_INTERNAL, 500)


def _kinds(exc: BaseException) -> str:
    """The fault's class and those it was raised from, e.g. `OperationalError <- ...`."""
    names: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(names) < 4:
        state = getattr(current, "sqlstate", None)
        names.append(type(current).__name__ + (f"[{state}]" if state else ""))
        current = current.__cause__ or getattr(current, "orig", None)
        if current is exc:
            break
    return " <- ".join(names)


def _masked_traceback(exc: BaseException) -> str:
    """The traceback as logging would print it, with anything like a card number masked."""
    text = "".join(traceback.format_exception(exc)).rstrip()
    return _CARD_LIKE.sub("[masked digits]", text)
