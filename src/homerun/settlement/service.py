"""Closing a merchant's open batch: captured sales and refunds become settled.

Closing is set-based: one UPDATE settles every captured row of the merchant, one
SELECT totals the batch, and the ledger gets three balanced journals for it (sales,
refunds, processing fees), whatever the number of transactions.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from homerun.ledger import service as ledger
from homerun.ledger.accounts import Account, Kind
from homerun.merchants.models import Merchant
from homerun.observability.metrics import count_batch_closed
from homerun.payments import settlement_marks
from homerun.runtime import Runtime
from homerun.settlement import calendar, repository, schedule
from homerun.settlement.models import Adjustment, Batch, Chargeback, Deposit

Row = TypeVar("Row", Batch, Deposit, Chargeback, Adjustment)


@dataclass(frozen=True)
class ClosedBatch:
    batch_id: str
    transaction_count: int
    net_amount: int
    closed_at: datetime
    business_date: date
    deposit_date: date
    processing_fee: int


async def expire_authorizations(
    session: AsyncSession, runtime: Runtime, merchant: Merchant, at: datetime | None = None
) -> int:
    return await settlement_marks.expire_authorizations(
        session, merchant.id, at or runtime.clock.now()
    )


async def close_batch(
    session: AsyncSession,
    runtime: Runtime,
    merchant: Merchant,
    *,
    cutoff_at: datetime | None = None,
) -> ClosedBatch | None:
    """Settle every captured transaction of the merchant into a new batch (None if none).

    `cutoff_at` is the cut-off being closed (the worker's case): the batch closes at
    that moment. A close by an admin closes now and belongs to the next cut-off.
    """
    now = cutoff_at or runtime.clock.now()
    zone = merchant.timezone
    cutoff = cutoff_at or calendar.cutoff_on_or_after(now, merchant.batch_cutoff, zone)
    business_date = calendar.local_date(cutoff, zone)
    batch_id = f"{business_date:%Y%m%d}{secrets.token_hex(4).upper()}"
    if not await settlement_marks.settle_captured(session, merchant.id, batch_id, now):
        return None
    totals = await repository.batch_totals(
        session, batch_id, merchant.processing_rate_bps, merchant.processing_fixed_fee
    )
    deposit_date = calendar.add_business_days(business_date, merchant.funding_delay_days)
    net = totals.sale_amount - totals.refund_amount
    batch = Batch(
        batch_id=batch_id,
        merchant_id=merchant.id,
        currency=merchant.currency,
        business_date=business_date,
        closed_at=now,
        transaction_count=totals.sale_count + totals.refund_count,
        sale_count=totals.sale_count,
        sale_amount=totals.sale_amount,
        refund_count=totals.refund_count,
        refund_amount=totals.refund_amount,
        net_amount=net,
        processing_fee=totals.processing_fee,
        deposit_date=deposit_date,
    )
    await repository.add(session, batch)
    post_batch(session, merchant, batch)
    for days in await repository.chargeback_plans(session, batch_id):
        await schedule.schedule_chargeback_arrival(
            session, runtime, merchant.id, batch_id, days, now
        )
    count_batch_closed()
    return ClosedBatch(
        batch_id,
        batch.transaction_count,
        net,
        now,
        business_date,
        deposit_date,
        totals.processing_fee,
    )


def post_batch(session: AsyncSession, merchant: Merchant, batch: Batch) -> None:
    """Sales, refunds and fees of the batch, payable from its deposit date."""
    payable_on = batch.deposit_date
    source = ledger.Source(batch_id=batch.batch_id)
    for kind, debit, credit, amount in (
        (Kind.SALE, Account.CARD_CLEARING, Account.MERCHANT_PAYABLE, batch.sale_amount),
        (Kind.REFUND, Account.MERCHANT_PAYABLE, Account.CARD_CLEARING, batch.refund_amount),
        (Kind.FEE, Account.MERCHANT_PAYABLE, Account.PROCESSOR_INCOME, batch.processing_fee),
    ):
        ledger.post(
            session,
            merchant_id=merchant.id,
            currency=batch.currency,
            journal=f"batch:{batch.batch_id}:{kind.value}",
            kind=kind,
            at=batch.closed_at,
            lines=ledger.transfer(debit, credit, amount, payable_on),
            source=source,
        )


async def page(
    session: AsyncSession, model: type[Row], merchant: Merchant, after_id: int, limit: int
) -> Sequence[Row]:
    """A merchant's batches, deposits, chargebacks or adjustments, oldest first."""
    return await repository.page_of(session, model, merchant.id, after_id, limit)


@dataclass(frozen=True)
class Balance:
    position: ledger.Position
    pending_settlement: int


async def balance(session: AsyncSession, merchant: Merchant) -> Balance:
    return Balance(
        await ledger.position(session, merchant.id),
        await repository.open_captured_net(session, merchant.id),
    )


@dataclass(frozen=True)
class DepositContents:
    """One deposit and what it carried beyond its batch's sales and refunds."""

    deposit: Deposit
    chargebacks: Sequence[Chargeback]  # debited here, or credited back here when won
    adjustments: Sequence[Adjustment]


async def recent_deposits(
    session: AsyncSession, merchant: Merchant, before_id: int | None, limit: int
) -> Sequence[Deposit]:
    """A merchant's deposits, newest first, before a deposit id (keyset paging)."""
    return await repository.deposits_newest(session, merchant.id, before_id, limit)


async def deposit(
    session: AsyncSession, merchant: Merchant, funding_master_id: str
) -> DepositContents | None:
    """The merchant's own deposit (another merchant's is not found either)."""
    found = await repository.deposit_of(session, merchant.id, funding_master_id)
    if found is None:
        return None
    return DepositContents(
        found,
        await repository.chargebacks_funded_by(session, merchant.id, funding_master_id),
        await repository.adjustments_funded_by(session, merchant.id, funding_master_id),
    )


@dataclass(frozen=True)
class PaymentSettlement:
    """What settlement did with one payment: the batch that settled it, the deposit that
    paid it, its chargeback (if any) and the deposits that carried the chargeback."""

    batch: Batch | None
    chargeback: Chargeback | None
    deposits: dict[str, Deposit]  # by funding_master_id


async def of_payment(
    session: AsyncSession, merchant: Merchant, batch_id: str | None, txn_id: int
) -> PaymentSettlement:
    batch = await repository.batch_of(session, merchant.id, batch_id) if batch_id else None
    chargeback = await repository.chargeback_of(session, txn_id)
    if chargeback is not None and chargeback.merchant_id != merchant.id:
        chargeback = None
    fmids = [
        fmid
        for fmid in (
            batch.funding_master_id if batch else None,
            chargeback.funding_master_id if chargeback else None,
            chargeback.reversal_funding_master_id if chargeback else None,
        )
        if fmid
    ]
    deposits = await repository.deposits_by_id(session, merchant.id, fmids)
    return PaymentSettlement(batch, chargeback, deposits)
