"""When to ask the processor again about a transaction it never answered."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.payments.row import AnyTransaction
from homerun.worker import repository as jobs

RECONCILE = "payments.reconcile"
# A processor that timed out is asked again after a minute, and then every minute
# until it answers (the clock drives this in the sandbox).
RECONCILE_AFTER = timedelta(seconds=60)
# The job of transaction n is keyed KEY_PREFIX + "n": one per transaction.
KEY_PREFIX = "reconcile|"


async def schedule(session: AsyncSession, txn: AnyTransaction, now: datetime) -> None:
    await jobs.add(
        session,
        jobs.new_job(
            kind=RECONCILE,
            due_at=now + RECONCILE_AFTER,
            now=now,
            key=f"{KEY_PREFIX}{txn.id}",
            merchant_id=txn.merchant_id,
            payload={"trans_id": str(txn.id)},
        ),
    )
