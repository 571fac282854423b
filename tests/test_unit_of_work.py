"""kit.db.engine and kit.db.writes: how a unit of work sends its writes, what runs after
it commits, and what never does."""

from __future__ import annotations

import typing
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import Table, insert, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, create_async_engine
from sqlalchemy.pool import NullPool

from homerun.app import create_app
from homerun.kit.db.writes import after_commit, before_commit, flush, settle, write
from homerun.outbox.models import OutboxEvent
from homerun.runtime import Runtime
from tests.conftest import ADMIN, MerchantAccess
from tests.helpers import FUTURE, VISA
from tests.payments.test_charge_statements import sent_to


async def test_after_commit_actions_run_in_order_once_committed(runtime: Runtime) -> None:
    ran: list[str] = []
    async with runtime.db.transaction() as session:
        after_commit(session, lambda: ran.append("first"))
        after_commit(session, lambda: ran.append("second"))
        assert ran == []
    assert ran == ["first", "second"]
    async with runtime.db.transaction():
        pass
    assert ran == ["first", "second"]  # a later unit does not run them again


async def test_after_commit_actions_never_run_when_the_unit_rolls_back(runtime: Runtime) -> None:
    ran: list[str] = []
    with pytest.raises(RuntimeError, match="changed its mind"):
        async with runtime.db.transaction() as session:
            after_commit(session, lambda: ran.append("remembered"))
            raise RuntimeError("changed its mind")
    assert ran == []


# ---------------------------------------------------------------- the write path


def _event_insert() -> Any:
    table = typing.cast(Table, OutboxEvent.__table__)
    return insert(table).returning(table.c.id)


def _event(source_id: str) -> dict[str, Any]:
    return {
        "merchant_id": None,
        "event_type": "test.write",
        "source_id": source_id,
        "payload": {"n": source_id},
        "occurred_at": datetime(2026, 1, 1, tzinfo=UTC),
    }


async def _sources(runtime: Runtime, *names: str) -> list[str]:
    """Which of these test writes are committed, in the order they were written (the
    tests of a module share a database, so each test names its own)."""
    async with runtime.db.transaction() as session:
        rows = await session.scalars(
            select(OutboxEvent.source_id)
            .where(OutboxEvent.event_type == "test.write", OutboxEvent.source_id.in_(names))
            .order_by(OutboxEvent.id)
        )
        return list(rows)


def _is_postgresql(runtime: Runtime) -> bool:
    return runtime.db.engine.dialect.name == "postgresql"


async def test_a_lone_write_is_sent_at_commit_without_begin_on_postgresql(
    runtime: Runtime,
) -> None:
    ids: list[int] = []
    with sent_to(runtime) as sent:
        async with runtime.db.transaction() as session:
            await write(session, _event_insert(), _event("lone"), returned=ids.append)
            # On PostgreSQL it waits: it may be the unit's only statement.
            assert (ids == []) is _is_postgresql(runtime)
    assert len(ids) == 1 and ids[0] > 0
    assert await _sources(runtime, "lone") == ["lone"]
    assert len(sent.touching("INSERT INTO outbox_events")) == 1
    if _is_postgresql(runtime):
        # The one statement, and no BEGIN or COMMIT reached the database.
        assert sent.trail == sent.statements and len(sent.statements) == 1
    else:  # SQLite: sent at once, in a transaction (the engine's BEGIN IMMEDIATE)
        assert sent.trail[0].startswith("BEGIN") and sent.trail[-1] == "COMMIT"


