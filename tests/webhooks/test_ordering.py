"""Order per merchant, exactly one attempt per number across workers, and the outbox:
nothing is delivered for a transaction that rolled back."""

from __future__ import annotations

import asyncio
import random
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.merchants.models import Merchant
from homerun.outbox import repository as outbox
from homerun.runtime import Runtime
from homerun.webhooks import dispatcher
from homerun.webhooks.dispatcher import Dispatcher, deliver_due, fan_out
from tests.conftest import MerchantAccess, MerchantFactory
from tests.helpers import charge
from tests.webhooks.receiver import Receiver, Reply
from tests.webhooks.support import Hooks, advance, deliveries, with_settings


async def merchant_id(runtime: Runtime, mid: str) -> int:
    async with runtime.db.transaction() as session:
        found = await session.scalar(select(Merchant.id).where(Merchant.mid == mid))
    assert found is not None
    return int(found)


async def record_events(runtime: Runtime, merchant: int, offsets: list[int], tag: str) -> None:
    """Commit one test event per offset (seconds from now), in the order given."""
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        for n, offset in enumerate(offsets):
            outbox.record(
                session,
                merchant_id=merchant,
                event_type="transaction.entered",
                source_id=str(900_000 + n),
                payload={"tag": tag, "n": n},
                at=now + timedelta(seconds=offset),
            )


