"""What the Deposits pages ask of settlement and payments, for one merchant.

Read only: the figures are the deposit's own columns, as settlement wrote them when it
funded the batch; the lines under them are the batch's transactions and the chargebacks
and adjustments that name the deposit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.merchants.models import Merchant
from homerun.payments import lookup
from homerun.payments.models import Transaction
from homerun.settlement import service as settlement
from homerun.settlement.models import Deposit
from homerun.settlement.service import DepositContents

PAGE_SIZE = 25


@dataclass(frozen=True, slots=True)
class DepositPage:
    rows: Sequence[Deposit]
    next_before: int | None  # the id to page on from, if there are older deposits


async def recent(session: AsyncSession, merchant: Merchant, before: int | None) -> DepositPage:
    rows = await settlement.recent_deposits(session, merchant, before, PAGE_SIZE + 1)
    if len(rows) <= PAGE_SIZE:
        return DepositPage(rows, None)
    return DepositPage(rows[:PAGE_SIZE], rows[PAGE_SIZE - 1].id)


@dataclass(frozen=True, slots=True)
class DepositDetail:
    contents: DepositContents
    transactions: Sequence[Transaction]  # the batch's sales and refunds


async def detail(
    session: AsyncSession, merchant: Merchant, funding_master_id: str
) -> DepositDetail | None:
    contents = await settlement.deposit(session, merchant, funding_master_id)
    if contents is None:
        return None
    batch_id = contents.deposit.batch_id
    rows = await lookup.in_batch(session, merchant.id, batch_id) if batch_id else []
    return DepositDetail(contents, rows)
