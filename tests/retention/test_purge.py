"""Retention: old, finished rows go, in small batches; nothing still in use does."""

from __future__ import annotations

import asyncio
import dataclasses
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, select

from homerun.idempotency.models import IdempotencyRecord, RecordState
from homerun.merchants.models import Merchant
from homerun.outbox.models import OutboxEvent
from homerun.retention.jobs import purge_now_and_then
from homerun.retention.service import Purged, purge_all, purge_batch
from homerun.runtime import Runtime
from homerun.webhooks.models import WebhookDelivery, WebhookEndpoint
from homerun.worker.models import Job
from tests.commands import homerun
from tests.conftest import MerchantAccess

OLD = timedelta(days=31)  # past the default retention of 30 days


def tuned(runtime: Runtime, **settings: Any) -> Runtime:
    return dataclasses.replace(runtime, settings=runtime.settings.model_copy(update=settings))


@dataclass
class Rows:
    """Ids of the rows one test made, by table."""

    records: dict[str, int]
    events: dict[str, int]
    deliveries: dict[str, int]
    jobs: dict[str, int]


async def record(runtime: Runtime, *, expires_in: timedelta) -> int:
    now = runtime.clock.now()
    row = IdempotencyRecord(
        scope="admin",
        key=secrets.token_hex(8),
        request_hash="0" * 64,
        state=RecordState.DONE,
        status_code=200,
        response_body=b"{}",
        created_at=now - timedelta(days=2),
        expires_at=now + expires_in,
    )
    async with runtime.db.transaction() as session:
        session.add(row)
        await session.flush()
        return row.id


async def event(runtime: Runtime, *, age: timedelta, dispatched: bool) -> int:
    at = runtime.clock.now() - age
    row = OutboxEvent(
        merchant_id=None,
        event_type="test.retention",
        source_id=secrets.token_hex(4),
        payload={},
        occurred_at=at,
        dispatched_at=at if dispatched else None,
    )
    async with runtime.db.transaction() as session:
        session.add(row)
        await session.flush()
        return row.id


async def endpoint(runtime: Runtime, owner: MerchantAccess) -> int:
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        merchant_id = await session.scalar(select(Merchant.id).where(Merchant.mid == owner.mid))
    row = WebhookEndpoint(
        merchant_id=merchant_id,
        url="https://example.test/hook",
        event_types=["*"],
        enabled=True,
        secret_sealed=b"sealed",
        secret_last4="abcd",
        created_at=now,
        updated_at=now,
    )
    async with runtime.db.transaction() as session:
        session.add(row)
        await session.flush()
        return row.id


async def delivery(
    runtime: Runtime, endpoint_id: int, event_id: int, *, state: str, age: timedelta
) -> int:
    at = runtime.clock.now() - age
    row = WebhookDelivery(
        webhook_id=secrets.token_hex(8),
        idempotency_key=secrets.token_hex(8),
        endpoint_id=endpoint_id,
        event_id=event_id,
        event_type="test.retention",
        lane="test",
        occurred_at=at,
        state=state,
        next_attempt_at=at,
        created_at=at,
        updated_at=at,
    )
    async with runtime.db.transaction() as session:
        session.add(row)
        await session.flush()
        return row.id


async def job(runtime: Runtime, *, state: str, age: timedelta) -> int:
    at = runtime.clock.now() - age
    row = Job(
        kind="test.retention", payload={}, due_at=at, state=state, created_at=at, updated_at=at
    )
    async with runtime.db.transaction() as session:
        session.add(row)
        await session.flush()
        return row.id


async def surviving(runtime: Runtime, model: Any, ids: dict[str, int]) -> set[str]:
    async with runtime.db.transaction() as session:
        kept = set(
            (await session.scalars(select(model.id).where(model.id.in_(ids.values())))).all()
        )
    return {name for name, row_id in ids.items() if row_id in kept}


