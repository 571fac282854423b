"""Failing cleanly: a 500 never takes the next request on its connection with it, and a
database that is out of reach or too slow is a 503 with Retry-After and an R6 body, after
which nothing of the request is in the database."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import Request
from fastapi.responses import Response
from sqlalchemy import exc as sa
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.app import create_app
from homerun.calls import Session
from homerun.config import Settings
from homerun.errors import ServiceUnavailable
from homerun.idempotency import service as idempotency
from homerun.kit.db.faults import database_unavailable
from homerun.kit.web import error_response, json_response
from homerun.ledger.models import LedgerEntry
from homerun.merchants.models import Merchant
from homerun.outbox.models import OutboxEvent
from homerun.payments.models import Transaction
from homerun.runtime import Runtime
from homerun.startup import open_runtime
from tests.conftest import MerchantAccess, backend
from tests.helpers import VISA, charge, transaction
from tests.live import live
from tests.test_http_errors import assert_r6

postgresql_only = pytest.mark.skipif(backend() != "postgresql", reason="PostgreSQL's own faults")
sqlite_only = pytest.mark.skipif(backend() != "sqlite", reason="SQLite's own faults")


def assert_503(answer: httpx.Response) -> None:
    body = assert_r6(answer, 503, "service_unavailable")
    assert body == {
        "error": "the database is unavailable; nothing was done, try again",
        "message": "the database is unavailable; nothing was done, try again",
        "error_description": "the database is unavailable; nothing was done, try again",
        "code": "service_unavailable",
    }
    assert answer.headers["Retry-After"] == "1"


async def footprint(runtime: Runtime, mid: str) -> tuple[int, int, int]:
    """The merchant's transactions, outbox events and ledger entries."""
    async with runtime.db.transaction() as session:
        merchant_id = await session.scalar(select(Merchant.id).where(Merchant.mid == mid))
        counts = []
        for model in (Transaction, OutboxEvent, LedgerEntry):
            counts.append(
                await session.scalar(
                    select(func.count()).select_from(model).where(model.merchant_id == merchant_id)
                )
            )
        return counts[0] or 0, counts[1] or 0, counts[2] or 0


@asynccontextmanager
async def homerun_with(settings: Settings, **overrides: Any) -> AsyncIterator[httpx.AsyncClient]:
    """The app over ASGI on a runtime of its own, with some settings changed."""
    runtime = await open_runtime(settings.model_copy(update=overrides))
    app = create_app(runtime=runtime)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://homerun.test") as http:
            http.app = app  # type: ignore[attr-defined]
            yield http
    finally:
        await runtime.db.dispose()


# ---------------------------------------------------------------- a 500 keeps the connection


async def test_a_500_leaves_the_keep_alive_connection_usable(
    settings: Settings, runtime: Runtime
) -> None:
    assert runtime.settings is settings  # the database is migrated
    app = create_app(settings.model_copy(update={"worker_in_server": False}))
    ports: list[int] = []

    async def broken(request: Request) -> Response:
        assert request.client is not None
        ports.append(request.client.port)
        raise RuntimeError("a bug, card 4111111111111111")

    async def fine(request: Request) -> Response:
        assert request.client is not None
        ports.append(request.client.port)
        return json_response({"ok": True})

    app.add_api_route("/test/broken", broken, methods=["POST"])
    app.add_api_route("/test/fine", fine, methods=["POST"])
    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    async with live(app) as url, httpx.AsyncClient(base_url=url, limits=one) as http:
        for _ in range(3):
            failed = await http.post("/test/broken", json={"n": 1})
            assert_r6(failed, 500, "internal_error")
            assert failed.json()["error"] == "internal error"
            assert "4111" not in failed.text
            assert failed.headers.get("connection") != "close"
            # The innocent request on the same connection is answered.
            answered = await http.post("/test/fine", json={"n": 2})
            assert (answered.status_code, answered.json()) == (200, {"ok": True})
    assert len(ports) == 6 and len(set(ports)) == 1, ports


async def test_an_unexpected_error_is_logged_with_its_traceback_and_no_card_number(
    runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    app = create_app(runtime=runtime)

    async def broken() -> Response:
        raise ValueError(
            "could not read 4111 1111 1111 1111 or 4111-1111-1111-1111 or 4111111111111111"
        )

    app.add_api_route("/test/leaky", broken)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    with caplog.at_level(logging.ERROR, logger="homerun"):
        async with httpx.AsyncClient(transport=transport, base_url="http://homerun.test") as http:
            assert_r6(await http.get("/test/leaky"), 500, "internal_error")
    logged = [r.getMessage() for r in caplog.records if r.name == "homerun"]
    assert len(logged) == 1
    assert logged[0].startswith("unhandled error\nTraceback (most recent call last):")
    assert logged[0].endswith(
        "ValueError: could not read [masked digits] or [masked digits] or [masked digits]"
    )
    assert "1111" not in logged[0] and "in broken" in logged[0]


async def test_an_unexpected_error_is_answered_without_raising(
    settings: Settings, runtime: Runtime
) -> None:
    app = create_app(runtime=runtime)

    async def broken() -> Response:
        raise KeyError("unexpected")

    app.add_api_route("/test/broken", broken)
    # The transport raises what the app raised: nothing reaches it.
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=True)
    async with httpx.AsyncClient(transport=transport, base_url="http://homerun.test") as http:
        answer = await http.get("/test/broken")
        assert_r6(answer, 500, "internal_error")
        assert "Retry-After" not in answer.headers


