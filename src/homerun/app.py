"""create_app(settings) -> the ASGI app serving every surface on one port (ruling R1)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from homerun import __version__
from homerun.admin.routes import router as health_router
from homerun.auth.routes import admin_router as credentials_router
from homerun.auth.routes import router as refresh_router
from homerun.config import Settings
from homerun.errors import HomerunError, NotFound, PayloadTooLarge, ValidationFailed
from homerun.kit.web import error_response, json_response
from homerun.merchants.routes import router as merchants_router
from homerun.oauth.admin_routes import router as oauth_admin_router
from homerun.oauth.routes import router as oauth_router
from homerun.payments.admin_routes import router as transactions_admin_router
from homerun.payments.routes import router as payments_router
from homerun.runtime import Runtime
from homerun.sandbox.routes import router as sandbox_router
from homerun.settlement.routes import router as settlement_router
from homerun.startup import open_runtime
from homerun.tokenizer.routes import router as tokenizer_router

log = logging.getLogger("homerun")


class BodySizeLimit:
    """Refuse bodies over the limit (413) before they are read into memory."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_bytes:
                response = error_response(self._fault())
                await response(scope, receive, send)
                return
        seen = 0

        async def limited_receive() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise self._fault()
            return message

        await self.app(scope, limited_receive, send)

    def _fault(self) -> PayloadTooLarge:
        return PayloadTooLarge(f"the request body is over {self.max_bytes} bytes")


def _install_error_handlers(app: FastAPI) -> None:
    async def homerun_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, HomerunError)
        return error_response(exc)

    async def request_validation(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        errors: dict[str, list[str]] = {}
        for error in exc.errors():
            loc = [str(p) for p in error.get("loc", ()) if p not in ("path", "query", "body")]
            errors.setdefault(".".join(loc) or "request", []).append(str(error.get("msg")))
        summary = "; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items())
        return error_response(ValidationFailed(summary, errors))

    async def http_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return error_response(NotFound("no such endpoint"))
        fault = HomerunError(str(exc.detail))
        fault.status_code = exc.status_code
        fault.code = {405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(fault)

    async def unexpected(_: Request, exc: Exception) -> Response:
        log.exception("unhandled error", exc_info=exc)
        return json_response(
            {
                "error": "internal error",
                "message": "internal error",
                "error_description": "internal error",
                "code": "internal_error",
            },
            500,
        )

    app.add_exception_handler(HomerunError, homerun_error)
    app.add_exception_handler(RequestValidationError, request_validation)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)


def create_app(settings: Settings | None = None, runtime: Runtime | None = None) -> FastAPI:
    """The app; pass `runtime` to share an already open one (tests, embedding)."""
    settings = settings or (runtime.settings if runtime else Settings())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            app.state.runtime = runtime
            yield
            return
        opened = await open_runtime(settings)
        app.state.runtime = opened
        try:
            yield
        finally:
            await opened.db.dispose()

    app = FastAPI(
        title="Homerun",
        version=__version__,
        description="A self-hostable payment platform that speaks the Run Payments API.",
        lifespan=lifespan,
    )
    if runtime is not None:
        app.state.runtime = runtime
    _install_error_handlers(app)
    for router in (
        health_router,
        refresh_router,
        payments_router,
        merchants_router,
        credentials_router,
        tokenizer_router,
        transactions_admin_router,
        settlement_router,
        sandbox_router,
        oauth_router,
        oauth_admin_router,
    ):
        app.include_router(router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app
