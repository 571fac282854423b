"""GET /metrics (Prometheus text) and GET /homerun/v1/ready (readiness).

/metrics is for a scraper allowed by HOMERUN_METRICS_TOKEN.

With a token set, the scraper sends it as `Authorization: Bearer <token>` (401 without
it). Without one, only loopback clients are served (403 for others): a Prometheus on
the same host, or a sidecar. What the processes counted comes with what this scrape
reads from the database, each from its owner's repository: the job queue by kind, the
outbox backlog and the pending webhook deliveries.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
from collections.abc import Iterable
from datetime import datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from sqlalchemy import text

from homerun.calls import AppJobs, AppRuntime, Route
from homerun.config import Settings
from homerun.errors import Forbidden, Unauthorized
from homerun.kit.web import bearer_token, json_response
from homerun.observability import readiness
from homerun.observability.multiprocess import exposition
from homerun.observability.readiness import NOT_CHECKED, Check
from homerun.observability.sampler import sample
from homerun.outbox import repository as outbox
from homerun.runtime import Runtime
from homerun.webhooks import repository as webhooks
from homerun.worker import repository as jobs

router = APIRouter(tags=["Homerun health"], route_class=Route)


@router.get("/metrics", include_in_schema=False)
async def metrics(request: Request, runtime: AppRuntime, registry: AppJobs) -> Response:
    allow_scrape(request, runtime.settings)
    sample(runtime.db)
    computed = await _from_database(runtime, registry.handlers)
    return Response(exposition(computed), media_type=CONTENT_TYPE_LATEST)


def allow_scrape(request: Request, settings: Settings) -> None:
    token = settings.metrics_token
    if token is not None:
        sent = bearer_token(request) or ""
        if not hmac.compare_digest(sent.encode(), token.get_secret_value().encode()):
            raise Unauthorized("Authorization: Bearer <metrics token> is required")
        return
    host = request.client.host if request.client else ""
    if not _loopback(host):
        raise Forbidden("metrics are served to loopback clients unless a metrics token is set")


def _loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _age(now: datetime, then: datetime | None) -> float:
    return max((now - then).total_seconds(), 0.0) if then is not None else 0.0


async def _from_database(runtime: Runtime, kinds: Iterable[str]) -> list[Metric]:
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        queue = {queued.kind: queued for queued in await jobs.queue_by_kind(session, now)}
        backlog, oldest_event = await outbox.backlog(session)
        pending, oldest_due = await webhooks.pending_summary(session, now)
    due = GaugeMetricFamily(
        "homerun_jobs_due", "Jobs due now and not done, by kind.", labels=["kind"]
    )
    lag = GaugeMetricFamily(
        "homerun_jobs_lag_seconds",
        "How long the earliest due job of each kind has been due (0: none due).",
        labels=["kind"],
    )
    failed = GaugeMetricFamily(
        "homerun_jobs_failed", "Jobs that gave up after their last attempt.", labels=["kind"]
    )
    for kind in sorted({*kinds, *queue}):
        queued = queue.get(kind, jobs.Queued(kind))
        due.add_metric([kind], queued.due)
        lag.add_metric([kind], _age(now, queued.oldest_due_at))
        failed.add_metric([kind], queued.failed)
    return [
        due,
        lag,
        failed,
        GaugeMetricFamily(
            "homerun_outbox_backlog", "Domain events not yet fanned out to webhooks.", backlog
        ),
        GaugeMetricFamily(
            "homerun_outbox_oldest_seconds",
            "Age of the oldest event not yet fanned out (0: none).",
            _age(now, oldest_event),
        ),
        GaugeMetricFamily(
            "homerun_webhook_pending", "Webhook deliveries not yet delivered or failed.", pending
        ),
        GaugeMetricFamily(
            "homerun_webhook_due_lag_seconds",
            "How long the earliest due webhook attempt has been due (0: none due).",
            _age(now, oldest_due),
        ),
    ]


@router.get(
    "/homerun/v1/ready",
    summary="Readiness: the database answers, its schema is current, the worker keeps up",
)
async def ready(runtime: AppRuntime) -> Response:
    checks = await _readiness(runtime)
    body, status = readiness.answer(checks, runtime.db.engine.dialect.name)
    return json_response(body, status)


async def _readiness(runtime: Runtime) -> list[Check]:
    try:
        async with asyncio.timeout(readiness.READY_TIMEOUT_SECONDS):
            async with runtime.db.transaction() as session:
                await session.execute(text("SELECT 1"))
    except Exception:  # any fault means not ready; the body names the check, no more
        return [
            Check("database", "the database did not answer"),
            Check("migrations", NOT_CHECKED),
            Check("worker", NOT_CHECKED),
        ]
    try:
        async with runtime.db.transaction() as session:
            current: frozenset[str] | None = await readiness.current_revisions(session)
    except Exception:  # no alembic_version table: never migrated
        current = None
    migrations = readiness.migrations_check(current)
    if not migrations.ok:
        return [Check("database", readiness.OK), migrations, Check("worker", NOT_CHECKED)]
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        oldest = await jobs.oldest_waiting(session, now)
    waited = (now - oldest).total_seconds() if oldest is not None else None
    limit = runtime.settings.ready_max_job_lag_seconds
    return [Check("database", readiness.OK), migrations, readiness.worker_check(waited, limit)]
