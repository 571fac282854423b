"""Exactly once with real processes: three `homerun worker`s race over one database, the
first seen holding a billing job's lease is killed (SIGKILL) mid-run, and every
scheduled payment is still charged exactly once: plans that end (every payment a row)
and plans with no end (a rolling window of rows, extended as payments are made)."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import time
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import asyncpg
import pytest
from dateutil.relativedelta import relativedelta  # type: ignore[import-untyped]

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

WORKERS = 3
DEADLINE_SECONDS = 240


@dataclass(frozen=True)
class Scenario:
    plans: int
    rule: str  # the RRULE line
    charges_each: int  # payments of each plan that fall due by the clock's move
    window: int  # open rows each plan keeps (HOMERUN_BILLING_WINDOW_PAYMENTS)

    def clock_move(self, start: datetime) -> datetime:
        if "COUNT" in self.rule:
            return start + timedelta(days=self.charges_each, minutes=1)
        return start + relativedelta(months=self.charges_each) - timedelta(days=1)


BOUNDED = Scenario(plans=100, rule="FREQ=DAILY;COUNT=3", charges_each=3, window=12)
# Five years of monthly payments, caught up at once; a window of six rows each.
OPEN_ENDED = Scenario(plans=3, rule="FREQ=MONTHLY;INTERVAL=1", charges_each=60, window=6)
OPEN_ROWS = (
    "SELECT max(n) FROM (SELECT count(*) AS n FROM scheduled_payments "
    "WHERE status IN ('SCHEDULED', 'RETRYING') GROUP BY plan_id) AS open_rows"
)


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


async def make_plans(database: Isolated, scenario: Scenario) -> None:
    """The scenario's plans, and the clock moved on so that their payments are due."""
    settings = settings_for(database.url, billing_window_payments=scenario.window)
    async with isolated_app(settings) as (runtime, client):
        merchant = await new_merchant(client)
        # A test card sent as the token, with an expiry beyond every clock move here.
        acct = await created(
            client, merchant, account_token="4111111111111111", expiration="2049-12"
        )
        start = (runtime.clock.now() + timedelta(hours=1)).replace(microsecond=0)
        while start.day > 28:  # a monthly rule falls on the same day every month
            start += timedelta(days=1)
        for n in range(scenario.plans):
            answer = await client.post(
                "/api/v1/billing_plans",
                json={
                    "name": f"plan {n}",
                    "mid": merchant.mid,
                    "payment_account_uuid": acct["uuid"],
                    "amount": "1.00",
                    "rrule_pattern": rule(start, scenario.rule),
                },
                headers=merchant.headers,
            )
            assert answer.status_code == 200, answer.text
        # Every payment of every plan falls due; the workers see the move at once.
        await move_clock_to(runtime, scenario.clock_move(start))


async def kill_a_lease_holder(
    database: Isolated, workers: list[asyncio.subprocess.Process], deadline: float
) -> asyncio.subprocess.Process:
    """SIGKILL the first worker seen holding the lease of a billing job (mid-run)."""
    while time.monotonic() < deadline:
        held = await peek(
            database,
            "SELECT locked_by FROM jobs WHERE kind = 'billing.bucket' AND locked_by IS NOT NULL",
        )
        if held is not None:
            victim = workers[int(str(held).split("#")[0].removeprefix("w")) - 1]
            victim.send_signal(signal.SIGKILL)
            await victim.wait()
            return victim
        await asyncio.sleep(0.01)
    raise AssertionError("no worker took a billing job")


async def wait_until_charged(database: Isolated, total: int, deadline: float) -> tuple[int, int]:
    """(payments completed, the most open rows any plan was seen with)."""
    done, most_open = 0, 0
    while time.monotonic() < deadline:
        done = int(
            await peek(
                database, "SELECT count(*) FROM scheduled_payments WHERE status = 'COMPLETED'"
            )
            or 0
        )
        most_open = max(most_open, int(await peek(database, OPEN_ROWS) or 0))
        if done == total:
            break
        await asyncio.sleep(0.25)
    return done, most_open


async def stop(workers: list[asyncio.subprocess.Process]) -> None:
    for worker in workers:
        if worker.returncode is None:
            worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            await asyncio.wait_for(worker.wait(), timeout=30)
        except TimeoutError:
            worker.kill()
            await worker.wait()


@pytest.mark.parametrize("scenario", [BOUNDED, OPEN_ENDED], ids=["bounded", "open_ended"])
async def test_three_worker_processes_one_killed_charge_every_payment_exactly_once(
    tmp_path: Path, scenario: Scenario
) -> None:
    async with isolated_database("homerun_billing_workers") as database:
        await migrate(database.url)
        await make_plans(database, scenario)
        env = subprocess_env(
            database.url,
            HOMERUN_WORKER_LEASE_SECONDS="5",
            HOMERUN_WORKER_POLL_SECONDS="0.2",
            HOMERUN_BILLING_BATCH_SIZE="5",
            HOMERUN_BILLING_WINDOW_PAYMENTS=str(scenario.window),
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
        total = scenario.plans * scenario.charges_each
        try:
            deadline = time.monotonic() + DEADLINE_SECONDS
            victim = await kill_a_lease_holder(database, workers, deadline)
            done, most_open = await wait_until_charged(database, total, deadline)
            assert done == total, f"{done} of {total} payments completed"
            counts = [
                await peek(database, sql)
                for sql in (
                    "SELECT count(*) FROM billing_attempts",
                    "SELECT count(DISTINCT payment_id) FROM billing_attempts WHERE result = 'A'",
                    "SELECT count(*) FROM transactions WHERE kind = 'sale'",
                    "SELECT sum(amount_captured) FROM transactions",
                    "SELECT count(DISTINCT order_id) FROM transactions",
                )
            ]
            # One charge per scheduled payment: none missed, none doubled, none left over
            # from the killed worker's rolled-back transaction.
            assert counts == [total, total, total, total * 100, total]
            # No plan ever held more open rows than its window, nor holds fewer now.
            assert most_open <= scenario.window
            assert await peek(database, OPEN_ROWS) == (
                scenario.window if "COUNT" not in scenario.rule else None
            )
        finally:
            await stop(workers)
            for log in logs:
                log.close()
        for n, worker in enumerate(workers, start=1):
            if worker is not victim:
                text = (tmp_path / f"w{n}.log").read_text()
                assert "Traceback" not in text, text[-3000:]
