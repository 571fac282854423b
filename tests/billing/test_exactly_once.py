"""A scheduled payment is charged at most once: racing workers, a lost lease, a kill.

In-process here (both databases); tests/billing/test_worker_processes.py does it with
real `homerun worker` processes.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from homerun.billing import service as billing
from homerun.billing.models import BillingAttempt, BillingPlan, ScheduledPayment
from homerun.billing.repository import BUCKET_JOB, bucket_key
from homerun.jobs import job_registry
from homerun.payments.models import Transaction
from homerun.runtime import Runtime
from homerun.sandbox.service import move_clock_to
from homerun.worker.models import Job
from homerun.worker.report import Report
from homerun.worker.service import Claimed, run_available, run_claimed
from tests.billing.support import account, advance_until, next_morning, plan_id, rule
from tests.conftest import MerchantAccess

JOBS = job_registry()


async def make_plans(
    client: httpx.AsyncClient, m: MerchantAccess, count: int, start: datetime, body: str
) -> list[int]:
    acct = await account(client, m)
    return [
        await plan_id(
            client,
            m,
            name=f"plan {n}",
            payment_account_uuid=acct["uuid"],
            amount="2.00",
            rrule_pattern=rule(start, body),
        )
        for n in range(count)
    ]


async def ledger(runtime: Runtime, plan_ids: list[int]) -> tuple[int, int, int, int]:
    """(payments, completed payments, attempts, transactions) of these plans."""
    async with runtime.db.transaction() as session:
        payments = select(ScheduledPayment.id).where(ScheduledPayment.plan_id.in_(plan_ids))
        total = await session.scalar(select(func.count()).select_from(payments.subquery()))
        completed = await session.scalar(
            select(func.count()).where(
                ScheduledPayment.plan_id.in_(plan_ids), ScheduledPayment.status == "COMPLETED"
            )
        )
        attempts = await session.scalar(
            select(func.count()).where(BillingAttempt.payment_id.in_(payments))
        )
        merchant_id = await session.scalar(
            select(BillingPlan.merchant_id).where(BillingPlan.id == plan_ids[0])
        )
        transactions = await session.scalar(
            select(func.count()).where(
                Transaction.merchant_id == merchant_id, Transaction.kind == "sale"
            )
        )
    return int(total or 0), int(completed or 0), int(attempts or 0), int(transactions or 0)


async def test_racing_workers_charge_each_payment_once(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    start = await next_morning(client, days=1)
    plans = await make_plans(client, merchant, 40, start, "FREQ=DAILY;COUNT=2")
    await move_clock_to(runtime, start + timedelta(days=1, minutes=1))  # runs nothing itself
    reports = [Report() for _ in range(4)]
    await asyncio.gather(
        *(run_available(runtime, JOBS, f"racer-{n}", report) for n, report in enumerate(reports))
    )
    assert await ledger(runtime, plans) == (80, 80, 80, 80)
    charged = sum(r.counts[billing.COMPLETED] for r in reports)
    assert charged >= 80  # (other tests' plans may have fallen due too)


async def lease(runtime: Runtime, plan: int, token: str) -> Claimed:
    """Worker `token` takes the lease of the plan's bucket job, as claim_one would."""
    bucket = plan % runtime.settings.billing_job_buckets
    now = runtime.clock.now()
    async with runtime.db.transaction() as session:
        job = await session.scalar(select(Job).where(Job.key == bucket_key(bucket)))
        assert job is not None and job.kind == BUCKET_JOB and job.due_at <= now
        await session.execute(
            update(Job)
            .where(Job.id == job.id)
            .values(
                locked_by=token,
                locked_until=now + timedelta(seconds=runtime.settings.worker_lease_seconds),
            )
        )
        return Claimed(job.id, job.kind, token, job.due_at)


async def test_a_worker_that_lost_its_lease_charges_nothing(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    start = await next_morning(client, days=1)
    plans = await make_plans(client, merchant, 1, start, "FREQ=DAILY;COUNT=1")
    await move_clock_to(runtime, start + timedelta(seconds=1))
    stalled = await lease(runtime, plans[0], f"stalled/{secrets.token_hex(4)}")
    # The stalled worker never comes back in time: its lease runs out and the clock's
    # worker charges the payment ...
    lease_ends = runtime.clock.now() + timedelta(seconds=runtime.settings.worker_lease_seconds)
    await advance_until(client, lease_ends + timedelta(seconds=1))
    assert await ledger(runtime, plans) == (1, 1, 1, 1)
    # ... and when it wakes up, its fence finds the lease gone: nothing is charged again.
    assert await run_claimed(runtime, JOBS, stalled, Report()) is False
    assert await ledger(runtime, plans) == (1, 1, 1, 1)


class Killed(BaseException):
    """The process died: nothing after this line of the run happens (no except catches it)."""


async def test_a_worker_killed_mid_run_leaves_nothing_and_the_payment_is_charged_once(
    client: httpx.AsyncClient,
    runtime: Runtime,
    merchant: MerchantAccess,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    start = await next_morning(client, days=1)
    plans = await make_plans(client, merchant, 1, start, "FREQ=DAILY;COUNT=1")
    await move_clock_to(runtime, start + timedelta(seconds=1))
    doomed = await lease(runtime, plans[0], f"doomed/{secrets.token_hex(4)}")

    real = billing._record_outcome

    def die_after_the_charge(*args: object, **kwargs: object) -> None:
        raise Killed  # after the processor approved and the transaction row was written

    monkeypatch.setattr(billing, "_record_outcome", die_after_the_charge)
    with pytest.raises(Killed):
        await run_claimed(runtime, JOBS, doomed, Report())
    monkeypatch.setattr(billing, "_record_outcome", real)
    assert await ledger(runtime, plans) == (1, 0, 0, 0)  # all of it rolled back

    lease_ends = runtime.clock.now() + timedelta(seconds=runtime.settings.worker_lease_seconds)
    await advance_until(client, lease_ends + timedelta(seconds=1))
    assert await ledger(runtime, plans) == (1, 1, 1, 1)


async def test_the_database_refuses_a_second_approved_attempt(
    client: httpx.AsyncClient, runtime: Runtime, merchant: MerchantAccess
) -> None:
    """Whatever a bug did, a payment cannot be tied to two approvals or to one
    transaction twice: the constraints say no."""
    from sqlalchemy.exc import IntegrityError

    start = await next_morning(client, days=1)
    plans = await make_plans(client, merchant, 1, start, "FREQ=DAILY;COUNT=1")
    await advance_until(client, start + timedelta(minutes=1))
    async with runtime.db.transaction() as session:
        first = await session.scalar(
            select(BillingAttempt)
            .join(ScheduledPayment, ScheduledPayment.id == BillingAttempt.payment_id)
            .where(ScheduledPayment.plan_id == plans[0])
        )
        assert first is not None and first.result == "A"
        payment_id, transaction_id = first.payment_id, first.transaction_id
        other_txn = await session.scalar(
            select(Transaction.id).where(Transaction.id != transaction_id).limit(1)
        )
    for attempt, txn, result in ((2, other_txn, "A"), (2, transaction_id, "C")):
        with pytest.raises(IntegrityError):
            async with runtime.db.transaction() as session:
                session.add(
                    BillingAttempt(
                        payment_id=payment_id,
                        attempt=attempt,
                        transaction_id=txn,
                        result=result,
                        created_at=runtime.clock.now(),
                    )
                )
                await session.flush()
    assert await ledger(runtime, plans) == (1, 1, 1, 1)