# ---------------------------------------------------------------- a database fault is a 503


@postgresql_only
async def test_a_backend_terminated_mid_charge_is_a_503_and_nothing_is_kept(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    database_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = await footprint(runtime, merchant.mid)
    finish = idempotency.finish

    async def terminated_first(
        runtime: Runtime, session: AsyncSession, *args: Any, **kwargs: Any
    ) -> None:
        # The charge is written, its transaction still open: the backend goes away.
        pid = await session.scalar(text("SELECT pg_backend_pid()"))
        other = await asyncpg.connect(database_url)
        try:
            assert await other.fetchval("SELECT pg_terminate_backend($1)", pid) is True
        finally:
            await other.close()
        await finish(runtime, session, *args, **kwargs)

    monkeypatch.setattr(idempotency, "finish", terminated_first)
    body = {"mid": merchant.mid, "amount": 1000, "account_token": VISA, "expiration": "12/30"}
    headers = {**merchant.headers, "Idempotency-Key": "terminated-1"}
    failed = await client.post("/api/v1/charge", json=body, headers=headers)
    assert_503(failed)
    assert await footprint(runtime, merchant.mid) == before
    monkeypatch.undo()
    # The key was given back: the retry charges once.
    retried = await client.post("/api/v1/charge", json=body, headers=headers)
    assert retried.status_code == 200, retried.text
    assert "Idempotent-Replayed" not in retried.headers
    assert await footprint(runtime, merchant.mid) == (before[0] + 1, before[1] + 1, before[2])


@postgresql_only
async def test_a_row_lock_held_past_lock_timeout_is_a_503(
    client: httpx.AsyncClient,
    settings: Settings,
    runtime: Runtime,
    merchant: MerchantAccess,
    database_url: str,
) -> None:
    authorized = await charge(client, merchant, capture="N")
    trans_id = authorized.json()["trans_id"]
    before = await footprint(runtime, merchant.mid)
    async with homerun_with(settings, database_lock_timeout_ms=200) as http:
        holder = await asyncpg.connect(database_url)
        try:
            async with holder.transaction():
                await holder.execute(
                    "SELECT id FROM transactions WHERE id = $1 FOR UPDATE", int(trans_id)
                )
                started = asyncio.get_running_loop().time()
                failed = await http.post(
                    "/api/v1/capture",
                    json={"mid": merchant.mid, "trans_id": trans_id},
                    headers=merchant.headers,
                )
                waited = asyncio.get_running_loop().time() - started
        finally:
            await holder.close()
        assert_503(failed)
        assert 0.2 <= waited < 4.5, waited
        assert await footprint(runtime, merchant.mid) == before
        row = await transaction(client, merchant, trans_id)
        assert (row["state"], row["amount_captured"]) == ("authorized", 0)
        # The lock is gone: the same capture goes through.
        captured = await http.post(
            "/api/v1/capture",
            json={"mid": merchant.mid, "trans_id": trans_id},
            headers=merchant.headers,
        )
        assert captured.status_code == 200, captured.text
    assert (await transaction(client, merchant, trans_id))["state"] == "captured"


async def _sleep_route(session: Session) -> Response:
    await session.execute(text("SELECT pg_sleep(10)"))
    return json_response({"slept": True})


@postgresql_only
async def test_a_statement_past_statement_timeout_is_a_503(
    settings: Settings, runtime: Runtime
) -> None:
    assert runtime.settings is settings  # the database is migrated
    async with homerun_with(settings, database_statement_timeout_ms=200) as http:
        app = http.app  # type: ignore[attr-defined]
        app.add_api_route("/test/slow", _sleep_route)
        started = asyncio.get_running_loop().time()
        answer = await http.get("/test/slow")
        assert_503(answer)
        assert asyncio.get_running_loop().time() - started < 5  # not the 10 s of the sleep


@sqlite_only
async def test_a_sqlite_write_lock_held_past_the_busy_timeout_is_a_503(
    client: httpx.AsyncClient,
    settings: Settings,
    runtime: Runtime,
    merchant: MerchantAccess,
    database_url: str,
) -> None:
    await charge(client, merchant)  # the card is known; nothing else to read
    before = await footprint(runtime, merchant.mid)
    async with homerun_with(settings, sqlite_busy_timeout_ms=200) as http:
        path = database_url.removeprefix("sqlite:///")
        holder = sqlite3.connect(path, timeout=5, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")  # another process, writing
            failed = await charge(http, merchant)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        assert_503(failed)
        assert await footprint(runtime, merchant.mid) == before
        charged = await charge(http, merchant)
        assert charged.status_code == 200, charged.text
    assert await footprint(runtime, merchant.mid) == (before[0] + 1, before[1] + 1, before[2])


def test_a_503_says_when_to_retry() -> None:
    response = error_response(ServiceUnavailable("too busy", 7))
    assert (response.status_code, response.headers["Retry-After"]) == (503, "7")
    assert response.body == (
        b'{"error":"too busy","message":"too busy","error_description":"too busy",'
        b'"code":"service_unavailable"}'
    )


# ---------------------------------------------------------------- what counts as unavailable


def _sqlite_busy(path: str) -> sqlite3.OperationalError:
    holder = sqlite3.connect(path, isolation_level=None)
    waiter = sqlite3.connect(path, isolation_level=None, timeout=0)
    holder.execute("BEGIN IMMEDIATE")
    try:
        waiter.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as busy:
        return busy
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        waiter.close()
    raise AssertionError("the write lock was not busy")


def _raised_from(cause: BaseException) -> RuntimeError:
    try:
        raise RuntimeError("wrapped") from cause
    except RuntimeError as wrapped:
        return wrapped


def test_which_faults_mean_the_database_is_unavailable(tmp_path: Path) -> None:
    busy = _sqlite_busy(str(tmp_path / "busy.db"))
    lock = asyncpg.exceptions.LockNotAvailableError("canceling statement due to lock timeout")
    unavailable: list[BaseException] = [
        sa.TimeoutError("QueuePool limit of size 10 overflow 10 reached"),
        sa.OperationalError("BEGIN IMMEDIATE", {}, busy),
        sa.DBAPIError("SELECT 1", {}, lock),
        sa.DBAPIError("SELECT 1", {}, asyncpg.exceptions.QueryCanceledError("statement timeout")),
        sa.DBAPIError("SELECT 1", {}, asyncpg.exceptions.AdminShutdownError("terminating")),
        sa.DBAPIError("SELECT 1", {}, asyncpg.exceptions.ConnectionDoesNotExistError("gone")),
        sa.DBAPIError("SELECT 1", {}, asyncpg.exceptions.DeadlockDetectedError("deadlock")),
        sa.DBAPIError("SELECT 1", {}, asyncpg.exceptions.TooManyConnectionsError("too many")),
        sa.DBAPIError("SELECT 1", {}, RuntimeError("closed"), connection_invalidated=True),
        _raised_from(sa.DBAPIError("SELECT 1", {}, lock)),
    ]
    retrying_fails_the_same: list[BaseException] = [
        sa.IntegrityError("INSERT", {}, asyncpg.exceptions.UniqueViolationError("duplicate")),
        sa.DBAPIError("SELECT 1", {}, asyncpg.exceptions.UndefinedColumnError("no column")),
        sa.OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: x")),
        sa.ProgrammingError("SELECT", {}, RuntimeError("bad SQL")),
        RuntimeError("a bug"),
        ConnectionResetError("the processor hung up"),
    ]
    assert [database_unavailable(exc) for exc in unavailable] == [True] * len(unavailable)
    assert [database_unavailable(exc) for exc in retrying_fails_the_same] == [False] * len(
        retrying_fails_the_same
    )


@postgresql_only
async def test_pooled_connections_terminated_between_requests_are_503s_then_replaced(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess, database_url: str
) -> None:
    for _ in range(3):  # some connections in the pool
        assert (await charge(client, merchant)).status_code == 200
    before = await footprint(runtime, merchant.mid)
    admin = await asyncpg.connect(database_url)
    try:
        ended = await admin.fetchval(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    finally:
        await admin.close()
    assert ended >= 1
    statuses = []
    for _ in range(ended + 3):
        answer = await charge(client, merchant)
        if answer.status_code == 503:
            assert_503(answer)
        statuses.append(answer.status_code)
    # Each dead connection costs at most the request that finds it, then the pool opens anew.
    assert set(statuses) == {200, 503} and statuses[0] == 503, statuses
    assert statuses.count(503) <= ended and statuses[-3:] == [200, 200, 200], statuses
    assert await footprint(runtime, merchant.mid) == (
        before[0] + statuses.count(200),
        before[1] + statuses.count(200),
        before[2],
    )
