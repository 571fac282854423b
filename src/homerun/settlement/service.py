"""Closing a merchant's open batch: captured sales and refunds become settled."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import case, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.merchants.models import Merchant
from homerun.payments.models import Transaction
from homerun.payments.state import State
from homerun.runtime import Runtime
from homerun.settlement.models import Batch


@dataclass(frozen=True)
class ClosedBatch:
    batch_id: str
    transaction_count: int
    net_amount: int
    closed_at: datetime


async def close_batch(
    session: AsyncSession, runtime: Runtime, merchant: Merchant
) -> ClosedBatch | None:
    """Settle every captured transaction of the merchant in one statement (no rows in memory)."""
    now = runtime.clock.now()
    batch_id = f"{now:%Y%m%d}{secrets.token_hex(4).upper()}"
    moved = await session.execute(
        update(Transaction)
        .where(Transaction.merchant_id == merchant.id, Transaction.state == State.CAPTURED.value)
        .values(state=State.SETTLED.value, batch_id=batch_id, settled_at=now, updated_at=now)
        .execution_options(synchronize_session=False)
    )
    if not getattr(moved, "rowcount", 0):
        return None
    gross = Transaction.amount_captured + Transaction.fee_amount
    signed = case((Transaction.kind == "refund", -gross), else_=gross)
    count, net = (
        await session.execute(
            select(func.count(Transaction.id), func.coalesce(func.sum(signed), 0)).where(
                Transaction.batch_id == batch_id
            )
        )
    ).one()
    session.add(
        Batch(
            batch_id=batch_id,
            merchant_id=merchant.id,
            transaction_count=int(count),
            net_amount=int(net),
            closed_at=now,
        )
    )
    await session.flush()
    return ClosedBatch(batch_id, int(count), int(net), now)
