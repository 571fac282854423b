"""A processor that acts outside Homerun (a real network) is asked only after the attempt is
committed, so that a request dying mid-call leaves a pending row the worker reconciles.

The simulator is in-process (its row is written once, with the answer); these tests put a
remote processor in the registry: the simulator's answers behind `remote = True`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable

import httpx
import pytest
from sqlalchemy import func, select

from homerun.outbox.models import OutboxEvent
from homerun.payments.models import Transaction
from homerun.processors import registry
from homerun.processors.base import AuthorizationRequest, ProcessorResult
from homerun.processors.simulator.processor import Simulator
from homerun.runtime import Runtime
from homerun.worker.models import Job
from tests.conftest import ADMIN, MerchantAccess, MerchantFactory
from tests.helpers import charge, events, transaction

Hook = Callable[[AuthorizationRequest], Awaitable[None]]


class RemoteSimulator(Simulator):
    """The simulator's answers, as if they came over a network."""

    name = "RMT"
    remote = True

    def __init__(self) -> None:
        self.before_answer: Hook | None = None

    async def authorize(self, request: AuthorizationRequest) -> ProcessorResult:
        if self.before_answer is not None:
            await self.before_answer(request)
        return await super().authorize(request)


@pytest.fixture
async def remote(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[RemoteSimulator]:
    processor = RemoteSimulator()
    monkeypatch.setitem(registry._PROCESSORS, "remote-test", processor)
    yield processor


async def _remote_merchant(
    make_merchant: MerchantFactory, client: httpx.AsyncClient
) -> MerchantAccess:
    merchant = await make_merchant()
    patched = await client.patch(
        f"/homerun/v1/merchants/{merchant.mid}", json={"processor": "remote-test"}, headers=ADMIN
    )
    assert patched.status_code == 200, patched.text
    return merchant


async def _row_by_reference(runtime: Runtime, reference: str) -> Transaction | None:
    async with runtime.db.transaction() as session:
        return await session.scalar(
            select(Transaction).where(Transaction.processor_ref == reference)
        )


async def _reconcile_jobs(runtime: Runtime, trans_id: int) -> int:
    async with runtime.db.transaction() as session:
        count = await session.scalar(
            select(func.count()).select_from(Job).where(Job.key == f"reconcile|{trans_id}")
        )
    return int(count or 0)


async def test_the_attempt_is_committed_before_a_remote_processor_is_asked(
    client: httpx.AsyncClient,
    runtime: Runtime,
    make_merchant: MerchantFactory,
    remote: RemoteSimulator,
) -> None:
    merchant = await _remote_merchant(make_merchant, client)
    seen: list[tuple[str, str, int]] = []

    async def look(request: AuthorizationRequest) -> None:
        # Another connection than the request's: it sees only what is committed.
        row = await _row_by_reference(runtime, request.reference)
        assert row is not None, "the attempt was not committed before the call"
        seen.append((row.state, row.result, row.amount_requested))

    remote.before_answer = look
    body = (await charge(client, merchant, amount=2500)).json()

    assert seen == [("pending", "C", 2500)]
    assert (body["result"], body["resp_proc"]) == ("A", "RMT")
    stored = await transaction(client, merchant, body["trans_id"])
    assert (stored["state"], stored["amount_captured"]) == ("captured", 2500)
    assert [e["event_type"] for e in await events(client, merchant)] == ["transaction.entered"]
    assert await _reconcile_jobs(runtime, int(body["trans_id"])) == 1

    # The attempt's reconciliation finds the outcome recorded: nothing changes.
    advanced = await client.post("/homerun/v1/clock/advance", json={"seconds": 61}, headers=ADMIN)
    assert advanced.status_code == 200, advanced.text
    assert (await transaction(client, merchant, body["trans_id"]))["state"] == "captured"
    assert [e["event_type"] for e in await events(client, merchant)] == ["transaction.entered"]


async def test_a_request_that_dies_during_the_call_leaves_an_attempt_the_worker_reconciles(
    client: httpx.AsyncClient,
    runtime: Runtime,
    make_merchant: MerchantFactory,
    remote: RemoteSimulator,
) -> None:
    merchant = await _remote_merchant(make_merchant, client)
    references: list[str] = []

    async def die(request: AuthorizationRequest) -> None:
        references.append(request.reference)
        raise ConnectionResetError("the connection to the processor went away")

    remote.before_answer = die
    answer = await charge(client, merchant, amount=4100)
    assert answer.status_code == 500
    assert "4111111111111111" not in answer.text

    row = await _row_by_reference(runtime, references[0])
    assert row is not None
    assert (row.state, row.amount_captured) == ("pending", 0)
    assert await events(client, merchant) == []
    async with runtime.db.transaction() as session:
        assert (
            await session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(
                    OutboxEvent.source_id == str(row.id),
                    OutboxEvent.event_type.like("transaction.%"),
                )
            )
            == 0
        )

    # The network did approve it; a minute later the worker asks and records that.
    remote.before_answer = None
    advanced = await client.post("/homerun/v1/clock/advance", json={"seconds": 61}, headers=ADMIN)
    assert advanced.status_code == 200, advanced.text
    stored = await transaction(client, merchant, str(row.id))
    assert (stored["state"], stored["result"], stored["amount_captured"]) == ("captured", "A", 4100)
    assert [e["event_type"] for e in await events(client, merchant)] == ["transaction.entered"]
