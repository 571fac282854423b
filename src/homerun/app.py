"""create_app(settings) -> the ASGI app serving every surface on one port (ruling R1)."""

from __future__ import annotations

import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from homerun import __version__
from homerun.admin.routes import router as health_router
from homerun.auth.routes import admin_router as credentials_router
from homerun.auth.routes import router as refresh_router
from homerun.background import background
from homerun.bankfiles.routes import router as bankfiles_router
from homerun.billing.routes import router as billing_router
from homerun.boarding.routes import router as boarding_router
from homerun.config import Settings
from homerun.dashboard.boarding_routes import router as dashboard_boarding_router
from homerun.dashboard.chargeback_routes import router as chargebacks_router
from homerun.dashboard.customer_routes import router as customers_router
from homerun.dashboard.deposit_routes import router as deposits_router
from homerun.dashboard.developer_routes import router as developers_router
from homerun.dashboard.faults_routes import router as dashboard_faults_router
from homerun.dashboard.integration_routes import router as integrations_router
from homerun.dashboard.links_routes import router as dashboard_links_router
from homerun.dashboard.operator_routes import router as dashboard_operator_router
from homerun.dashboard.partner_routes import router as dashboard_partner_router
from homerun.dashboard.routes import router as dashboard_router
from homerun.dashboard.team_routes import router as dashboard_team_router
from homerun.dashboard.terminal_routes import router as terminal_router
from homerun.docs_ui import install_docs
from homerun.errors import HomerunError, NotFound, PayloadTooLarge, ValidationFailed
from homerun.hpp.routes import router as hpp_router
from homerun.instance.service import (
    ADMIN_TOKEN_PREFIX,
    admin_token_matches,
    stored_admin_token_hash,
)
from homerun.jobs import job_registry
from homerun.kit.admission import Admission
from homerun.kit.fault_barrier import FaultBarrier
from homerun.kit.heap import settle_startup_heap
from homerun.kit.query_guard import RefuseNulInQuery
from homerun.kit.web import error_response
from homerun.merchants.routes import router as merchants_router
from homerun.oauth.admin_routes import router as oauth_admin_router
from homerun.oauth.routes import router as oauth_router
from homerun.observability.logging import RequestLog, configure_logging
from homerun.observability.metrics import HttpMetrics
from homerun.observability.middleware import RequestObserver
from homerun.observability.multiprocess import process_exiting
from homerun.observability.routes import router as metrics_router
from homerun.payments.admin_routes import router as transactions_admin_router
from homerun.payments.routes import router as payments_router
from homerun.reporting.routes import router as reporting_router
from homerun.runtime import Runtime
from homerun.sandbox.routes import router as sandbox_router
from homerun.settlement.routes import router as settlement_router
from homerun.startup import open_runtime
from homerun.tokenizer.routes import router as tokenizer_router
from homerun.tokenizer.runner_routes import router as runner_router
from homerun.vault.routes import router as vault_router
from homerun.webhooks.routes import router as webhooks_router
from homerun.worker.registry import JobRegistry
from homerun.worker.routes import router as jobs_router


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
            # Compare lengths before converting: a huge digit string is itself over the limit.
            declared = value.strip()
            if (
                name == b"content-length"
                and declared.isdigit()
                and (len(declared) > 18 or int(declared) > self.max_bytes)
            ):
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


# What a load balancer asks of a busy process: answered without waiting for a turn.
UNQUEUED_PATHS = frozenset({"/homerun/v1/health", "/homerun/v1/ready", "/metrics"})

_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT")


class AdminTokenReload:
    """Let a running node pick up `homerun admin-token reset` without a restart.
    Only a generated admin token can be reset, and each starts with its prefix; a
    request presenting one that this node does not know re-reads the stored hash,
    at most once a second, before the route checks it.
    """

    def __init__(self, app: ASGIApp, min_interval: float = 1.0) -> None:
        self.app = app
        self.min_interval = min_interval
        self._last = -math.inf

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/homerun/"):
            token = _bearer(scope)
            runtime = getattr(scope["app"].state, "runtime", None)
            if runtime is not None and token is not None and token.startswith(ADMIN_TOKEN_PREFIX):
                await self._reload_if_unknown(runtime, token)
        await self.app(scope, receive, send)

    async def _reload_if_unknown(self, runtime: Runtime, token: str) -> None:
        if runtime.settings.admin_token is not None or admin_token_matches(runtime.keys, token):
            return
        now = time.monotonic()
        if now - self._last < self.min_interval:
            return
        self._last = now
        async with runtime.db.transaction() as session:
            stored = await stored_admin_token_hash(session)
        if stored and stored != runtime.keys.admin_token_hash:
            runtime.keys = replace(runtime.keys, admin_token_hash=stored)


