"""What the bank file of an originated ACH batch reads, owned here with the rest of the
transactions table (docs/ach.md, "The NACHA file"): the merchant's ACH batches with their
counts and totals, and one batch's entries as a streamed query, in entry-class order, so
that a batch of any size is read a partition at a time and never held in memory."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.payments.models import Transaction
from homerun.payments.state import Kind, PaymentMethod

STREAM_PARTITION = 500

_IN_AN_ACH_BATCH = (
    Transaction.payment_method == PaymentMethod.ACH.value,
    Transaction.batch_id.is_not(None),
)


@dataclass(frozen=True, slots=True)
class AchBatch:
    batch_id: str
    originated_at: datetime
    entry_count: int
    debit_count: int
    debit_total: int  # minor units
    credit_count: int
    credit_total: int


@dataclass(frozen=True, slots=True)
class AchEntryRow:
    """One entry of a batch as the transactions table has it (no account number: that is
    the tokenizer's, sealed)."""

    trans_id: int
    is_credit: bool  # a refund is an ACH credit
    amount: int  # minor units
    account_token: str
    routing_number: str
    account_type: str
    entry_class: str
    holder_name: str


def _credit() -> Any:
    return Transaction.kind == Kind.REFUND.value


def _batches_query(merchant_id: int, batch_id: str | None) -> Any:
    credit = _credit()
    stmt = (
        select(
            Transaction.batch_id,
            func.min(Transaction.ach_originated_at),
            func.count(),
            func.sum(case((credit, 0), else_=1)),
            func.sum(case((credit, 0), else_=Transaction.amount_captured)),
            func.sum(case((credit, 1), else_=0)),
            func.sum(case((credit, Transaction.amount_captured), else_=0)),
        )
        .where(Transaction.merchant_id == merchant_id, *_IN_AN_ACH_BATCH)
        .group_by(Transaction.batch_id)
        .order_by(func.min(Transaction.ach_originated_at).desc(), Transaction.batch_id.desc())
    )
    if batch_id is not None:
        stmt = stmt.where(Transaction.batch_id == batch_id)
    return stmt


def _batch(row: Any) -> AchBatch:
    return AchBatch(
        batch_id=row[0],
        originated_at=row[1],
        entry_count=int(row[2]),
        debit_count=int(row[3] or 0),
        debit_total=int(row[4] or 0),
        credit_count=int(row[5] or 0),
        credit_total=int(row[6] or 0),
    )


async def batches(session: AsyncSession, merchant_id: int) -> list[AchBatch]:
    """The merchant's originated ACH batches, newest first (one row per batch: few)."""
    return [_batch(row) for row in (await session.execute(_batches_query(merchant_id, None)))]


async def batch(session: AsyncSession, merchant_id: int, batch_id: str) -> AchBatch | None:
    """One of the merchant's ACH batches, or None (unknown, or another merchant's)."""
    row = (await session.execute(_batches_query(merchant_id, batch_id))).first()
    return _batch(row) if row is not None else None


async def entries(
    session: AsyncSession, merchant_id: int, batch_id: str
) -> AsyncGenerator[list[AchEntryRow]]:
    """The batch's entries by entry class, then in the order they were made, streamed a
    partition (STREAM_PARTITION rows) at a time."""
    stmt = (
        select(
            Transaction.id,
            Transaction.kind,
            Transaction.amount_captured,
            Transaction.account_token,
            Transaction.ach_routing_number,
            Transaction.ach_account_type,
            Transaction.ach_entry_class,
            Transaction.holder,
        )
        .where(
            Transaction.merchant_id == merchant_id,
            Transaction.batch_id == batch_id,
            Transaction.payment_method == PaymentMethod.ACH.value,
        )
        .order_by(Transaction.ach_entry_class, Transaction.id)
        .execution_options(yield_per=STREAM_PARTITION)
    )
    result = await session.stream(stmt)
    try:
        async for partition in result.partitions():
            yield [
                AchEntryRow(
                    trans_id=row[0],
                    is_credit=row[1] == Kind.REFUND,
                    amount=row[2],
                    account_token=row[3] or "",
                    routing_number=row[4] or "",
                    account_type=str(row[5]),
                    entry_class=row[6] or "",
                    holder_name=str((row[7] or {}).get("name") or ""),
                )
                for row in partition
            ]
    finally:
        await result.close()
