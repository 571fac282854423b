"""All SQL for billing plans, scheduled payments and their attempts; the bucket jobs are
written by worker.repository, the job table's owner."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.billing.models import BillingAttempt, BillingPlan, ScheduledPayment
from homerun.billing.state import OPEN_PAYMENT_STATUSES, PaymentStatus
from homerun.merchants.models import Merchant
from homerun.payments.models import Transaction
from homerun.payments.state import State
from homerun.worker import repository as jobs

BUCKET_JOB = "billing.bucket"


def bucket_key(bucket: int) -> str:
    return f"billing|{bucket}"


async def add_plan(session: AsyncSession, plan: BillingPlan) -> BillingPlan:
    session.add(plan)
    await session.flush()
    return plan


async def add_payments(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """Insert scheduled payments in one executemany (callers pass bounded chunks).

    A plain INSERT: `(plan_id, payment_number)` is unique, so a row made twice is an
    error that rolls its transaction back, never a second payment."""
    if rows:
        await session.execute(insert(ScheduledPayment), rows)


async def plan(
    session: AsyncSession, merchant_id: int, plan_id: int, *, lock: bool = False
) -> BillingPlan | None:
    stmt = select(BillingPlan).where(
        BillingPlan.id == plan_id, BillingPlan.merchant_id == merchant_id
    )
    if lock:
        stmt = stmt.with_for_update()
    return (await session.execute(stmt)).scalar_one_or_none()


async def plans_for_update(session: AsyncSession, plan_ids: list[int]) -> dict[int, BillingPlan]:
    """Lock a batch's plans, in id order (so that two lockers never wait on each other)."""
    stmt = (
        select(BillingPlan)
        .where(BillingPlan.id.in_(plan_ids))
        .order_by(BillingPlan.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return {plan.id: plan for plan in (await session.execute(stmt)).scalars()}


async def payments_by_id(
    session: AsyncSession, payment_ids: list[int]
) -> dict[int, ScheduledPayment]:
    """Fresh rows (read after their plans were locked: every writer locks the plan first)."""
    stmt = (
        select(ScheduledPayment)
        .where(ScheduledPayment.id.in_(payment_ids))
        .execution_options(populate_existing=True)
    )
    return {payment.id: payment for payment in (await session.execute(stmt)).scalars()}


async def merchants_by_id(session: AsyncSession, merchant_ids: list[int]) -> dict[int, Merchant]:
    stmt = select(Merchant).where(Merchant.id.in_(merchant_ids))
    return {merchant.id: merchant for merchant in (await session.execute(stmt)).scalars()}


async def payments_of(session: AsyncSession, plan_id: int) -> Sequence[ScheduledPayment]:
    """A plan's payments in order: a bounded plan's, at most the horizon's days of them;
    an open-ended plan's, those it has made and its window."""
    stmt = (
        select(ScheduledPayment)
        .where(ScheduledPayment.plan_id == plan_id)
        .order_by(ScheduledPayment.payment_number)
    )
    return (await session.execute(stmt)).scalars().all()


async def due_payments(
    session: AsyncSession, bucket: int, now: datetime, limit: int
) -> Sequence[tuple[int, int]]:
    """(payment id, plan id) of a bucket's payments due by `now`, earliest first.

    No row locks here: the bucket job's lease makes this worker the only one charging
    the bucket, and each payment is locked (after its plan) when it is charged.
    """
    stmt = (
        select(ScheduledPayment.id, ScheduledPayment.plan_id)
        .where(ScheduledPayment.bucket == bucket, ScheduledPayment.due_at <= now)
        .order_by(ScheduledPayment.due_at, ScheduledPayment.id)
        .limit(limit)
    )
    return [(int(a), int(b)) for a, b in (await session.execute(stmt)).all()]


async def next_due(session: AsyncSession, bucket: int) -> datetime | None:
    stmt = select(func.min(ScheduledPayment.due_at)).where(
        ScheduledPayment.bucket == bucket, ScheduledPayment.due_at.is_not(None)
    )
    value: datetime | None = await session.scalar(stmt)
    return value


async def buckets_in_use(session: AsyncSession) -> list[int]:
    stmt = select(ScheduledPayment.bucket).where(ScheduledPayment.due_at.is_not(None)).distinct()
    return [int(b) for b in (await session.execute(stmt)).scalars()]


async def cancel_open_payments(session: AsyncSession, plan_id: int, now: datetime) -> int:
    result = await session.execute(
        update(ScheduledPayment)
        .where(
            ScheduledPayment.plan_id == plan_id,
            ScheduledPayment.status.in_(OPEN_PAYMENT_STATUSES),
        )
        .values(status="CANCELLED", due_at=None, updated_at=now)
        .execution_options(synchronize_session="fetch")
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def postpone(session: AsyncSession, payment_id: int, due_at: datetime) -> None:
    await session.execute(
        update(ScheduledPayment)
        .where(ScheduledPayment.id == payment_id, ScheduledPayment.due_at.is_not(None))
        .values(due_at=due_at)
        .execution_options(synchronize_session=False)
    )


async def save_payments(session: AsyncSession, payments: list[ScheduledPayment]) -> None:
    """Write a batch's (detached) payments back: one executemany UPDATE by primary key."""
    if payments:
        await session.execute(
            update(ScheduledPayment),
            [
                {
                    "id": p.id,
                    "due_at": p.due_at,
                    "amount_paid": p.amount_paid,
                    "status": p.status,
                    "attempts": p.attempts,
                    "trans_id": p.trans_id,
                    "resp_code": p.resp_code,
                    "resp_text": p.resp_text,
                    "updated_at": p.updated_at,
                }
                for p in payments
            ],
        )


async def save_plans(session: AsyncSession, plans: list[BillingPlan]) -> None:
    if plans:
        await session.execute(
            update(BillingPlan),
            [
                {
                    "id": p.id,
                    "status": p.status,
                    "status_reason": p.status_reason,
                    "open_payments": p.open_payments,
                    "payment_count": p.payment_count,
                    "window_number": p.window_number,
                    "window_date": p.window_date,
                    "updated_at": p.updated_at,
                    "ended_at": p.ended_at,
                }
                for p in plans
            ],
        )


async def returned_ach_payment(
    session: AsyncSession, plan_id: int
) -> tuple[ScheduledPayment, Transaction] | None:
    """The plan's first paid payment whose ACH payment the bank has since returned."""
    stmt = (
        select(ScheduledPayment, Transaction)
        .join(Transaction, Transaction.id == ScheduledPayment.trans_id)
        .where(
            ScheduledPayment.plan_id == plan_id,
            ScheduledPayment.status == PaymentStatus.COMPLETED,
            Transaction.state == State.RETURNED.value,
        )
        .order_by(ScheduledPayment.payment_number)
        .limit(1)
    )
    row = (await session.execute(stmt)).first()
    return None if row is None else (row[0], row[1])


async def attempt_for(
    session: AsyncSession, payment_id: int, transaction_id: int
) -> BillingAttempt | None:
    return await session.scalar(
        select(BillingAttempt).where(
            BillingAttempt.payment_id == payment_id,
            BillingAttempt.transaction_id == transaction_id,
        )
    )


async def transaction(session: AsyncSession, trans_id: int) -> Transaction | None:
    return await session.get(Transaction, trans_id)


async def schedule_bucket(
    session: AsyncSession, bucket: int, due_at: datetime, now: datetime
) -> None:
    """Make the bucket's job due by `due_at`: insert it, or pull it earlier (never later)."""
    job = jobs.new_job(
        kind=BUCKET_JOB,
        key=bucket_key(bucket),
        due_at=due_at,
        now=now,
        payload={"bucket": bucket},
    )
    await jobs.add_or_pull_earlier(session, job)
