"""On PostgreSQL, the four high-volume tables converted by docs/partition-by-month.sql into
monthly range partitions: the app runs a realistic day over them (charges, a capture, a void,
a refund, a billing payment, batches and deposits, a chargeback, webhooks delivered), every
row lands in its own month's partition, and `homerun verify` holds, orphans included."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import text

from homerun.runtime import Runtime
from homerun.verify import service
from tests.conftest import backend
from tests.verify.day import one, sandbox_day
from tests.verify.support import violations

pytestmark = pytest.mark.skipif(backend() != "postgresql", reason="partitions are PostgreSQL's")

PARTITIONED = {
    "transactions": "created_at",
    "outbox_events": "occurred_at",
    "webhook_deliveries": "occurred_at",
    "ledger_entries": "posted_at",
}


async def _placement(runtime: Runtime, table: str, column: str) -> list[tuple[str, str, int]]:
    """(partition, the month its rows are of, rows) for every partition holding rows."""
    sql = (
        f"SELECT tableoid::regclass::text, to_char({column} AT TIME ZONE 'UTC', 'YYYY_MM'),"  # noqa: S608 - names of ours
        f" count(*) FROM {table} GROUP BY 1, 2 ORDER BY 1, 2"
    )
    async with runtime.db.engine.connect() as conn:
        return [(p, m, int(n)) for p, m, n in (await conn.execute(text(sql))).all()]


async def test_a_day_on_monthly_partitions_verifies_clean(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    for table, column in PARTITIONED.items():
        key = await one(runtime, "SELECT pg_get_partkeydef(CAST(:t AS regclass))", t=table)
        assert key == f"RANGE ({column})", table
        assert await one(runtime, f"SELECT count(*) FROM {table}") == 0  # noqa: S608
    async with sandbox_day(client, runtime) as day:
        for table, column in PARTITIONED.items():
            placed = await _placement(runtime, table, column)
            assert placed, table
            # Each row in the partition of its own month; none in the default partition.
            assert [p for p, month, _ in placed if p != f"{table}_{month}"] == [], placed
        assert await one(runtime, "SELECT count(*) FROM webhook_deliveries"
                         " WHERE state = 'delivered'") >= 5  # fmt: skip
        for table, least in (("batches", 2), ("deposits", 2), ("chargebacks", 1),
                             ("billing_attempts", 1)):  # fmt: skip
            assert await one(runtime, f"SELECT count(*) FROM {table}") >= least  # noqa: S608
        assert (
            await one(
                runtime,
                "SELECT amount_refunded FROM transactions WHERE id = :id",
                id=int(day.keyed_sale),
            )
            == 1000
        )
        report = await service.run(runtime)
        assert report.counts() == dict.fromkeys(service.names(), 0)

        # With no foreign key left, an orphan is still found: a delivery whose event is gone.
        async with runtime.db.engine.begin() as conn:
            webhook_id, event_id = (
                await conn.execute(
                    text(
                        "UPDATE webhook_deliveries SET event_id = event_id + 1000000000"
                        " WHERE id = (SELECT min(id) FROM webhook_deliveries)"
                        " RETURNING webhook_id, event_id"
                    )
                )
            ).one()
        try:
            found = await violations(runtime)
            assert [(v.check, v.subject_id, v.detail) for v in found] == [
                (
                    "references.intact",
                    webhook_id,
                    f"webhook_deliveries.event_id {event_id}: no such outbox event",
                )
            ]
        finally:
            async with runtime.db.engine.begin() as conn:
                await conn.execute(
                    text(
                        "UPDATE webhook_deliveries SET event_id = event_id - 1000000000"
                        " WHERE webhook_id = :w"
                    ),
                    {"w": webhook_id},
                )
        assert await violations(runtime) == []
