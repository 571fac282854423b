"""The unit of work: what runs after it commits, and that a request's commits before the
answer is sent (FastAPI's yield dependencies end after the answer unless told otherwise)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from homerun.app import create_app
from homerun.kit.db.engine import after_commit
from homerun.runtime import Runtime
from tests.conftest import ADMIN, MerchantAccess
from tests.helpers import FUTURE, VISA


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