async def test_a_second_write_puts_both_in_one_transaction_in_the_order_stated(
    runtime: Runtime,
) -> None:
    ids: list[int] = []
    with sent_to(runtime) as sent:
        async with runtime.db.transaction() as session:
            await write(session, _event_insert(), _event("first"), returned=ids.append)
            await write(session, _event_insert(), _event("second"), returned=ids.append)
            # The first was sent when the second was stated: its result is known now.
            assert len(ids) == 2
    assert ids[0] < ids[1]
    assert await _sources(runtime, "first", "second") == ["first", "second"]
    inserts = [i for i, s in enumerate(sent.trail) if "INSERT INTO outbox_events" in s]
    assert len(inserts) == 2
    assert "COMMIT" not in sent.trail[: inserts[1]]
    assert "COMMIT" in sent.trail[inserts[1] :]
    if _is_postgresql(runtime):
        assert sent.begins == 1 and sent.trail.index("BEGIN") < inserts[0]


async def test_a_write_after_a_read_is_sent_at_once_in_the_transaction(
    runtime: Runtime,
) -> None:
    ids: list[int] = []
    async with runtime.db.transaction() as session:
        await session.execute(select(OutboxEvent.id).limit(1))
        await write(session, _event_insert(), _event("after-read"), returned=ids.append)
        assert len(ids) == 1  # the unit had begun: nothing to wait for
    assert await _sources(runtime, "after-read") == ["after-read"]


async def test_flush_sends_a_waiting_write_inside_the_transaction(runtime: Runtime) -> None:
    ids: list[int] = []
    with sent_to(runtime) as sent:
        async with runtime.db.transaction() as session:
            await write(session, _event_insert(), _event("flushed"), returned=ids.append)
            await flush(session)
            assert len(ids) == 1
    assert await _sources(runtime, "flushed") == ["flushed"]
    assert sent.trail[-1] == "COMMIT"


async def test_a_waiting_write_of_a_unit_that_rolls_back_is_never_sent(
    runtime: Runtime,
) -> None:
    with sent_to(runtime) as sent, pytest.raises(RuntimeError, match="changed its mind"):
        async with runtime.db.transaction() as session:
            await write(session, _event_insert(), _event("never"))
            raise RuntimeError("changed its mind")
    if _is_postgresql(runtime):
        assert sent.touching("outbox_events") == []
    assert await _sources(runtime, "never") == []


async def test_closing_writes_run_after_the_work_in_its_transaction(runtime: Runtime) -> None:
    ids: list[int] = []

    async def closing(session: AsyncSession) -> None:
        assert len(ids) == 1  # the work's write was sent first
        await write(session, _event_insert(), _event("closing"), returned=ids.append)

    with sent_to(runtime) as sent:
        async with runtime.db.transaction() as session:
            before_commit(session, closing)
            await write(session, _event_insert(), _event("work"), returned=ids.append)
            # A unit with a closing write does not keep its work's write waiting.
            assert len(ids) == 1
    assert await _sources(runtime, "work", "closing") == ["work", "closing"]
    inserts = [i for i, s in enumerate(sent.trail) if "INSERT INTO outbox_events" in s]
    assert "COMMIT" not in sent.trail[: inserts[1]]
    if _is_postgresql(runtime):
        assert sent.trail.index("BEGIN") < inserts[0]


async def test_closing_writes_never_run_when_the_work_fails(runtime: Runtime) -> None:
    ran: list[str] = []

    async def closing(_session: AsyncSession) -> None:
        ran.append("closing")

    with pytest.raises(RuntimeError, match="failed"):
        async with runtime.db.transaction() as session:
            before_commit(session, closing)
            await write(session, _event_insert(), _event("failed work"))
            raise RuntimeError("failed")
    assert ran == []
    assert await _sources(runtime, "failed work") == []


async def test_settle_commits_the_work_before_the_unit_ends(runtime: Runtime) -> None:
    ids: list[int] = []
    async with runtime.db.transaction() as session:
        await write(session, _event_insert(), _event("settled"), returned=ids.append)
        await settle(session)
        assert len(ids) == 1
        # Committed: another unit of work (another connection) sees it already.
        assert await _sources(runtime, "settled") == ["settled"]


