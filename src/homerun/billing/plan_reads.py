"""Reads of one merchant's billing plans for its own people: by account, newest first,
and when each runs next.

Paged by a keyset on the plan id; the next run is one grouped query over the page's
plans (their earliest open payment), never a plan's whole schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.billing.models import BillingPlan, ScheduledPayment


async def newest(
    session: AsyncSession, merchant_id: int, before: int | None, limit: int
) -> Sequence[BillingPlan]:
    stmt = select(BillingPlan).where(BillingPlan.merchant_id == merchant_id)
    if before is not None:
        stmt = stmt.where(BillingPlan.id < before)
    stmt = stmt.order_by(BillingPlan.id.desc()).limit(limit)
    return (await session.execute(stmt)).scalars().all()


async def of_accounts(
    session: AsyncSession, merchant_id: int, account_ids: list[int], limit: int
) -> Sequence[BillingPlan]:
    """The plans charging these accounts, newest first (at most `limit`)."""
    if not account_ids:
        return []
    stmt = (
        select(BillingPlan)
        .where(BillingPlan.merchant_id == merchant_id, BillingPlan.account_id.in_(account_ids))
        .order_by(BillingPlan.id.desc())
        .limit(limit)
    )
    return (await session.execute(stmt)).scalars().all()


async def next_runs(session: AsyncSession, plan_ids: list[int]) -> dict[int, datetime]:
    """When each plan's next payment is (re)tried; a plan with nothing open is absent."""
    if not plan_ids:
        return {}
    stmt = (
        select(ScheduledPayment.plan_id, func.min(ScheduledPayment.due_at))
        .where(ScheduledPayment.plan_id.in_(plan_ids), ScheduledPayment.due_at.is_not(None))
        .group_by(ScheduledPayment.plan_id)
    )
    return {plan_id: due for plan_id, due in (await session.execute(stmt)).all() if due}


async def one(session: AsyncSession, merchant_id: int, plan_id: int) -> BillingPlan | None:
    """The merchant's own plan; another merchant's is not found."""
    stmt = select(BillingPlan).where(
        BillingPlan.id == plan_id, BillingPlan.merchant_id == merchant_id
    )
    return (await session.execute(stmt)).scalar_one_or_none()
