"""Prometheus metrics: what each process counts, in one place (docs/operations.md).

Counted by the process that does the work, with one call from the code that knows the
outcome. Under `homerun serve --workers N` every process writes its values to files in
PROMETHEUS_MULTIPROC_DIR and a scrape of any one of them reads them all
(homerun.observability.multiprocess); with one process and no directory the values live
in this process's default registry. Values read from the database (the job queue, the
outbox, pending webhooks) are not counted here: the scrape computes them
(homerun.observability.routes).

Labels stay bounded: a route is its template (or `unmatched`), a result and a resp_code
come from fixed tables, a brand from the card table.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import Counter, Gauge, Histogram

# Seconds; the charge path answers in milliseconds, a slow database in seconds.
_LATENCY = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A webhook is delivered within seconds, or retried over hours.
_LAG = (0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0, 6 * 3600.0, 86400.0)

HTTP_REQUESTS = Counter(
    "homerun_http_requests",
    "HTTP requests answered, by route template, method and status.",
    ["route", "method", "status"],
)
HTTP_DURATION = Histogram(
    "homerun_http_request_duration_seconds",
    "Time from a request's arrival to the end of its answer.",
    ["route", "method"],
    buckets=_LATENCY,
)
CHARGES = Counter(
    "homerun_charges",
    "Charges answered, by result (A approved, B outcome unknown, C declined), resp_code, "
    "card brand and payment method.",
    ["result", "resp_code", "brand", "method"],
)
PROCESSOR_DURATION = Histogram(
    "homerun_processor_duration_seconds",
    "Time a processor took to answer, by processor (the merchant setting) and operation.",
    ["processor", "operation"],
    buckets=_LATENCY,
)
DB_IN_USE = Gauge(
    "homerun_db_pool_in_use",
    "Database connections checked out of the pools, summed over live processes.",
    multiprocess_mode="livesum",
)
DB_WAITING = Gauge(
    "homerun_db_waiting",
    "Units of work waiting for their turn at the database, summed over live processes.",
    multiprocess_mode="livesum",
)
WEBHOOK_DELIVERIES = Counter(
    "homerun_webhook_deliveries",
    "Webhook delivery attempts, by outcome: delivered, retry (scheduled again), failed (gave up).",
    ["outcome"],
)
WEBHOOK_LAG = Histogram(
    "homerun_webhook_delivery_lag_seconds",
    "From the event to its successful delivery.",
    buckets=_LAG,
)
BOOKS_VIOLATIONS = Gauge(
    "homerun_books_violations",
    "Violations per check found by the latest scheduled `homerun verify` of a process "
    "(HOMERUN_VERIFY_INTERVAL_SECONDS); the highest over processes.",
    ["check"],
    multiprocess_mode="max",
)
BOOKS_VERIFIED_AT = Gauge(
    "homerun_books_verified_timestamp_seconds",
    "When the latest scheduled `homerun verify` finished (Unix time, clock time).",
    multiprocess_mode="max",
)
BATCHES_CLOSED = Counter("homerun_settlement_batches_closed", "Settlement batches closed.")
DEPOSITS_FUNDED = Counter("homerun_deposits_funded", "Deposits made to merchants.")


def count_charge(result: str, resp_code: str, brand: str | None, method: str = "card") -> None:
    CHARGES.labels(result, resp_code, brand or "none", method).inc()


def time_processor(processor: str, operation: str, seconds: float) -> None:
    PROCESSOR_DURATION.labels(processor, operation).observe(seconds)


def count_webhooks(delivered: int, retried: int, failed: int, lags: Iterable[float]) -> None:
    """One cycle's recorded attempts; `lags` are the delivered ones' event-to-delivery."""
    for outcome, n in (("delivered", delivered), ("retry", retried), ("failed", failed)):
        if n:
            WEBHOOK_DELIVERIES.labels(outcome).inc(n)
    for lag in lags:
        WEBHOOK_LAG.observe(max(lag, 0.0))


def count_batch_closed() -> None:
    BATCHES_CLOSED.inc()


def count_deposits(n: int) -> None:
    if n:
        DEPOSITS_FUNDED.inc(n)


class HttpMetrics:
    """The request middleware's two metrics, their labelled children kept by key (a
    `labels()` look-up takes a lock; a dict look-up does not)."""

    def __init__(self) -> None:
        self._counts: dict[tuple[str, str, int], Counter] = {}
        self._durations: dict[tuple[str, str], Histogram] = {}

    def observe(self, route: str, method: str, status: int, seconds: float) -> None:
        count = self._counts.get((route, method, status))
        if count is None:
            count = self._counts[(route, method, status)] = HTTP_REQUESTS.labels(
                route, method, str(status)
            )
        count.inc()
        duration = self._durations.get((route, method))
        if duration is None:
            duration = self._durations[(route, method)] = HTTP_DURATION.labels(route, method)
        duration.observe(seconds)


def books_verified(counts: dict[str, int], at: float) -> None:
    """A scheduled verify run's outcome: its violations per check, and when it ended."""
    for check, n in counts.items():
        BOOKS_VIOLATIONS.labels(check).set(n)
    BOOKS_VERIFIED_AT.set(at)
