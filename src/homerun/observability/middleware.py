"""One pure ASGI middleware around every request: its id, its log line, its metrics.

The request id is the caller's `X-Request-Id` when it is a sane value (1 to 128 of
letters, digits and `._:-`), else a new uuid; either way it is echoed in the answer's
`X-Request-Id`. The log line names the route's template, the path (never the query
string, which could carry a secret; long digit runs masked, as a card number would be),
the status, the duration in ms, and the merchant and trans_id when the request noted
them (homerun.observability.context). It never carries a header or a body.
"""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from homerun.observability.context import close_note, open_note
from homerun.observability.logging import RequestLog
from homerun.observability.metrics import HttpMetrics

REQUEST_ID = b"x-request-id"
_SAFE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
# A run of digits this long could be a card number (13 to 19) sent in the wrong place;
# no id of Homerun is that long (a MID has 12).
_LONG_DIGITS = re.compile(r"\d{13,}")
# The route of a request that matched none (404): never the raw path, which is unbounded.
UNMATCHED = "unmatched"
# Metric labels stay bounded: any other method a client invents is counted as OTHER.
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == REQUEST_ID:
            text: str = value.decode("latin-1")
            if _SAFE_ID.fullmatch(text):
                return text
            break
    return str(uuid.uuid4())


def route_of(scope: Scope) -> str:
    """The template of the route that served the request (`/api/v1/charge`,
    `/homerun/v1/merchants/{mid}`), or `unmatched`."""
    path = getattr(scope.get("route"), "path", None)
    return path if isinstance(path, str) else UNMATCHED


def masked_path(path: str) -> str:
    return _LONG_DIGITS.sub(lambda m: "*" * len(m.group()), path)


class RequestObserver:
    """The outermost of Homerun's middlewares, so that it times and sees every answer."""

    def __init__(
        self, app: ASGIApp, log: RequestLog | None = None, metrics: HttpMetrics | None = None
    ) -> None:
        self.app = app
        self.log = log
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        request_id = request_id_of(scope)
        echoed = (REQUEST_ID, request_id.encode("latin-1"))
        status = 500  # what the client gets if the app raises before it answers

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), echoed]
            await send(message)

        note, token = open_note(request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            close_note(token)
            elapsed = time.perf_counter() - start
            route = route_of(scope)
            if self.metrics is not None:
                method = scope["method"] if scope["method"] in _METHODS else "OTHER"
                self.metrics.observe(route, method, status, elapsed)
            if self.log is not None and self.log.enabled():
                fields: dict[str, Any] = {
                    "request_id": request_id,
                    "method": scope["method"],
                    "route": route,
                    "path": masked_path(scope["path"]),
                    "status": status,
                    "duration_ms": round(elapsed * 1000, 3),
                }
                if note.mid is not None:
                    fields["mid"] = note.mid
                if note.trans_id is not None:
                    fields["trans_id"] = note.trans_id
                self.log.write(fields)