async def test_settle_in_a_unit_with_closing_writes_commits_nothing_yet(
    runtime: Runtime,
) -> None:
    async def closing(_session: AsyncSession) -> None:
        pass

    with pytest.raises(RuntimeError, match="answer failed"):
        async with runtime.db.transaction() as session:
            before_commit(session, closing)
            await write(session, _event_insert(), _event("not yet"))
            await settle(session)
            raise RuntimeError("answer failed")
    assert await _sources(runtime, "not yet") == []  # rolled back with its answer


# ---- a request's unit of work commits before its answer leaves (homerun.calls)


def _outside_engine(runtime: Runtime) -> AsyncEngine:
    """A connection of its own, without the app's BEGIN IMMEDIATE: it sees only commits."""
    return create_async_engine(runtime.settings.async_database_url, poolclass=NullPool)


async def _rows(engine: AsyncEngine, sql: str, **params: object) -> int:
    async with engine.connect() as connection:
        return int((await connection.execute(text(sql), params)).scalar_one())


def _checking_app(runtime: Runtime, seen: list[int], count: Callable[[], Awaitable[int]]) -> Any:
    """The app, asking the database from outside at the moment the answer starts."""
    app = create_app(runtime=runtime)

    async def checking(scope: Any, receive: Any, send: Any) -> None:
        async def send_checked(message: Any) -> None:
            if message["type"] == "http.response.start":
                seen.append(await count())
            await send(message)

        await app(scope, receive, send_checked)

    return checking


@pytest.mark.parametrize("keyed", [False, True])
async def test_a_charge_is_committed_before_its_answer_starts(
    runtime: Runtime, merchant: MerchantAccess, keyed: bool
) -> None:
    engine = _outside_engine(runtime)
    order_id = f"commit-first-{keyed}"
    seen: list[int] = []

    async def count() -> int:
        charged = await _rows(
            engine, "SELECT count(*) FROM transactions WHERE order_id = :o", o=order_id
        )
        kept = await _rows(
            engine,
            "SELECT count(*) FROM idempotency_records WHERE key = :k AND state = 'done'",
            k=order_id,
        )
        return charged + kept

    app = _checking_app(runtime, seen, count)
    headers = {**merchant.headers, **({"Idempotency-Key": order_id} if keyed else {})}
    body = {"mid": merchant.mid, "amount": 500, "account_token": VISA, "expiration": FUTURE}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://homerun.test") as http:
        answer = await http.post(
            "/api/v1/charge", json={**body, "order_id": order_id}, headers=headers
        )
    await engine.dispose()
    assert answer.status_code == 200 and answer.json()["result"] == "A", answer.text
    # The charge's row (and, keyed, its kept answer) were there before the answer began.
    assert seen == [2 if keyed else 1]


async def test_an_admin_write_is_committed_before_its_answer_starts(runtime: Runtime) -> None:
    engine = _outside_engine(runtime)
    seen: list[int] = []

    async def count() -> int:
        return await _rows(engine, "SELECT count(*) FROM merchants WHERE name = 'Committed first'")

    app = _checking_app(runtime, seen, count)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://homerun.test") as http:
        answer = await http.post(
            "/homerun/v1/merchants", json={"name": "Committed first"}, headers=ADMIN
        )
    await engine.dispose()
    assert answer.status_code == 201, answer.text
    assert seen == [1]


async def test_a_failed_request_writes_nothing(runtime: Runtime, merchant: MerchantAccess) -> None:
    """A fault raised by the route rolls its unit back: no row, and a 4xx R6 body."""
    engine = _outside_engine(runtime)
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app)
    body = {"mid": "999999999999", "amount": 500, "account_token": VISA, "expiration": FUTURE}
    async with httpx.AsyncClient(transport=transport, base_url="http://homerun.test") as http:
        answer = await http.post(
            "/api/v1/charge", json={**body, "order_id": "not-mine"}, headers=merchant.headers
        )
    assert answer.status_code == 403, answer.text
    assert answer.json()["code"] == "forbidden"
    assert await _rows(engine, "SELECT count(*) FROM transactions WHERE order_id = 'not-mine'") == 0
    await engine.dispose()
