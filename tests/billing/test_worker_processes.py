"""Exactly once with real processes: three `homerun worker`s race over one database, the
first seen holding a billing job's lease is killed (SIGKILL) mid-run, and every
scheduled payment is still charged exactly once."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from contextlib import closing
from datetime import timedelta
from pathlib import Path

import asyncpg

from homerun.billing.repository import BUCKET_JOB
from homerun.sandbox.service import move_clock_to
from tests.billing.support import rule
from tests.isolated import (
    HOMERUN,
    Isolated,
    isolated_app,
    isolated_database,
    migrate,
    new_merchant,
    settings_for,
    subprocess_env,
)
from tests.vault.support import created

PLANS = 100
PAYMENTS_EACH = 3
WORKERS = 3
DEADLINE_SECONDS = 240


async def peek(database: Isolated, sql: str) -> object:
    """One value, read beside the workers without taking SQLite's write lock (the app's
    transactions begin IMMEDIATE, which would starve them when polled this often)."""
    if database.sqlite_path is not None:
        path = database.sqlite_path

        def read() -> object:
            with closing(sqlite3.connect(path, timeout=30)) as connection:
                row = connection.execute(sql).fetchone()
            return None if row is None else row[0]

        return await asyncio.to_thread(read)
    connection = await asyncpg.connect(database.url)
    try:
        return await connection.fetchval(sql)
    finally:
        await connection.close()


assert BUCKET_JOB == "billing.bucket"  # the kind peeked at below


async def test_three_worker_processes_one_killed_charge_every_payment_exactly_once(
    tmp_path: Path,
) -> None:
    async with isolated_database("homerun_billing_workers") as database:
        await migrate(database.url)
        settings = settings_for(database.url)
        async with isolated_app(settings) as (runtime, client):
            merchant = await new_merchant(client)
            acct = await created(client, merchant)
            start = (runtime.clock.now() + timedelta(hours=1)).replace(microsecond=0)
            pattern = rule(start, f"FREQ=DAILY;COUNT={PAYMENTS_EACH}")
            for n in range(PLANS):
                answer = await client.post(
                    "/api/v1/billing_plans",
                    json={
                        "name": f"plan {n}",
                        "mid": merchant.mid,
                        "payment_account_uuid": acct["uuid"],
                        "amount": "1.00",
                        "rrule_pattern": pattern,
                    },
                    headers=merchant.headers,
                )
                assert answer.status_code == 200, answer.text
            # Every payment of every plan falls due; the workers see the move at once.
            await move_clock_to(runtime, start + timedelta(days=PAYMENTS_EACH, minutes=1))

        env = subprocess_env(
            database.url,
            HOMERUN_WORKER_LEASE_SECONDS="5",
            HOMERUN_WORKER_POLL_SECONDS="0.2",
            HOMERUN_BILLING_BATCH_SIZE="5",
            HOMERUN_LOG_LEVEL="warning",
        )
        logs = [(tmp_path / f"w{n}.log").open("wb") for n in range(1, WORKERS + 1)]
        workers = [
            await asyncio.create_subprocess_exec(
                HOMERUN,
                "worker",
                "--name",
                f"w{n}",
                "--concurrency",
                "2",
                env=env,
                stdout=log,
                stderr=log,
            )
            for n, log in enumerate(logs, start=1)
        ]
        killed_holding: list[str] = []
        try:
            # Kill the first worker seen holding the lease of a billing job (mid-run).
            deadline = time.monotonic() + DEADLINE_SECONDS
            victim = None
            while victim is None and time.monotonic() < deadline:
                held = await peek(
                    database,
                    "SELECT locked_by FROM jobs WHERE kind = 'billing.bucket' "
                    "AND locked_by IS NOT NULL",
                )
                if held is not None:
                    victim = workers[int(str(held).split("#")[0].removeprefix("w")) - 1]
                    victim.send_signal(signal.SIGKILL)
                    killed_holding.append(str(held))
                await asyncio.sleep(0.01)
            assert victim is not None, "no worker took a billing job"
            await victim.wait()

            total = PLANS * PAYMENTS_EACH
            done = 0
            while time.monotonic() < deadline:
                done = int(
                    await peek(
                        database,
                        "SELECT count(*) FROM scheduled_payments WHERE status = 'COMPLETED'",
                    )
                    or 0
                )
                if done == total:
                    break
                await asyncio.sleep(0.25)
            assert done == total, f"{done} of {total} payments completed"

            counts = [
                await peek(database, sql)
                for sql in (
                    "SELECT count(*) FROM billing_attempts",
                    "SELECT count(DISTINCT payment_id) FROM billing_attempts WHERE result = 'A'",
                    "SELECT count(*) FROM transactions WHERE kind = 'sale'",
                    "SELECT sum(amount_captured) FROM transactions",
                )
            ]
            # One charge per scheduled payment: none missed, none doubled, none left over
            # from the killed worker's rolled-back transaction.
            assert counts == [total, total, total, total * 100]
        finally:
            for worker in workers:
                if worker.returncode is None:
                    worker.send_signal(signal.SIGTERM)
            for worker in workers:
                try:
                    await asyncio.wait_for(worker.wait(), timeout=30)
                except TimeoutError:
                    worker.kill()
                    await worker.wait()
            for log in logs:
                log.close()
        for n, worker in enumerate(workers, start=1):
            if worker is not victim:
                text = (tmp_path / f"w{n}.log").read_text()
                assert "Traceback" not in text, text[-3000:]