async def test_a_merchants_events_arrive_in_event_time_order_even_through_a_retry(
    client: httpx.AsyncClient,
    runtime: Runtime,
    make_merchant: MerchantFactory,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    a, b = await make_merchant(), await make_merchant()
    first_of_a = True

    async def answer(request: object) -> Reply:
        nonlocal first_of_a
        await asyncio.sleep(random.uniform(0, 0.01))
        if first_of_a and receiver.on("a") and request is receiver.on("a")[0]:
            first_of_a = False
            return Reply(500)
        return Reply(200)

    receiver.handler = answer
    await hooks.add(receiver.url("a"), mid=a.mid)
    await hooks.add(receiver.url("b"), mid=b.mid)
    # Written in one order, happened in another: the event time decides.
    offsets = [5, 1, 4, 2, 3, 0]
    await record_events(runtime, await merchant_id(runtime, a.mid), offsets, "a")
    await record_events(runtime, await merchant_id(runtime, b.mid), offsets, "b")
    await deliver_due(with_settings(runtime, webhook_concurrency=16))
    by_time = sorted(range(len(offsets)), key=lambda n: offsets[n])
    # a's first delivery failed: everything of a's waits behind it; b is not held up.
    assert [r.json["payload"]["n"] for r in receiver.on("a")] == [by_time[0]]
    assert [r.json["payload"]["n"] for r in receiver.on("b")] == by_time
    await advance(client, seconds=60)
    await deliver_due(runtime)
    arrived = [(r.json["payload"]["n"], r.attempt) for r in receiver.on("a")]
    assert arrived == [(by_time[0], 1), (by_time[0], 2)] + [(n, 1) for n in by_time[1:]]


async def test_several_workers_never_make_the_same_attempt_twice(
    client: httpx.AsyncClient,
    runtime: Runtime,
    make_merchant: MerchantFactory,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    async def answer(_: object) -> Reply:
        await asyncio.sleep(random.uniform(0, 0.005))
        return Reply(200)

    receiver.handler = answer
    merchants = [await make_merchant() for _ in range(8)]
    made = [await hooks.add(receiver.url(), mid=m.mid) for m in merchants]
    for m in merchants:
        await record_events(runtime, await merchant_id(runtime, m.mid), list(range(25)), m.mid)

    async def listed() -> list[dict[str, Any]]:
        return [d for e in made for d in await deliveries(client, endpoint_id=e["id"])]

    # Four workers' dispatchers, two attempts in flight each: the eight lanes are shared.
    narrow = with_settings(runtime, webhook_concurrency=2, webhook_poll_seconds=0.02)
    stop = asyncio.Event()
    workers = [Dispatcher(narrow, f"w{n}") for n in range(4)]
    running = [asyncio.create_task(w.run(stop)) for w in workers]
    try:
        await receiver.wait_for(200, seconds=60)
        for _ in range(600):  # the last outcomes are recorded just after they arrive
            if all(d["state"] == "delivered" for d in await listed()):
                break
            await asyncio.sleep(0.05)
    finally:
        stop.set()
        await asyncio.gather(*running)
    await asyncio.sleep(0.1)
    assert len(receiver.received) == 200
    assert sorted(
        (r.json["metadata"]["webhook_id"], r.attempt) for r in receiver.received
    ) == sorted((d["webhook_id"], 1) for d in await listed())
    assert sum(w.totals.delivered for w in workers) == 200
    assert sum(1 for w in workers if w.totals.claimed) > 1
    # Within each merchant the order held, whoever delivered.
    for m in merchants:
        ns = [
            r.json["payload"]["n"] for r in receiver.received if r.json["payload"]["tag"] == m.mid
        ]
        assert ns == list(range(25))


async def test_a_merchants_events_fanned_out_while_others_claim_still_arrive_in_order(
    client: httpx.AsyncClient,
    runtime: Runtime,
    make_merchant: MerchantFactory,
    receiver: Receiver,
    hooks: Hooks,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each merchant's events are committed one transaction after another while four
    dispatchers fan out and claim at once, every fan-out held open a little before its
    commit. A later event committed meanwhile must not be fanned out and sent by another
    worker while the earlier one's deliveries are not yet visible to it."""
    merchants = [await make_merchant() for _ in range(24)]
    for m in merchants:
        await hooks.add(receiver.url(m.mid), mid=m.mid)
    owners = {m.mid: await merchant_id(runtime, m.mid) for m in merchants}
    per_merchant = 6

    async def slow_fan_out(session: AsyncSession, runtime: Runtime) -> int:
        taken = await fan_out(session, runtime)
        if taken:  # a slow fan-out: its events stay uncommitted while others go on
            await asyncio.sleep(random.uniform(0.001, 0.008))
        return taken

    monkeypatch.setattr(dispatcher, "fan_out", slow_fan_out)

    async def write(mids: list[str]) -> None:
        for mid in mids:  # each event of a merchant in its own transaction, in turn
            for n in range(per_merchant):
                async with runtime.db.transaction() as session:
                    outbox.record(
                        session,
                        merchant_id=owners[mid],
                        event_type="transaction.entered",
                        source_id=str(900_000 + n),
                        payload={"tag": mid, "n": n},
                        at=runtime.clock.now(),
                    )

    busy = with_settings(runtime, webhook_concurrency=8, webhook_poll_seconds=0.01)
    stop = asyncio.Event()
    workers = [Dispatcher(busy, f"w{n}", eager=True) for n in range(4)]
    running = [asyncio.create_task(w.run(stop)) for w in workers]
    try:
        mids = [m.mid for m in merchants]
        await asyncio.gather(*(write(mids[n::4]) for n in range(4)))
        await receiver.wait_for(len(merchants) * per_merchant, seconds=60)
    finally:
        stop.set()
        await asyncio.gather(*running)
    arrived = {
        m.mid: [(r.json["payload"]["n"], r.attempt) for r in receiver.on(m.mid)] for m in merchants
    }
    in_order = [(n, 1) for n in range(per_merchant)]
    assert {mid: seen for mid, seen in arrived.items() if seen != in_order} == {}


async def test_nothing_is_delivered_for_a_rolled_back_transaction(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    endpoint = await hooks.add(receiver.url(), mid=merchant.mid)
    owner = await merchant_id(runtime, merchant.mid)

    class Abandoned(Exception):
        pass

    try:
        async with runtime.db.transaction() as session:
            outbox.record(
                session,
                merchant_id=owner,
                event_type="transaction.entered",
                source_id="1",
                payload={"rolled": "back"},
                at=runtime.clock.now(),
            )
            await session.flush()
            raise Abandoned
    except Abandoned:
        pass
    sale = (await charge(client, merchant)).json()
    await deliver_due(runtime)
    assert [r.json["source_id"] for r in receiver.received] == [int(sale["trans_id"])]
    assert len(await deliveries(client, endpoint_id=endpoint["id"])) == 1


async def test_every_worker_runs_the_dispatcher(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    """Delivery is a service of the worker registry: `homerun worker` and the worker in
    `homerun serve` start it beside their job loops (run here alone, without the jobs)."""
    from homerun.jobs import job_registry

    service = job_registry().services["webhooks"]
    await hooks.add(receiver.url(), mid=merchant.mid)
    stop = asyncio.Event()
    running = asyncio.create_task(
        service(with_settings(runtime, webhook_poll_seconds=0.05), "test-worker/webhooks", stop)
    )
    try:
        await charge(client, merchant)
        await receiver.wait_for(1)
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=30)
    assert receiver.received[0].json["event_type"] == "transaction.entered"
