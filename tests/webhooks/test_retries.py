"""Retries: the schedule under the sandbox clock, success on a later attempt, giving up,
re-sending, and a killed worker's attempt. Every time is relative to the shared clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import httpx

from homerun.runtime import Runtime
from homerun.webhooks import schedule
from homerun.webhooks.dispatcher import Dispatcher, deliver_due, lease_seconds
from tests.conftest import ADMIN, MerchantAccess
from tests.helpers import charge
from tests.webhooks.receiver import Receiver, Reply, always, in_turn
from tests.webhooks.support import (
    DELIVERIES,
    ENDPOINTS,
    Hooks,
    advance,
    at,
    deliveries,
    delivery,
    run_recipe_verifies,
)

SECOND = timedelta(seconds=1)


def test_the_schedule_is_8_attempts_over_27_hours() -> None:
    assert schedule.ATTEMPTS == 8
    gaps = [b - a for a, b in zip(schedule.OFFSETS, schedule.OFFSETS[1:], strict=False)]
    assert gaps == [
        timedelta(minutes=1),
        timedelta(minutes=4),
        timedelta(minutes=25),
        timedelta(minutes=90),
        timedelta(hours=4),
        timedelta(hours=8),
        timedelta(hours=13),
    ]
    assert sum(gaps, timedelta()) == timedelta(hours=27)


async def test_retries_follow_the_schedule_then_give_up_then_resend(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    receiver.handler = always(503)
    endpoint = await hooks.add(receiver.url(), mid=merchant.mid, event_types=["transaction.*"])
    await charge(client, merchant, amount="5.00")
    await charge(client, merchant, amount="6.00")  # waits behind the first, in order
    await deliver_due(runtime)
    assert [r.attempt for r in receiver.received] == [1]
    first, second = await deliveries(client, endpoint_id=endpoint["id"])
    head = await delivery(client, first["webhook_id"])
    started = at(head["last_attempt_at"])
    for n in range(2, schedule.ATTEMPTS + 1):
        due = started + schedule.OFFSETS[n - 1]
        assert at(head["next_attempt_at"]) == due
        await advance(client, until=due - SECOND)
        await deliver_due(runtime)
        assert len(receiver.received) == n - 1, f"attempt {n} came early"
        await advance(client, until=due)
        await deliver_due(runtime)
        assert [r.attempt for r in receiver.received] == list(range(1, n + 1))
        head = await delivery(client, first["webhook_id"])
        assert (head["attempts"], head["last_status"]) == (n, 503)
    assert head["state"] == "failed" and head["next_attempt_at"] is None
    assert head["last_error"] == "the receiver answered HTTP 503"
    assert {r.key for r in receiver.received} == {first["idempotency_key"]}
    assert {r.json["metadata"]["webhook_id"] for r in receiver.received} == {first["webhook_id"]}
    # The one behind it never went out and failed with it, rather than waiting out a
    # whole schedule of its own behind a dead receiver.
    behind = await delivery(client, second["webhook_id"])
    assert (behind["state"], behind["attempts"]) == ("failed", 0)
    assert (
        behind["last_error"]
        == f"not sent: {first['webhook_id']} before it, to the same endpoint, failed"
    )
    failed = await deliveries(client, state="failed", endpoint_id=endpoint["id"])
    assert [d["webhook_id"] for d in failed] == [first["webhook_id"], second["webhook_id"]]

    await advance(client, seconds=86400)
    await deliver_due(runtime)
    assert len(receiver.received) == 8  # failed is final until re-sent

    # Re-sent when the receiver is back: a new round, numbered on, keys unchanged, in order.
    receiver.handler = always(200)
    resent = await client.post(f"{ENDPOINTS}/{endpoint['id']}/resend-failed", headers=ADMIN)
    assert resent.json() == {"endpoint_id": endpoint["id"], "resent": 2}
    await deliver_due(runtime)
    tail = receiver.received[8:]
    assert [(r.key, r.attempt) for r in tail] == [
        (first["idempotency_key"], 9),
        (second["idempotency_key"], 1),
    ]
    for webhook_id in (first["webhook_id"], second["webhook_id"]):
        assert (await delivery(client, webhook_id))["state"] == "delivered"
    again = await client.post(f"{DELIVERIES}/{first['webhook_id']}/resend", headers=ADMIN)
    assert again.status_code == 409  # only failed deliveries are re-sent


async def test_three_failures_then_success_is_attempt_4_with_the_same_key(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    receiver.handler = in_turn(500, 502, 404)
    endpoint = await hooks.add(receiver.url(), mid=merchant.mid)
    await charge(client, merchant)
    await deliver_due(runtime)
    for minutes in (1, 4, 25):
        await advance(client, seconds=minutes * 60)
        await deliver_due(runtime)
    got = receiver.received
    assert [r.attempt for r in got] == [1, 2, 3, 4]
    assert len({r.key for r in got}) == 1
    assert len({r.json["metadata"]["webhook_id"] for r in got}) == 1
    assert all(
        run_recipe_verifies(endpoint["secret"], r.body, r.headers["x-webhook-signature-256"])
        for r in got
    )
    # Only the attempt number differs between the bodies.
    bodies = [r.json for r in got]
    for body in bodies:
        body["metadata"]["attempt"] = 0
    assert all(body == bodies[0] for body in bodies)
    [done] = await deliveries(client, endpoint_id=endpoint["id"])
    assert (done["state"], done["attempts"], done["last_status"]) == ("delivered", 4, 200)


async def test_a_killed_workers_attempt_is_retried_after_its_lease(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    receiver: Receiver,
    hooks: Hooks,
) -> None:
    never = asyncio.Event()
    answers = iter([Reply(hold=never)])
    receiver.handler = lambda _: next(answers, Reply(200))
    endpoint = await hooks.add(receiver.url(), mid=merchant.mid)
    await charge(client, merchant)

    doomed = Dispatcher(runtime, "doomed")
    running = asyncio.create_task(doomed.run(asyncio.Event()))
    await receiver.wait_for(1)
    running.cancel()  # killed mid-attempt: nothing is recorded
    await asyncio.gather(running, return_exceptions=True)
    [leased] = await deliveries(client, endpoint_id=endpoint["id"])
    assert (leased["state"], leased["attempts"]) == ("pending", 1)

    await deliver_due(runtime)  # the lease still holds: nobody else takes it
    assert len(receiver.received) == 1
    await advance(client, seconds=lease_seconds(runtime.settings) + 1)
    await deliver_due(runtime)
    first, second = receiver.received
    assert (first.attempt, second.attempt) == (1, 2)
    assert first.key == second.key  # a duplicate the receiver can recognise
    done = await delivery(client, leased["webhook_id"])
    assert (done["state"], done["attempts"]) == ("delivered", 2)
    never.set()