async def old_and_new(runtime: Runtime, owner: MerchantAccess) -> Rows:
    hook = await endpoint(runtime, owner)
    events = {
        "delivered": await event(runtime, age=OLD, dispatched=True),
        "still_pending": await event(runtime, age=OLD, dispatched=True),
        "no_delivery": await event(runtime, age=OLD, dispatched=True),
        "not_fanned_out": await event(runtime, age=OLD, dispatched=False),
        "recent": await event(runtime, age=timedelta(days=1), dispatched=True),
    }
    return Rows(
        records={
            "expired": await record(runtime, expires_in=-timedelta(seconds=1)),
            "live": await record(runtime, expires_in=timedelta(hours=1)),
        },
        events=events,
        deliveries={
            "delivered_old": await delivery(
                runtime, hook, events["delivered"], state="delivered", age=OLD
            ),
            "pending_old": await delivery(
                runtime, hook, events["still_pending"], state="pending", age=OLD
            ),
            "failed_recent": await delivery(
                runtime, hook, events["recent"], state="failed", age=timedelta(days=1)
            ),
        },
        jobs={
            "failed_old": await job(runtime, state="failed", age=OLD),
            "failed_recent": await job(runtime, state="failed", age=timedelta(days=1)),
            "ready_old": await job(runtime, state="ready", age=OLD),
        },
    )


async def test_purge_forgets_what_is_old_and_finished_and_keeps_the_rest(
    runtime: Runtime, merchant: MerchantAccess
) -> None:
    rows = await old_and_new(runtime, merchant)

    purged = await purge_all(runtime)

    assert purged == Purged(
        idempotency_records=1, webhook_deliveries=1, outbox_events=2, failed_jobs=1
    )
    assert await surviving(runtime, IdempotencyRecord, rows.records) == {"live"}
    assert await surviving(runtime, WebhookDelivery, rows.deliveries) == {
        "pending_old",
        "failed_recent",
    }
    # An event stays while a delivery of it does, and until it has been fanned out.
    assert await surviving(runtime, OutboxEvent, rows.events) == {
        "still_pending",
        "not_fanned_out",
        "recent",
    }
    assert await surviving(runtime, Job, rows.jobs) == {"failed_recent", "ready_old"}
    assert await purge_all(runtime) == Purged()


async def test_retention_days_zero_keeps_history_and_still_forgets_expired_keys(
    runtime: Runtime, merchant: MerchantAccess
) -> None:
    rows = await old_and_new(runtime, merchant)
    keeping = tuned(runtime, retention_days=0)

    assert await purge_all(keeping) == Purged(idempotency_records=1)
    assert await surviving(runtime, OutboxEvent, rows.events) == set(rows.events)
    assert await surviving(runtime, WebhookDelivery, rows.deliveries) == set(rows.deliveries)
    assert await surviving(runtime, Job, rows.jobs) == set(rows.jobs)
    await purge_all(runtime)  # leave nothing old for the next test


async def count_expired(runtime: Runtime) -> int:
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        expired = select(func.count(IdempotencyRecord.id)).where(IdempotencyRecord.expires_at < now)
        return int(await session.scalar(expired) or 0)


async def test_a_batch_deletes_at_most_the_batch_size_oldest_first(runtime: Runtime) -> None:
    ids = [await record(runtime, expires_in=-timedelta(minutes=1)) for _ in range(7)]
    small = tuned(runtime, retention_batch_size=3)

    assert await purge_batch(small) == Purged(idempotency_records=3)
    left = await surviving(runtime, IdempotencyRecord, {str(i): i for i in ids})
    assert left == {str(i) for i in ids[3:]}
    assert await purge_all(small) == Purged(idempotency_records=4)
    assert await count_expired(runtime) == 0


async def test_the_worker_service_purges_now_and_then_and_stops_when_asked(
    runtime: Runtime,
) -> None:
    expired = await record(runtime, expires_in=-timedelta(minutes=1))
    stop = asyncio.Event()
    service = asyncio.create_task(
        purge_now_and_then(tuned(runtime, retention_interval_seconds=0.05), "test", stop)
    )
    deadline = asyncio.get_running_loop().time() + 10
    while await surviving(runtime, IdempotencyRecord, {"expired": expired}):
        assert asyncio.get_running_loop().time() < deadline, "no purge within 10 s"
        await asyncio.sleep(0.02)
    stop.set()
    await asyncio.wait_for(service, timeout=5)
    assert service.result() is None


async def test_the_purge_command_says_what_it_deleted(runtime: Runtime, database_url: str) -> None:
    await record(runtime, expires_in=-timedelta(minutes=1))
    await record(runtime, expires_in=-timedelta(minutes=1))

    code, out, err = await homerun(database_url, "purge")

    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "idempotency_records: 2",
        "webhook_deliveries: 0",
        "outbox_events: 0",
        "failed_jobs: 0",
    ]
    assert await count_expired(runtime) == 0


def test_purged_adds_up() -> None:
    assert Purged(1, 2, 3, 4) + Purged(1, 0, 0, 1) == Purged(2, 2, 3, 5)
    assert Purged(2, 2, 3, 5).total == 12
