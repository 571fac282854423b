"""Purging what has served its purpose: expired idempotency records, webhook delivery logs
and outbox events older than the retention age, and jobs that failed for good.

Each table's owner deletes its own rows (`purge_*` in its repository); this module only
decides the ages and the order. A batch is one short transaction of at most
`retention_batch_size` rows per table, so a purge never holds many locks or a long
transaction on a table the hot path writes. Deliveries go before their events: an event is
kept while a delivery of it is.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta

from homerun.idempotency import repository as idempotency
from homerun.outbox import repository as outbox
from homerun.outbox.models import OutboxEvent
from homerun.runtime import Runtime
from homerun.webhooks import repository as webhooks
from homerun.worker import repository as worker


@dataclass(frozen=True)
class Purged:
    """Rows deleted, by table."""

    idempotency_records: int = 0
    webhook_deliveries: int = 0
    outbox_events: int = 0
    failed_jobs: int = 0

    def __add__(self, other: Purged) -> Purged:
        return Purged(
            **{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)}
        )

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))


async def purge_batch(runtime: Runtime) -> Purged:
    """One batch of each table, each in a transaction of its own."""
    settings = runtime.settings
    limit = settings.retention_batch_size
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        records = await idempotency.purge_expired(session, now, limit)
    if settings.retention_days == 0:
        return Purged(idempotency_records=records)
    before = now - timedelta(days=settings.retention_days)
    async with runtime.db.transaction() as session:
        deliveries = await webhooks.purge_finished(session, before, limit)
    async with runtime.db.transaction() as session:
        events = await outbox.purge_dispatched(
            session, before, limit, unless=webhooks.delivery_refers_to(OutboxEvent.id)
        )
    async with runtime.db.transaction() as session:
        jobs = await worker.purge_failed(session, before, limit)
    return Purged(records, deliveries, events, jobs)


async def purge_all(runtime: Runtime) -> Purged:
    """Batches until a batch finds less than a full batch in every table."""
    purged = Purged()
    while True:
        batch = await purge_batch(runtime)
        purged += batch
        if not _any_full(batch, runtime.settings.retention_batch_size):
            return purged


def _any_full(batch: Purged, limit: int) -> bool:
    return any(getattr(batch, f.name) >= limit for f in fields(batch))
