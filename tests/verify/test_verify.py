"""`homerun verify` over a realistic sandbox day (tests/verify/day.py): clean, then broken in
exactly one way at a time (raw SQL, as a bug or a hand edit would), each caught by exactly its
own check, naming exactly the broken subject, with the command exiting 1; and clean again once
repaired.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
import pytest
from prometheus_client import REGISTRY
from sqlalchemy import select, text

from homerun.runtime import Runtime
from homerun.verify import jobs, service
from homerun.verify.reader import snapshot
from homerun.worker.models import Job
from homerun.worker.report import Report
from tests.commands import homerun
from tests.conftest import MerchantAccess, backend
from tests.helpers import charge
from tests.settlement.support import rekey
from tests.verify.day import Day, approved, one, sandbox_day
from tests.verify.support import violations
from tests.webhooks.support import with_settings


@pytest.fixture(scope="module")
async def day(client: httpx.AsyncClient, runtime: Runtime) -> AsyncIterator[Day]:
    async with sandbox_day(client, runtime) as built:
        yield built


async def _cli(runtime: Runtime, *args: str) -> tuple[int, str]:
    status, out, err = await homerun(runtime.settings.database_url, "verify", *args)
    return status, out + err


async def test_the_day_verifies_clean(day: Day, runtime: Runtime) -> None:
    report = await service.run(runtime)
    assert report.counts() == {name: 0 for name in service.names()}
    # The day has what each check reads: not a clean run over nothing.
    for table, least in (
        ("batches", 2), ("deposits", 2), ("chargebacks", 1), ("adjustments", 1),
        ("webhook_deliveries", 5), ("billing_attempts", 1),
    ):  # fmt: skip
        counted = f"SELECT count(*) FROM {table}"  # noqa: S608 - a table name of ours
        assert await one(runtime, counted) >= least, table
    assert (
        await one(
            runtime,
            "SELECT count(*) FROM webhook_deliveries WHERE state = 'delivered'",
        )
        >= 5
    )
    status, output = await _cli(runtime)
    assert status == 0, output
    assert output.splitlines()[-1] == f"books verified: {len(service.CHECKS)} checks, no violations"
    checked = [line.split() for line in output.splitlines()[:-1]]
    assert checked == [[name, "ok"] for name in service.names()]


@dataclass(frozen=True)
class Corruption:
    """One UPDATE of one column of one row, and the check that must catch it."""

    check: str
    table: str
    where: str  # SQL naming exactly one row, over the Day's fields as :parameters
    column: str
    value: str  # SQL for the broken value
    subject: str  # the Day field (or literal, after "=") the violation must name


def _subject(corruption: Corruption, day: Day, runtime_rows: dict[str, Any]) -> str:
    if corruption.subject.startswith("="):
        return str(runtime_rows[corruption.subject[1:]])
    return str(getattr(day, corruption.subject))


CORRUPTIONS = [
    Corruption(
        "ledger.journals_balance",
        "ledger_entries",
        "id = (SELECT min(id) FROM ledger_entries WHERE account = 'bank'"
        " AND journal = 'deposit:' || :first_deposit)",
        "amount",
        "amount + 1",
        "=journal",
    ),
    Corruption(
        "ledger.merchant_identity",
        "adjustments",
        "id = (SELECT min(id) FROM adjustments"
        " WHERE merchant_id = (SELECT id FROM merchants WHERE mid = :mid))",
        "amount",
        "amount - 100",
        "mid",
    ),
    Corruption(
        "transactions.amounts",
        "transactions",
        "CAST(id AS VARCHAR(20)) = :keyed_sale",
        "amount_authorized",
        "amount_captured - 1",
        "keyed_sale",
    ),
    Corruption(
        "transactions.states",
        "transactions",
        "CAST(id AS VARCHAR(20)) = :unbatched_sale",
        "state",
        "'authorized'",
        "unbatched_sale",
    ),
    Corruption(
        "transactions.refunds",
        "transactions",
        "CAST(id AS VARCHAR(20)) = :keyed_sale",
        "amount_refunded",
        "amount_refunded + 1",
        "keyed_sale",
    ),
    Corruption(
        "settlement.batch_totals",
        "batches",
        "batch_id = :first_batch",
        "refund_count",
        "refund_count + 1",
        "first_batch",
    ),
    Corruption(
        "settlement.deposit_parts",
        "deposits",
        "funding_master_id = :first_deposit",
        "fees_amount",
        "fees_amount + 1",
        "first_deposit",
    ),
    Corruption(
        "settlement.deposit_entries",
        "ledger_entries",
        "id = (SELECT min(l.id) FROM ledger_entries l JOIN deposits d ON d.id = l.deposit_id"
        " WHERE d.funding_master_id = :first_deposit AND l.kind = 'sale')",
        "deposit_id",
        "NULL",
        "first_deposit",
    ),
    Corruption(
        "settlement.chargebacks",
        "chargebacks",
        "merchant_id = (SELECT id FROM merchants WHERE mid = :mid)",
        "decided_at",
        "opened_at",
        "=id",
    ),
    Corruption(
        "payments.reconciliation",
        "jobs",
        "key = 'reconcile|' || :unknown",
        "state",
        "'failed'",
        "unknown",
    ),
    Corruption(  # its job waits, but was due a week ago: no worker is taking it
        "payments.reconciliation",
        "jobs",
        "key = 'reconcile|' || :unknown",
        "due_at",
        "(SELECT min(closed_at) FROM batches)",
        "unknown",
    ),
    Corruption(
        "outbox.fan_out",
        "outbox_events",
        "id = (SELECT min(event_id) FROM webhook_deliveries WHERE state = 'delivered')",
        "dispatched_at",
        "NULL",
        "=id",
    ),
    Corruption(
        "webhooks.deliveries",
        "webhook_deliveries",
        "id = (SELECT min(id) FROM webhook_deliveries WHERE state = 'delivered')",
        "occurred_at",
        "occurred_at + INTERVAL '1 second'"
        if backend() == "postgresql"
        else "datetime(occurred_at, '+1 second')",
        "=webhook_id",
    ),
    Corruption(
        "webhooks.deliveries",
        "webhook_deliveries",
        "id = (SELECT min(id) FROM webhook_deliveries WHERE state = 'delivered')",
        "delivered_at",
        "NULL",
        "=webhook_id",
    ),
    Corruption(
        "idempotency.records",
        "idempotency_records",
        "id = :record_id",
        "status_code",
        "NULL",
        "record_id",
    ),
    Corruption(
        "idempotency.answers",
        "idempotency_records",
        "id = :record_id",
        "scope",
        ":other_merchant_scope",
        "record_id",
    ),
    Corruption(
        "references.intact",
        "billing_attempts",
        "id = (SELECT min(id) FROM billing_attempts)",
        "transaction_id",
        "transaction_id + 1000000000",
        "=id",
    ),
    Corruption(
        "references.intact",
        "webhook_deliveries",
        "id = (SELECT min(id) FROM webhook_deliveries WHERE state = 'delivered')",
        "event_id",
        "event_id + 1000000000",
        "=webhook_id",
    ),
]


def test_every_check_has_its_corruption() -> None:
    assert {c.check for c in CORRUPTIONS} == set(service.names())


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=lambda c: f"{c.check}.{c.column}")
async def test_one_corruption_is_caught_by_exactly_its_check(
    day: Day, runtime: Runtime, corruption: Corruption
) -> None:
    params = {k: v for k, v in vars(day).items() if f":{k}" in corruption.where + corruption.value}
    # Table, column and SQL are the test's own, below (the day's values are parameters).
    row = f"SELECT * FROM {corruption.table} WHERE {corruption.where}"  # noqa: S608
    async with runtime.db.engine.begin() as conn:
        [found] = (await conn.execute(text(row), params)).mappings().all()
        before = found[corruption.column]
        await conn.execute(
            text(
                f"UPDATE {corruption.table} SET {corruption.column} = {corruption.value}"  # noqa: S608
                " WHERE id = :row_id"
            ),
            {**params, "row_id": found["id"]},
        )
    try:
        subject = _subject(corruption, day, dict(found))
        found_now = await violations(runtime)
        assert [(v.check, v.subject_id) for v in found_now] == [(corruption.check, subject)], (
            found_now
        )
        status, output = await _cli(runtime, "--json")
        assert status == 1, output
        document = json.loads(output)
        broken = [c for c in document["checks"] if c["violations"]]
        assert [(c["check"], [e["subject_id"] for e in c["examples"]]) for c in broken] == [
            (corruption.check, [subject])
        ]
    finally:
        async with runtime.db.engine.begin() as conn:
            await conn.execute(
                text(
                    f"UPDATE {corruption.table} SET {corruption.column} = :before"  # noqa: S608
                    " WHERE id = :id"
                ),
                {"before": before, "id": found["id"]},
            )
    assert await violations(runtime) == []


def books_violations(check: str) -> float | None:
    return REGISTRY.get_sample_value("homerun_books_violations", {"check": check})


async def test_the_worker_verifies_on_a_schedule_and_keeps_the_counts(
    day: Day, runtime: Runtime, caplog: pytest.LogCaptureFixture
) -> None:
    scheduled = with_settings(runtime, verify_interval_seconds=3600)
    scheduled.caches.of(jobs.LastRun).clear()
    await jobs.ensure_schedule(scheduled)
    async with runtime.db.transaction() as session:
        job = await session.scalar(select(Job).where(Job.key == jobs.KEY))
        assert job is not None and job.kind == jobs.VERIFY
        assert scheduled.caches.of(jobs.LastRun).at is None
        with caplog.at_level(logging.INFO, logger="homerun.verify"):
            # In the job's own transaction, as the worker runs it (on SQLite: the write turn).
            next_due = await jobs.verify_books(session, scheduled, job, Report())
    assert next_due == job.due_at + timedelta(hours=1)
    assert scheduled.caches.of(jobs.LastRun).counts == {name: 0 for name in service.names()}
    assert books_violations("settlement.batch_totals") == 0
    assert REGISTRY.get_sample_value("homerun_books_verified_timestamp_seconds") == (
        scheduled.caches.of(jobs.LastRun).at.timestamp()  # type: ignore[union-attr]
    )
    assert [r.getMessage() for r in caplog.records] == [
        f"books verified: {len(service.CHECKS)} checks, no violations"
    ]
    caplog.clear()
    async with runtime.db.engine.begin() as conn:
        await conn.execute(
            text("UPDATE batches SET refund_count = refund_count + 1 WHERE batch_id = :b"),
            {"b": day.first_batch},
        )
    try:
        async with runtime.db.transaction() as session:
            with caplog.at_level(logging.INFO, logger="homerun.verify"):
                await jobs.verify_books(session, scheduled, job, Report())
    finally:
        async with runtime.db.engine.begin() as conn:
            await conn.execute(
                text("UPDATE batches SET refund_count = refund_count - 1 WHERE batch_id = :b"),
                {"b": day.first_batch},
            )
    assert scheduled.caches.of(jobs.LastRun).counts == {
        name: int(name == "settlement.batch_totals") for name in service.names()
    }
    assert books_violations("settlement.batch_totals") == 1
    assert books_violations("ledger.journals_balance") == 0
    assert [(r.levelno, r.getMessage()) for r in caplog.records] == [
        (
            logging.ERROR,
            "books NOT verified: 1 violation(s): {'settlement.batch_totals': 1}",
        )
    ]
    # Switched off (the default): the next start removes the job.
    await jobs.ensure_schedule(runtime)
    async with runtime.db.transaction() as session:
        assert await session.scalar(select(Job).where(Job.key == jobs.KEY)) is None


async def test_the_command_runs_only_the_checks_asked_for(day: Day, runtime: Runtime) -> None:
    status, output = await _cli(runtime, "--check", "ledger.journals_balance", "--json")
    assert status == 0, output
    assert json.loads(output) == {
        "clean": True,
        "violations": 0,
        "checks": [
            {
                "check": "ledger.journals_balance",
                "promise": service.CHECKS[0].promise,
                "violations": 0,
                "examples": [],
            }
        ],
    }
    status, output = await _cli(runtime, "--check", "ledger.everything")
    assert status == 2
    assert output.splitlines() == [
        "error: no check named ledger.everything",
        f"checks: {', '.join(service.names())}",
    ]


async def test_a_run_reads_one_snapshot_and_never_holds_up_writers(
    day: Day, runtime: Runtime, client: httpx.AsyncClient
) -> None:
    count = text("SELECT count(*) FROM transactions")
    m = await rekey(client, MerchantAccess(day.mid, "", "", "", 0))
    async with snapshot(runtime.settings) as session:
        before = await session.scalar(count)
        # A charge commits while the run's snapshot is open (on SQLite: the write lock is
        # free, the reader holds none) ...
        sale = await approved(await charge(client, m, amount="7.00"))
        # ... and the run goes on seeing the moment it started at.
        assert await session.scalar(count) == before
    assert await one(runtime, "SELECT count(*) FROM transactions") == before + 1
    assert await violations(runtime) == []
    async with runtime.db.engine.connect() as conn:
        assert (await conn.execute(text("SELECT max(id) FROM transactions"))).scalar_one() == int(
            sale
        )
