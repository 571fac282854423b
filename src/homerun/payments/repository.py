"""All SQL for transactions. Every query is scoped to one merchant."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from homerun.payments.models import Transaction


async def add(session: AsyncSession, txn: Transaction) -> Transaction:
    session.add(txn)
    await session.flush()
    return txn


def parse_trans_id(trans_id: str) -> int | None:
    """trans_ids are numeric strings; anything else cannot exist.

    Only ASCII digits count: str.isdigit() is also true of superscripts, which
    int() rejects, and of other scripts' digits, which int() reads as a number.
    """
    text = trans_id.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 18:
        return None
    return int(text)


async def get_for_update(
    session: AsyncSession, merchant_id: int, trans_id: str
) -> Transaction | None:
    """The merchant's transaction, row-locked until the request's transaction ends."""
    key = parse_trans_id(trans_id)
    if key is None:
        return None
    stmt = (
        select(Transaction)
        .where(Transaction.id == key, Transaction.merchant_id == merchant_id)
        .with_for_update()
    )
    return (await session.execute(stmt)).scalar_one_or_none()


async def get(session: AsyncSession, merchant_id: int, trans_id: str) -> Transaction | None:
    key = parse_trans_id(trans_id)
    if key is None:
        return None
    stmt = select(Transaction).where(Transaction.id == key, Transaction.merchant_id == merchant_id)
    return (await session.execute(stmt)).scalar_one_or_none()


async def refunds_of(session: AsyncSession, parent_id: int) -> Sequence[Transaction]:
    stmt = select(Transaction).where(Transaction.parent_id == parent_id).order_by(Transaction.id)
    return (await session.execute(stmt)).scalars().all()
