"""Admission control (kit.admission): a bounded number of requests in flight, a bounded
queue with a deadline, and every request beyond them refused at once with 503 and
Retry-After, having done nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send

from homerun.app import UNQUEUED_PATHS, create_app
from homerun.auth import service as auth
from homerun.config import Settings
from homerun.kit.admission import Admission
from homerun.kit.web import json_response
from homerun.runtime import Runtime
from homerun.startup import open_runtime
from tests.conftest import MerchantAccess
from tests.helpers import VISA
from tests.test_failing_cleanly import footprint
from tests.test_http_errors import assert_r6

BUSY = "the server is busy; nothing was done, try again"


class Held:
    """An app whose requests all wait until released; it counts what it was asked."""

    def __init__(self) -> None:
        self.release = asyncio.Event()
        self.started = 0
        self.finished = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.started += 1
        if scope["path"] not in UNQUEUED_PATHS:
            await self.release.wait()
        self.finished += 1
        await json_response({"path": scope["path"]})(scope, receive, send)


def admission(held: Held, in_flight: int, queued: int, deadline: float = 5.0) -> Admission:
    return Admission(
        held,
        max_in_flight=in_flight,
        max_queued=queued,
        deadline_seconds=deadline,
        retry_after_seconds=2,
        bypass=UNQUEUED_PATHS,
    )


def over(app: Any) -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    return httpx.AsyncClient(transport=transport, base_url="http://homerun.test")


def assert_shed(answer: httpx.Response, retry_after: str = "2") -> None:
    body = assert_r6(answer, 503, "service_unavailable")
    assert body["error"] == BUSY
    assert answer.headers["Retry-After"] == retry_after


async def until(check: Callable[[], bool]) -> None:
    for _ in range(500):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the condition never held")


async def test_a_full_queue_refuses_at_once_and_the_admitted_all_complete() -> None:
    held = Held()
    gate = admission(held, in_flight=2, queued=3)
    async with over(gate) as http:
        sent = [asyncio.create_task(http.get(f"/r/{n}")) for n in range(10)]
        await until(lambda: sum(task.done() for task in sent) == 5)
        assert (held.started, gate.in_flight, gate.queued) == (2, 2, 3)
        shed = [task.result() for task in sent if task.done()]
        for answer in shed:
            assert_shed(answer)
        held.release.set()
        answers = await asyncio.gather(*sent)
    admitted = [a for a in answers if a.status_code == 200]
    assert len(admitted) == 5 and len([a for a in answers if a.status_code == 503]) == 5
    # The first two in flight and the three queued, in the order they came.
    assert [a.json()["path"] for a in admitted] == [f"/r/{n}" for n in range(5)]
    assert (held.started, held.finished, gate.in_flight, gate.queued) == (5, 5, 0, 0)


async def test_a_request_that_waits_past_its_deadline_is_refused() -> None:
    held = Held()
    gate = admission(held, in_flight=1, queued=5, deadline=0.2)
    async with over(gate) as http:
        first = asyncio.create_task(http.get("/first"))
        await until(lambda: held.started == 1)
        loop = asyncio.get_running_loop()
        started = loop.time()
        late = await asyncio.gather(*(http.get(f"/late/{n}") for n in range(3)))
        waited = loop.time() - started
        for answer in late:
            assert_shed(answer)
        assert 0.2 <= waited < 3, waited
        assert (gate.in_flight, gate.queued) == (1, 0)
        held.release.set()
        assert (await first).status_code == 200
        # Nothing is left held: the next request goes straight in.
        assert (await http.get("/next")).status_code == 200
    assert (held.started, gate.in_flight, gate.queued) == (2, 0, 0)


async def test_a_waiter_cancelled_in_the_queue_gives_its_place_back() -> None:
    held = Held()
    gate = admission(held, in_flight=1, queued=1)
    async with over(gate) as http:
        first = asyncio.create_task(http.get("/first"))
        await until(lambda: held.started == 1)
        waiting = asyncio.create_task(http.get("/waiting"))
        await until(lambda: gate.queued == 1)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert gate.queued == 0
        queued = asyncio.create_task(http.get("/queued"))  # the freed place is taken
        await until(lambda: gate.queued == 1)
        held.release.set()
        assert [(await first).status_code, (await queued).status_code] == [200, 200]
    assert (held.started, gate.in_flight, gate.queued) == (2, 0, 0)


@pytest.mark.parametrize("path", sorted(UNQUEUED_PATHS))
async def test_health_readiness_and_metrics_never_wait(path: str) -> None:
    held = Held()
    gate = admission(held, in_flight=1, queued=0)
    async with over(gate) as http:
        first = asyncio.create_task(http.get("/busy"))
        await until(lambda: held.started == 1)
        assert_shed(await http.get("/refused"))
        answer = await http.get(path)
        assert (answer.status_code, answer.json()) == (200, {"path": path})
        held.release.set()
        assert (await first).status_code == 200


def test_no_admission_control_when_max_in_flight_is_zero(settings: Settings) -> None:
    with_gate = create_app(settings.model_copy(update={"max_in_flight": 3}))
    without = create_app(settings.model_copy(update={"max_in_flight": 0}))
    assert [m.cls for m in with_gate.user_middleware].count(Admission) == 1
    assert [m.cls for m in without.user_middleware].count(Admission) == 0


# ---------------------------------------------------------------- the real app


async def test_shed_charges_leave_no_trace_and_admitted_ones_complete(
    settings: Settings,
    runtime: Runtime,
    merchant: MerchantAccess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    busy = await open_runtime(
        settings.model_copy(
            update={"max_in_flight": 2, "max_queued": 1, "queue_deadline_ms": 30_000}
        )
    )
    app = create_app(runtime=busy)
    release = asyncio.Event()
    entered = 0
    authenticate = auth.authenticate

    async def slow(*args: Any, **kwargs: Any) -> Any:
        nonlocal entered
        entered += 1
        await release.wait()
        return await authenticate(*args, **kwargs)

    monkeypatch.setattr(auth, "authenticate", slow)
    before = await footprint(runtime, merchant.mid)
    body = {"mid": merchant.mid, "amount": 1000, "account_token": VISA, "expiration": "12/30"}

    def send(http: httpx.AsyncClient, n: int) -> Awaitable[httpx.Response]:
        headers = {**merchant.headers, "Idempotency-Key": f"shed-{n}"}
        return http.post("/api/v1/charge", json=body, headers=headers)

    try:
        async with over(app) as http:
            sent = [asyncio.create_task(send(http, n)) for n in range(8)]
            await until(lambda: sum(task.done() for task in sent) == 5)
            assert entered == 2
            assert await footprint(runtime, merchant.mid) == before
            release.set()
            answers = await asyncio.gather(*sent)
            # A refused keyed request was never seen: its key charges once when retried.
            retried = await send(http, 3)
            assert retried.status_code == 200, retried.text
            assert "Idempotent-Replayed" not in retried.headers
    finally:
        await busy.db.dispose()
    statuses = [a.status_code for a in answers]
    assert statuses == [200, 200, 200, 503, 503, 503, 503, 503], statuses
    for answer in answers[3:]:
        assert_shed(answer, retry_after="1")
    assert entered == 4
    assert await footprint(runtime, merchant.mid) == (before[0] + 4, before[1] + 4, before[2])
    assert len({a.json()["trans_id"] for a in answers[:3]}) == 3
