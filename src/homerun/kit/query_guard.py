"""Refuse a NUL character in a request's query or path before any route reads it.

PostgreSQL refuses NUL in text, so a `%00` that reached a query parameter compared with a
text column (Reporting and Boarding `q`, any filter) would fail in the database as a 500.
It is refused here, once for every route, as a 400 naming the field; the body's fields are
checked where bodies are read (kit.web).
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.types import ASGIApp, Receive, Scope, Send

from homerun.errors import ValidationFailed
from homerun.kit.web import NUL_PROBLEM, error_response, field_with_nul


class RefuseNulInQuery:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            field = _field_with_nul(scope)
            if field is not None:
                fault = ValidationFailed.field(field, NUL_PROBLEM)
                await error_response(fault)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _field_with_nul(scope: Scope) -> str | None:
    if "\x00" in scope["path"]:
        return "path"
    query: bytes = scope.get("query_string", b"")
    if b"%00" not in query:  # the only way a query carries NUL: the request line cannot
        return None
    pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
    return field_with_nul(pairs, "query")