def _bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            scheme, _, token = value.decode("latin-1").partition(" ")
            return (token.strip() or None) if scheme.lower() == "bearer" else None
    return None


def _allowed_methods(request: Request) -> str | None:
    """Every method some route serves at this path (Starlette names only the first route's)."""
    routes = request.app.router.routes
    allowed = [
        method
        for method in _METHODS
        if any(
            route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes
        )
    ]
    return ", ".join(allowed) or None


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

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if exc.status_code == 404:
            return error_response(NotFound("no such endpoint"))
        fault = HomerunError(str(exc.detail))
        fault.status_code = exc.status_code
        fault.code = {405: "method_not_allowed"}.get(exc.status_code, "http_error")
        response = error_response(fault)
        response.headers.update(exc.headers or {})
        allowed = _allowed_methods(request) if exc.status_code == 405 else None
        if allowed:
            response.headers["Allow"] = allowed
        return response

    app.add_exception_handler(HomerunError, homerun_error)
    app.add_exception_handler(RequestValidationError, request_validation)
    app.add_exception_handler(StarletteHTTPException, http_error)
    # Anything else is answered by FaultBarrier (kit.fault_barrier), which never re-raises.


def create_app(
    settings: Settings | None = None,
    runtime: Runtime | None = None,
    jobs: JobRegistry | None = None,
) -> FastAPI:
    """The app; pass `runtime` to share an already open one (tests, embedding), `jobs`
    to run job kinds of one's own (tests)."""
    settings = settings or (runtime.settings if runtime else Settings())
    jobs = jobs or job_registry()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if runtime is not None:
            app.state.runtime = runtime
            yield
            return
        configure_logging(settings)
        opened = await open_runtime(settings)
        app.state.runtime = opened
        settle_startup_heap()
        try:
            async with background(opened, jobs):  # the worker and the clock sync
                yield
        finally:
            await opened.db.dispose()
            process_exiting()

    app = FastAPI(
        title="Homerun",
        version=__version__,
        description="A self-hostable payment platform that speaks the Run Payments API.",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs, without a CDN
        redoc_url=None,
    )
    if runtime is not None:
        app.state.runtime = runtime
    app.state.jobs = jobs
    _install_error_handlers(app)
    for router in (
        health_router,
        refresh_router,
        payments_router,
        vault_router,
        billing_router,
        merchants_router,
        credentials_router,
        tokenizer_router,
        transactions_admin_router,
        bankfiles_router,
        settlement_router,
        sandbox_router,
        oauth_router,
        oauth_admin_router,
        reporting_router,
        hpp_router,
        runner_router,
        boarding_router,
        jobs_router,
        webhooks_router,
        metrics_router,
        dashboard_router,
        developers_router,
        integrations_router,
        deposits_router,
        dashboard_boarding_router,
        dashboard_operator_router,
        chargebacks_router,
        customers_router,
        dashboard_links_router,
        dashboard_faults_router,
        terminal_router,
        dashboard_partner_router,
        dashboard_team_router,
    ):
        app.include_router(router)
    install_docs(app)
    app.add_middleware(AdminTokenReload)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(RefuseNulInQuery)
    if settings.max_in_flight:
        app.add_middleware(
            Admission,
            max_in_flight=settings.max_in_flight,
            max_queued=settings.max_queued,
            deadline_seconds=settings.queue_deadline_ms / 1000,
            retry_after_seconds=settings.retry_after_seconds,
            bypass=UNQUEUED_PATHS,
        )
    # Outside admission: it times and logs every answer, the refusals above included.
    app.add_middleware(
        RequestObserver,
        log=RequestLog() if settings.request_log else None,
        metrics=HttpMetrics(),
    )
    # Added last, so outermost: it answers what any route or middleware raised.
    app.add_middleware(FaultBarrier, retry_after_seconds=settings.retry_after_seconds)
    return app
